"""Similar earlier families for sudden cardiac death: families with the same variant, the same gene or the same
condition, with their phenotypes and how the variant segregated.

Earlier families live in a versioned case store (:mod:`bigmed_utils.case_store`, kind
``sudden_cardiac_death``), one record per family made from its ``summary.json`` (:func:`record_from_summary`):
the reported variants (gene, variant, class, condition), the familial variant, the phenotypes (affected and
deceased relatives, the proband's QTc and HCM Risk-SCD category) and the segregation of the leading variant
(informative meioses, LOD, PP1/BS4 evidence, affected carriers and non-carriers). A store is built from every
family of a cohort's joint files (:func:`build_store_from_cohort`, one Hail pass) and grows with every
finished family report (``bigmed inhouse add RUN_DIR --db STORE``).

For a new family, :func:`similar_families` lists the earlier families that carry one of its reported variants
(``same variant``: the strongest evidence, e.g. a founder variant whose segregation adds up across families),
else a variant in the same gene (``same gene``), else a finding in the same condition (``same condition``),
best match first. The lists are for the cardiogenetics team inside the lab, as the rare-disease similar-patient
list is; they are not aggregate statistics and are not exported (``bigmed export`` leaves reports' individual
rows out).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

import pandas as pd

from ..case_store import add_records, read_meta, read_records

KIND = "sudden_cardiac_death"
#: match levels, best first
MATCHES: tuple[str, ...] = ("same variant", "same gene", "same condition")
COLUMNS = ["family", "match", "gene", "variant", "ACMG class then", "condition", "phenotypes", "segregation"]


def _lead(findings: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    familial = [f for f in findings if f.get("familial")]
    return dict(familial[0]) if familial else (dict(findings[0]) if findings else None)


def record_from_summary(summary: Mapping[str, Any]) -> dict[str, Any]:
    """The store record of a family from its ``summary.json`` content (or ``FamilyResult.summary``)."""
    findings = [{k: f.get(k) for k in ("gene", "variant", "hgvsc", "hgvsp", "acmg_class", "condition", "familial")}
                for f in summary.get("findings") or []]
    cascade = summary.get("cascade") or []
    proband = str(summary.get("proband"))
    qtc = (summary.get("qtc") or {}).get(proband) or {}
    hcm = summary.get("hcm_risk_scd") or {}
    seg = summary.get("segregation") or None
    segregation = None
    if seg:
        segregation = {"variant": seg.get("variant"), "informative_meioses": seg.get("informative_meioses"),
                       "lod": seg.get("lod"), "evidence": seg.get("evidence"), "bs4": bool(seg.get("bs4")),
                       **{k: len(seg.get(k) or []) for k in ("affected_carriers", "affected_non_carriers",
                                                               "unaffected_carriers", "obligate_carriers")}}
    return {
        "family_id": str(summary["family_id"]),
        "proband": proband,
        "findings": findings,
        "lead": _lead(findings),
        "phenotypes": {
            "relatives_affected": sum(1 for c in cascade if c.get("phenotype_status") == "affected"),
            "relatives_deceased": sum(1 for c in cascade if c.get("deceased")),
            "relatives": len(cascade),
            "proband_qtc_bazett": qtc.get("bazett"),
            "proband_qtc_flag": qtc.get("flag"),
            "proband_hcm_risk": hcm.get("category") if hcm.get("percent") is not None else None,
        },
        "segregation": segregation,
        "headline": summary.get("headline"),
    }


def build_store_from_cohort(store: str | Path, *, cohort: Any = None, **overview: Any) -> Any:
    """Add every family of a cohort to the store.

    Parameters
    ----------
    cohort
        A :class:`~bigmed_utils.cardiac.results.CardiacCohortResult` already computed; otherwise the keyword
        arguments go to :func:`~bigmed_utils.cardiac.analysis.cohort_overview` (``ped``, ``vcf``, ``ecg``,
        ``echo``, ``clinical``, ...; every family of the joint files is screened in one Hail pass).
    """
    if cohort is None:
        from .analysis import cohort_overview

        cohort = cohort_overview(make_figures=False, **overview)
    return add_records(store, KIND, [record_from_summary(r.summary) for r in cohort.results])


def _phenotype_text(p: Mapping[str, Any], condition: str | None) -> str:
    from .summary import _condition_label

    bits = [_condition_label(condition)] if condition else []
    bits.append(f"{p.get('relatives_affected', 0)} of {p.get('relatives', 0)} relatives affected")
    if p.get("relatives_deceased"):
        bits.append(f"{p['relatives_deceased']} deceased")
    if p.get("proband_qtc_bazett") is not None:
        bits.append(f"proband QTc {p['proband_qtc_bazett']:.0f} ms" + (f" ({p['proband_qtc_flag']})"
                                                                        if p.get("proband_qtc_flag") else ""))
    if p.get("proband_hcm_risk"):
        bits.append(f"proband HCM Risk-SCD {p['proband_hcm_risk']}")
    return "; ".join(bits)


def _segregation_text(s: Mapping[str, Any] | None, variant: str | None) -> str:
    if not s or (variant and s.get("variant") not in (None, variant)):
        return "not assessed"
    lod = s.get("lod")
    text = (f"{s.get('informative_meioses', 0)} informative meioses, LOD "
            f"{'n/a' if lod is None else f'{lod:.2f}'}; {s.get('affected_carriers', 0)} affected carrier(s), "
            f"{s.get('affected_non_carriers', 0)} affected non-carrier(s)")
    return text + (f" ({s['evidence']})" if s.get("evidence") else "")


def similar_families(store: str | Path | None, findings: Sequence[Mapping[str, Any]], *,
                     conditions: Sequence[str] = (), exclude: str | None = None) -> pd.DataFrame:
    """Earlier families of ``store`` sharing a variant, a gene or a condition with ``findings``.

    Parameters
    ----------
    store
        A ``sudden_cardiac_death`` case store (``None`` or absent: no earlier family).
    findings
        The new family's reported findings (``gene``, ``variant``, ``condition``: ``summary["findings"]``).
    conditions
        Conditions screened (used for ``same condition`` when the family has no finding).
    exclude
        A family id left out (the family itself, when it is already in the store).

    Returns
    -------
    pandas.DataFrame
        :data:`COLUMNS`, one row per earlier family at its best match (same variant, then same gene, then
        same condition), ordered by match, then family. ``attrs``: ``store_version`` and ``n_earlier``.
    """
    records = read_records(store, kind=KIND) if store is not None and Path(store).exists() else []
    version = read_meta(store).get("version") if records else None
    variants = {f.get("variant") for f in findings if f.get("variant")}
    genes = {f.get("gene") for f in findings if f.get("gene")}
    conds = {f.get("condition") for f in findings if f.get("condition")} or set(conditions)
    rows = []
    earlier = [r for r in records if r["family_id"] != str(exclude)]
    for rec in earlier:
        best = None
        for level, test in (("same variant", lambda f: f.get("variant") in variants),
                            ("same gene", lambda f: f.get("gene") in genes),
                            ("same condition", lambda f: f.get("condition") in conds)):
            hits = [f for f in rec.get("findings") or [] if test(f)]
            if hits:
                best = (level, sorted(hits, key=lambda f: not f.get("familial"))[0])
                break
        if best is None:
            continue
        level, f = best
        change = " ".join(x for x in (f.get("hgvsc"), f.get("hgvsp")) if x)
        rows.append({"family": rec["family_id"], "match": level, "gene": f.get("gene"),
                     "variant": f"{f.get('variant')}" + (f" ({change})" if change else ""),
                     "ACMG class then": f.get("acmg_class"), "condition": f.get("condition"),
                     "phenotypes": _phenotype_text(rec.get("phenotypes") or {}, f.get("condition")),
                     "segregation": _segregation_text(rec.get("segregation"), f.get("variant"))})
    out = pd.DataFrame(rows, columns=COLUMNS)
    if len(out):
        out = out.assign(_m=out["match"].map(MATCHES.index)).sort_values(["_m", "family"]).drop(columns="_m")
    out = out.reset_index(drop=True)
    out.attrs.update(store_version=version, n_earlier=len(earlier))
    return out


__all__ = ["COLUMNS", "MATCHES", "build_store_from_cohort", "record_from_summary", "similar_families"]
