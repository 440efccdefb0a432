"""The versioned case store of earlier colorectal patients and cardiac families."""

from __future__ import annotations

import json

import pytest

from bigmed_utils.case_store import add_records, add_run, current_version, read_meta, read_records
from bigmed_utils.errors import InputDataError, ParameterError


def test_versions_replace_by_id_and_keep_two(tmp_path):
    store = tmp_path / "s"
    first = add_records(store, "colorectal_cancer", [{"patient_id": "P1", "stage": "II"}])
    assert (first.version, first.added, first.n_cases) == ("v000001", ["P1"], 1)
    assert first.message == "added P1 in s: 1 cases, version v000001"
    add_records(store, "colorectal_cancer", [{"patient_id": "P2", "stage": "IV"}])
    third = add_records(store, "colorectal_cancer", [{"patient_id": "P1", "stage": "III"}])  # re-run of P1
    assert (third.version, third.replaced, third.n_cases) == ("v000003", ["P1"], 2)
    assert {r["patient_id"]: r["stage"] for r in read_records(store)} == {"P1": "III", "P2": "IV"}
    assert sorted(p.name for p in store.iterdir() if p.name.startswith("v")) == ["v000002", "v000003"]
    assert read_meta(store) == {"kind": "colorectal_cancer", "key": "patient_id", "version": "v000003", "cases": 2}


def test_bad_stores_and_records_are_named(tmp_path):
    store = tmp_path / "s"
    add_records(store, "sudden_cardiac_death", [{"family_id": "F1"}])
    with pytest.raises(InputDataError, match=r"s: the store holds sudden_cardiac_death cases, not colorectal_cancer"):
        add_records(store, "colorectal_cancer", [{"patient_id": "P1"}])
    with pytest.raises(InputDataError, match=r"s: the store holds sudden_cardiac_death cases, not colorectal_cancer"):
        read_records(store, kind="colorectal_cancer")
    with pytest.raises(InputDataError, match="a sudden_cardiac_death record has no family_id"):
        add_records(store, "sudden_cardiac_death", [{"proband": "x"}])
    with pytest.raises(ParameterError, match="store kind 'rare' is not one of"):
        add_records(store, "rare", [])
    rd = tmp_path / "rd"  # the rare-disease in-house database has the same layout and no kind
    (rd / "v000001").mkdir(parents=True)
    (rd / "v000001" / "meta.json").write_text('{"genome_build": "GRCh38", "version": "v000001", "cases": 1}')
    (rd / "CURRENT").write_text("v000001\n")
    with pytest.raises(InputDataError, match=r"rd: the store holds rare_disease cases, not colorectal_cancer"):
        read_records(rd, kind="colorectal_cancer")
    (store / "CURRENT").write_text("v000009\n")
    with pytest.raises(InputDataError, match="store is damaged"):
        current_version(store)


def test_add_run_takes_a_finished_run_of_its_area(tmp_path):
    run = tmp_path / "SCD09"
    run.mkdir()
    (run / "summary.json").write_text(json.dumps({
        "analysis": "sudden_cardiac_death", "family_id": "SCD09", "proband": "SCD09-302",
        "findings": [{"gene": "TNNT2", "variant": "chr1:1:G:A", "acmg_class": "Likely pathogenic",
                      "condition": "hcm", "familial": True}], "cascade": [], "qtc": {}, "segregation": None}))
    res = add_run(tmp_path / "store", run)
    assert res.message == "added SCD09 in store: 1 cases, version v000001"
    assert read_records(tmp_path / "store")[0]["lead"]["gene"] == "TNNT2"
    (run / "summary.json").write_text(json.dumps({"analysis": "colorectal_cohort", "case_id": "c"}))
    with pytest.raises(InputDataError, match="analysis 'colorectal_cohort' has no in-house store"):
        add_run(tmp_path / "store", run)
