"""One family from its screened panel variants to a :class:`~bigmed_utils.cardiac.results.FamilyResult`:
classification, the familial variant and its segregation, cascade list, members, QTc, HCM risk, figures and
the summary. Used by :func:`bigmed_utils.cardiac.analysis.analyse_family` and, for every family of the joint
files, by :func:`bigmed_utils.cardiac.analysis.cohort_overview`.

Research use only; not a medical device.
"""

from __future__ import annotations

from typing import Any, Mapping

import pandas as pd

from .cascade import CARRIER, UNTESTED, cascade_list, clinical_screening_list, infer_obligate_carriers, segregation
from .family_risk import _hcm_genetic_context, family_hcm_risk, family_qtc
from .figures import family_figures
from .filtering import frequency_notes, recessive_notes
from .inputs import _affected_map, _deceased
from .pedigree import Pedigree
from .results import FINDING_COLUMNS, FamilyResult
from .screening import _findings, _pick_familial, _status_of, family_genotypes, screen_and_classify
from .summary import _condition_label, family_summary


def _familial_cascade(
    *,
    pedigree: Pedigree,
    proband: str,
    familial: Mapping[str, Any] | None,
    findings: pd.DataFrame,
    status: Mapping[str, str],
    conditions: list[str],
    affected: Mapping[str, str],
    deceased: set[str],
    notes: list[str],
) -> tuple[pd.DataFrame, set[str]]:
    """``(cascade list, obligate carriers)``: predictive testing from the familial P/LP variant, else
    first-degree relatives for clinical screening (and a note saying why)."""
    if familial is not None:
        cascade = cascade_list(pedigree, proband=proband, genotypes=status, condition=familial["condition"],
                               deceased=deceased, affected=affected)
        obligate = infer_obligate_carriers(pedigree, {k: v for k, v in status.items() if v != UNTESTED})
        return cascade, obligate
    family_condition = conditions[0] if len(conditions) == 1 else None
    why = ("only a variant of uncertain significance was found" if not findings.empty
           else "no P/LP variant in the screened panels")
    notes.append(f"{why}: cascade (predictive) testing is not possible; first-degree relatives are listed "
                 "for clinical screening")
    cascade = clinical_screening_list(pedigree, proband=proband, deceased=deceased, affected=affected,
                                      condition=family_condition, reason=why)
    return cascade, set()


def _members_table(*, pedigree: Pedigree, proband: str, affected: Mapping[str, str], deceased: set[str],
                   in_vcf: set[str], status: Mapping[str, str], obligate: set[str], genotyped: bool) -> pd.DataFrame:
    """One row per family member (``FamilyResult.members``); ``genotype_status`` is 'n/a' when no variant was
    followed in the family (``genotyped`` false)."""
    members = []
    for i in pedigree.order:
        rel, deg = pedigree.relationship(proband, i)
        members.append({"person": i, "relation": rel, "degree": deg,
                        "sex": {1: "M", 2: "F"}.get(pedigree.sex[i], "U"), "affected": affected[i],
                        "deceased": i in deceased, "in_vcf": i in in_vcf,
                        "genotype_status": ("obligate carrier" if i in obligate else status[i]) if genotyped else "n/a",
                        "proband": i == proband})
    return pd.DataFrame(members)


def _risk_reason(conditions: list[str], familial: Mapping[str, Any] | None) -> str | None:
    """Why HCM Risk-SCD does not apply to the family (HCM not screened, or another diagnosis), else None."""
    if "hcm" not in conditions:
        return "HCM not among the screened conditions: HCM Risk-SCD not applicable"
    if familial is not None and familial["condition"] != "hcm":
        return (f"the family's diagnosis is {_condition_label(familial['condition'])}, not HCM: "
                "HCM Risk-SCD not applicable")
    return None


def build_family(
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
    """The :class:`FamilyResult` of one family from its screened panel variants (``screened``, from
    :func:`~bigmed_utils.cardiac.screening.screen_panel`) and its CSV tables."""
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

    cascade, obligate = _familial_cascade(pedigree=pedigree, proband=proband, familial=familial, findings=findings,
                                          status=status, conditions=conditions, affected=affected,
                                          deceased=deceased, notes=notes)
    members_df = _members_table(pedigree=pedigree, proband=proband, affected=affected, deceased=deceased,
                                in_vcf=in_vcf, status=status, obligate=obligate, genotyped=seg_row is not None)

    visits, latest, excluded = family_qtc(ecg, pedigree, source=ecg_source)
    if ecg is None:
        notes.append("no ECG file: QTc not assessed")
    elif not excluded.empty:
        notes.append(f"{len(excluded)} ECG row(s) excluded (see the excluded-rows table)")

    sarcomeric, syndromic = _hcm_genetic_context(familial, status, proband=proband, screened_hcm="hcm" in conditions)
    hcm_risk = family_hcm_risk(pedigree=pedigree, proband=proband, echo=echo, clinical=clinical,
                               affected=affected, deceased=deceased, visits=visits,
                               applicable_reason=_risk_reason(conditions, familial),
                               sarcomeric_plp=sarcomeric, syndromic=syndromic)

    figures: dict[str, Any] = {}
    if make_figures:
        carriers = [i for i, s in status.items() if s == CARRIER] + sorted(obligate) if familial else []
        figures = family_figures(family_id=family_id, pedigree=pedigree, proband=proband, familial=familial,
                                 carriers=carriers, deceased=deceased, visits=visits, pseudonymise=pseudonymise)

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
