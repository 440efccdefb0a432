"""The ``summary.json`` content and the one-line headline of a sudden-cardiac-death family result.

Research use only; not a medical device.
"""

from __future__ import annotations

from typing import Any, Mapping

import pandas as pd

from .cascade import CARRIER, UNTESTED, cascade_records
from .ecg import qtc_summary
from .filtering import filtered_records
from .panels import CONDITION_LABELS
from .results import FamilyResult


def _condition_label(key: str | None) -> str:
    return CONDITION_LABELS.get(key or "", key or "")


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
