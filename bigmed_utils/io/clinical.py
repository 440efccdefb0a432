"""Clinical records read from files: the per-patient clinical CSV, OMOP CDM tables as one row per patient,
the tumour barcode to patient join and the tumour side from ICD-10.

Readers only: what the records mean for an analysis (MSI status, survival groups) stays in the area package
(:mod:`bigmed_utils.oncology.clinical`).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import pandas as pd

from ..errors import InputDataError, ParameterError

#: clinical CSV columns (synthetic cohort contract) and their allowed values
CLINICAL_REQUIRED: tuple[str, ...] = ("patient_id",)
CLINICAL_VALUES: dict[str, frozenset] = {
    "stage": frozenset({"I", "II", "III", "IV"}),
    "side": frozenset({"left", "right", "rectum"}),
    "msi_status": frozenset({"MSI-H", "MSS"}),
    "mmr_ihc": frozenset({"deficient", "proficient"}),
    "sex": frozenset({"female", "male", "F", "M", "other", "unknown"}),
}


def read_clinical(path: str | os.PathLike, *, required: Sequence[str] = CLINICAL_REQUIRED) -> pd.DataFrame:
    """Read the per-patient clinical CSV and check ids and categorical values.

    Missing values are allowed (checked later by the analysis that needs them); a value outside the
    allowed set of ``stage`` (I-IV), ``side`` (left/right/rectum), ``msi_status`` (MSI-H/MSS) or
    ``mmr_ihc`` (deficient/proficient) raises :class:`InputDataError` naming the column and patient.
    """
    p = Path(path)
    if not p.is_file():
        raise ParameterError(f"clinical: file not found: {p}")
    try:
        df = pd.read_csv(p)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputDataError(f"{p}: cannot be read as CSV ({str(exc).splitlines()[0]})") from None
    for col in required:
        if col not in df.columns:
            raise InputDataError(f"{p}: clinical table is missing required column '{col}'")
    ids = df["patient_id"].astype(str)
    dup = ids[ids.duplicated()]
    if len(dup):
        raise InputDataError(f"{p}: patient_id '{dup.iloc[0]}' occurs more than once")
    df["patient_id"] = ids
    for col, allowed in CLINICAL_VALUES.items():
        if col not in df.columns:
            continue
        bad = df[df[col].notna() & ~df[col].astype(str).isin(allowed)]
        if len(bad):
            raise InputDataError(
                f"{p}: column '{col}' has value {bad[col].iloc[0]!r} for patient {bad['patient_id'].iloc[0]} "
                f"(allowed: {', '.join(sorted(allowed))})"
            )
    if "stage" in df.columns:
        df["stage"] = pd.Categorical(df["stage"], categories=["I", "II", "III", "IV"], ordered=True)
    df.attrs["path"] = str(p)
    return df


def match_barcodes(barcodes: Iterable[str], patient_ids: Iterable[str]) -> dict[str, str]:
    """Map tumour barcodes to patient ids: exact match first, else the longest patient id that prefixes the
    barcode (``CRC0001-T`` -> ``CRC0001``; ``TCGA-AG-A002-01A`` -> ``TCGA-AG-A002``); ``.`` and ``-`` are
    treated as equal. Barcodes without a patient are left out."""
    def norm(x: str) -> str:
        return str(x).replace(".", "-")

    ids = sorted({norm(i): str(i) for i in patient_ids}.items(), key=lambda kv: -len(kv[0]))
    exact = dict(ids)
    out: dict[str, str] = {}
    for barcode in barcodes:
        b = norm(barcode)
        if b in exact:
            out[str(barcode)] = exact[b]
            continue
        for key, original in ids:
            if b.startswith(key) and (len(b) == len(key) or not b[len(key)].isalnum()):
                out[str(barcode)] = original
                break
    return out


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


def omop_clinical_table(
    omop: Mapping[str, pd.DataFrame],
    *,
    icd10_prefixes: Sequence[str] = ("C18", "C19", "C20"),
) -> pd.DataFrame:
    """One clinical row per patient of OMOP tables (:func:`bigmed_utils.io.omop.read_omop`) with a
    condition among ``icd10_prefixes`` (default colorectal cancer).

    Columns ``patient_id`` (``person_source_value``), ``person_id``, ``icd10``, ``diagnosis_date``, ``age`` (at
    diagnosis, from the year of birth), ``sex``, ``side`` (:func:`side_from_icd10`), ``stage``, ``msi_score``
    (measurement mentioning "MSI", ``value_as_number``), ``mmr_ihc`` (measurement mentioning "MMR",
    ``value_source_value``), ``treatments``,
    ``sequencing_months`` (diagnosis to the first measurement mentioning "sequencing": the entry into the genomic
    cohort) and, from ``death`` and ``observation_period``, ``os_months``/``os_event`` (diagnosis to death, else to
    the end of observation). Progression is not in OMOP CDM: there is no PFS. The MSI status is an oncology
    interpretation of these columns: :func:`bigmed_utils.oncology.clinical.clinical_from_omop` adds it.
    """
    from .omop import select_patients

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


def patient_record(clinical: pd.DataFrame, patient_id: str) -> dict[str, Any]:
    """The row of ``patient_id`` as a dict (missing values None); InputDataError naming the table if absent."""
    rows = clinical[clinical["patient_id"].astype(str) == patient_id]
    if rows.empty:
        raise InputDataError(f"{clinical.attrs.get('name', 'clinical table')}: patient '{patient_id}' not found")
    rec = rows.iloc[0].to_dict()
    return {k: (None if not isinstance(v, (list, dict)) and pd.isna(v) else v) for k, v in rec.items()}


__all__ = ["CLINICAL_REQUIRED", "CLINICAL_VALUES", "read_clinical", "match_barcodes", "DAYS_PER_MONTH",
           "side_from_icd10", "omop_clinical_table", "patient_record"]
