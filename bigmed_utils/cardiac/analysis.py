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

The steps live in small modules: :mod:`~bigmed_utils.cardiac.inputs` (CSVs, PED),
:mod:`~bigmed_utils.cardiac.screening` (Hail panel screen, classification), :mod:`~bigmed_utils.cardiac.family_risk`
(QTc, HCM risk), :mod:`~bigmed_utils.cardiac.family` (one family's result), :mod:`~bigmed_utils.cardiac.summary`
(``summary.json``, headline), :mod:`~bigmed_utils.cardiac.figures` and :mod:`~bigmed_utils.cardiac.overview`
(cohort steps); their public names are importable from here too.

Research use only; not a medical device.
"""


from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping, Sequence

import pandas as pd

from ..errors import InputDataError, ParameterError
from ..genomics.filters import GenotypeFilters
from ..io.ped import read_ped
from .cascade import clinical_screening_list
from .ecg import qtc_table
from .family import build_family
from .family_risk import HCM_MWT_DIAGNOSTIC_MM, HCM_MWT_Z_DIAGNOSTIC, family_hcm_risk, family_qtc
from .figures import cohort_figures, figure_labels
from .inputs import _name, _probands_from_clinical, _read_csv, load_pedigree
from .overview import _leading_finding, _yield_table, family_rows, qtc_genotype_table, screen_families  # noqa: F401
from .panels import CONDITION_LABELS, normalise_condition
from .results import (
    CLASS_RANK,
    DIAGNOSTIC_CLASSES,
    FINDING_COLUMNS,
    REPORTED_CLASSES,
    RISK_COLUMNS,
    CardiacCohortResult,
    CohortResult,
    FamilyResult,
)
from .screening import classify_family_candidates, family_genotypes, panel_table, screen_and_classify, screen_panel
from .summary import _condition_label, family_summary, headline  # noqa: F401

# ---------------------------------------------------------------------------------------------------------
# Hail: joint VCF import (the one loader) and panel screening


def load_joint_vcf(vcf: str | os.PathLike, *, genome_build: str = "GRCh38", min_partitions: int | None = None) -> Any:
    """The family's joint VCF through the package's one loader (:func:`bigmed_utils.io.variants.load_variants`:
    imported once, read from the on-disk import cache afterwards, so a cohort or a test session imports it once)."""
    from ..io.variants import load_variants

    return load_variants(vcf, genome_build=genome_build, min_partitions=min_partitions)


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
    result = build_family(family_id=str(family_id), proband=str(proband), pedigree=pedigree,
                          conditions=conditions, panel_df=panel_df, screened=screened, in_vcf=set(members),
                          ecg=ecg_df, echo=echo_df, clinical=clin_df, make_figures=make_figures,
                          ecg_source=_name(ecg) if ecg is not None else "ecg.csv", pseudonymise=pseudonymise)
    absent = [i for i in pedigree.order if i not in samples]
    if absent:
        result.notes.insert(0, f"{len(absent)} family member(s) not in the VCF (untested): {', '.join(absent)}")
    return result


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
) -> CardiacCohortResult:
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
    CardiacCohortResult
    """
    results: list[FamilyResult]
    notes: list[str] = []
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
        results = screen_families(mt, ped_df=ped_df, ped=ped, ecg=ecg, probands=probs, conditions=conds,
                                  panel_df=panel_df, ecg_df=ecg_df, echo_df=echo_df, clin_df=clin_df, notes=notes)
        visits, _ = qtc_table(ecg_df, source=_name(ecg)) if ecg_df is not None else (pd.DataFrame(), None)

    families_df, yield_rows = family_rows(results, family_conditions)
    yd = _yield_table(yield_rows)
    if family_conditions is None and not yd.empty:
        notes.append("diagnostic yield per condition panel: share of all screened families with a pathogenic or "
                     "likely pathogenic variant in that panel's genes (no referral condition given); 'all': in any "
                     "panel")
    qg = qtc_genotype_table(results, visits)
    figures = cohort_figures(yd, qg) if make_figures else {}
    return CardiacCohortResult(families=families_df, diagnostic_yield=yd, qtc_by_genotype=qg, figures=figures,
                        notes=notes, results=results)


__all__ = [
    "FamilyResult",
    "CardiacCohortResult",
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
    "family_genotypes",
    "family_qtc",
    "family_hcm_risk",
    "clinical_screening_list",
    "headline",
    "figure_labels",
    "CONDITION_LABELS",
    "CLASS_RANK",
    "REPORTED_CLASSES",
    "DIAGNOSTIC_CLASSES",
    "FINDING_COLUMNS",
    "RISK_COLUMNS",
    "HCM_MWT_DIAGNOSTIC_MM",
    "HCM_MWT_Z_DIAGNOSTIC",
]
