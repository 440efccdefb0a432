"""Tables of the sudden-cardiac-death report, shaped for display from a
:class:`~bigmed_utils.sudden_cardiac_death.contract.SuddenCardiacDeathResult` (no computation here)."""

from __future__ import annotations

from typing import Any

import pandas as pd

FINDING_SHOWN = ["gene", "variant", "hgvsc", "hgvsp", "consequence", "zygosity", "condition", "disease",
                 "acmg_class", "acmg_points", "acmg_codes", "max_af", "filtering_af", "frequency_basis"]
FILTERED_SHOWN = ["gene", "variant", "hgvsc", "hgvsp", "consequence", "condition", "step", "reason",
                  "raw_af", "filtering_af", "max_credible_af"]
QTC_SHOWN = ["person_id", "date", "age", "sex_used", "qtc_bazett", "qtc_fridericia", "qtc_framingham", "qtc_hodges",
             "flag", "flag_fridericia", "schwartz_qtc_points", "n_visits"]
CASCADE_SHOWN = ["person", "relation", "degree", "cascade_step", "sex", "genotype_status", "phenotype_status",
                 "deceased", "follow_up", "recommendation"]
SEGREGATION_SHOWN = ["variant", "informative_meioses", "lod", "evidence", "affected_carriers", "affected_non_carriers",
                     "unaffected_carriers", "obligate_carriers", "notes"]


def header_markdown(result: Any) -> str:
    """Family, proband and panels in one Markdown line."""
    from ..cardiac.panels import CONDITION_LABELS
    from ..privacy.escape import markdown_text

    panels = ", ".join(CONDITION_LABELS[c] for c in result.conditions)
    return (f"**Family:** {markdown_text(result.family_id)} &nbsp; **Proband:** {markdown_text(result.proband)}"
            f" &nbsp; **Panels:** {markdown_text(panels)}")


def panels_table(result: Any) -> pd.DataFrame:
    """One row per condition: its genes (AR/XL marked), the lowest maximum credible AF and the sources."""
    panel = result.panel
    genes = panel.assign(gene=panel["gene"] + panel["inheritance"].map({"AD": "", "AR": " (AR)", "XL": " (XL)"}))
    return (genes.groupby("condition", sort=False)
            .agg(genes=("gene", lambda g: ", ".join(dict.fromkeys(g))), max_credible_af=("max_credible_af", "min"),
                 sources=("source", lambda s: len(set(s)))))


def findings_table(result: Any) -> pd.DataFrame:
    return result.findings[FINDING_SHOWN].set_index("gene")


def criteria_table(result: Any) -> pd.DataFrame:
    """The ACMG criteria behind each reported class, one row per criterion (empty: none)."""
    crit = [{"variant": r["variant"], "condition": r["condition"], **c}
            for r in result.findings.to_dict("records") for c in r["acmg_criteria"]]
    return pd.DataFrame(crit).set_index(["variant", "condition"]) if crit else pd.DataFrame()


def filtered_table(result: Any) -> pd.DataFrame:
    return result.filtered_out[FILTERED_SHOWN].set_index("gene")


def qtc_table(result: Any) -> pd.DataFrame:
    latest = result.qtc_latest
    return latest[[c for c in QTC_SHOWN if c in latest]].set_index("person_id").round(1)


def risk_table(result: Any) -> pd.DataFrame:
    return result.hcm_risk.set_index("person").dropna(axis=1, how="all")


def cascade_table(result: Any) -> pd.DataFrame:
    return result.cascade[CASCADE_SHOWN].set_index("person")


def segregation_table(result: Any) -> pd.DataFrame | None:
    """The segregation of the familial (or leading) variant as one column, or ``None`` without a candidate."""
    seg = result.data.summary["segregation"]
    return pd.Series({k: seg[k] for k in SEGREGATION_SHOWN}, name="segregation").to_frame() if seg else None


__all__ = ["header_markdown", "panels_table", "findings_table", "criteria_table", "filtered_table", "qtc_table",
           "risk_table", "cascade_table", "segregation_table"]
