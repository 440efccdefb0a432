"""The rare-disease report's display calls, taking a
:class:`~bigmed_utils.rare_disease.contract.RareDiseaseResult` (the table and figure builders are in
:mod:`bigmed_utils.rare_disease.tables`; nothing is computed here)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..privacy.escape import markdown_text
from . import tables


def header_markdown(result: Any) -> str:
    """Case, genotyped family members with their roles and the genome build (Markdown)."""
    members = ", ".join(f"{markdown_text(s)} ({role})" for s, role in result.data.summary["members"].items())
    return (f"**Case:** {markdown_text(result.case_id)} &nbsp; **Family members genotyped:** {members} &nbsp; "
            f"**Genome build:** {result.genome_build}")


def qc_tables(result: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-sample QC and the family checks (Mendelian errors, relatedness)."""
    return tables.qc_table(result.qc_samples), tables.family_qc_table(result.qc_trios, result.qc_pairs)


def phenotype_table(result: Any) -> pd.DataFrame:
    return tables.phenotype_table(result.phenotypes.table)


def filter_texts(result: Any) -> list[str]:
    """The thresholds, the consequence gate and the gene panel used, as Markdown paragraphs."""
    options = {**result.thresholds, "consequence_gate": result.consequence_gate,
               "reduced_penetrance": result.reduced_penetrance}
    texts = [tables.thresholds_text(result.genotype_filters, options), tables.gate_text()]
    panel = result.gene_panel
    if panel:
        more = " …" if len(panel) > 30 else ""
        texts.append(f"* Gene panel: {len(panel)} genes ({markdown_text(', '.join(panel[:30]))}{more}).")
    return texts


def funnel_figure(result: Any) -> Any:
    return tables.funnel_figure(result.funnel)


def evidence_table(result: Any) -> pd.DataFrame:
    """The ACMG criteria of the top candidates, indexed by rank, gene and variant (empty: none fired)."""
    evidence = tables.evidence_table(result.candidates, n=result.params.top_n)
    return evidence.set_index(["rank", "gene", "variant"]) if len(evidence) else evidence


def similar_intro(result: Any) -> str | None:
    """Why there is no similar-patients table (Markdown), or ``None`` when there is one."""
    if result.inhouse_db is None:
        return "_No in-house database configured (parameter `inhouse_db`)._"
    if result.similar_patients.empty:
        return "_The in-house database holds no earlier case._"
    return None


def similar_table(result: Any) -> pd.DataFrame:
    return tables.similar_table(result.similar_patients)


def interpretation_text(result: Any) -> str:
    """How the ACMG/AMP criteria were applied to this case (Markdown), parentage included."""
    return tables.interpretation_text(parentage=result.parentage)


__all__ = ["header_markdown", "qc_tables", "phenotype_table", "filter_texts", "funnel_figure", "evidence_table",
           "interpretation_text", "similar_intro", "similar_table"]
