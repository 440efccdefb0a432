"""Combined score and rank (pure pandas, no Hail)."""

from __future__ import annotations

import pandas as pd
import pytest

from bigmed_utils.rare_disease.ranking import gene_rank, rank_candidates, variant_score


def test_variant_score_maps_class_boundaries():
    # Tavtigian et al. 2020: Benign <= -7 points, Pathogenic >= 10 points
    assert variant_score(-7) == 0.0
    assert variant_score(-12) == 0.0
    assert variant_score(10) == 1.0
    assert variant_score(14) == 1.0
    assert variant_score(6) == pytest.approx(13 / 17)
    # BA1 forces Benign whatever the points
    assert variant_score(2, "Benign") == 0.0


def test_rank_combines_evidence_and_phenotype_and_breaks_ties():
    df = pd.DataFrame(
        [
            # same score as B (10/17 x 1/2 = 12/17 x 5/12), fewer ACMG points -> after B
            {"variant_id": "chr1:1:A:G", "gene": "A", "mode": "de_novo", "acmg_points": 3, "acmg_class": "Uncertain significance", "phenotype_score": 0.5, "max_af": 0.0},
            {"variant_id": "chr1:2:A:G", "gene": "B", "mode": "de_novo", "acmg_points": 5, "acmg_class": "Uncertain significance", "phenotype_score": 5 / 12, "max_af": 0.0},
            # strong variant but no phenotype match: score 0, after every candidate with a match
            {"variant_id": "chr1:3:A:G", "gene": "C", "mode": "de_novo", "acmg_points": 10, "acmg_class": "Pathogenic", "phenotype_score": 0.0, "max_af": 0.0},
            # a good phenotype and a likely pathogenic variant wins
            {"variant_id": "chr1:4:A:G", "gene": "D", "mode": "autosomal_recessive", "acmg_points": 7, "acmg_class": "Likely pathogenic", "phenotype_score": 0.8, "max_af": 0.001},
        ]
    )
    ranked = rank_candidates(df)
    assert list(ranked["gene"]) == ["D", "B", "A", "C"]
    assert list(ranked["rank"]) == [1, 2, 3, 4]
    assert ranked.loc[0, "score"] == pytest.approx(14 / 17 * 0.8, abs=1e-6)
    assert ranked.loc[3, "score"] == 0.0
    assert gene_rank(ranked, "B") == 2
    assert gene_rank(ranked, "ZZZ") is None


def test_incidental_pathogenic_variant_ranks_below_the_gene_that_fits():
    # synthetic case RD007's situation: a pathogenic de novo loss of function in a gene whose disease does not
    # fit (phenotype 0.19) against a homozygous VUS missense in the gene that fits (phenotype 0.53). A sum with
    # equal weights puts the incidental finding first (0.595 > 0.590); the product does not.
    df = pd.DataFrame(
        [
            {"variant_id": "chr5:1:C:CA", "gene": "TCOF1", "mode": "de_novo", "acmg_points": 13, "acmg_class": "Pathogenic", "phenotype_score": 0.19, "max_af": 0.0},
            {"variant_id": "chr12:2:C:T", "gene": "PAH", "mode": "autosomal_recessive", "acmg_points": 4, "acmg_class": "Uncertain significance", "phenotype_score": 0.53, "max_af": 4e-5},
        ]
    )
    ranked = rank_candidates(df)
    assert list(ranked["gene"]) == ["PAH", "TCOF1"]
    assert ranked["score"].tolist() == pytest.approx([11 / 17 * 0.53, 0.19], abs=1e-6)


def test_rank_of_empty_table():
    df = pd.DataFrame(columns=["variant_id", "gene", "mode", "acmg_points", "acmg_class", "phenotype_score", "max_af"])
    assert rank_candidates(df).empty
