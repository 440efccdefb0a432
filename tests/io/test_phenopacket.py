"""GA4GH Phenopacket v2 reader on the two real files (see ../shared/realdata/SOURCES.md) and bad input."""

from __future__ import annotations

import json

import pytest

from bigmed_utils.errors import InputDataError, ParameterError
from bigmed_utils.io.phenopacket import read_phenopacket


def test_schema_example_hgvs_only_variant(realdata):
    packet = read_phenopacket(realdata / "phenopacket-schema_mcahs1.json")
    assert (packet.id, packet.subject_id, packet.sex, packet.schema_version) == ("id-A", "proband A", "FEMALE", "2.0")
    assert len(packet.hpo_terms) == 10 and packet.excluded_terms == ()
    assert packet.hpo_terms[0] == "HP:0001629"
    # no top-level diseases: the disease comes from the interpretation's diagnosis
    assert packet.diseases == (("OMIM:158810", "Bethlem myopathy 1"),)
    (variant,) = packet.variants
    assert variant.hgvs == ("NM_001848.2:c.877G>A",)  # \u003e decoded
    assert (variant.has_coordinates, variant.variant, variant.gene) == (False, None, None)
    assert variant.zygosity == "heterozygous" and variant.interpretation_status == "CONTRIBUTORY"


def test_phenopacket_store_compound_het_with_coordinate_free_sv(realdata):
    packet = read_phenopacket(realdata / "phenopacket-store_WWOX_PMID_30356099_Patient_1.json", validate_hpo=True)
    assert packet.id == "PMID_30356099_Patient_1" and packet.sex == "FEMALE"
    assert len(packet.hpo_terms) == 9 and len(packet.excluded_terms) == 16
    assert "HP:0001263" in packet.hpo_terms and "HP:0000648" in packet.excluded_terms
    assert packet.diseases == (("OMIM:616211", "Developmental and epileptic encephalopathy 28"),)
    snv, sv = packet.variants
    assert snv.variant == "chr16:78109777:G:T" and snv.assembly == "hg38" and snv.gene == "WWOX"
    assert "NM_016373.4:c.173-1G>T" in snv.hgvs
    assert (sv.label, sv.has_coordinates, sv.hgvs, sv.gene) == ("DUP:exon 6-8", False, (), "WWOX")


def test_missing_file_is_a_parameter_error(tmp_path):
    with pytest.raises(ParameterError, match="phenopacket file not found"):
        read_phenopacket(tmp_path / "absent.json")


def test_bad_json_names_file_and_position(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"id": "x",\n  "subject": }')
    with pytest.raises(InputDataError) as err:
        read_phenopacket(path)
    assert str(err.value).startswith(f"{path}: not valid JSON (line 2, column 14")


def test_feature_without_term_id_names_field(tmp_path):
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"id": "p1", "phenotypicFeatures": [{"type": {"id": "HP:0001250"}}, {"type": {}}]}))
    with pytest.raises(InputDataError) as err:
        read_phenopacket(path)
    assert str(err.value) == f"{path}: field phenotypicFeatures[1].type has no ontology class id"


def test_unknown_hpo_term_names_file(tmp_path):
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"id": "p1", "phenotypicFeatures": [{"type": {"id": "HP:9999999"}}]}))
    with pytest.raises(InputDataError) as err:
        read_phenopacket(path, validate_hpo=True)
    assert str(err.value) == f"{path} (phenotypicFeatures): unknown HPO term HP:9999999 (not in HPO release 2025-01-16)"


def test_vcf_record_pos_must_be_integer(tmp_path):
    descriptor = {"vcfRecord": {"chrom": "1", "pos": "abc", "ref": "A", "alt": "G"}}
    data = {"id": "p1", "interpretations": [{"diagnosis": {"genomicInterpretations": [
        {"variantInterpretation": {"variationDescriptor": descriptor}}]}}]}
    path = tmp_path / "p.json"
    path.write_text(json.dumps(data))
    with pytest.raises(InputDataError) as err:
        read_phenopacket(path)
    # the schema check (GA4GH phenopackets, protobuf) now finds it first; protobuf names the path without
    # list indices and without variantInterpretation
    assert str(err.value) == (
        f"{path} line 1: field interpretations.diagnosis.genomicInterpretations.variationDescriptor.vcfRecord.pos: "
        "invalid literal for int() with base 10: 'abc'"
    )


def _edited(realdata, tmp_path, edit):
    data = json.loads((realdata / "phenopacket-schema_mcahs1.json").read_text())
    edit(data)
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(data, indent=2))
    return path


def test_misspelled_key_is_named_with_line_and_field(realdata, tmp_path):
    # hand-written readers ignored it: the feature was silently read as observed
    path = _edited(realdata, tmp_path, lambda d: d["phenotypicFeatures"][3].update(exclued=True))
    with pytest.raises(InputDataError) as err:
        read_phenopacket(path)
    line = next(i for i, t in enumerate(path.read_text().splitlines(), 1) if '"exclued"' in t)
    assert str(err.value) == (f"{path} line {line}: field phenotypicFeatures[3].exclued is not a Phenopacket v2 "
                              "field (misspelled, or from another schema version)")


def test_wrong_enum_value_is_named(realdata, tmp_path):
    path = _edited(realdata, tmp_path, lambda d: d["subject"].update(sex="MAN"))
    with pytest.raises(InputDataError, match=r"edited\.json line \d+: field subject\.sex: Invalid enum value MAN"):
        read_phenopacket(path)


def test_phenopacket_v1_is_refused_with_a_hint(realdata, tmp_path):
    path = _edited(realdata, tmp_path, lambda d: d["metaData"].update(phenopacketSchemaVersion="1.0"))
    with pytest.raises(InputDataError, match="Phenopacket v1 is not read; convert it to v2"):
        read_phenopacket(path)


def test_missing_id(tmp_path):
    path = tmp_path / "p.json"
    path.write_text("{}")
    with pytest.raises(InputDataError, match=r"field id is missing"):
        read_phenopacket(path)
