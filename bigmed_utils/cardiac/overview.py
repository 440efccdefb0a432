"""The steps of the cohort view (:func:`bigmed_utils.cardiac.analysis.cohort_overview`): every family of the
joint files screened in one Hail pass, one row per family, the diagnostic yield per condition and QTc by
genotype of each family's leading variant.

Research use only; not a medical device.
"""

from __future__ import annotations

import os
from typing import Any, Mapping, Sequence

import pandas as pd

from .cascade import CARRIER, UNTESTED
from .cohort import diagnostic_yield, qtc_by_genotype
from .ecg import latest_qtc
from .family import build_family
from .inputs import _name
from .panels import normalise_condition
from .pedigree import validate_pedigree
from .results import DIAGNOSTIC_CLASSES, FamilyResult
from .screening import screen_panel

FAMILY_COLUMNS = ["family_id", "proband", "gene", "variant", "hgvsp", "acmg_class", "condition", "diagnostic",
                  "n_findings", "relatives_to_test"]


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


def screen_families(
    mt: Any,
    *,
    ped_df: pd.DataFrame,
    ped: str | os.PathLike,
    ecg: str | os.PathLike | None,
    probands: Mapping[str, str],
    conditions: list[str],
    panel_df: pd.DataFrame,
    ecg_df: pd.DataFrame | None,
    echo_df: pd.DataFrame | None,
    clin_df: pd.DataFrame | None,
    notes: list[str],
) -> list[FamilyResult]:
    """Every family with a known proband in the VCF, screened in one Hail pass and built without figures; the
    probands missing from the VCF are named in ``notes``."""
    samples = set(mt.s.collect())
    absent_probands = [p for p in probands.values() if p not in samples]
    if absent_probands:
        notes.append(f"proband(s) not in the VCF, not screened: {', '.join(absent_probands)}")
    use = {f: p for f, p in probands.items() if p in samples}
    screened = screen_panel(mt, samples=sorted(samples & set(ped_df["individual_id"])),
                            probands=sorted(use.values()), panel_df=panel_df)
    results = []
    for fam, prob in sorted(use.items()):
        pedigree = validate_pedigree(ped_df, family_id=fam, source=_name(ped))
        members = {i for i in pedigree.order if i in samples}
        sub = screened.copy()
        if not sub.empty:
            sub["genotypes"] = [{k: v for k, v in g.items() if k in members} for g in sub["genotypes"]]
        results.append(build_family(family_id=fam, proband=prob, pedigree=pedigree, conditions=conditions,
                                    panel_df=panel_df, screened=sub, in_vcf=members, ecg=ecg_df,
                                    echo=echo_df, clinical=clin_df, make_figures=False,
                                    ecg_source=_name(ecg) if ecg is not None else "ecg.csv"))
    return results


def family_rows(results: Sequence[FamilyResult], family_conditions: Mapping[str, str] | None
                ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(families, yield rows)``: one row per family (its leading finding, ``FAMILY_COLUMNS``) and one row
    per family and condition for the yield (per referral condition with ``family_conditions``, else per
    screened panel)."""
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
    return (pd.DataFrame(fam_rows, columns=FAMILY_COLUMNS),
            pd.DataFrame(yield_rows, columns=["family_id", "condition", "acmg_class"]))


def qtc_genotype_table(results: Sequence[FamilyResult], visits: pd.DataFrame) -> pd.DataFrame:
    """Latest QTc per person with their genotype for their family's leading variant (P/LP, else the top VUS),
    its condition and class (``"no variant"`` when the family has none)."""
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
        return latest.assign(genotype_status=pd.Series(dtype=str))
    qg = qtc_by_genotype(latest, geno_df[["person_id", "genotype_status"]])
    qg = qg.merge(geno_df[["person_id", "condition", "variant_class"]].drop_duplicates("person_id"),
                  on="person_id", how="left")
    qg["condition"] = qg["condition"].fillna("no variant")
    return qg
