"""Read OMOP CDM v5.4 tables exported as CSV and select cancer patients from them.

OMOP Common Data Model v5.4 (OHDSI, https://ohdsi.github.io/CommonDataModel/cdm54.html). Only the
columns the BigMed analyses use are required: ``person`` (``person_id``, ``person_source_value`` = the
patient id shared with the genomic data, e.g. ``CRC0001``) and ``condition_occurrence`` (``person_id``,
``condition_source_value`` = ICD-10 code). ``visit_occurrence``, ``measurement``, ``drug_exposure``,
``observation``, ``death`` and ``observation_period`` are read when present and checked for their key columns.

Stage is read from ``measurement`` rows whose ``measurement_source_value`` mentions "stage" (e.g.
``AJCC stage``), the value from ``value_source_value`` (``IIIB`` counts as ``III``); treatments from
``drug_exposure.drug_source_value`` (ingredient or regimen names, matched case-insensitively).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Iterable, Sequence

import pandas as pd

from ..errors import InputDataError, ParameterError
from .clinical import match_barcodes

#: required tables and the columns each must have
REQUIRED_TABLES: dict[str, tuple[str, ...]] = {
    "person": ("person_id", "person_source_value"),
    "condition_occurrence": ("person_id", "condition_source_value"),
}
#: optional tables (read when present) and their required columns
OPTIONAL_TABLES: dict[str, tuple[str, ...]] = {
    "visit_occurrence": ("visit_occurrence_id", "person_id"),
    "measurement": ("person_id", "measurement_source_value"),
    "drug_exposure": ("person_id", "drug_source_value"),
    "observation": ("person_id",),
    "death": ("person_id",),
    "observation_period": ("person_id", "observation_period_end_date"),
}
#: colorectal cancer ICD-10 codes: C18 colon, C19 rectosigmoid junction, C20 rectum (WHO ICD-10)
COLORECTAL_ICD10: tuple[str, ...] = ("C18", "C19", "C20")

_STAGES = ("I", "II", "III", "IV")
_STAGE_RE = re.compile(r"(?:^|[^A-Z])(IV|III|II|I)(?:[ABC]\d?)?(?:$|[^A-Z])")


def _find_table(folder: Path, name: str) -> Path | None:
    for candidate in folder.iterdir():
        lower = candidate.name.lower()
        if lower in (f"{name}.csv", f"{name}.csv.gz", f"{name}.tsv"):
            return candidate
    return None


def _read_table(path: Path, name: str, required: Sequence[str]) -> pd.DataFrame:
    sep = "\t" if path.name.lower().endswith(".tsv") else ","
    try:
        df = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputDataError(f"{path}: cannot be read as an OMOP {name} table ({str(exc).splitlines()[0]})") from None
    df.columns = [c.strip().lower() for c in df.columns]
    for col in required:
        if col not in df.columns:
            raise InputDataError(f"{path}: OMOP table '{name}' is missing required column '{col}'")
    for col in [c for c in df.columns if c == "person_id" or c.endswith("_occurrence_id") or c.endswith("_exposure_id")]:
        values = pd.to_numeric(df[col], errors="coerce")
        bad = values.isna() & df[col].notna()
        if bad.any() or values.isna().any():
            i = int((bad | values.isna()).to_numpy().nonzero()[0][0])
            raise InputDataError(f"{path}: column '{col}' must be an integer id, got {df[col].iloc[i]!r} on row {i + 1}")
        df[col] = values.astype("int64")
    for col in [c for c in df.columns if c.endswith("_date")]:
        parsed = pd.to_datetime(df[col], errors="coerce", format="mixed")
        bad = parsed.isna() & df[col].notna()
        if bad.any():
            i = int(bad.to_numpy().nonzero()[0][0])
            raise InputDataError(f"{path}: column '{col}' has an invalid date {df[col].iloc[i]!r} on row {i + 1}")
        df[col] = parsed
    df.attrs["path"] = str(path)
    return df


def read_omop(folder: str | os.PathLike) -> dict[str, pd.DataFrame]:
    """Read the OMOP CSV tables of a folder into a dict ``{table_name: DataFrame}``.

    File names are the lower-case table names (``person.csv``, ``PERSON.csv``, ``.csv.gz`` and ``.tsv``
    accepted). Ids become integers and ``*_date`` columns datetimes.

    Raises
    ------
    ParameterError
        The folder does not exist.
    InputDataError
        A required table or column is missing, an id is not an integer, a date is invalid, a
        ``person_source_value`` is duplicated, or a table refers to a ``person_id`` absent from ``person``.
        The message names the file, the column and the row or id.
    """
    root = Path(folder)
    if not root.is_dir():
        raise ParameterError(f"clinical: OMOP folder not found: {root}")
    tables: dict[str, pd.DataFrame] = {}
    for name, cols in REQUIRED_TABLES.items():
        path = _find_table(root, name)
        if path is None:
            raise InputDataError(f"{root}: OMOP table '{name}' not found (expected {name}.csv)")
        tables[name] = _read_table(path, name, cols)
    for name, cols in OPTIONAL_TABLES.items():
        path = _find_table(root, name)
        if path is not None:
            tables[name] = _read_table(path, name, cols)
    person = tables["person"]
    dup = person["person_source_value"][person["person_source_value"].duplicated() & person["person_source_value"].notna()]
    if len(dup):
        raise InputDataError(f"{person.attrs['path']}: person_source_value '{dup.iloc[0]}' occurs more than once")
    dup_id = person["person_id"][person["person_id"].duplicated()]
    if len(dup_id):
        raise InputDataError(f"{person.attrs['path']}: person_id {dup_id.iloc[0]} occurs more than once")
    known = set(person["person_id"])
    for name, df in tables.items():
        if name == "person":
            continue
        unknown = df.loc[~df["person_id"].isin(known), "person_id"]
        if len(unknown):
            raise InputDataError(f"{df.attrs['path']}: person_id {unknown.iloc[0]} is not in the person table")
    return tables


def _normalise_icd10(code: object) -> str:
    return re.sub(r"[^A-Z0-9]", "", str(code).upper())


def parse_stage(value: object) -> str | None:
    """Main stage group ``I``-``IV`` from a text such as ``IIIB``, ``Stage IV`` or ``pT3N1M0 stage III``."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    text = str(value).upper().replace("STAGE", " ").strip()
    m = _STAGE_RE.search(text)
    if m:
        return m.group(1)
    m = re.fullmatch(r"([1-4])[ABC]?\d?", text)  # arabic numerals, e.g. "3B"
    return _STAGES[int(m.group(1)) - 1] if m else None


def patient_stages(omop: dict[str, pd.DataFrame]) -> pd.Series:
    """Stage per ``person_id`` from ``measurement`` (or ``observation``) rows about stage.

    A row is about stage when its ``measurement_source_value`` (``observation_source_value``) mentions
    "stage"; the value is read from ``value_source_value`` (or ``value_as_string``). The earliest dated
    row wins (stage at diagnosis)."""
    frames = []
    for table, source_col, date_col in (("measurement", "measurement_source_value", "measurement_date"),
                                        ("observation", "observation_source_value", "observation_date")):
        if table not in omop or source_col not in omop[table].columns:
            continue
        t = omop[table]
        rows = t[t[source_col].astype(str).str.contains("stage", case=False, na=False)]
        value_col = next((c for c in ("value_source_value", "value_as_string") if c in rows.columns), None)
        if value_col is None or rows.empty:
            continue
        frames.append(pd.DataFrame({"person_id": rows["person_id"], "stage": rows[value_col].map(parse_stage),
                                    "date": rows[date_col] if date_col in rows.columns else pd.NaT}))
    if not frames:
        raise InputDataError("OMOP data has no stage rows (measurement_source_value mentioning 'stage' with "
                             "value_source_value): stage cannot be determined")
    rows = pd.concat(frames, ignore_index=True)
    rows = rows[rows["stage"].notna()].sort_values("date", kind="stable")
    return rows.groupby("person_id")["stage"].first()


def select_patients(
    omop: dict[str, pd.DataFrame],
    *,
    icd10_prefixes: Sequence[str] = COLORECTAL_ICD10,
    stage: str | Sequence[str] | None = None,
    treatment: str | Sequence[str] | None = None,
    genomic_ids: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Patients with a condition coded under the ICD-10 prefixes, optionally filtered by stage and treatment.

    Parameters
    ----------
    omop
        Tables from :func:`read_omop`.
    icd10_prefixes
        ICD-10 code prefixes (``C18`` matches ``C18.7`` and ``C187``); default colorectal C18-C20.
    stage
        Keep patients at this stage group (``'III'``) or any of several (``['III', 'IV']``).
    treatment
        Keep patients with a drug exposure whose ``drug_source_value`` contains this text (or any of
        several), case-insensitively (``'cetuximab'``, ``'FOLFOX'``).
    genomic_ids
        Tumour barcodes of the genomic data (``CRC0001-T``); matched to ``person_source_value`` by
        :func:`bigmed_utils.io.clinical.match_barcodes` and returned as ``tumor_barcode``.

    Returns
    -------
    pandas.DataFrame
        ``person_id, patient_id`` (= ``person_source_value``), ``icd10`` (earliest matching code),
        ``diagnosis_date``, ``stage`` (when a measurement table exists), ``treatments`` (``; ``-joined drug
        names, when a drug_exposure table exists) and ``tumor_barcode`` (if ``genomic_ids`` was given;
        ``None`` for patients without genomic data).
    """
    for name in REQUIRED_TABLES:
        if name not in omop:
            raise InputDataError(f"OMOP data has no '{name}' table")
    if isinstance(icd10_prefixes, str):
        icd10_prefixes = (icd10_prefixes,)
    prefixes = tuple(_normalise_icd10(p) for p in icd10_prefixes)
    if not prefixes or any(not p for p in prefixes):
        raise ParameterError(f"icd10_prefixes must be non-empty ICD-10 codes, got {icd10_prefixes!r}")
    cond = omop["condition_occurrence"].copy()
    cond["icd10"] = cond["condition_source_value"].map(_normalise_icd10)
    cond = cond[cond["icd10"].str.startswith(prefixes)]
    if "condition_start_date" in cond.columns:
        cond = cond.sort_values("condition_start_date", kind="stable")
    first = cond.groupby("person_id").first()
    person = omop["person"].set_index("person_id")
    out = pd.DataFrame({
        "person_id": first.index.astype("int64"),
        "patient_id": person.loc[first.index, "person_source_value"].to_numpy(),
        "icd10": [c for c in first["condition_source_value"]],
        "diagnosis_date": first["condition_start_date"].to_numpy() if "condition_start_date" in first else pd.NaT,
    })

    if "measurement" in omop or "observation" in omop or stage is not None:
        try:
            stages = patient_stages(omop)
        except InputDataError:
            if stage is not None:
                raise
            stages = pd.Series(dtype=object)
        out["stage"] = out["person_id"].map(stages)
    if stage is not None:
        wanted = {stage} if isinstance(stage, str) else set(stage)
        unknown = wanted - set(_STAGES)
        if unknown:
            raise ParameterError(f"stage must be among {', '.join(_STAGES)}, got {sorted(unknown)}")
        out = out[out["stage"].isin(wanted)]

    if "drug_exposure" in omop or treatment is not None:
        if "drug_exposure" not in omop:
            raise InputDataError("OMOP data has no drug_exposure table: treatment cannot be selected")
        drugs = omop["drug_exposure"]
        names = drugs.groupby("person_id")["drug_source_value"].agg(
            lambda s: "; ".join(sorted({str(x) for x in s.dropna()})))
        out["treatments"] = out["person_id"].map(names).fillna("")
    if treatment is not None:
        wanted_t = [treatment] if isinstance(treatment, str) else list(treatment)
        drugs = omop["drug_exposure"]
        text = drugs["drug_source_value"].astype(str).str.lower()
        hit = pd.Series(False, index=drugs.index)
        for t in wanted_t:
            hit |= text.str.contains(str(t).lower(), regex=False)
        out = out[out["person_id"].isin(set(drugs.loc[hit, "person_id"]))]

    if genomic_ids is not None:
        mapping = match_barcodes(genomic_ids, out["patient_id"].astype(str))
        by_patient: dict[str, str] = {}
        for barcode, patient in mapping.items():
            by_patient.setdefault(patient, barcode)
        barcodes = out["patient_id"].astype(str).map(by_patient)
        out["tumor_barcode"] = barcodes.astype(object).where(barcodes.notna(), None)
    return out.reset_index(drop=True)


__all__ = ["read_omop", "select_patients", "patient_stages", "parse_stage", "REQUIRED_TABLES",
           "OPTIONAL_TABLES", "COLORECTAL_ICD10"]
