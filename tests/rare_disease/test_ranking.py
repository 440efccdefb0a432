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
            # same score as B, fewer ACMG points -> after B
            {"variant_id": "chr1:1:A:G", "gene": "A", "mode": "de_novo", "acmg_points": 3, "acmg_class": "Uncertain significance", "phenotype_score": 0.5, "max_af": 0.0},
            {"variant_id": "chr1:2:A:G", "gene": "B", "mode": "de_novo", "acmg_points": 5, "acmg_class": "Uncertain significance", "phenotype_score": 0.5 - 2 / 17, "max_af": 0.0},
            # strong variant but no phenotype match: 0.5, below the two VUS with a phenotype match
            {"variant_id": "chr1:3:A:G", "gene": "C", "mode": "de_novo", "acmg_points": 10, "acmg_class": "Pathogenic", "phenotype_score": 0.0, "max_af": 0.0},
            # a good phenotype and a likely pathogenic variant wins
            {"variant_id": "chr1:4:A:G", "gene": "D", "mode": "autosomal_recessive", "acmg_points": 7, "acmg_class": "Likely pathogenic", "phenotype_score": 0.8, "max_af": 0.001},
        ]
    )
    ranked = rank_candidates(df)
    assert list(ranked["gene"]) == ["D", "B", "A", "C"]
    assert list(ranked["rank"]) == [1, 2, 3, 4]
    assert ranked.loc[0, "score"] == pytest.approx(0.5 * 14 / 17 + 0.5 * 0.8, abs=1e-6)
    assert gene_rank(ranked, "B") == 2
    assert gene_rank(ranked, "ZZZ") is None


def test_rank_of_empty_table():
    df = pd.DataFrame(columns=["variant_id", "gene", "mode", "acmg_points", "acmg_class", "phenotype_score", "max_af"])
    assert rank_candidates(df).empty
