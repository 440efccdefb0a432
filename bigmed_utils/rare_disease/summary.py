"""What a rare-disease case result shows: the top-candidates table, the headline and the ``summary.json``
content.

Research use only; not a medical device.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from .._values import is_missing as _nan

if TYPE_CHECKING:
    from .analysis import CaseResult

#: readable names of the inheritance modes (report text and headline)
MODE_LABELS = {
    "de_novo": "de novo",
    "autosomal_recessive": "autosomal recessive (homozygous)",
    "compound_heterozygous": "compound heterozygous",
    "x_linked": "X-linked",
    "autosomal_dominant": "autosomal dominant",
}


def _genotype_label(gt: str | None) -> str:
    return "./." if gt is None or (isinstance(gt, float) and pd.isna(gt)) else str(gt)


def _roles(members: dict[str, Any]) -> dict[str, str]:
    """sample -> role label (proband, father, mother, sibling, relative)."""
    out = {members["proband"]: "proband"}
    for role in ("father", "mother"):
        if members.get(role):
            out[members[role]] = role
    siblings = set(members.get("siblings") or [])
    for s in members.get("relatives") or []:
        out.setdefault(s, "sibling" if s in siblings else "relative")
    return out


def _qc_samples_table(samples: pd.DataFrame, roles: dict[str, str]) -> pd.DataFrame:
    t = samples.copy()
    t.insert(1, "role", [roles.get(s, "relative") for s in t["sample"]])
    return t


def top_table(ranked: pd.DataFrame, *, roles: dict[str, str], n: int) -> pd.DataFrame:
    """The report's table of the ``n`` best candidates, one row per (variant, mode)."""
    rows = []
    for r in ranked.head(n).to_dict("records"):
        row = {
            "rank": r["rank"],
            "gene": r["gene"],
            "variant": r["variant_id"],
            # VEP writes '=' URL-encoded (p.Gly142%3D); shown as HGVS writes it
            "HGVS": " ".join(x.replace("%3D", "=") for x in (r.get("hgvsc"), r.get("hgvsp")) if isinstance(x, str)) or None,
            "consequence": r["consequence"],
            "mode": MODE_LABELS.get(r["mode"], r["mode"]),
        }
        for sample, role in roles.items():
            row[f"GT {role} ({sample})"] = _genotype_label(r.get(f"GT_{sample}"))
        row.update(
            {
                "population AF": _af_label(r.get("max_af"), r.get("af_missing")),
                "AF source": r.get("af_source") if isinstance(r.get("af_source"), str) else "—",
                "gate": r.get("gate") if isinstance(r.get("gate"), str) else "—",
                "inheritance of the gene's diseases": _moi_label(r),
                "in-house count": r.get("inhouse_count", 0),
                "ACMG class": r["acmg_class"],
                "ACMG criteria": r.get("acmg_codes") or "",
                "phenotype score": round(float(r["phenotype_score"]), 3),
                "best disease": _disease_label(r),
                # likelihood-ratio ranking (ranking.SCORE_FORMULA): the parts and the post-test probability
                "phenotype LR": float(f"{float(r['phenotype_lr']):.3g}"),
                "genotype LR": float(f"{float(r['genotype_lr']):.3g}"),
                "terms moving the phenotype LR": _lr_terms(r),
                "score": round(float(r["score"]), 3),
            }
        )
        rows.append(row)
    return pd.DataFrame(rows)


def _lr_terms(r: dict[str, Any]) -> str:
    from ..phenotype.likelihood import terms_text

    terms = r.get("phenotype_lr_terms")
    return terms_text(terms[:3]) if isinstance(terms, list) and terms else "—"


def _moi_label(r: dict[str, Any]) -> str:
    """``"consistent (autosomal dominant)"``; ``"unknown"`` when the gene has no annotated inheritance."""
    from ..genomics.moi import moi_text

    match = r.get("moi_match")
    codes = r.get("gene_moi")
    if not isinstance(match, str):
        return "—"
    if match == "unknown" or not isinstance(codes, (list, tuple)) or not codes:
        return "unknown (no annotated inheritance)"
    return f"{match} ({moi_text(codes)})"


def _disease_label(r: dict[str, Any]) -> str:
    name, did = r.get("best_disease_name"), r.get("best_disease_id")
    if isinstance(name, str) and isinstance(did, str):
        return f"{name} ({did})"
    return "—"


def _af_label(af: Any, missing: Any) -> str:
    if missing is True or af is None or pd.isna(af):
        return "absent"
    return f"{float(af):.2g}"


def headline(ranked: pd.DataFrame) -> str:
    """One line with the best candidate, e.g. ``SCN1A chr2:165987183:C:T de novo — Likely pathogenic (phenotype 0.93)``."""
    if ranked.empty:
        return "No candidate variant passed the filters"
    r = ranked.iloc[0]
    return (f"{r['gene']} {r['variant_id']} {MODE_LABELS.get(r['mode'], r['mode'])} — {r['acmg_class']} "
            f"(phenotype {float(r['phenotype_score']):.2f})")


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: (None if not isinstance(v, (list, dict)) and pd.isna(v) else v) for k, v in r.items()}
            for r in df.to_dict("records")]


def build_summary(result: CaseResult, *, qc: Any) -> dict[str, Any]:
    """``summary.json`` content: ``case_id``, ``qc``, ``phenotypes``, ``candidates`` (ranked), ``headline``..."""
    ranked = result.candidates
    roles = _roles(result.members)
    candidates = []
    for r in ranked.to_dict("records"):
        candidates.append(
            {
                "rank": int(r["rank"]),
                "gene": r["gene"],
                "variant": r["variant_id"],
                "mode": r["mode"],
                "acmg_class": r["acmg_class"],
                "acmg_criteria": [c["code"] for c in r["acmg_criteria"]],
                "phenotype_score": float(r["phenotype_score"]),
                "score": float(r["score"]),
                "acmg_points": int(r["acmg_points"]),
                "acmg_evidence": [{"code": c["code"], "reason": c["reason"]} for c in r["acmg_criteria"]],
                "variant_score": float(r["variant_score"]),
                "post_test_probability": float(r["post_test_probability"]),
                "phenotype_lr": float(r["phenotype_lr"]),
                "genotype_lr": float(r["genotype_lr"]),
                "genotype_lr_reason": r.get("genotype_lr_reason"),
                "phenotype_lr_terms": list(r.get("phenotype_lr_terms") or []),
                "hgvsc": r.get("hgvsc"),
                "hgvsp": r.get("hgvsp"),
                "consequence": r.get("consequence"),
                "max_af": None if pd.isna(r.get("max_af")) else float(r["max_af"]),
                "genotypes": {s: _genotype_label(r.get(f"GT_{s}")) for s in roles},
                "partners": list(r.get("partners") or []),
                "best_disease": r.get("best_disease_id") if isinstance(r.get("best_disease_id"), str) else None,
                "best_disease_name": r.get("best_disease_name") if isinstance(r.get("best_disease_name"), str) else None,
                "inhouse_count": int(r.get("inhouse_count", 0)),
                "inhouse_classes": list(r.get("inhouse_classes") or []),
                "gate": r.get("gate") if isinstance(r.get("gate"), str) else None,
                "moi_match": r.get("moi_match") if isinstance(r.get("moi_match"), str) else None,
                "gene_moi": list(r.get("gene_moi") or []),
                "af_source": r.get("af_source") if isinstance(r.get("af_source"), str) else None,
                "popmax_af": None if _nan(r.get("popmax_af")) else float(r["popmax_af"]),
                "acmg_points_without_pp4": int(r.get("acmg_points_without_pp4", r["acmg_points"])),
                "partner_phase": dict(r.get("partner_phase") or {}),
            }
        )
    qc_samples = _records(result.qc_samples.drop(columns=[c for c in result.qc_samples if c.startswith("flag_")]))
    pheno = result.phenotypes
    return {
        "case_id": result.case_id,
        "headline": result.headline,
        "proband": result.proband,
        "members": roles,
        "qc": {
            "samples": qc_samples,
            "trios": _records(result.qc_trios.drop(columns=[c for c in result.qc_trios if c.startswith("flag_")])),
            "relatedness": _records(result.qc_pairs.drop(columns=[c for c in result.qc_pairs if c.startswith("flag_")])),
            "any_flag": bool(qc.any_flag),
        },
        "phenotypes": {
            "observed": pheno.observed,
            "excluded": pheno.excluded,
            "terms": _records(pheno.table),
        },
        "candidates": candidates,
        "funnel": [{"step": s.strip(), "n": int(n)} for s, n in result.funnel],
        "similar_patients": _records(result.similar_patients),
        "thresholds": {**result.thresholds, **result.genotype_filters},
        "gene_panel": result.gene_panel,
        "consequence_gate": result.consequence_gate,
        "reduced_penetrance": result.reduced_penetrance,
        "parentage": None if result.parentage is None else {
            "confirmed": bool(result.parentage.confirmed), "note": result.parentage.note},
        "transcript_rule": result.transcript_rule,
        "score_formula": result.score_formula,
    }

