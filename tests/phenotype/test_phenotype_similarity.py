"""Semantic similarity: a patient with a disease's phenotypes ranks that disease's gene first."""

from __future__ import annotations

import pytest

from bigmed_utils.errors import InputDataError
from bigmed_utils.io.phenopacket import read_phenopacket
from bigmed_utils.phenotype.ontology import ontology
from bigmed_utils.phenotype.similarity import gene_disease_links, rank_genes, set_similarity, similar_patients

UNRELATED = ["BRCA1", "CFTR", "LDLR", "PAH", "COL1A1", "FBN1"]


def dee28_terms() -> list[str]:
    """The phenotype annotation of OMIM:616211 (DEE28, WWOX) in hpo3's data."""
    from pyhpo import Omim

    onto = ontology()
    return [onto.hpo(i).id for i in sorted(Omim.get(616211).hpo)]


def test_gene_disease_links_from_bundled_annotation():
    assert "OMIM:616211" in gene_disease_links()["WWOX"]


def test_disease_terms_rank_its_gene_first_with_score_one():
    table = rank_genes(dee28_terms(), UNRELATED + ["WWOX"])
    top = table.iloc[0]
    assert (top["gene"], top["best_disease_id"]) == ("WWOX", "OMIM:616211")
    assert top["best_disease_name"] == "Developmental and epileptic encephalopathy 28"
    assert top["phenotype_score"] == pytest.approx(1.0)  # identical term sets: graphic/funSimAvg = 1
    assert table["phenotype_score"].iloc[1] < 0.5
    assert table["phenotype_score"].between(0, 1).all()


def test_real_phenopacket_ranks_wwox_first(realdata):
    packet = read_phenopacket(realdata / "phenopacket-store_WWOX_PMID_30356099_Patient_1.json")
    table = rank_genes(packet.hpo_terms, UNRELATED + ["SCN1A", "KCNQ2", "STXBP1", "CDKL5", "WWOX"],
                       excluded=packet.excluded_terms)
    assert table.iloc[0]["gene"] == "WWOX"
    assert table.iloc[0]["best_disease_id"] == "OMIM:616211"


def test_unknown_gene_scores_zero():
    table = rank_genes(["HP:0001250"], ["NOT_A_GENE"])
    assert table.iloc[0][["gene", "phenotype_score", "best_disease_id"]].tolist() == ["NOT_A_GENE", 0.0, None]


def test_excluded_terms_lower_a_conflicting_disease():
    terms = dee28_terms()
    plain = rank_genes(terms, ["WWOX"]).iloc[0]["phenotype_score"]
    # Seizure is annotated (through descendants) to DEE28: excluding it conflicts with the disease
    penalised = rank_genes(terms, ["WWOX"], excluded=["HP:0001250"]).iloc[0]["phenotype_score"]
    assert penalised == pytest.approx(plain * (1 - 0.1 * 1 / (len(terms) + 1)), abs=1e-6)
    ignored = rank_genes(terms, ["WWOX"], excluded=["HP:0001250"], excluded_weight=0).iloc[0]["phenotype_score"]
    assert ignored == pytest.approx(plain)


def test_unknown_term_in_ranking_is_named():
    with pytest.raises(InputDataError, match=r"^parameter hpo_terms: unknown HPO term HP:9999999 "):
        rank_genes(["HP:9999999"], ["WWOX"])


def test_similar_patients_order():
    query = dee28_terms()[:10]
    table = similar_patients(query, {"same": query, "heart": ["HP:0001629", "HP:0001631"], "empty": []})
    assert table["patient_id"].tolist() == ["same", "heart"]
    assert table.iloc[0]["similarity"] == pytest.approx(1.0)
    assert set_similarity(query, query) == pytest.approx(1.0)
