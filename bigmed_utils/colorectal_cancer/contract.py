"""The colorectal-cancer patient analysis under the common contract: TMB, MSI, drivers, therapy matches
(:func:`bigmed_utils.oncology.patient.analyse_patient`) and the similar earlier patients of the in-house
store."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..contract.base import Analysis, Result
from ..params import ColorectalCancerParams


class ColorectalCancerResult(Result):
    """``data`` is the :class:`~bigmed_utils.oncology.patient.PatientResult`; ``similar`` the similar
    earlier patients (:func:`~bigmed_utils.oncology.similar_patients.similar_patients`)."""

    analysis = "colorectal_cancer"

    def __init__(self, data: Any, *, params: ColorectalCancerParams, similar: Any) -> None:
        super().__init__(data, params=params)
        self.similar = similar

    def summary(self) -> dict[str, Any]:
        return {**self.data.summary, "similar_patients": self.similar.summary()}

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        return {"clinical record": self.data.record_table, "profile": self.data.profile_table,
                "therapy options": self.data.actionable, "resistance": self.data.resistance,
                "unknown meaning": self.data.unknown, "drivers": self.data.drivers,
                "similar patients": self.similar.table}


class ColorectalCancer(Analysis):
    id = "colorectal_cancer"
    title = "Colorectal cancer: molecular tumour-board report"
    params_model = ColorectalCancerParams
    id_key = "patient_id"
    summary_keys = ("tmb", "msi", "drivers", "actionable", "resistance")

    def needs_hail(self, params: ColorectalCancerParams) -> bool:  # type: ignore[override]
        """Hail reads the VEP-annotated somatic VCF; a MAF alone needs no Hail."""
        return params.vcf is not None

    def analyse(self, params: ColorectalCancerParams) -> ColorectalCancerResult:  # type: ignore[override]
        from ..oncology.patient import analyse_patient
        from ..oncology.similar_patients import record_from_result, similar_patients

        patient = analyse_patient(params)
        similar = similar_patients(params.inhouse_db, record_from_result(patient), exclude=patient.patient_id)
        return ColorectalCancerResult(patient, params=params, similar=similar)


ANALYSIS = ColorectalCancer()
