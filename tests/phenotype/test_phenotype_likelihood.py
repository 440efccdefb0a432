"""Phenotype likelihood ratios (LIRICAL rules) against values computed by hand from the bundled HPO files.

Facts used below, read from phenotype.hpoa (release 2025-01-16) with awk:
* 8352 OMIM diseases carry phenotypic-abnormality annotations (the background corpus);
* HP:0005199 (Aplasia of the abdominal wall musculature) is annotated to one OMIM disease only, OMIM:100100,
  without a frequency, and has no descendant terms;
* OMIM:616211 (DEE28, WWOX) has Ataxia (HP:0001251) at 0/6, Round face (HP:0000311) at 4/20, Microcephaly
  at HP:0040283 (Occasional), Progressive microcephaly (HP:0000253) without frequency, Global developmental
  delay (HP:0001263) at 27/27 and Epicanthus (HP:0000286) at 1/1;
* OMIM:129200 annotates HP:0034012 twice, 3/6 and 8/8 (two publications).
"""

from __future__ import annotations

import gzip
import json
import math
import re

import pytest

from bigmed_utils._resources import data_path
from bigmed_utils.phenotype import likelihood as L
from bigmed_utils.phenotype.ontology import obo_terms

N_OMIM = 8352


def _graph(disease_id):
    return L._disease_graph(disease_id)


def test_frequency_terms_are_the_middle_of_their_hpo_definitions():
    raw = gzip.open(data_path("hpo", "hp.obo.gz"), "rt").read()
    for hpo_id, value in L.FREQUENCY_TERMS.items():
        stanza = raw[raw.index(f"id: {hpo_id}\n"):]
        definition = re.search(r'^def: "(.*)"', stanza, re.M).group(1)
        numbers = [int(n) for n in re.findall(r"(\d+)%", definition)]
        expected = sum(numbers) / len(numbers) / 100  # "80% to 99%" -> 0.895; "100%" -> 1.0; "0%" -> 0
        assert value == pytest.approx(expected), (hpo_id, obo_terms()[hpo_id].name, definition)
    assert L.FREQUENCY_TERMS["HP:0040281"] == pytest.approx(0.895)


def test_annotation_frequencies_from_hpoa():
    dee28 = L.disease_annotations()["OMIM:616211"]
    assert dee28.name == "Developmental and epileptic encephalopathy 28"
    assert dee28.present[311] == pytest.approx(4 / 20)
    assert dee28.present[252] == pytest.approx(0.17)  # Occasional, 5-29 %
    assert dee28.present[253] == 1.0  # no frequency stated: LIRICAL's default 1.0
    assert 1251 in dee28.absent and 1251 not in dee28.present  # 0/6: absent in the disease
    # two publications' counts are pooled (11/14), not averaged (0.75)
    assert L.disease_annotations()["OMIM:129200"].present[34012] == pytest.approx(11 / 14)


def test_background_frequency_of_a_term_of_one_disease():
    assert L.background(5199) == pytest.approx(1 / N_OMIM)
    assert L.background(999999999) == L.MIN_BACKGROUND_FREQUENCY  # unknown: LIRICAL's floor 1/10,000


def test_exact_and_more_general_matches():
    graph = _graph("OMIM:100100")
    exact = L.observed_term_lr(5199, graph)
    assert (exact.match, exact.lr) == ("exact", pytest.approx(1.0 * N_OMIM))
    # the patient's term is the parent (more general): it inherits the annotated child's frequency
    parent = 10318  # Aplasia/Hypoplasia of the abdominal wall musculature
    general = L.observed_term_lr(parent, graph)
    assert general.match == "query_ancestor_of_disease_term"
    assert general.lr == pytest.approx(1.0 / L.background(parent))


def test_more_specific_term_shares_the_parents_frequency_among_its_children():
    # Epicanthus inversus (HP:0000537) is one of the 4 children of Epicanthus (HP:0000286, 1/1 in DEE28)
    r = L.observed_term_lr(537, _graph("OMIM:616211"))
    assert (r.match, r.disease_term) == ("query_child_of_disease_term", "HP:0000286")
    assert r.lr == pytest.approx((1.0 / 4) / L.background(537))


def test_finding_the_disease_is_annotated_not_to_have():
    graph = _graph("OMIM:616211")
    assert L.observed_term_lr(1251, graph).lr == L.OBSERVED_BUT_EXCLUDED_IN_DISEASE_LR == 1 / 1000
    assert L.observed_term_lr(2066, graph).lr == 1 / 1000  # Gait ataxia, a kind of Ataxia
    assert L.excluded_term_lr(1251, graph).lr == L.EXCLUDED_IN_PATIENT_AND_DISEASE_LR == 1000


def test_excluded_terms():
    graph = _graph("OMIM:616211")
    # excluded, and the disease has it in 27/27: LR = max(0.01, 1 - 1) / (1 - background)
    gdd = L.excluded_term_lr(1263, graph)
    assert gdd.lr == pytest.approx(0.01 / (1 - L.background(1263)))
    # excluded, the disease has it in 4/20
    round_face = L.excluded_term_lr(311, graph)
    assert round_face.lr == pytest.approx((1 - 0.2) / (1 - L.background(311)))
    # excluded and not a feature of the disease: a slight gain
    asd = L.excluded_term_lr(1631, graph)
    assert (asd.match, asd.lr) == ("excluded_not_in_disease", pytest.approx(1 / (1 - L.background(1631))))


def test_unrelated_finding_gets_the_false_positive_floor():
    # an atrial septal defect shares only "Phenotypic abnormality" with DEE28's annotations
    r = L.observed_term_lr(1631, _graph("OMIM:616211"))
    assert (r.match, r.lr) == ("no_match", L.NO_MATCH_LR)


def test_gene_lr_is_the_product_over_terms_of_its_best_disease_and_neutral_without_disease():
    observed, excluded = ["HP:0000311", "HP:0001263", "HP:0000537"], ["HP:0001251"]
    table = L.gene_phenotype_lrs(observed, ["WWOX", "NOT_A_GENE"], excluded=excluded).set_index("gene")
    graph = _graph("OMIM:616211")
    by_hand = (L.observed_term_lr(311, graph).lr * L.observed_term_lr(1263, graph).lr
               * L.observed_term_lr(537, graph).lr * L.excluded_term_lr(1251, graph).lr)
    wwox = table.loc["WWOX"]
    assert wwox["lr_disease_id"] == "OMIM:616211"
    assert 10 ** wwox["phenotype_log10_lr"] == pytest.approx(by_hand, rel=1e-5)
    assert wwox["phenotype_lr_terms"][0]["hpo_id"] == "HP:0001251"  # x1000 moves the LR most
    assert L.terms_text(wwox["phenotype_lr_terms"]).startswith("Ataxia (excluded) ×1e+03; ")
    unknown = table.loc["NOT_A_GENE"]
    assert (unknown["phenotype_lr"], unknown["phenotype_log10_lr"], unknown["lr_disease_id"]) == (1.0, 0.0, None)


def test_an_excluded_ancestor_of_an_observed_term_is_not_used():
    # "Seizure" excluded while "Focal clonic seizure" is observed: the exclusion is contradicted, not counted
    plain = L.gene_phenotype_lrs(["HP:0002266"], ["WWOX"])["phenotype_log10_lr"].iloc[0]
    contradicted = L.gene_phenotype_lrs(["HP:0002266"], ["WWOX"], excluded=["HP:0001250"])
    assert contradicted["phenotype_log10_lr"].iloc[0] == plain


def test_real_phenopacket_ranks_wwox_first_by_lr(realdata):
    packet = json.loads((realdata / "phenopacket-store_WWOX_PMID_30356099_Patient_1.json").read_text())
    observed = [f["type"]["id"] for f in packet["phenotypicFeatures"] if not f.get("excluded")]
    excluded = [f["type"]["id"] for f in packet["phenotypicFeatures"] if f.get("excluded")]
    genes = ["BRCA1", "CFTR", "LDLR", "PAH", "COL1A1", "FBN1", "SCN1A", "KCNQ2", "STXBP1", "CDKL5", "WWOX"]
    table = L.gene_phenotype_lrs(observed, genes, excluded=excluded)
    table = table.sort_values("phenotype_log10_lr", ascending=False)
    assert table["gene"].iloc[0] == "WWOX"
    assert table["phenotype_log10_lr"].iloc[0] - table["phenotype_log10_lr"].iloc[1] > 2  # > 100-fold
    assert math.isfinite(table["phenotype_log10_lr"].min())


def test_only_the_most_specific_observed_terms_are_scored():
    from bigmed_utils.phenotype.likelihood import gene_phenotype_lrs, most_specific

    # Seizure (HP:0001250) is an ancestor of Bilateral tonic-clonic seizure (HP:0002069): counted once
    assert most_specific(["HP:0001250", "HP:0002069", "HP:0001263"]) == ["HP:0002069", "HP:0001263"]
    assert most_specific(["HP:0001263", "HP:0001263"]) == ["HP:0001263"]
    with_ancestor = gene_phenotype_lrs(["HP:0001250", "HP:0002069"], ["SCN1A"])
    alone = gene_phenotype_lrs(["HP:0002069"], ["SCN1A"])
    assert with_ancestor.at[0, "phenotype_log10_lr"] == alone.at[0, "phenotype_log10_lr"]


def test_gene_scored_with_its_omim_diseases_and_orphanet_only_without_one():
    from bigmed_utils.phenotype.likelihood import _gene_diseases
    from bigmed_utils.phenotype.similarity import gene_disease_links

    # TSC2 is linked to the Orphanet tuberous sclerosis group too, but scored with its OMIM diseases
    assert "ORPHA:805" in gene_disease_links()["TSC2"]
    assert _gene_diseases("TSC2") == ["OMIM:606690", "OMIM:607341", "OMIM:613254"]
    # ADAMTSL1 has no annotated OMIM disease: its Orphanet disease keeps it from a neutral LR
    assert _gene_diseases("ADAMTSL1") == ["ORPHA:521445"]
