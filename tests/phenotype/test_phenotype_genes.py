"""Gene symbols as the bundled HPO release names them: previous symbols from older annotations find their
gene's diseases, ambiguous aliases are not guessed, and the "-" placeholder is never a gene."""

from __future__ import annotations

import gzip

import pytest

from bigmed_utils._resources import data_path
from bigmed_utils.genomics.moi import gene_moi
from bigmed_utils.phenotype.genes import hpo_symbol, is_gene_symbol, symbol_aliases
from bigmed_utils.phenotype.likelihood import gene_phenotype_lrs
from bigmed_utils.phenotype.similarity import gene_disease_links, rank_genes

#: Gaucher disease type 1 (OMIM:230800): hepatosplenomegaly, anaemia, thrombocytopenia, bone pain
GAUCHER = ["HP:0001433", "HP:0001903", "HP:0001873", "HP:0002653"]


@pytest.mark.parametrize(("previous", "current"), [
    ("GBA", "GBA1"),        # HGNC renamed it in 2023; VEP releases before that write GBA
    ("CENPJ", "CPAP"),      # primary microcephaly 6
    ("WHSC1", "NSD2"),      # Wolf-Hirschhorn syndrome gene
    ("C11orf95", "ZFTA"),
])
def test_previous_symbols_map_to_the_hpo_release_symbol(previous, current):
    assert hpo_symbol(previous) == current
    assert current in gene_disease_links()


def test_current_and_unknown_symbols_are_unchanged():
    assert hpo_symbol("GBA1") == "GBA1"
    assert hpo_symbol("KCNQ1") == "KCNQ1"
    assert hpo_symbol("NOT_A_GENE_1") == "NOT_A_GENE_1"


def test_an_alias_of_two_genes_is_not_guessed():
    # MLL2 was a name of both KMT2D (Kabuki syndrome) and KMT2B (dystonia 28)
    assert "MLL2" not in symbol_aliases()
    assert hpo_symbol("MLL2") == "MLL2"


def test_no_alias_is_itself_a_symbol_of_the_hpo_release():
    aliases = symbol_aliases()
    assert set(aliases).isdisjoint(gene_disease_links())
    assert len(aliases) > 10_000


def test_a_previous_symbol_scores_like_its_current_one():
    ranked = rank_genes(GAUCHER, ["GBA", "GBA1"]).set_index("gene")
    assert ranked.at["GBA", "best_disease_id"] == ranked.at["GBA1", "best_disease_id"] == "OMIM:230800"
    assert ranked.at["GBA", "phenotype_log10_lr"] == ranked.at["GBA1", "phenotype_log10_lr"] > 1
    assert gene_moi("CENPJ") == gene_moi("CPAP") == ["AR"]


def test_the_hpo_placeholder_symbol_is_not_a_gene():
    # the HPO release annotates regulatory regions (WHCR, H19-ICR, ZRS, HBB-LCR) under the symbol "-"
    with gzip.open(data_path("hpo", "genes_to_phenotype.txt.gz"), "rt") as handle:
        assert any(line.split("\t")[1] == "-" for line in handle)
    assert not is_gene_symbol("-") and not is_gene_symbol("") and not is_gene_symbol(None)
    assert "-" not in gene_disease_links()
    # a VEP consequence without a gene ("-") gets no disease, no inheritance and a neutral likelihood ratio
    ranked = rank_genes(["HP:0000252"], ["-"]).set_index("gene")
    assert ranked.at["-", "best_disease_id"] is None
    assert gene_moi("-") == []
    lrs = gene_phenotype_lrs(["HP:0000252"], ["-"]).set_index("gene")
    assert lrs.at["-", "phenotype_lr"] == 1.0 and lrs.at["-", "lr_disease_id"] is None
