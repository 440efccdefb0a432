"""Clinical records of colorectal-cancer patients: a clinical CSV or OMOP CDM tables, one row per patient.

Used by both analyses (:mod:`bigmed_utils.oncology.patient`, :mod:`bigmed_utils.oncology.analysis`).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Mapping, Sequence

import pandas as pd

from ..errors import InputDataError
from .cohort import read_clinical
from .msi import assess_msi

#: days per month for survival times computed from dates (365.25 / 12)
DAYS_PER_MONTH = 30.4375

# Tumour side from the ICD-10 subsite (WHO ICD-10 C18.0-C18.9, C19, C20). Right colon = caecum to
# transverse colon (C18.0-C18.4), left colon = splenic flexure to sigmoid (C18.5-C18.7), rectosigmoid and
# rectum = rectum. Studies differ on the transverse colon; C18.8/C18.9 (overlapping/unspecified) stay unknown.
_SIDE_BY_ICD10 = {"C180": "right", "C181": "right", "C182": "right", "C183": "right", "C184": "right",
                  "C185": "left", "C186": "left", "C187": "left", "C19": "rectum", "C20": "rectum"}


def side_from_icd10(code: object) -> str | None:
    """``right``, ``left`` or ``rectum`` from an ICD-10 code (``C18.2`` -> right); None if not determinable."""
    if code is None or (not isinstance(code, str) and pd.isna(code)):
        return None
    c = re.sub(r"[^A-Z0-9]", "", str(code).upper())
    for key in (c[:4], c[:3]):
        if key in _SIDE_BY_ICD10:
            return _SIDE_BY_ICD10[key]
    return None


# -----------------------------------------------------------------------------------------------------------
# Clinical records
# -----------------------------------------------------------------------------------------------------------


def clinical_from_omop(
    omop: Mapping[str, pd.DataFrame],
    *,
    icd10_prefixes: Sequence[str] = ("C18", "C19", "C20"),
    assay: str = "tumor_normal",
) -> pd.DataFrame:
    """One clinical row per colorectal-cancer patient of OMOP tables (:func:`bigmed_utils.io.omop.read_omop`).

    Columns ``patient_id`` (``person_source_value``), ``person_id``, ``icd10``, ``diagnosis_date``, ``age`` (at
    diagnosis, from the year of birth), ``sex``, ``side`` (:func:`side_from_icd10`), ``stage``, ``msi_score``
    (measurement mentioning "MSI", ``value_as_number``), ``mmr_ihc`` (measurement mentioning "MMR",
    ``value_source_value``), ``msi_status`` (:func:`~bigmed_utils.oncology.msi.assess_msi`), ``treatments``,
    ``sequencing_months`` (diagnosis to the first measurement mentioning "sequencing": the entry into the genomic
    cohort) and, from ``death`` and ``observation_period``, ``os_months``/``os_event`` (diagnosis to death, else to
    the end of observation). Progression is not in OMOP CDM: there is no PFS.
    """
    from ..io.omop import select_patients

    sel = select_patients(dict(omop), icd10_prefixes=icd10_prefixes)
    person = omop["person"].set_index("person_id")
    out = sel.copy()
    if "year_of_birth" in person.columns and "diagnosis_date" in out.columns:
        yob = pd.to_numeric(out["person_id"].map(person["year_of_birth"]), errors="coerce")
        out["age"] = pd.to_datetime(out["diagnosis_date"]).dt.year - yob
    gender = person["gender_source_value"] if "gender_source_value" in person.columns else None
    if gender is None and "gender_concept_id" in person.columns:  # OMOP gender concepts 8507 male, 8532 female
        gender = person["gender_concept_id"].map({"8507": "M", "8532": "F", 8507: "M", 8532: "F"})
    if gender is not None:
        out["sex"] = out["person_id"].map(gender)
    out["side"] = out["icd10"].map(side_from_icd10)
    if "measurement" in omop:
        m = omop["measurement"]
        src = m["measurement_source_value"].astype(str)
        if "value_as_number" in m.columns:
            msi = m[src.str.contains(r"\bMSI\b", case=False, regex=True)]
            out["msi_score"] = out["person_id"].map(
                pd.to_numeric(msi["value_as_number"], errors="coerce").groupby(msi["person_id"]).first())
        if "value_source_value" in m.columns:
            mmr = m[src.str.contains("MMR|mismatch", case=False, regex=True)]
            out["mmr_ihc"] = out["person_id"].map(mmr.groupby("person_id")["value_source_value"].first())
        seq = m[src.str.contains("sequencing", case=False, regex=False)]
        if len(seq) and "diagnosis_date" in out.columns:
            first = pd.to_datetime(out["person_id"].map(seq.groupby("person_id")["measurement_date"].min()))
            out["sequencing_months"] = ((first - pd.to_datetime(out["diagnosis_date"])).dt.days
                                        / DAYS_PER_MONTH).round(1)
    statuses = []
    for score, mmr in zip(out.get("msi_score", pd.Series(None, index=out.index)),
                          out.get("mmr_ihc", pd.Series(None, index=out.index))):
        res = assess_msi(msi_score=None if pd.isna(score) else float(score),
                         mmr_ihc=None if not isinstance(mmr, str) else mmr, assay=assay)
        statuses.append(None if res.status == "unknown" else res.status)
    out["msi_status"] = statuses
    end = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
    event = pd.Series(0, index=out.index)
    if "observation_period" in omop and "observation_period_end_date" in omop["observation_period"].columns:
        obs = omop["observation_period"].groupby("person_id")["observation_period_end_date"].max()
        end = pd.to_datetime(out["person_id"].map(obs))
    if "death" in omop and "death_date" in omop["death"].columns:
        death = pd.to_datetime(out["person_id"].map(omop["death"].groupby("person_id")["death_date"].min()))
        event = death.notna().astype(int)
        end = death.where(death.notna(), end)
    if end.notna().any() and "diagnosis_date" in out.columns:
        out["os_months"] = ((end - pd.to_datetime(out["diagnosis_date"])).dt.days / DAYS_PER_MONTH).round(1)
        out["os_event"] = event.to_numpy()
    if "stage" in out.columns:
        out["stage"] = pd.Categorical(out["stage"], categories=["I", "II", "III", "IV"], ordered=True)
    out.attrs["source"] = "OMOP"
    return out


def read_clinical_any(path: str | os.PathLike, *, assay: str = "tumor_normal") -> pd.DataFrame:
    """The clinical table from a CSV (:func:`~bigmed_utils.oncology.cohort.read_clinical`) or an OMOP folder
    (:func:`clinical_from_omop`); ``attrs['source']`` says which (``CSV``/``OMOP``), ``attrs['name']`` the file."""
    from ..io.omop import read_omop

    p = Path(path)
    if p.is_dir():
        df = clinical_from_omop(read_omop(p), assay=assay)
    else:
        df = read_clinical(p)
        df.attrs["source"] = "CSV"
    df.attrs["name"] = p.name
    return df


def _patient_record(clinical: pd.DataFrame, patient_id: str) -> dict[str, Any]:
    rows = clinical[clinical["patient_id"].astype(str) == patient_id]
    if rows.empty:
        raise InputDataError(f"{clinical.attrs.get('name', 'clinical table')}: patient '{patient_id}' not found")
    rec = rows.iloc[0].to_dict()
    return {k: (None if not isinstance(v, (list, dict)) and pd.isna(v) else v) for k, v in rec.items()}


__all__ = ["side_from_icd10", "clinical_from_omop", "read_clinical_any", "DAYS_PER_MONTH"]
