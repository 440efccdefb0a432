"""The colorectal-cancer cohort analysis under the common contract: selection, oncoplot, survival by
molecular group and Cox models (:func:`bigmed_utils.oncology.analysis.analyse_cohort`); no Hail."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..contract.base import Analysis, Result
from ..params import ColorectalCohortParams


class ColorectalCohortResult(Result):
    """``data`` is the :class:`~bigmed_utils.oncology.analysis.CohortResult`."""

    analysis = "colorectal_cohort"

    def summary(self) -> dict[str, Any]:
        return self.data.summary

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        return {"selection": self.data.selection_steps, "TMB by MSI": self.data.tmb_by_msi,
                "log-rank": self.data.log_rank,
                **{f"KM {k}": v for k, v in self.data.km_tables.items()},
                **{f"Cox {k}": v for k, v in self.data.cox_tables.items()}}


class ColorectalCohort(Analysis):
    id = "colorectal_cohort"
    title = "Colorectal cancer cohort: molecular groups and outcomes"
    params_model = ColorectalCohortParams
    id_key = "case_id"
    summary_keys = ("n_patients", "km", "cox", "log_rank")

    def needs_hail(self, params: ColorectalCohortParams) -> bool:  # type: ignore[override]
        """MAF and clinical tables are read with pandas."""
        return False

    def analyse(self, params: ColorectalCohortParams) -> ColorectalCohortResult:  # type: ignore[override]
        from ..oncology.analysis import analyse_cohort

        return ColorectalCohortResult(analyse_cohort(params), params=params)


ANALYSIS = ColorectalCohort()
