"""The rare-disease analysis under the common contract: a family's VCF and the proband's phenotypes →
ranked, ACMG-classified candidates (:func:`bigmed_utils.rare_disease.analysis.analyse_case`)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..contract.base import Analysis, Result
from ..params import RareDiseaseParams


class RareDiseaseResult(Result):
    """A case's result; ``data`` is the :class:`~bigmed_utils.rare_disease.analysis.CaseResult`."""

    analysis = "rare_disease"

    def summary(self) -> dict[str, Any]:
        return self.data.summary

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        return {"top candidates": self.data.top, "phenotypes": self.data.phenotypes.table,
                "sample QC": self.data.qc_samples, "similar patients": self.data.similar_patients}


class RareDisease(Analysis):
    id = "rare_disease"
    title = "Rare disease: ranked candidate variants"
    params_model = RareDiseaseParams
    id_key = "case_id"
    summary_keys = ("qc", "phenotypes", "candidates")

    def check(self, params: RareDiseaseParams) -> None:  # type: ignore[override]
        """The phenotypes, gene panel, PED and VCF header, in the order ``analyse_case`` reads them (no Hail)."""
        from .analysis import check_inputs, gather_phenotypes, read_gene_panel

        gather_phenotypes(params)
        read_gene_panel(params.gene_panel)
        ped, family, _header = check_inputs(params)
        # the first pass over the VCF (htslib, a child process) runs while the contract starts the JVM
        from .analysis import family_tables

        family_tables(params, ped=ped, family=family, early=True)

    def bounded_hail_work(self, params: RareDiseaseParams) -> bool:  # type: ignore[override]
        """Yes when the family QC and the proband's rare rows come from the cache or the first pass (the
        pre-flight's :func:`family_tables` says which); no for a whole-VCF import."""
        from .analysis import check_inputs, family_tables

        ped, family, _header = check_inputs(params)
        return family_tables(params, ped=ped, family=family, early=True).source in ("cache", "first pass")

    def analyse(self, params: RareDiseaseParams) -> RareDiseaseResult:  # type: ignore[override]
        from .analysis import analyse_case

        return RareDiseaseResult(analyse_case(params), params=params)


ANALYSIS = RareDisease()
