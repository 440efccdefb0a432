"""The sudden-cardiac-death family analysis: one call from PED + joint VCF + ECG/echo/clinical CSVs to the
tables, figures and ``summary.json`` of a family report.

Steps of :func:`analyse_family`

1. PED read and validated (a missing parent row or a loop in the ancestry is an error naming the
   individual); the family's pedigree and proband checked.
2. The joint VCF imported once with Hail (:func:`bigmed_utils.io.vcf.read_vcf`, cached per process), restricted
   in Hail to the family's samples, to the genes of the chosen condition panels and to genotypes passing the
   genotype filters; only the proband's panel variants reach pandas, with their population-frequency fields.
3. The frequency filter (filtering AF / allele counts against the condition's maximum credible allele
   frequency, Whiffin et al. 2017: :mod:`bigmed_utils.cardiac.frequency`), the consequence gate and the
   gene's variant-type scope (:mod:`bigmed_utils.cardiac.filtering`); every removed variant is listed with
   its reason (``filtered_out``).
4. Segregation of every kept candidate in the pedigree (genotyped relatives; PP1 / BS4) and classification
   by the shared ACMG/AMP engine (:func:`bigmed_utils.genomics.acmg.classify_variants`).
5. ECG: QTc by four formulas, flags and Schwartz QTc points per visit and per person (excluded rows listed
   with the reason); HCM Risk-SCD (16 and over) or HCM Risk-Kids (under 16) for HCM patients with echo and
   clinical data (a number, or 'not applicable' / 'not computable' with the reason), with the ESC 2023 risk
   modifiers beside it; cascade list from the proband's P/LP variant; pedigree drawing and QTc trend figures.

:func:`cohort_overview` screens every family of the joint files in one Hail pass and gives the diagnostic
yield per condition panel and QTc by genotype.

Research use only; not a medical device.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import InputDataError, ParameterError
from ..genomics.acmg import LIKELY_PATHOGENIC, PATHOGENIC, VUS, classify_variants
from ..genomics.filters import GenotypeFilters, apply_genotype_filters
from ..io.ped import read_ped
from .cascade import (
    CARRIER,
    CASCADE_COLUMNS,
    NON_CARRIER,
    UNTESTED,
    SegregationResult,
    cascade_list,
    cascade_records,
    infer_obligate_carriers,
    segregation,
)
from .cohort import diagnostic_yield, plot_diagnostic_yield, plot_qtc_by_genotype, qtc_by_genotype
from .ecg import latest_qtc, plot_qtc_trend, qtc_summary, qtc_table
from .filtering import (
    FILTERED_COLUMNS,
    NO_BS1,
    choose_panel_row,
    filtered_records,
    frequency_notes,
    population_annotation,
    recessive_notes,
    screen_candidates,
    short_hgvs,
)
from .panels import CONDITION_LABELS, max_credible_af, normalise_condition, panel
from .pedigree import Pedigree, validate_pedigree
from .pedigree_plot import draw_pedigree
from .risk import SARCOMERE_GENES, RiskResult
from .risk_kids import hcm_risk_from_record

#: ACMG class order for sorting findings (most severe first)
CLASS_RANK = {PATHOGENIC: 0, LIKELY_PATHOGENIC: 1, VUS: 2, "Likely benign": 3, "Benign": 4}
#: classes shown as findings (likely benign / benign candidates stay in the candidate table only)
REPORTED_CLASSES = (PATHOGENIC, LIKELY_PATHOGENIC, VUS)
DIAGNOSTIC_CLASSES = (PATHOGENIC, LIKELY_PATHOGENIC)

#: ClinGen panel inheritance -> mode of the ACMG engine
_PANEL_MODE = {"AD": "autosomal_dominant", "AR": "autosomal_recessive", "XL": "x_linked"}

#: HCM diagnosis in adults: maximal LV wall thickness >= 15 mm not explained by loading conditions
#: (2014 ESC HCM guideline, Elliott PM et al. Eur Heart J 2014;35:2733; 2023 ESC cardiomyopathy guideline,
#: Arbelo E et al. Eur Heart J 2023;44:3503). Used only to decide whom to offer the HCM Risk-SCD score.
HCM_MWT_DIAGNOSTIC_MM = 15.0
#: in children: LV wall thickness more than 2 standard deviations above the predicted mean (Z-score > 2)
#: (2023 ESC cardiomyopathy guideline, Arbelo E et al. Eur Heart J 2023;44:3503)
HCM_MWT_Z_DIAGNOSTIC = 2.0

FINDING_COLUMNS = ["gene", "variant", "hgvsc", "hgvsp", "consequence", "zygosity", "condition", "disease",
                   "acmg_class", "acmg_points", "acmg_codes", "segregation", "max_af", "filtering_af",
                   "frequency_basis", "frequency_note", "revel", "clin_sig", "carriers", "non_carriers"]
RISK_COLUMNS = ["person", "relation", "model", "age", "echo_date", "mwt_mm", "la_mm", "mwt_z", "la_z",
                "lvot_gradient_mmhg", "family_history_scd", "nsvt", "unexplained_syncope", "percent", "category",
                "status", "reason", "recommendation", "esc2023_modifiers", "esc2023_recommendation", "notes"]


# ---------------------------------------------------------------------------------------------------------
# result objects


@dataclass
class FamilyResult:
    """Everything a family report shows: small pandas tables, figures and the ``summary.json`` dict.

    Attributes
    ----------
    family_id, proband, conditions
        The family, its proband and the condition panels screened (canonical keys).
    pedigree
        The validated :class:`~bigmed_utils.cardiac.pedigree.Pedigree`.
    members
        One row per family member: ``person, relation, degree, sex, affected, deceased, in_vcf,
        genotype_status`` (for the familial variant) and ``proband``.
    panel
        The panel genes screened with their condition, ClinGen classification and maximum credible AF.
    candidates
        The proband's candidate variants that passed the frequency filter, the consequence gate and the
        variant-type scope, classified (all classes, one row per variant and condition).
    filtered_out
        The proband's panel variants not classified, one row per variant and condition with the step
        (frequency, consequence, variant type) and the reason (``FILTERED_COLUMNS``).
    findings
        The reported findings (P, LP, VUS), ``FINDING_COLUMNS``.
    familial_variant
        The proband's P/LP variant used for cascade screening (a row of ``findings`` as a dict), or None.
    qtc_visits, qtc_latest, qtc_excluded
        QTc per visit (four formulas, flags), per person (latest visit) and the excluded ECG rows with reasons.
    hcm_risk
        HCM Risk-SCD (or HCM Risk-Kids under 16) per assessed person, with the ESC 2023 risk modifiers
        (``RISK_COLUMNS``).
    cascade
        Relatives to offer testing / screening (``CASCADE_COLUMNS``).
    segregation
        :class:`~bigmed_utils.cardiac.cascade.SegregationResult` of the familial variant (or of the leading
        VUS when there is no P/LP variant), or None.
    figures
        ``"pedigree"`` and ``"qtc_trend"`` matplotlib Figures (closed: show them with ``display``), or None.
    notes
        Plain-language remarks (what could not be assessed and why).
    summary
        The ``summary.json`` content.
    """

    family_id: str
    proband: str
    conditions: list[str]
    pedigree: Pedigree
    members: pd.DataFrame
    panel: pd.DataFrame
    candidates: pd.DataFrame
    findings: pd.DataFrame
    familial_variant: dict[str, Any] | None
    qtc_visits: pd.DataFrame
    qtc_latest: pd.DataFrame
    qtc_excluded: pd.DataFrame
    hcm_risk: pd.DataFrame
    cascade: pd.DataFrame
    segregation: SegregationResult | None
    segregation_variant: str | None
    filtered_out: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=FILTERED_COLUMNS))
    figures: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def headline(self) -> str:
        return str(self.summary.get("headline", ""))


@dataclass
class CohortResult:
    """Cohort view: one row per family, diagnostic yield per condition panel, QTc by genotype, figures."""

    families: pd.DataFrame
    diagnostic_yield: pd.DataFrame
    qtc_by_genotype: pd.DataFrame
    figures: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    results: list[FamilyResult] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------------------
# inputs


def _name(path: Any) -> str:
    return Path(str(path)).name


def _read_csv(path: str | os.PathLike | None, what: str) -> pd.DataFrame | None:
    if path is None:
        return None
    p = Path(path)
    if not p.is_file():
        raise InputDataError(f"{what} file not found: {p.name}")
    try:
        df = pd.read_csv(p, dtype={"person_id": str, "family_id": str})
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise InputDataError(f"{p.name}: cannot read the {what} CSV ({str(exc).splitlines()[0]})") from None
    if "person_id" not in df.columns:
        raise InputDataError(f"{p.name}: the {what} CSV has no person_id column")
    df["person_id"] = df["person_id"].astype(str).str.strip()
    df.attrs["path"] = p.name
    return df


def _missing_value(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _truthy(value: Any) -> bool:
    if value is None:
        return False
    try:
        if pd.isna(value):
            return False
    except (TypeError, ValueError):
        pass
    return str(value).strip().lower() in {"1", "1.0", "true", "yes", "y", "ja"}


def load_pedigree(ped: str | os.PathLike | pd.DataFrame, *, family_id: str, proband: str) -> tuple[pd.DataFrame, Pedigree]:
    """Read and validate the PED file and return ``(all rows, the family's Pedigree)``.

    Raises
    ------
    InputDataError
        A parent without a row, a loop, a duplicate, a wrong-sex parent (the message names the individual),
        or no row for ``family_id``.
    ParameterError
        The proband is not a member of the family.
    """
    if isinstance(ped, pd.DataFrame):
        df, source = ped, ped.attrs.get("path", "PED")
    else:
        df, source = read_ped(ped), _name(ped)
    pedigree = validate_pedigree(df, family_id=str(family_id), source=_name(source))
    if proband not in pedigree:
        fam_of = df.loc[df["individual_id"] == proband, "family_id"]
        where = f" (it belongs to family {fam_of.iloc[0]!r})" if len(fam_of) else ""
        raise ParameterError(f"proband: {proband!r} is not a member of family {family_id!r} in {_name(source)}{where}")
    return df, pedigree


# ---------------------------------------------------------------------------------------------------------
# Hail: joint VCF import (cached) and panel screening

_MT_CACHE: dict[tuple, Any] = {}


def load_joint_vcf(vcf: str | os.PathLike, *, genome_build: str = "GRCh38", min_partitions: int | None = None) -> Any:
    """Import the joint VCF once per Hail session (:func:`bigmed_utils.io.vcf.read_vcf`, checkpointed).

    Later calls with the same unchanged file return the same MatrixTable, so a cohort or a test session
    imports it once.
    """
    from hail.utils.java import Env

    from ..io.vcf import read_vcf

    p = Path(vcf).resolve()
    if not p.is_file():
        raise InputDataError(f"VCF file not found: {p.name}")
    st = p.stat()
    key = (str(p), st.st_mtime_ns, st.st_size, genome_build, id(Env.backend()))
    if key not in _MT_CACHE:
        _MT_CACHE.clear()
        _MT_CACHE[key] = read_vcf(p, genome_build=genome_build, min_partitions=min_partitions)
    return _MT_CACHE[key]


def panel_table(conditions: Iterable[str]) -> pd.DataFrame:
    """The panel genes of ``conditions`` with their ``mode`` and ``max_credible_af`` (the maximum credible
    allele frequency of the frequency filter): monoallelic ceiling for dominant and X-linked genes, biallelic
    for recessive ones (Whiffin et al. 2017)."""
    keys = list(dict.fromkeys(normalise_condition(c) for c in conditions))
    table = panel(keys)
    table["mode"] = table["inheritance"].map(_PANEL_MODE).fillna("autosomal_dominant")
    table["max_credible_af"] = [
        max_credible_af(c, inheritance="biallelic") if m == "autosomal_recessive" else max_credible_af(c)
        for c, m in zip(table["condition"], table["mode"])
    ]
    return table


def screen_panel(
    mt: Any,
    *,
    samples: Sequence[str],
    probands: Sequence[str],
    panel_df: pd.DataFrame,
    filters: GenotypeFilters | None = None,
) -> pd.DataFrame:
    """Panel screening in Hail: rows in a panel gene, genotypes passing the filters, non-reference in at least
    one of ``probands``; columns restricted to ``samples``. No frequency filter here: the condition-specific
    frequency filter runs on these rows (:func:`bigmed_utils.cardiac.filtering.screen_candidates`), so that
    every removed variant can be listed with its reason.

    Returns
    -------
    pandas.DataFrame
        One row per variant: ``variant_id, gene, consequence, consequence_terms, impact, hgvsc, hgvsp,
        transcript, max_af`` (largest of every population field, NaN when absent; informative only),
        ``pop`` (population-frequency and SpliceAI field -> value for the variant's allele),
        ``revel, clin_sig`` and ``genotypes`` (sample -> ``'0/1'``-style call after the filters, None when
        missing or failed) plus ``gq``/``dp``/``ab`` dicts.
    """
    import hail as hl

    have = set(mt.s.collect())
    cols = [s for s in dict.fromkeys(samples) if s in have]
    genes = set(panel_df["gene"])
    mt = mt.filter_cols(hl.literal(set(cols)).contains(mt.s))
    mt = mt.filter_rows(hl.literal(genes).contains(mt.gene))
    mt = apply_genotype_filters(mt, filters)
    prob = hl.literal(set(probands))
    mt = mt.filter_rows(hl.agg.any(prob.contains(mt.s) & hl.or_else(mt.GT.is_non_ref(), False)))
    pop_names, pop_expr = population_annotation(mt)
    mt = mt.annotate_rows(pop_values=pop_expr)

    def calls_of(m: Any, only: Any = None) -> Any:
        entry = hl.struct(s=m.s, gt=hl.or_missing(hl.is_defined(m.GT), hl.str(m.GT)), raw=hl.str(m.GT_raw),
                          gq=m.GQ if "GQ" in m.entry else hl.missing(hl.tint32),
                          dp=m.DP if "DP" in m.entry else hl.missing(hl.tint32), ab=m.AB)
        return hl.agg.collect(entry) if only is None else hl.agg.filter(only.contains(m.s), hl.agg.collect(entry))

    # pass 1: every row with the probands' calls only. The frequency filter and the consequence gate need no
    # genotypes, so most rows (common or intronic: thousands in TTN alone for a genome) never carry the whole
    # family's calls into Python
    fields = ["variant_id", "gene", "consequence", "consequence_terms", "impact", "hgvsc", "hgvsp", "transcript",
              "max_af", "af_missing", "revel", "clin_sig", "pop_values", "calls"]
    df = mt.annotate_rows(calls=calls_of(mt, prob)).rows().select(*fields).to_pandas()
    if df.empty:
        return pd.DataFrame(columns=["variant_id", "gene", "consequence", "consequence_terms", "impact", "hgvsc",
                                     "hgvsp", "transcript", "max_af", "pop", "revel", "clin_sig", "genotypes",
                                     "raw_genotypes", "gq", "dp", "ab"])
    # every declared field is a key (None when the variant has no value): the frequency filter tells "no
    # gnomAD field in this VCF" from "absent from gnomAD"
    df["pop"] = [dict(zip(pop_names, vals if vals is not None else [None] * len(pop_names)))
                 for vals in df["pop_values"]]
    df = df.drop(columns=["pop_values", *[c for c in ("locus", "alleles") if c in df.columns]])
    df["max_af"] = df["max_af"].where(~df["af_missing"].astype(bool), np.nan)
    df = df.drop(columns=["af_missing"])
    # pass 2: the whole family's calls for the rows that may be classified for at least one condition
    maybe = _classifiable_variants(df, panel_df)
    if maybe and set(cols) - set(probands):
        full = mt.filter_rows(hl.literal(maybe).contains(mt.variant_id))
        full = full.annotate_rows(calls=calls_of(full)).rows().select("variant_id", "calls").to_pandas()
        by_id = dict(zip(full["variant_id"], full["calls"]))
        df["calls"] = [by_id.get(v, c) for v, c in zip(df["variant_id"], df["calls"])]
    # hail Structs: attribute access (item access is type-checked, ten times slower)
    df["genotypes"] = [{c.s: c.gt for c in calls} for calls in df["calls"]]
    df["raw_genotypes"] = [{c.s: c.raw for c in calls} for calls in df["calls"]]
    for k in ("gq", "dp", "ab"):
        df[k] = [{c.s: getattr(c, k) for c in calls} for calls in df["calls"]]
    return df.drop(columns=["calls"]).reset_index(drop=True)


def _classifiable_variants(df: pd.DataFrame, panel_df: pd.DataFrame) -> set[str]:
    """Variant ids kept by the frequency filter, the consequence gate and the variant-type scope for at least
    one of their gene's panel rows (no genotypes needed)."""
    records = df[["variant_id", "gene", "consequence", "consequence_terms", "clin_sig", "pop"]].to_dict("records")
    pairs = _panel_pairs(records, panel_df, zygosity={})
    if pairs.empty:
        return set()
    kept, _ = screen_candidates(pairs, condition_labels=CONDITION_LABELS)
    return set(kept["variant_id"]) if not kept.empty else set()


def _panel_pairs(records: list[dict[str, Any]], panel_df: pd.DataFrame, *, zygosity: Mapping[str, str]) -> pd.DataFrame:
    """One row per candidate variant and panel row of its gene (condition, disease, mode, ceiling, scope)."""
    by_gene = {g: grp for g, grp in panel_df.groupby("gene", sort=False)}
    rows = []
    for rec in records:
        grp = by_gene.get(rec["gene"])
        if grp is None:
            continue
        for prow in grp.itertuples():
            rows.append({**rec, "condition": prow.condition, "mode": prow.mode, "scope": prow.scope,
                         "mechanism": getattr(prow, "mechanism", "any"), "max_credible_af": prow.max_credible_af,
                         "zygosity": zygosity.get(rec["variant_id"])})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------------------
# genotypes, segregation, classification (pandas, per family)


def _status_of(gt: Any) -> str:
    if gt is None or (isinstance(gt, float) and math.isnan(gt)):
        return UNTESTED
    alleles = str(gt).replace("|", "/").split("/")
    if any(a == "." for a in alleles):
        return UNTESTED
    return NON_CARRIER if all(a == "0" for a in alleles) else CARRIER


def _zygosity(gt: Any) -> str:
    if gt is None:
        return "unknown"
    alleles = str(gt).replace("|", "/").split("/")
    if len(alleles) == 1:
        return "hemizygous"
    return "homozygous" if len(set(alleles)) == 1 and alleles[0] != "0" else "heterozygous"


def family_genotypes(row: Mapping[str, Any], pedigree: Pedigree) -> dict[str, str]:
    """carrier / non-carrier / untested per family member for one candidate row (absent from the VCF or a
    call failing the genotype filters: untested)."""
    calls = row.get("genotypes") or {}
    return {i: _status_of(calls.get(i)) if i in calls else UNTESTED for i in pedigree.order}


def _affected_map(pedigree: Pedigree, clinical: pd.DataFrame | None) -> dict[str, str]:
    out = {i: {2: "affected", 1: "unaffected"}.get(pedigree.phenotype[i], "unknown") for i in pedigree.order}
    if clinical is not None and "affected_status" in clinical.columns:
        rec = clinical.drop_duplicates("person_id").set_index("person_id")["affected_status"]
        for i in pedigree.order:
            if out[i] == "unknown" and i in rec.index and not pd.isna(rec[i]):
                out[i] = "affected" if _truthy(rec[i]) else "unaffected"
    return out


def _deceased(pedigree: Pedigree, clinical: pd.DataFrame | None) -> set[str]:
    if clinical is None or "deceased" not in clinical.columns:
        return set()
    dead = clinical.loc[clinical["deceased"].map(_truthy), "person_id"]
    return {d for d in dead if d in pedigree}


def _short_hgvs(value: Any) -> str | None:
    """The HGVS change without its transcript, with VEP's URL escapes decoded (``p.Thr99%3D`` -> ``p.Thr99=``)."""
    return short_hgvs(value)


_CLASSIFIED_EXTRA = ["condition", "mode", "disease", "segregation", "acmg_class", "acmg_points", "acmg_codes",
                     "acmg_criteria", "zygosity", "filtering_af", "frequency_basis", "frequency_note"]
#: no BS1 from the engine for any mode (see :data:`bigmed_utils.cardiac.filtering.NO_BS1`)
_NO_BS1_THRESHOLDS = {m: NO_BS1 for m in ("de_novo", "autosomal_dominant", "x_linked", "autosomal_recessive",
                                          "compound_heterozygous")}


def screen_and_classify(
    cand: pd.DataFrame,
    *,
    pedigree: Pedigree,
    proband: str,
    panel_df: pd.DataFrame,
    affected: Mapping[str, str],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(classified, filtered_out)`` for the proband's candidates.

    Each candidate is paired with its gene's panel rows (one per condition and disease), judged by the
    frequency filter, the consequence gate and the variant-type scope
    (:func:`bigmed_utils.cardiac.filtering.screen_candidates`); the removed pairs form ``filtered_out``
    (``FILTERED_COLUMNS``). A gene with a dominant and a recessive disease in one condition keeps the row that
    fits the proband's zygosity (:func:`~bigmed_utils.cardiac.filtering.choose_panel_row`). The kept pairs get
    their segregation in the family (PP1 / BS4) and an ACMG/AMP class; BS1 is not applied by the engine
    (the frequency filter has done that job), PM2 sees the raw population frequency.
    """
    empty_filtered = pd.DataFrame(columns=FILTERED_COLUMNS)
    if cand.empty:
        return pd.DataFrame(columns=[*cand.columns, *_CLASSIFIED_EXTRA]), empty_filtered
    records = cand.to_dict("records")
    zygosity = {rec["variant_id"]: _zygosity(rec["genotypes"].get(proband)) for rec in records}
    kept, filtered = screen_candidates(_panel_pairs(records, panel_df, zygosity=zygosity),
                                       condition_labels=CONDITION_LABELS)
    kept = choose_panel_row(kept)
    if kept.empty:
        return pd.DataFrame(columns=[*cand.columns, *_CLASSIFIED_EXTRA]), filtered
    seg: dict[str, tuple[str | None, str, str]] = {}
    for rec in kept.drop_duplicates("variant_id").to_dict("records"):
        status = family_genotypes(rec, pedigree)
        res = segregation(pedigree, proband=proband, genotypes=status, affected=affected)
        seg[rec["variant_id"]] = (res.evidence, ",".join(i for i, st in status.items() if st == CARRIER),
                                  ",".join(i for i, st in status.items() if st == NON_CARRIER))
    table = kept.reset_index(drop=True).copy()
    table["segregation"] = [seg[v][0] for v in table["variant_id"]]
    table["carriers"] = [seg[v][1] for v in table["variant_id"]]
    table["non_carriers"] = [seg[v][2] for v in table["variant_id"]]
    table["disease"] = table["scope"]
    table["consequence"] = table["consequence_terms"].fillna(table["consequence"])
    out = classify_variants(table, bs1_thresholds=_NO_BS1_THRESHOLDS, source=f"candidate variants of {proband}")
    order = {c: i for i, c in enumerate(dict.fromkeys(panel_df["condition"]))}
    out["_rank"] = out["acmg_class"].map(CLASS_RANK)
    out["_cond"] = out["condition"].map(order)
    out = out.sort_values(["_rank", "acmg_points", "_cond"], ascending=[True, False, True], kind="stable")
    return out.drop(columns=["_rank", "_cond"]).reset_index(drop=True), filtered


def classify_family_candidates(
    cand: pd.DataFrame,
    *,
    pedigree: Pedigree,
    proband: str,
    panel_df: pd.DataFrame,
    affected: Mapping[str, str],
) -> pd.DataFrame:
    """The classified candidates of :func:`screen_and_classify` (without the filtered-out table): one row per
    kept variant and condition, with segregation (PP1/BS4) and the ACMG class."""
    return screen_and_classify(cand, pedigree=pedigree, proband=proband, panel_df=panel_df, affected=affected)[0]


def _findings(classified: pd.DataFrame) -> pd.DataFrame:
    rep = classified[classified["acmg_class"].isin(REPORTED_CLASSES)].copy()
    rep["variant"] = rep["variant_id"]
    rep["hgvsc"] = rep["hgvsc"].map(_short_hgvs)
    rep["hgvsp"] = rep["hgvsp"].map(_short_hgvs)
    rep["consequence"] = rep["consequence_terms"].fillna(rep["consequence"])
    return rep[FINDING_COLUMNS + ["acmg_criteria", "mode"]].reset_index(drop=True)


def _pick_familial(findings: pd.DataFrame) -> dict[str, Any] | None:
    """The first P/LP finding (findings are sorted by class, points, then the order of the conditions asked
    for) that can explain the proband's disease alone."""
    diag = findings[findings["acmg_class"].isin(DIAGNOSTIC_CLASSES)]
    # a heterozygous variant in a recessive gene is carrier status, not a diagnosis
    ok = diag[(diag["mode"] != "autosomal_recessive") | (diag["zygosity"] == "homozygous")]
    if ok.empty:
        return None
    return ok.iloc[0].to_dict()


# ---------------------------------------------------------------------------------------------------------
# ECG and HCM Risk-SCD


def family_qtc(ecg: pd.DataFrame | None, pedigree: Pedigree, *, source: str = "ecg.csv"
               ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``(visits, latest, excluded)`` for the family's rows of an ecg.csv table; rows of the family whose
    person is not in the pedigree are excluded with that reason."""
    empty_ex = pd.DataFrame(columns=["line", "person_id", "family_id", "date", "reason"])
    if ecg is None:
        return pd.DataFrame(), latest_qtc(pd.DataFrame()), empty_ex
    fam = str(pedigree.family_id)
    in_family = ecg["person_id"].isin(pedigree.order)
    if "family_id" in ecg.columns:
        in_family |= ecg["family_id"].astype(str) == fam
    sub = ecg[in_family]
    stray = ~sub["person_id"].isin(pedigree.order)
    kept = sub[~stray]
    visits, excluded = qtc_table(kept, source=source)
    # name excluded rows by their line in the input file (header = line 1), not their position in the subset
    excluded.insert(0, "line", [int(kept.index[r]) + 2 for r in excluded["row"]])
    excluded = excluded.drop(columns="row")
    if stray.any():
        extra = sub.loc[stray, [c for c in ("person_id", "family_id", "date") if c in sub.columns]].copy()
        extra.insert(0, "line", [int(i) + 2 for i in sub.index[stray]])
        extra["reason"] = f"person not in the pedigree of family {fam}"
        excluded = pd.concat([excluded, extra], ignore_index=True)
    return visits, latest_qtc(visits), excluded


def _birth_dates(visits: pd.DataFrame) -> dict[str, pd.Timestamp]:
    """Approximate date of birth per person from ECG visits (visit date minus age), to get the age at an
    echocardiogram."""
    if visits.empty or "age" not in visits or "date" not in visits:
        return {}
    v = visits.dropna(subset=["age", "date"])
    births = pd.to_datetime(v["date"]) - pd.to_timedelta(v["age"].astype(float) * 365.25 + 182, unit="D")
    return births.groupby(v["person_id"]).median().to_dict()


def family_hcm_risk(
    *,
    pedigree: Pedigree,
    proband: str,
    echo: pd.DataFrame | None,
    clinical: pd.DataFrame | None,
    affected: Mapping[str, str],
    deceased: set[str],
    visits: pd.DataFrame,
    applicable_reason: str | None = None,
    sarcomeric_plp: Mapping[str, bool | None] | None = None,
    syndromic: str | None = None,
) -> pd.DataFrame:
    """HCM Risk-SCD (O'Mahony et al. 2014; 16 and over) or HCM Risk-Kids (Norrish et al. 2019; under 16) for
    the proband, every affected relative and anyone whose latest echo shows HCM (maximal wall thickness
    >= 15 mm, or a wall-thickness Z-score > 2 in a child); each with a number or 'not applicable' /
    'not computable' and the reason, and the ESC 2023 risk modifiers beside it. With ``applicable_reason``
    (e.g. the family's condition is not HCM) only the proband is listed, as not applicable for that reason.

    ``sarcomeric_plp``: person -> carries a pathogenic / likely pathogenic sarcomeric variant (True/False,
    None when untested); ``syndromic``: the family's phenocopy diagnosis (e.g. "Fabry disease"), which makes
    both scores not applicable."""
    if applicable_reason:
        # the family's condition is not HCM: one row for the proband saying why, no relatives
        return pd.DataFrame([{"person": proband, "relation": "proband", "model": "HCM Risk-SCD", "percent": None,
                              "category": None, "status": "not_applicable", "reason": applicable_reason,
                              "recommendation": None}], columns=RISK_COLUMNS)
    people = [proband] + [i for i in pedigree.order if i != proband and affected.get(i) == "affected"]
    echo_latest: dict[str, dict[str, Any]] = {}
    if echo is not None and not echo.empty:
        e = echo.copy()
        e["_date"] = pd.to_datetime(e["date"], errors="coerce") if "date" in e else pd.NaT
        e = e.sort_values(["person_id", "_date"], kind="stable")
        for pid, grp in e.groupby("person_id"):
            echo_latest[pid] = grp.iloc[-1].to_dict()
        mwt_col = next((c for c in ("max_wall_thickness_mm", "mwt_mm", "mwt") if c in e.columns), None)
        if mwt_col:
            for pid, rec in echo_latest.items():
                v = pd.to_numeric(pd.Series([rec.get(mwt_col)]), errors="coerce").iloc[0]
                if pid in pedigree and pid not in people and not pd.isna(v) and v >= HCM_MWT_DIAGNOSTIC_MM:
                    people.append(pid)
        z_col = next((c for c in ("mwt_z", "mwt_zscore", "max_wall_thickness_z") if c in e.columns), None)
        if z_col:
            for pid, rec in echo_latest.items():
                v = pd.to_numeric(pd.Series([rec.get(z_col)]), errors="coerce").iloc[0]
                if pid in pedigree and pid not in people and not pd.isna(v) and v > HCM_MWT_Z_DIAGNOSTIC:
                    people.append(pid)
    clin = {} if clinical is None else clinical.drop_duplicates("person_id").set_index("person_id").to_dict("index")
    births = _birth_dates(visits)
    rows = []
    for pid in people:
        relation = "proband" if pid == proband else pedigree.relationship(proband, pid)[0]
        base = {"person": pid, "relation": relation}
        er = echo_latest.get(pid)
        cr = clin.get(pid)
        record: dict[str, Any] = {}
        if cr:
            record.update({k: v for k, v in cr.items() if k not in ("date",)})
            if "prior_cardiac_arrest_or_sustained_vt" in cr:
                record["prior_scd_or_sustained_vt"] = cr["prior_cardiac_arrest_or_sustained_vt"]
        if er:
            record.update({k: v for k, v in er.items() if k not in ("person_id", "date", "_date")})
            edate = er.get("_date")
            if pid in births and edate is not None and not pd.isna(edate):
                record["age"] = round((edate - births[pid]).days / 365.25, 1)
        mods: dict[str, Any] = {"present": [], "recommendation": None}
        age = record.get("age")
        model = "HCM Risk-Kids" if not _missing_value(age) and float(age) < 16 else "HCM Risk-SCD"
        if pid in deceased:
            res = RiskResult(None, None, False, "deceased: no prospective risk estimate", status="not_applicable",
                             model=model)
        elif echo is None:
            res = RiskResult(None, None, True, "not computable: no echocardiography file given (echo)",
                             status="not_computable", missing=("mwt_mm", "la_mm", "lvot_gradient_mmhg"), model=model)
        elif er is None:
            res = RiskResult(None, None, True, "not computable: no echocardiogram for this person in "
                             f"{echo.attrs.get('path', 'echo.csv')}", status="not_computable",
                             missing=("mwt_mm", "la_mm", "lvot_gradient_mmhg"), model=model)
        elif cr is None:
            res = RiskResult(None, None, True, "not computable: no clinical record (age, family history, NSVT, "
                             "syncope)", status="not_computable", model=model)
        else:
            res, mods = hcm_risk_from_record(record, sarcomeric_plp=(sarcomeric_plp or {}).get(pid),
                                             syndromic=syndromic)
            if res.status == "not_computable" and er is not None and not pd.isna(er.get("_date")):
                res = RiskResult(None, None, True, f"{res.reason} (latest echo {pd.Timestamp(er['_date']).date()})",
                                 status="not_computable", missing=res.missing, model=res.model)
        edate = None if not er or pd.isna(er.get("_date")) else str(pd.Timestamp(er["_date"]).date())
        rows.append({**base, "model": res.model, "age": age, "echo_date": edate,
                     "mwt_mm": record.get("max_wall_thickness_mm", record.get("mwt_mm")),
                     "la_mm": record.get("la_diameter_mm", record.get("la_mm")),
                     "mwt_z": record.get("mwt_z"), "la_z": record.get("la_z"),
                     "lvot_gradient_mmhg": record.get("lvot_gradient_mmhg"),
                     "family_history_scd": record.get("family_history_scd"), "nsvt": record.get("nsvt"),
                     "unexplained_syncope": record.get("unexplained_syncope"),
                     "percent": None if res.percent is None else round(res.percent, 2), "category": res.category,
                     "status": res.status, "reason": res.reason, "recommendation": res.recommendation,
                     "esc2023_modifiers": "; ".join(mods.get("present") or []) or None,
                     "esc2023_recommendation": mods.get("recommendation"),
                     "notes": "; ".join(res.notes) or None})
    return pd.DataFrame(rows, columns=RISK_COLUMNS)


def _hcm_genetic_context(familial: Mapping[str, Any] | None, status: Mapping[str, str], *, proband: str,
                         screened_hcm: bool) -> tuple[dict[str, bool | None], str | None]:
    """``(sarcomeric_plp per person, phenocopy diagnosis)`` for the HCM risk table: who carries a P/LP variant
    in one of the eight sarcomere genes (an ESC 2023 risk modifier; untested relatives: None), and the
    phenocopy disease when the familial variant is in a phenocopy gene (GLA, LAMP2, PRKAG2, TTR)."""
    if familial is None:
        # no P/LP variant found in the screened sarcomere genes: the proband has no sarcomeric P/LP variant
        return ({proband: False} if screened_hcm else {}), None
    disease = str(familial.get("disease") or "")
    syndromic = disease.split(":", 1)[1].strip() if disease.startswith("HCM phenocopy:") else None
    if familial["gene"] not in SARCOMERE_GENES:
        return {proband: False}, syndromic
    out: dict[str, bool | None] = {}
    for person, st in status.items():
        out[person] = True if st == CARRIER else False if st == NON_CARRIER else None
    out[proband] = True
    return out, syndromic


# ---------------------------------------------------------------------------------------------------------
# cascade without a familial variant


def clinical_screening_list(pedigree: Pedigree, *, proband: str, deceased: set[str], affected: Mapping[str, str],
                            condition: str | None, reason: str) -> pd.DataFrame:
    """First-degree relatives for clinical (phenotype) screening when the family has no P/LP variant: no
    predictive genetic testing (a VUS is not used for it), nobody discharged."""
    from .cascade import GENERIC_SURVEILLANCE, SURVEILLANCE

    surveil = SURVEILLANCE.get(condition or "", GENERIC_SURVEILLANCE)
    rows = []
    for person in pedigree.first_degree(proband):
        relation, degree = pedigree.relationship(proband, person)
        dead = person in deceased
        text = ("deceased: consider molecular autopsy / testing of stored material if available" if dead else
                f"{reason}; no predictive genetic testing; clinical screening: {surveil}")
        rows.append({"person": person, "family_id": pedigree.family_id, "relation": relation, "degree": degree,
                     "cascade_step": 1, "sex": {1: "M", 2: "F"}.get(pedigree.sex[person], "U"),
                     "genotype_status": UNTESTED, "phenotype_status": affected.get(person, "unknown"),
                     "deceased": dead, "at_risk_via": proband, "follow_up": not dead, "recommendation": text})
    return pd.DataFrame(rows, columns=CASCADE_COLUMNS)


# ---------------------------------------------------------------------------------------------------------
# main entry points


def _condition_label(key: str | None) -> str:
    return CONDITION_LABELS.get(key or "", key or "")


def figure_labels(ids: Iterable[str], *, pseudonymise: bool) -> dict[str, str]:
    """Labels for ids drawn inside figures. Figures are images, which the runner's pseudonymisation of text
    outputs cannot reach, so with ``pseudonymise`` they carry the same keyed pseudonyms
    (:func:`bigmed_utils.privacy.pseudonyms.pseudonym`, key from ``$BIGMED_PSEUDONYM_KEY_FILE``) from the
    start."""
    ids = [str(i) for i in ids]
    if not pseudonymise:
        return {i: i for i in ids}
    from ..privacy.pseudonyms import load_key, pseudonym

    key = load_key()
    return {i: pseudonym(i, key=key) for i in ids}


def _build_family(
    *,
    family_id: str,
    proband: str,
    pedigree: Pedigree,
    conditions: list[str],
    panel_df: pd.DataFrame,
    screened: pd.DataFrame,
    in_vcf: set[str],
    ecg: pd.DataFrame | None,
    echo: pd.DataFrame | None,
    clinical: pd.DataFrame | None,
    make_figures: bool = True,
    ecg_source: str = "ecg.csv",
    pseudonymise: bool = False,
) -> FamilyResult:
    notes: list[str] = []
    affected = _affected_map(pedigree, clinical)
    deceased = _deceased(pedigree, clinical)
    if clinical is None:
        notes.append("no clinical file: deceased status unknown, HCM Risk-SCD not computable")

    cand = screened[screened["genotypes"].map(lambda g: _status_of(g.get(proband)) == CARRIER)] \
        if not screened.empty else screened
    classified, filtered = screen_and_classify(cand, pedigree=pedigree, proband=proband, panel_df=panel_df,
                                               affected=affected)
    findings = _findings(classified) if not classified.empty else \
        pd.DataFrame(columns=FINDING_COLUMNS + ["acmg_criteria", "mode"])
    familial = _pick_familial(findings) if not findings.empty else None
    notes.extend(frequency_notes(classified, filtered))
    if not findings.empty:
        notes.extend(recessive_notes(findings))

    # genotypes and segregation of the familial variant (else of the leading VUS, for reclassification)
    seg_row = familial
    if seg_row is None and not findings.empty:
        seg_row = findings.iloc[0].to_dict()
    status = {i: UNTESTED for i in pedigree.order}
    seg_result = None
    if seg_row is not None:
        cand_row = cand[cand["variant_id"] == seg_row["variant"]].iloc[0].to_dict()
        status = family_genotypes(cand_row, pedigree)
        seg_result = segregation(pedigree, proband=proband, genotypes=status, affected=affected)
    family_condition = familial["condition"] if familial else (conditions[0] if len(conditions) == 1 else None)

    if familial is not None:
        cascade = cascade_list(pedigree, proband=proband, genotypes=status, condition=familial["condition"],
                               deceased=deceased, affected=affected)
        obligate = infer_obligate_carriers(pedigree, {k: v for k, v in status.items() if v != UNTESTED})
    else:
        why = ("only a variant of uncertain significance was found" if not findings.empty
               else "no P/LP variant in the screened panels")
        notes.append(f"{why}: cascade (predictive) testing is not possible; first-degree relatives are listed "
                     "for clinical screening")
        cascade = clinical_screening_list(pedigree, proband=proband, deceased=deceased, affected=affected,
                                          condition=family_condition, reason=why)
        obligate = set()

    members = []
    for i in pedigree.order:
        rel, deg = pedigree.relationship(proband, i)
        members.append({"person": i, "relation": rel, "degree": deg,
                        "sex": {1: "M", 2: "F"}.get(pedigree.sex[i], "U"), "affected": affected[i],
                        "deceased": i in deceased, "in_vcf": i in in_vcf,
                        "genotype_status": ("obligate carrier" if i in obligate else status[i]) if seg_row else "n/a",
                        "proband": i == proband})
    members_df = pd.DataFrame(members)

    visits, latest, excluded = family_qtc(ecg, pedigree, source=ecg_source)
    if ecg is None:
        notes.append("no ECG file: QTc not assessed")
    elif not excluded.empty:
        notes.append(f"{len(excluded)} ECG row(s) excluded (see the excluded-rows table)")

    if "hcm" not in conditions:
        risk_reason = "HCM not among the screened conditions: HCM Risk-SCD not applicable"
    elif familial is not None and familial["condition"] != "hcm":
        risk_reason = (f"the family's diagnosis is {_condition_label(familial['condition'])}, not HCM: "
                       "HCM Risk-SCD not applicable")
    else:
        risk_reason = None
    sarcomeric, syndromic = _hcm_genetic_context(familial, status, proband=proband, screened_hcm="hcm" in conditions)
    hcm_risk = family_hcm_risk(pedigree=pedigree, proband=proband, echo=echo, clinical=clinical,
                               affected=affected, deceased=deceased, visits=visits, applicable_reason=risk_reason,
                               sarcomeric_plp=sarcomeric, syndromic=syndromic)

    figures: dict[str, Any] = {}
    if make_figures:
        import matplotlib.pyplot as plt

        names = figure_labels([family_id, *pedigree.order], pseudonymise=pseudonymise)
        carriers = [i for i, s in status.items() if s == CARRIER] + sorted(obligate) if familial else []
        change = f": {familial['gene']} {familial['hgvsp'] or familial['hgvsc'] or ''}" if familial else ""
        fig = draw_pedigree(pedigree, proband=proband, carriers=carriers, deceased=sorted(deceased),
                            labels={k: v.replace("-", "-\n", 1) if pseudonymise else v for k, v in names.items()},
                            title=f"Family {names[family_id]}{change}")
        plt.close(fig)
        figures["pedigree"] = fig
        if not visits.empty:
            fig = plot_qtc_trend(visits.assign(person_id=visits["person_id"].map(lambda i: names.get(i, i))))
            plt.close(fig)
            figures["qtc_trend"] = fig
        else:
            figures["qtc_trend"] = None

    result = FamilyResult(
        family_id=family_id, proband=proband, conditions=conditions, pedigree=pedigree, members=members_df,
        panel=panel_df, candidates=classified, findings=findings, familial_variant=familial,
        qtc_visits=visits, qtc_latest=latest, qtc_excluded=excluded, hcm_risk=hcm_risk, cascade=cascade,
        segregation=seg_result, segregation_variant=None if seg_row is None else seg_row["variant"],
        filtered_out=filtered,
        figures=figures, notes=notes,
    )
    result.summary = family_summary(result)
    return result


def family_summary(result: FamilyResult) -> dict[str, Any]:
    """The ``summary.json`` dict: ``family_id, proband, findings, filtered_out, qtc, hcm_risk_scd, cascade,
    segregation, headline``."""
    def num(v: Any) -> float | None:
        return None if v is None or pd.isna(v) else float(v)

    findings = []
    for rec in result.findings.to_dict("records"):
        findings.append({
            "gene": rec["gene"], "variant": rec["variant"], "hgvsc": rec["hgvsc"], "hgvsp": rec["hgvsp"],
            "consequence": rec["consequence"], "zygosity": rec["zygosity"], "acmg_class": rec["acmg_class"],
            "acmg_points": int(rec["acmg_points"]), "acmg_criteria": [c["code"] for c in rec["acmg_criteria"]],
            "condition": rec["condition"], "disease": rec.get("disease"),
            "population_af": num(rec.get("max_af")), "filtering_af": num(rec.get("filtering_af")),
            "frequency_basis": rec.get("frequency_basis"), "frequency_note": rec.get("frequency_note"),
            "familial": bool(result.familial_variant and rec["variant"] == result.familial_variant["variant"]
                             and rec["condition"] == result.familial_variant["condition"]),
        })
    risk = result.hcm_risk.set_index("person") if not result.hcm_risk.empty else pd.DataFrame()
    pr = risk.loc[result.proband].to_dict() if result.proband in risk.index else None

    def risk_entry(rec: Mapping[str, Any] | None) -> dict[str, Any]:
        if rec is None:
            return {"percent": None, "category": None, "status": "not_applicable", "reason": "not assessed"}
        pct = rec.get("percent")

        def text(key: str) -> Any:
            v = rec.get(key)
            return None if v is None or (isinstance(v, float) and pd.isna(v)) else v

        return {"model": text("model"), "percent": None if pct is None or pd.isna(pct) else float(pct),
                "category": rec.get("category"), "status": rec.get("status"), "reason": rec.get("reason"),
                "recommendation": rec.get("recommendation"),
                "esc2023_modifiers": [m for m in (text("esc2023_modifiers") or "").split("; ") if m],
                "esc2023_recommendation": text("esc2023_recommendation"), "notes": text("notes")}

    hcm = {"person": result.proband, **risk_entry(pr),
           "relatives": {p: risk_entry(r) for p, r in risk.to_dict("index").items() if p != result.proband}}
    seg = None
    if result.segregation is not None:
        seg = {"variant": result.segregation_variant, **result.segregation.to_dict()}
    return {
        "family_id": result.family_id,
        "proband": result.proband,
        "findings": findings,
        "filtered_out": filtered_records(result.filtered_out),
        "qtc": qtc_summary(result.qtc_latest),
        "hcm_risk_scd": hcm,
        "cascade": cascade_records(result.cascade) if not result.cascade.empty else [],
        "segregation": seg,
        "headline": headline(result),
    }


def headline(result: FamilyResult) -> str:
    """One line with the main finding, e.g. ``MYBPC3 c.3055_3056insG p.Met1019PhefsTer16 — Pathogenic
    (hypertrophic cardiomyopathy); 1 relative to offer predictive testing, 2 carriers for surveillance``."""
    fv = result.familial_variant
    if fv is not None:
        c = result.cascade
        to_test = int(((c["genotype_status"] == UNTESTED) & c["follow_up"]).sum()) if not c.empty else 0
        surveil = int((c["genotype_status"].isin([CARRIER, "obligate carrier"]) & c["follow_up"]).sum()) \
            if not c.empty else 0
        change = " ".join(x for x in (fv.get("hgvsc"), fv.get("hgvsp")) if x) or fv["variant"]
        return (f"{fv['gene']} {change} — {fv['acmg_class']} ({_condition_label(fv['condition'])}); "
                f"{to_test} relative(s) to offer predictive testing, {surveil} carrier relative(s) for surveillance")
    if not result.findings.empty:
        top = result.findings.iloc[0]
        change = " ".join(x for x in (top["hgvsc"], top["hgvsp"]) if x) or top["variant"]
        return (f"No pathogenic/likely pathogenic variant; {top['gene']} {change} — {top['acmg_class']}; "
                "clinical screening of first-degree relatives")
    return "No reportable variant in the screened panels; clinical screening of first-degree relatives"


def analyse_family(
    params: Any = None,
    *,
    family_id: str | None = None,
    vcf: str | os.PathLike | None = None,
    ped: str | os.PathLike | None = None,
    proband: str | None = None,
    conditions: Sequence[str] | None = None,
    ecg: str | os.PathLike | None = None,
    echo: str | os.PathLike | None = None,
    clinical: str | os.PathLike | None = None,
    genome_build: str = "GRCh38",
    filters: GenotypeFilters | None = None,
    mt: Any = None,
    make_figures: bool = True,
    pseudonymise: bool = False,
) -> FamilyResult:
    """Analyse one family: panel screening, ACMG classification with segregation, QTc, HCM Risk-SCD, cascade
    list, pedigree drawing.

    Parameters
    ----------
    params
        A validated :class:`bigmed_utils.params.SuddenCardiacDeathParams`; or give the keyword arguments.
    family_id, vcf, ped, proband, conditions, ecg, echo, clinical, genome_build
        As in :class:`~bigmed_utils.params.SuddenCardiacDeathParams` (``conditions``: panels ``long_qt``,
        ``brugada``, ``hcm``, ``acm``, ``cpvt``, ``dcm``; default all).
    filters
        Genotype filters (default: slivar-like GQ >= 20, DP >= 6, allele balance).
    mt
        An already imported MatrixTable of ``vcf`` (default: :func:`load_joint_vcf`, cached).
    make_figures
        Draw the pedigree and the QTc trend.
    pseudonymise
        Write keyed pseudonyms instead of ids inside the figures (tables and text are pseudonymised by the
        runner); needs the pseudonymisation key.

    Returns
    -------
    FamilyResult

    Raises
    ------
    InputDataError, ParameterError
        Bad PED (missing parent row, loop ...), proband not in the family or not a VCF sample, unreadable
        CSV: one line naming the file and the individual.
    """
    if params is not None:
        family_id = params.family_id
        vcf, ped, proband = params.vcf, params.ped, params.proband
        conditions = list(params.conditions)
        ecg, echo, clinical = params.ecg, params.echo, params.clinical
        genome_build = params.genome_build
        pseudonymise = bool(getattr(params, "pseudonymise", False))
    for name, value in (("family_id", family_id), ("vcf", vcf), ("ped", ped), ("proband", proband)):
        if value is None:
            raise ParameterError(f"{name}: required")
    conditions = list(dict.fromkeys(normalise_condition(c) for c in (conditions or list(CONDITION_LABELS))))
    _, pedigree = load_pedigree(ped, family_id=str(family_id), proband=str(proband))
    ecg_df = _read_csv(ecg, "ECG")
    echo_df = _read_csv(echo, "echocardiography")
    clin_df = _read_csv(clinical, "clinical")
    panel_df = panel_table(conditions)

    if mt is None:
        mt = load_joint_vcf(vcf, genome_build=genome_build)
    samples = set(mt.s.collect())
    if proband not in samples:
        raise InputDataError(f"{_name(vcf)}: proband {proband!r} is not a sample of the VCF")
    members = [i for i in pedigree.order if i in samples]
    screened = screen_panel(mt, samples=members, probands=[proband], panel_df=panel_df, filters=filters)
    result = _build_family(family_id=str(family_id), proband=str(proband), pedigree=pedigree,
                           conditions=conditions, panel_df=panel_df, screened=screened, in_vcf=set(members),
                           ecg=ecg_df, echo=echo_df, clinical=clin_df, make_figures=make_figures,
                           ecg_source=_name(ecg) if ecg is not None else "ecg.csv", pseudonymise=pseudonymise)
    absent = [i for i in pedigree.order if i not in samples]
    if absent:
        result.notes.insert(0, f"{len(absent)} family member(s) not in the VCF (untested): {', '.join(absent)}")
    return result


def _leading_finding(result: FamilyResult) -> dict[str, Any] | None:
    """The familial P/LP variant, else the top reported finding (a VUS), else None."""
    if result.familial_variant is not None:
        return result.familial_variant
    return result.findings.iloc[0].to_dict() if not result.findings.empty else None


def _yield_table(rows: pd.DataFrame) -> pd.DataFrame:
    """:func:`~bigmed_utils.cardiac.cohort.diagnostic_yield` per condition, with the ``all`` row counted per
    family (a family solved in any condition), not per family-and-condition pair."""
    if rows.empty:
        return pd.DataFrame(columns=["condition", "n_families", "n_solved", "yield", "ci_low", "ci_high"])
    from .cohort import wilson_interval

    yd = diagnostic_yield(rows)
    yd = yd[yd["condition"] != "all"]
    solved = rows.assign(_s=rows["acmg_class"].isin(DIAGNOSTIC_CLASSES)).groupby("family_id")["_s"].any()
    n, k = len(solved), int(solved.sum())
    lo, hi = wilson_interval(k, n)
    all_row = pd.DataFrame([{"condition": "all", "n_families": n, "n_solved": k, "yield": k / n, "ci_low": lo,
                             "ci_high": hi}])
    return pd.concat([yd, all_row], ignore_index=True)


def _probands_from_clinical(clinical: pd.DataFrame | None, ped_df: pd.DataFrame) -> dict[str, str]:
    if clinical is None or "proband" not in clinical.columns:
        return {}
    fam_of = dict(zip(ped_df["individual_id"], ped_df["family_id"].astype(str)))
    out: dict[str, str] = {}
    for pid in clinical.loc[clinical["proband"].map(_truthy), "person_id"]:
        if pid in fam_of:
            out.setdefault(fam_of[pid], pid)
    return out


def cohort_overview(
    source: str | os.PathLike | Sequence[FamilyResult] | None = None,
    *,
    ped: str | os.PathLike | None = None,
    vcf: str | os.PathLike | None = None,
    ecg: str | os.PathLike | None = None,
    echo: str | os.PathLike | None = None,
    clinical: str | os.PathLike | None = None,
    conditions: Sequence[str] | None = None,
    probands: Mapping[str, str] | None = None,
    family_conditions: Mapping[str, str] | None = None,
    genome_build: str = "GRCh38",
    mt: Any = None,
    make_figures: bool = True,
) -> CohortResult:
    """Cohort view across families: diagnostic yield per condition and QTc by genotype.

    Parameters
    ----------
    source
        A list of :class:`FamilyResult` (already analysed), or a folder holding ``families.ped``,
        ``cardiac.vcf.gz``, ``ecg.csv``, ``echo.csv``, ``clinical.csv``; or ``None`` with the files given
        as keywords (the joint files of a family run: every family in them is screened).
    conditions
        Panels screened in every family (default all six).
    probands
        family_id -> proband; default the ``proband`` column of clinical.csv.
    family_conditions
        family_id -> referral condition. With it, the yield is per referral condition (solved = a P/LP
        finding in that condition's panel); without it, per panel: the share of all families with a P/LP
        variant in each condition's panel.
    mt
        The imported joint VCF (default :func:`load_joint_vcf`, cached: no second import).

    Returns
    -------
    CohortResult
    """
    results: list[FamilyResult]
    notes: list[str] = []
    ecg_df = None
    if source is not None and not isinstance(source, (str, os.PathLike)):
        results = list(source)
        visits = pd.concat([r.qtc_visits for r in results if not r.qtc_visits.empty], ignore_index=True) \
            if any(not r.qtc_visits.empty for r in results) else pd.DataFrame()
    else:
        if source is not None:
            d = Path(source)
            ped = ped or d / "families.ped"
            vcf = vcf or d / "cardiac.vcf.gz"
            ecg = ecg or (d / "ecg.csv" if (d / "ecg.csv").is_file() else None)
            echo = echo or (d / "echo.csv" if (d / "echo.csv").is_file() else None)
            clinical = clinical or (d / "clinical.csv" if (d / "clinical.csv").is_file() else None)
        if ped is None or vcf is None:
            raise ParameterError("cohort_overview: give a data folder, FamilyResults, or ped= and vcf=")
        conds = list(dict.fromkeys(normalise_condition(c) for c in (conditions or list(CONDITION_LABELS))))
        ped_df = read_ped(ped)
        ecg_df = _read_csv(ecg, "ECG")
        echo_df = _read_csv(echo, "echocardiography")
        clin_df = _read_csv(clinical, "clinical")
        probs = dict(probands or _probands_from_clinical(clin_df, ped_df))
        families = sorted(ped_df["family_id"].astype(str).unique())
        missing = [f for f in families if f not in probs]
        if missing:
            notes.append(f"no proband known for {len(missing)} family(ies) ({', '.join(missing)}): not screened")
        panel_df = panel_table(conds)
        if mt is None:
            mt = load_joint_vcf(vcf, genome_build=genome_build)
        samples = set(mt.s.collect())
        absent_probands = [p for p in probs.values() if p not in samples]
        if absent_probands:
            notes.append(f"proband(s) not in the VCF, not screened: {', '.join(absent_probands)}")
        use = {f: p for f, p in probs.items() if p in samples}
        screened = screen_panel(mt, samples=sorted(samples & set(ped_df["individual_id"])),
                                probands=sorted(use.values()), panel_df=panel_df)
        results = []
        for fam, prob in sorted(use.items()):
            pedigree = validate_pedigree(ped_df, family_id=fam, source=_name(ped))
            members = {i for i in pedigree.order if i in samples}
            sub = screened.copy()
            if not sub.empty:
                sub["genotypes"] = [{k: v for k, v in g.items() if k in members} for g in sub["genotypes"]]
            results.append(_build_family(family_id=fam, proband=prob, pedigree=pedigree, conditions=conds,
                                         panel_df=panel_df, screened=sub, in_vcf=members, ecg=ecg_df,
                                         echo=echo_df, clinical=clin_df, make_figures=False,
                                         ecg_source=_name(ecg) if ecg is not None else "ecg.csv"))
        visits, _ = qtc_table(ecg_df, source=_name(ecg)) if ecg_df is not None else (pd.DataFrame(), None)

    # one row per family (and condition) for the yield
    fam_rows, yield_rows = [], []
    for r in results:
        lead = _leading_finding(r)
        fv = r.familial_variant
        c = r.cascade
        fam_rows.append({
            "family_id": r.family_id, "proband": r.proband,
            "gene": lead["gene"] if lead else None, "variant": lead["variant"] if lead else None,
            "hgvsp": lead["hgvsp"] if lead else None, "acmg_class": lead["acmg_class"] if lead else None,
            "condition": lead["condition"] if lead else None, "diagnostic": fv is not None,
            "n_findings": len(r.findings),
            "relatives_to_test": int(((c["genotype_status"] == UNTESTED) & c["follow_up"]).sum())
            if fv is not None and not c.empty else 0,
        })
        by_cond: dict[str, str] = {}
        for rec in r.findings.to_dict("records"):
            if rec["acmg_class"] in DIAGNOSTIC_CLASSES:
                by_cond.setdefault(rec["condition"], rec["acmg_class"])
        if family_conditions is not None:
            cond = family_conditions.get(r.family_id)
            if cond is None:
                continue
            cond = normalise_condition(cond)
            yield_rows.append({"family_id": r.family_id, "condition": cond, "acmg_class": by_cond.get(cond, "")})
        else:
            for cond in r.conditions:
                yield_rows.append({"family_id": r.family_id, "condition": cond, "acmg_class": by_cond.get(cond, "")})
    families_df = pd.DataFrame(fam_rows, columns=["family_id", "proband", "gene", "variant", "hgvsp", "acmg_class",
                                                  "condition", "diagnostic", "n_findings", "relatives_to_test"])
    yd = _yield_table(pd.DataFrame(yield_rows, columns=["family_id", "condition", "acmg_class"]))
    if family_conditions is None and not yd.empty:
        notes.append("diagnostic yield per condition panel: share of all screened families with a pathogenic or "
                     "likely pathogenic variant in that panel's genes (no referral condition given); 'all': in any "
                     "panel")

    # genotype of every family member for the family's leading variant (P/LP, else the top VUS)
    geno = []
    for r in results:
        lead = _leading_finding(r)
        if lead is None:
            continue
        for rec in r.members.to_dict("records"):
            st = rec["genotype_status"]
            geno.append({"person_id": rec["person"], "genotype_status": CARRIER if st == "obligate carrier" else st,
                         "condition": lead["condition"], "variant_class": lead["acmg_class"]})
    geno_df = pd.DataFrame(geno, columns=["person_id", "genotype_status", "condition", "variant_class"])
    latest = latest_qtc(visits) if not visits.empty else latest_qtc(pd.DataFrame())
    if latest.empty:
        qg = latest.assign(genotype_status=pd.Series(dtype=str))
    else:
        qg = qtc_by_genotype(latest, geno_df[["person_id", "genotype_status"]])
        qg = qg.merge(geno_df[["person_id", "condition", "variant_class"]].drop_duplicates("person_id"),
                      on="person_id", how="left")
        qg["condition"] = qg["condition"].fillna("no variant")

    figures: dict[str, Any] = {}
    if make_figures:
        import matplotlib.pyplot as plt

        if not yd.empty:
            fig = plot_diagnostic_yield(yd)
            plt.close(fig)
            figures["diagnostic_yield"] = fig
        if not qg.empty:
            fig = plot_qtc_by_genotype(qg, hue="condition")
            fig.axes[0].set_title("QTc by genotype for each family's leading variant")
            plt.close(fig)
            figures["qtc_by_genotype"] = fig
    return CohortResult(families=families_df, diagnostic_yield=yd, qtc_by_genotype=qg, figures=figures,
                        notes=notes, results=results)


__all__ = [
    "FamilyResult",
    "CohortResult",
    "analyse_family",
    "cohort_overview",
    "family_summary",
    "load_joint_vcf",
    "load_pedigree",
    "panel_table",
    "screen_panel",
    "screen_and_classify",
    "classify_family_candidates",
    "family_qtc",
    "family_hcm_risk",
    "clinical_screening_list",
    "headline",
    "figure_labels",
]
