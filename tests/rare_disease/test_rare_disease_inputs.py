"""Phenotype gathering (parameters, phenopacket, clinical note with negation) and gene panels -- no Hail."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bigmed_utils.errors import InputDataError, ParameterError
from bigmed_utils.params import validate_params
from bigmed_utils.rare_disease.analysis import check_inputs, gather_phenotypes, read_gene_panel

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def rd(demo_data) -> Path:
    return demo_data / "rare_disease"


def _params(rd: Path, **extra):
    base = {"case_id": "RD001", "vcf": str(rd / "RD001.vcf.gz"), "ped": str(rd / "RD001.ped"), "proband": "RD001-P"}
    return validate_params("rare_disease", {**base, **extra})


def test_phenotypes_from_every_source(rd):
    truth = pd.read_csv(rd / "truth.tsv", sep="\t", comment="#").set_index("case")
    ph = gather_phenotypes(_params(rd, hpo_terms=["HP:0001250"], phenopacket=str(rd / "RD001.phenopacket.json"),
                                   clinical_note=str(rd / "RD001.notes.txt")))
    assert ph.observed[0] == "HP:0001250"  # Seizure, given as a parameter
    assert set(truth.at["RD001", "hpo_terms"].split(",")) <= set(ph.observed)
    assert ph.excluded == truth.at["RD001", "excluded_hpo_terms"].split(",")  # "No hearing impairment."
    sources = ph.table.set_index(["hpo_id", "status"])["source"]
    assert sources[("HP:0000365", "excluded")] == "RD001.phenopacket.json, RD001.notes.txt"
    assert sources[("HP:0001250", "observed")] == "hpo_terms"


def test_clinical_note_alone_gives_negated_terms(rd):
    ph = gather_phenotypes(_params(rd, clinical_note=str(rd / "RD001.notes.txt")))
    assert "HP:0000365" in ph.excluded and "HP:0000365" not in ph.observed
    assert "HP:0200134" in ph.observed  # epileptic encephalopathy


def test_unknown_term_in_phenopacket_names_the_file(rd, tmp_path):
    packet = tmp_path / "bad.phenopacket.json"
    packet.write_text((rd / "RD001.phenopacket.json").read_text().replace("HP:0000545", "HP:9999998"))
    with pytest.raises(InputDataError, match=r"bad\.phenopacket\.json \(phenotypicFeatures\): unknown HPO term HP:9999998"):
        gather_phenotypes(_params(rd, phenopacket=str(packet)))


def test_gene_panel_list_and_file(tmp_path):
    assert read_gene_panel(["SCN1A", " KCNQ2 ", "SCN1A"]) == ["SCN1A", "KCNQ2"]
    f = tmp_path / "panel.tsv"
    f.write_text("# epilepsy panel v1\nSCN1A\tDravet\nKCNQ2, neonatal\n\nSTXBP1\n")
    assert read_gene_panel(f) == ["SCN1A", "KCNQ2", "STXBP1"]
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing\n")
    with pytest.raises(ParameterError, match="empty.txt: the gene panel names no gene"):
        read_gene_panel(empty)


def test_proband_missing_from_ped(rd):
    with pytest.raises(InputDataError, match=r"RD001\.ped: proband 'RD009-P' is not in the PED"):
        check_inputs(_params(rd, proband="RD009-P", hpo_terms=["HP:0001250"]))


def test_demo_parameters_are_valid():
    from bigmed_utils.params import read_params_file

    for name in ("demo", "RD001", "RD024"):
        path = REPO / "parameters" / "rare_disease" / f"{name}.yaml"
        values = read_params_file(path)
        if not (REPO / "data" / "demo" / "rare_disease" / "RD001.vcf.gz").is_file():
            pytest.skip("demo data not generated (make demo)")
        params = validate_params("rare_disease", values, base_dir=path.parent)
        assert params.proband == f"{params.case_id}-P"


def test_a_panel_keeps_genes_under_previous_or_current_symbols():
    import pandas as pd

    from bigmed_utils.rare_disease.analysis import _restrict_to_panel

    cands = pd.DataFrame([
        {"variant_id": "chr1:155238000:C:T", "gene": "GBA", "genes": ["GBA"], "mode": "de_novo", "partners": []},
        {"variant_id": "chr4:1900000:G:A", "gene": "NSD2", "genes": ["NSD2"], "mode": "de_novo", "partners": []},
        {"variant_id": "chr2:166000000:G:C", "gene": "SCN1A", "genes": ["SCN1A"], "mode": "de_novo", "partners": []},
    ])
    # the VCF's GBA (renamed GBA1) is on a panel written today; the panel's WHSC1 (now NSD2) keeps NSD2
    kept = _restrict_to_panel(cands, ["GBA1", "WHSC1"])
    assert list(kept["gene"]) == ["GBA", "NSD2"]
