"""Gene panels for inherited arrhythmia and cardiomyopathy, and condition-specific allele-frequency ceilings.

The panels are the ClinGen gene–disease validity curations (bundled in ``data/cardiac/panels.tsv`` with the
paper and date of each curation); the ceilings are the maximum credible population allele frequencies of
Whiffin et al. (Genet Med 2017;19:1151) computed from each condition's genetic architecture
(``data/cardiac/allele_frequency_ceilings.tsv``).
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Iterable

import pandas as pd

from .._resources import data_path
from ..errors import ParameterError, ReferenceDataError

#: ClinGen classification order (Strande et al. Am J Hum Genet 2017;100:895): a panel keeps genes at or above
#: the requested level. ``moderate_or_higher`` marks genes whose exact level we could not verify offline.
CLASSIFICATION_RANK: dict[str, int] = {
    "definitive": 5,
    "strong": 4,
    "moderate_or_higher": 3,
    "moderate": 3,
    "limited": 2,
    "disputed": 1,
    "refuted": 0,
}

#: accepted spellings of each condition (lower-case) -> canonical key used in the bundled tables
CONDITION_ALIASES: dict[str, str] = {
    "long_qt": "long_qt", "lqts": "long_qt", "long qt": "long_qt", "long-qt": "long_qt",
    "long qt syndrome": "long_qt", "lqt": "long_qt",
    "brugada": "brugada", "brs": "brugada", "brugada syndrome": "brugada",
    "hcm": "hcm", "hypertrophic cardiomyopathy": "hcm",
    "acm": "acm", "arvc": "acm", "arvc/acm": "acm", "arrhythmogenic cardiomyopathy": "acm",
    "arrhythmogenic right ventricular cardiomyopathy": "acm",
    "cpvt": "cpvt", "catecholaminergic polymorphic ventricular tachycardia": "cpvt",
    "dcm": "dcm", "dilated cardiomyopathy": "dcm",
}

CONDITION_LABELS: dict[str, str] = {
    "long_qt": "long QT syndrome",
    "brugada": "Brugada syndrome",
    "hcm": "hypertrophic cardiomyopathy",
    "acm": "arrhythmogenic cardiomyopathy",
    "cpvt": "catecholaminergic polymorphic ventricular tachycardia",
    "dcm": "dilated cardiomyopathy",
}
#: panel ``inheritance`` values: autosomal dominant / recessive, X-linked
INHERITANCE_VALUES = frozenset({"AD", "AR", "XL"})
#: panel ``mechanism`` values: every variant type, or truncating variants only (e.g. TTN in DCM)
MECHANISM_VALUES = frozenset({"any", "truncating"})


def normalise_condition(condition: str) -> str:
    """Canonical condition key (``long_qt``, ``brugada``, ``hcm``, ``acm``, ``cpvt``, ``dcm``) for a user
    spelling."""
    key = str(condition).strip().lower().replace("_", " ")
    key = CONDITION_ALIASES.get(key, CONDITION_ALIASES.get(key.replace(" ", "_"), None))
    if key is None:
        raise ParameterError(
            f"gene_panel: unknown condition {condition!r}; use one of {sorted(CONDITION_LABELS)}"
        )
    return key


@lru_cache(maxsize=1)
def _panels_table() -> pd.DataFrame:
    path = data_path("cardiac", "panels.tsv")
    table = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    for column, allowed in (("classification", set(CLASSIFICATION_RANK)), ("inheritance", INHERITANCE_VALUES),
                            ("mechanism", MECHANISM_VALUES), ("condition", set(CONDITION_LABELS))):
        unknown = set(table[column]) - set(allowed)
        if unknown:
            raise ReferenceDataError(f"bigmed_utils/data/cardiac/panels.tsv: unknown {column} value(s) {sorted(unknown)}")
    return table


def panel(
    conditions: str | Iterable[str] | None = None,
    *,
    min_classification: str = "moderate",
) -> pd.DataFrame:
    """ClinGen-curated genes for one or more inherited cardiac conditions.

    Parameters
    ----------
    conditions
        A condition or several (``"long_qt"``, ``"brugada"``, ``"hcm"``, ``"acm"``, ``"cpvt"``, ``"dcm"``;
        common spellings such as ``"LQTS"`` or ``"ARVC"`` are accepted). ``None`` or ``"all"`` selects every
        panel.
    min_classification
        Lowest ClinGen classification kept (``"definitive"``, ``"strong"``, ``"moderate"`` ...).

    Returns
    -------
    pandas.DataFrame
        One row per condition, gene and disease: ``condition, gene, classification, inheritance`` (AD, AR,
        XL), ``scope`` (the disease or presentation, e.g. "Jervell and Lange-Nielsen syndrome", "HCM
        phenocopy: Fabry disease"), ``mechanism`` (``any`` or ``truncating``), ``source, source_date, notes``.
        A gene in two selected panels (e.g. SCN5A) appears once per condition; a gene with a dominant and a
        recessive disease in one condition (KCNQ1, DSP, JUP) has one row for each.
    """
    if min_classification not in CLASSIFICATION_RANK:
        raise ParameterError(
            f"min_classification: {min_classification!r} is not one of {sorted(CLASSIFICATION_RANK)}"
        )
    table = _panels_table()
    if conditions is None or (isinstance(conditions, str) and conditions.strip().lower() == "all"):
        keys = list(CONDITION_LABELS)
    else:
        if isinstance(conditions, str):
            conditions = [conditions]
        keys = list(dict.fromkeys(normalise_condition(c) for c in conditions))
        if not keys:
            raise ParameterError("gene_panel: no condition given")
    floor = CLASSIFICATION_RANK[min_classification]
    keep = table["condition"].isin(keys) & table["classification"].map(CLASSIFICATION_RANK).ge(floor)
    out = table.loc[keep].copy()
    out["condition"] = pd.Categorical(out["condition"], categories=keys, ordered=True)
    return out.sort_values(["condition"], kind="stable").reset_index(drop=True).astype({"condition": str})


def panel_genes(conditions: str | Iterable[str] | None = None, *, min_classification: str = "moderate") -> list[str]:
    """Sorted unique gene symbols of :func:`panel`."""
    return sorted(set(panel(conditions, min_classification=min_classification)["gene"]))


def whiffin_max_af(
    *,
    prevalence: float,
    allelic_heterogeneity: float,
    genetic_heterogeneity: float = 1.0,
    penetrance: float,
    inheritance: str = "monoallelic",
) -> float:
    """Maximum credible population allele frequency (Whiffin et al. Genet Med 2017;19:1151).

    monoallelic: ``prevalence × genetic × allelic / (2 × penetrance)``; biallelic:
    ``allelic × sqrt(prevalence × genetic / penetrance)`` — the formulas of the authors' calculator
    (github.com/jamesware/alleleFrequencyApp, ``server.R``).
    """
    for name, value in (("prevalence", prevalence), ("allelic_heterogeneity", allelic_heterogeneity),
                        ("genetic_heterogeneity", genetic_heterogeneity), ("penetrance", penetrance)):
        if not (isinstance(value, (int, float)) and 0 < float(value) <= 1):
            raise ParameterError(f"{name}: must be a number in (0, 1], got {value!r}")
    if inheritance == "monoallelic":
        return 0.5 * prevalence * genetic_heterogeneity * allelic_heterogeneity / penetrance
    if inheritance == "biallelic":
        return allelic_heterogeneity * math.sqrt(prevalence * genetic_heterogeneity / penetrance)
    raise ParameterError(f"inheritance: {inheritance!r} is not 'monoallelic' or 'biallelic'")


@lru_cache(maxsize=1)
def _ceilings_table() -> pd.DataFrame:
    return pd.read_csv(data_path("cardiac", "allele_frequency_ceilings.tsv"), sep="\t")


def allele_frequency_ceilings() -> pd.DataFrame:
    """The genetic-architecture parameters per condition with the resulting ``max_credible_af`` column."""
    table = _ceilings_table().copy()
    table["max_credible_af"] = [
        whiffin_max_af(prevalence=r.prevalence, allelic_heterogeneity=r.allelic_heterogeneity,
                       genetic_heterogeneity=r.genetic_heterogeneity, penetrance=r.penetrance,
                       inheritance=r.inheritance)
        for r in table.itertuples()
    ]
    return table


def max_credible_af(condition: str, **overrides: float) -> float:
    """Maximum credible population allele frequency of a pathogenic variant for ``condition``.

    A variant whose filtering allele frequency (gnomAD FAF95, popmax) exceeds this ceiling is too common to
    cause the condition. HCM gives 4.0e-5 (Whiffin et al. 2017, published value); the other conditions use
    the same framework with the architecture documented in ``data/cardiac/allele_frequency_ceilings.tsv``.

    Parameters
    ----------
    condition
        Condition key or alias (see :func:`panel`).
    **overrides
        Replace any architecture parameter (``prevalence``, ``allelic_heterogeneity``,
        ``genetic_heterogeneity``, ``penetrance``, ``inheritance``), e.g. for a founder population.
    """
    key = normalise_condition(condition)
    allowed = {"prevalence", "allelic_heterogeneity", "genetic_heterogeneity", "penetrance", "inheritance"}
    bad = set(overrides) - allowed
    if bad:
        raise ParameterError(f"max_credible_af: unknown parameter(s) {sorted(bad)}; allowed {sorted(allowed)}")
    row = _ceilings_table().set_index("condition").loc[key].to_dict()
    params = {k: row[k] for k in allowed}
    params.update(overrides)
    return whiffin_max_af(**params)


def bs1_thresholds(condition: str, **overrides: float) -> dict[str, float]:
    """``bs1_thresholds`` for ``bigmed_utils.genomics.acmg`` (dominant and de novo modes) set to the
    condition's maximum credible allele frequency. Compare it with a filtering allele frequency (gnomAD
    FAF95 / grpmax FAF), as Whiffin et al. intend, not with a raw allele frequency."""
    af = max_credible_af(condition, **overrides)
    return {"autosomal_dominant": af, "de_novo": af}


def max_tolerated_ac(max_af: float, *, allele_number: int, confidence: float = 0.95) -> int:
    """Largest allele count compatible with ``max_af`` in a sample of ``allele_number`` alleles.

    One-sided Poisson quantile ``qpois(confidence, allele_number × max_af)`` as in Whiffin et al. 2017.
    """
    from scipy.stats import poisson

    if allele_number <= 0:
        raise ParameterError(f"allele_number: must be positive, got {allele_number!r}")
    if not 0 < confidence < 1:
        raise ParameterError(f"confidence: must be in (0, 1), got {confidence!r}")
    return int(poisson.ppf(confidence, allele_number * max_af))


__all__ = [
    "CLASSIFICATION_RANK",
    "CONDITION_LABELS",
    "normalise_condition",
    "panel",
    "panel_genes",
    "whiffin_max_af",
    "allele_frequency_ceilings",
    "max_credible_af",
    "bs1_thresholds",
    "max_tolerated_ac",
]
