"""Display helpers of the colorectal-cancer report; they take a
:class:`~bigmed_utils.colorectal_cancer.contract.ColorectalCancerResult` and compute nothing."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..privacy.escape import markdown_text


def header_markdown(result: Any) -> str:
    """Patient, tumour sample and where the variants came from, in one Markdown line."""
    return (f"**Patient:** {markdown_text(result.patient_id)} &nbsp; **Tumour sample:** "
            f"{markdown_text(result.tumor_sample)} &nbsp; **Variants from:** {markdown_text(result.variant_source)}")


def cohort_figures(result: Any) -> list[Any]:
    """The TMB and MSI cohort figures, in report order (empty when the MAF holds no cohort)."""
    return [result.data.figures[name] for name in ("tmb_cohort", "msi_cohort") if name in result.data.figures]


def similar_intro(result: Any) -> str | None:
    """The sentence above the similar-patients table, or the reason there is no table (Markdown)."""
    if result.params.inhouse_db is None:
        return "_No in-house store configured (parameter `inhouse_db`)._"
    if result.similar.empty:
        return "_The in-house store holds no earlier patient._"
    return f"In-house store version **{markdown_text(result.similar.store_version)}**; patients with the same profile:"


def similar_table(result: Any) -> pd.DataFrame | None:
    """Similar earlier patients by shared profile, or ``None`` when there is nothing to show."""
    if result.params.inhouse_db is None or result.similar.empty:
        return None
    return result.similar.table.set_index("earlier patients with")


__all__ = ["header_markdown", "cohort_figures", "similar_intro", "similar_table"]
