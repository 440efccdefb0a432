"""Knowledge versions in provenance: read from the data manifest and the stores, never hard-coded; a store of
earlier cases is knowledge, not an input."""

from __future__ import annotations

import hashlib
import shutil

import pytest
import yaml

from bigmed_utils._resources import data_dir, data_path
from bigmed_utils.case_store import add_records
from bigmed_utils.errors import ReferenceDataError
from bigmed_utils.knowledge import diff_knowledge, knowledge_items, knowledge_versions, store_version
from bigmed_utils.provenance import input_files


def _manifest() -> dict:
    return {f["path"]: f for f in yaml.safe_load((data_dir() / "MANIFEST.yaml").read_text())["files"]}


def test_versions_come_from_the_manifest_with_each_files_sha256():
    manifest = _manifest()
    k = knowledge_versions("colorectal_cancer", {})
    assert set(k["data"]) == {p for p in manifest if p.startswith("oncology/")}
    kb = k["data"]["oncology/actionability_kb.tsv"]
    assert kb["version"] == str(manifest["oncology/actionability_kb.tsv"]["version"])
    assert kb["sha256"] == hashlib.sha256(data_path("oncology", "actionability_kb.tsv").read_bytes()).hexdigest()
    assert "hpo" not in k and k["stores"] == {}
    rd = knowledge_versions("rare_disease", {})
    assert {p.split("/")[0] for p in rd["data"]} == {"hpo", "acmg"}
    # the bundled release the analyses load into hpo3 (MANIFEST.yaml), not the one compiled into the hpo3 wheel
    assert rd["hpo"]["release"] == str(manifest["hpo/hp.obo.gz"]["date"]) == "2025-01-16"
    assert set(knowledge_versions("sudden_cardiac_death", {})["data"]) == {
        p for p in manifest if p.startswith(("cardiac/", "acmg/"))}


def test_the_hpo_release_is_recorded_without_loading_the_ontology():
    """The runner's pre-flight records the HPO release of every rare-disease run: it must not pay hpo3's load
    of the whole ontology (~0.9 s) for a version string (a fresh process: the tests load the ontology)."""
    import subprocess
    import sys

    code = ("from bigmed_utils.knowledge import knowledge_versions\n"
            "from bigmed_utils.phenotype.ontology import ontology\n"
            "k = knowledge_versions('rare_disease', {})\n"
            "print(k['hpo']['release'], ontology.cache_info().currsize)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["2025-01-16", "0"]


def test_the_code_fingerprint_is_stable_and_sees_the_notebook(tmp_path):
    nb = tmp_path / "n.ipynb"
    nb.write_text("{}")
    a = knowledge_versions("colorectal_cancer", {}, notebook=nb)["code"]
    assert a == knowledge_versions("colorectal_cancer", {}, notebook=nb)["code"]
    nb.write_text('{"changed": 1}')
    b = knowledge_versions("colorectal_cancer", {}, notebook=nb)["code"]
    assert b["sha256"] != a["sha256"] and b["files"] == a["files"]


def test_a_newer_data_release_is_a_knowledge_change(tmp_path, monkeypatch):
    before = knowledge_versions("sudden_cardiac_death", {})
    release = tmp_path / "release"
    shutil.copytree(data_dir(), release)
    manifest = yaml.safe_load((release / "MANIFEST.yaml").read_text())
    for f in manifest["files"]:
        if f["path"] == "cardiac/panels.tsv":
            old, f["version"] = str(f["version"]), "2099.01"
    (release / "MANIFEST.yaml").write_text(yaml.safe_dump(manifest))
    with open(release / "cardiac" / "panels.tsv", "a") as fh:
        fh.write("")  # same bytes: only the declared version changes
    monkeypatch.setenv("BIGMED_DATA_DIR", str(release))
    after = knowledge_versions("sudden_cardiac_death", {})
    sha = before["data"]["cardiac/panels.tsv"]["sha256"][:12]
    assert diff_knowledge(before, after) == [{"item": "reference data cardiac/panels.tsv",
                                              "old": f"version {old} (sha256 {sha})",
                                              "new": f"version 2099.01 (sha256 {sha})"}]
    assert diff_knowledge(after, after) == []


def test_a_data_folder_without_manifest_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("BIGMED_DATA_DIR", str(tmp_path))
    with pytest.raises(ReferenceDataError, match=r"BIGMED_DATA_DIR=.*: not a reference-data folder \(no MANIFEST.yaml\)"):
        data_path("oncology", "actionability_kb.tsv")


def test_a_store_is_knowledge_not_input(tmp_path):
    store = tmp_path / "crc-store"
    assert store_version(store) == {"name": "crc-store", "version": None, "cases": 0, "sha256": None, "kind": None}
    add_records(store, "colorectal_cancer", [{"patient_id": "P1"}])
    first = store_version(store)
    assert (first["version"], first["cases"], first["kind"]) == ("v000001", 1, "colorectal_cancer")
    clinical = tmp_path / "clinical.csv"
    clinical.write_text("patient_id\nP1\n")
    params = {"inhouse_db": str(store), "clinical": str(clinical)}
    assert list(input_files(params)) == ["clinical"]  # the store's files are not hashed as inputs
    k1 = knowledge_versions("colorectal_cancer", params)
    add_records(store, "colorectal_cancer", [{"patient_id": "P2"}])
    [d] = diff_knowledge(k1, knowledge_versions("colorectal_cancer", params))
    assert d["item"] == "in-house store inhouse_db (crc-store)"
    assert d["old"].startswith("v000001, 1 case(s)") and d["new"].startswith("v000002, 2 case(s)")
    assert knowledge_items({"stores": {"inhouse_db": store_version(tmp_path / "none")}}) == {
        "in-house store inhouse_db (none)": "empty"}
