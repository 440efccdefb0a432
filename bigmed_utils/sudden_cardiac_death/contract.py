"""The sudden-cardiac-death analysis under the common contract: one family's panel genetics, ECG, risk
and cascade screening (:func:`bigmed_utils.cardiac.analysis.analyse_family`), the similar earlier families of
the in-house store and the cohort view of every family in the same joint files."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..contract.base import Analysis, Result
from ..params import SuddenCardiacDeathParams


class SuddenCardiacDeathResult(Result):
    """``data`` is the :class:`~bigmed_utils.cardiac.analysis.FamilyResult`; ``similar`` the similar
    earlier families (:func:`~bigmed_utils.cardiac.similar_families.similar_families`); ``cohort`` the
    :class:`~bigmed_utils.cardiac.analysis.CohortResult` of all families in the joint files."""

    analysis = "sudden_cardiac_death"

    def __init__(self, data: Any, *, params: SuddenCardiacDeathParams, similar: pd.DataFrame, cohort: Any) -> None:
        super().__init__(data, params=params)
        self.similar = similar
        self.cohort = cohort

    def summary(self) -> dict[str, Any]:
        similar = self.similar[["family", "match", "gene", "variant"]].to_dict("records")
        return {**self.data.summary, "similar_families": similar}

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        return {"findings": self.data.findings, "filtered out": self.data.filtered_out,
                "QTc": self.data.qtc_latest, "HCM risk": self.data.hcm_risk, "cascade": self.data.cascade,
                "similar families": self.similar, "cohort families": self.cohort.families,
                "diagnostic yield": self.cohort.diagnostic_yield}

    @property
    def figures(self) -> dict[str, Any]:
        figures = {k: v for k, v in self.data.figures.items() if v is not None}
        return {**figures, **{f"cohort_{k}": v for k, v in self.cohort.figures.items()}}


class SuddenCardiacDeath(Analysis):
    id = "sudden_cardiac_death"
    title = "Sudden cardiac death: family genetics, ECG, risk and cascade screening"
    params_model = SuddenCardiacDeathParams
    id_key = "family_id"
    summary_keys = ("proband", "findings", "qtc", "hcm_risk_scd", "cascade", "segregation")

    def check(self, params: SuddenCardiacDeathParams) -> None:  # type: ignore[override]
        """The runner's pre-flight, then the family in the PED (parents, loops, proband; no Hail)."""
        from ..cardiac.analysis import load_pedigree

        super().check(params)
        load_pedigree(params.ped, family_id=params.family_id, proband=params.proband)

    def analyse(self, params: SuddenCardiacDeathParams) -> SuddenCardiacDeathResult:  # type: ignore[override]
        from ..cardiac.analysis import analyse_family, cohort_overview
        from ..cardiac.similar_families import similar_families

        family = analyse_family(params)
        similar = similar_families(params.inhouse_db, family.summary["findings"], conditions=family.conditions,
                                   exclude=family.family_id)
        cohort = cohort_overview(ped=params.ped, vcf=params.vcf, ecg=params.ecg, echo=params.echo,
                                 clinical=params.clinical, genome_build=params.genome_build)
        return SuddenCardiacDeathResult(family, params=params, similar=similar, cohort=cohort)


ANALYSIS = SuddenCardiacDeath()
