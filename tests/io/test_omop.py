"""read_omop / select_patients on a hand-made OMOP CDM v5.4 extract."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bigmed_utils.errors import InputDataError, ParameterError
from bigmed_utils.io.omop import parse_stage, read_omop, select_patients

DATA = Path(__file__).resolve().parents[1] / "data" / "oncology"


@pytest.fixture(scope="module")
def omop():
    return read_omop(DATA / "omop")


def test_read_omop_tables_and_types(omop):
    assert set(omop) == {"person", "visit_occurrence", "condition_occurrence", "measurement", "drug_exposure"}
    assert omop["person"]["person_id"].dtype == "int64"
    assert str(omop["condition_occurrence"]["condition_start_date"].dtype).startswith("datetime64")


def test_select_colorectal_patients_by_icd10(omop):
    sel = select_patients(omop)
    assert list(sel["patient_id"]) == ["CRC0001", "CRC0002", "CRC0003", "CRC0004"]  # LUNG0005 (C34.1) left out
    assert dict(zip(sel["patient_id"], sel["icd10"]))["CRC0001"] == "C18.7"
    # earliest stage measurement wins (CRC0004: IIIC in 2019, IV in 2020); sub-stage letters dropped
    assert dict(zip(sel["patient_id"], sel["stage"])) == {"CRC0001": "III", "CRC0002": "IV", "CRC0003": "II",
                                                          "CRC0004": "III"}


def test_select_by_stage_and_treatment(omop):
    assert list(select_patients(omop, stage="III")["patient_id"]) == ["CRC0001", "CRC0004"]
    assert list(select_patients(omop, stage=["II", "IV"])["patient_id"]) == ["CRC0002", "CRC0003"]
    assert list(select_patients(omop, treatment="cetuximab")["patient_id"]) == ["CRC0002"]
    assert list(select_patients(omop, icd10_prefixes=("C20",))["patient_id"]) == ["CRC0002"]


def test_join_to_genomic_ids(omop):
    sel = select_patients(omop, genomic_ids=["CRC0001-T", "CRC0002-T", "OTHER-T"])
    assert dict(zip(sel["patient_id"], sel["tumor_barcode"])) == {
        "CRC0001": "CRC0001-T", "CRC0002": "CRC0002-T", "CRC0003": None, "CRC0004": None}


def test_bad_stage_parameter(omop):
    with pytest.raises(ParameterError, match="stage"):
        select_patients(omop, stage="V")


def test_missing_required_column(tmp_path):
    with pytest.raises(InputDataError, match=r"person\.csv: OMOP table 'person' is missing required column 'person_source_value'"):
        read_omop(DATA / "omop_no_source_value")


def test_missing_required_table(tmp_path):
    shutil.copy(DATA / "omop" / "person.csv", tmp_path / "person.csv")
    with pytest.raises(InputDataError, match="OMOP table 'condition_occurrence' not found"):
        read_omop(tmp_path)


def test_unknown_person_id(tmp_path):
    for f in (DATA / "omop").iterdir():
        shutil.copy(f, tmp_path / f.name)
    with open(tmp_path / "drug_exposure.csv", "a") as fh:
        fh.write("399,42,0,2021-01-01,2021-02-01,32817,FOLFOX\n")
    with pytest.raises(InputDataError, match="person_id 42 is not in the person table"):
        read_omop(tmp_path)


def test_missing_folder(tmp_path):
    with pytest.raises(ParameterError, match="OMOP folder not found"):
        read_omop(tmp_path / "none")


@pytest.mark.parametrize("text,stage", [("IIIB", "III"), ("Stage IV", "IV"), ("stage II", "II"), ("I", "I"),
                                        ("3B", "III"), ("IVA", "IV"), ("unknown", None)])
def test_parse_stage(text, stage):
    assert parse_stage(text) == stage
