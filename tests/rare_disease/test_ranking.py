"""Likelihood-ratio ranking (pure pandas, no Hail): arithmetic against hand-computed values and the traps a
clinical geneticist would set (PP4 counted twice, compound het in a dominant gene, a gene without a known
disease, an incidental pathogenic variant)."""

from __future__ import annotations

import math
import zlib

import pandas as pd
import pytest

from bigmed_utils.rare_disease.ranking import (DIAGNOSTIC_YIELD, SCORE_FORMULA, effective_points, gene_rank,
                                               genotype_lr, odds_path, rank_candidates, variant_score)

VUS = "Uncertain significance"


def row(gene, points, log10_pheno=0.0, *, mode="de_novo", variant=None, acmg_class=VUS, **extra):
    return {"variant_id": variant or f"chr1:{zlib.crc32(gene.encode()) % 10**6}:A:G", "gene": gene, "mode": mode,
            "acmg_points": points, "acmg_class": acmg_class, "phenotype_log10_lr": log10_pheno, "max_af": 0.0,
            **extra}


def test_odds_of_pathogenicity_are_tavtigians():
    # Tavtigian et al. 2018 Genet Med 20:1054, Table 2: OddsPath Supporting 2.08, Moderate 4.33, Strong 18.7,
    # Very strong 350
    assert odds_path(1) == pytest.approx(2.08, abs=0.005)
    assert odds_path(2) == pytest.approx(4.33, abs=0.005)
    assert odds_path(4) == pytest.approx(18.7, abs=0.05)
    assert odds_path(8) == pytest.approx(350)
    # posterior with prior 0.1: Pathogenic (10 points) above 0.99, a 0-point VUS keeps the prior
    assert variant_score(10) > 0.99
    assert variant_score(0) == pytest.approx(0.1)


def test_effective_points_drop_pp4_and_respect_benign_and_the_cap():
    criteria = [{"code": "PS2", "points": 4}, {"code": "PM2_Supporting", "points": 1}, {"code": "PP4", "points": 1}]
    assert effective_points(6, "Likely pathogenic", criteria) == 5  # the phenotype counts in the phenotype LR only
    assert effective_points(14, "Pathogenic") == 10  # capped at the Pathogenic boundary
    assert effective_points(-12, "Benign") == -8
    assert effective_points(0, "Benign") == -7  # BA1 forces Benign whatever the points


def test_pp4_counts_once():
    with_pp4 = [{"code": "PM2_Supporting", "points": 1}, {"code": "PP4", "points": 1}]
    df = pd.DataFrame([
        row("A", 3, 2.0, variant="chr1:1:A:G", acmg_criteria=[{"code": "PS2_Moderate", "points": 2}] + with_pp4[:1]),
        row("B", 4, 2.0, variant="chr1:2:A:G", acmg_criteria=[{"code": "PS2_Moderate", "points": 2}] + with_pp4),
    ])
    ranked = rank_candidates(df)
    assert ranked["genotype_lr"].tolist() == pytest.approx([odds_path(3)] * 2)
    assert "PP4 not counted" in ranked.set_index("gene").at["B", "genotype_lr_reason"]
    # equal evidence: the tie goes to more ACMG points (as written), then the gene name
    assert ranked["gene"].tolist() == ["B", "A"]


def test_post_test_probability_by_hand():
    # two genes: pre-test 0.36 / 2 = 0.18; A: phenotype LR 10, 8 points (LR 350) -> combined 3500
    df = pd.DataFrame([row("A", 8, 1.0), row("B", 0, -1.0)])
    ranked = rank_candidates(df).set_index("gene")
    pre_odds = 0.18 / 0.82
    assert ranked.at["A", "pretest_probability"] == pytest.approx(DIAGNOSTIC_YIELD / 2)
    assert ranked.at["A", "log10_lr"] == pytest.approx(1 + math.log10(350))
    assert ranked.at["A", "post_test_probability"] == pytest.approx(pre_odds * 3500 / (1 + pre_odds * 3500))
    assert ranked.at["A", "score"] == pytest.approx(0.998700, abs=1e-6)
    # B: phenotype LR 0.1, genotype LR 1 -> odds 0.021951..., probability 0.021480
    assert ranked.at["B", "post_test_probability"] == pytest.approx(pre_odds * 0.1 / (1 + pre_odds * 0.1))
    assert ranked.at["B", "phenotype_lr"] == pytest.approx(0.1)


def test_gene_without_any_disease_ranks_by_its_genotype_not_zero():
    df = pd.DataFrame([
        # a pathogenic variant in a gene without an annotated disease (no phenotype LR: neutral, 1)
        row("NOVEL1", 10, float("nan"), variant="chr1:1:A:G", acmg_class="Pathogenic"),
        # a VUS in a known gene whose disease does not fit (phenotype LR 1/1000)
        row("MISFIT", 2, -3.0, variant="chr1:2:A:G"),
        # a likely pathogenic variant in a known gene whose disease fits (phenotype LR 10^4)
        row("FITS", 6, 4.0, variant="chr1:3:A:G", acmg_class="Likely pathogenic"),
    ])
    ranked = rank_candidates(df)
    assert ranked["gene"].tolist() == ["FITS", "NOVEL1", "MISFIT"]
    novel = ranked.set_index("gene").loc["NOVEL1"]
    assert novel["phenotype_lr"] == 1.0
    assert novel["score"] > 0.9  # 0.12 pre-test, LR 1512.7: not zero
    assert novel["log10_lr"] == pytest.approx(math.log10(350) * 10 / 8)


def test_gene_without_disease_through_the_phenotype_ranking():
    from bigmed_utils.phenotype.similarity import rank_genes

    pheno = rank_genes(["HP:0001250", "HP:0001263"], ["SCN1A", "NOT_A_GENE"])
    cands = pd.DataFrame([row("SCN1A", 2, variant="chr2:1:C:T"), row("NOT_A_GENE", 8, variant="chr3:1:C:T")])
    ranked = rank_candidates(cands.drop(columns="phenotype_log10_lr").merge(pheno, on="gene", how="left"))
    novel = ranked.set_index("gene").loc["NOT_A_GENE"]
    assert (novel["phenotype_lr"], novel["genotype_lr"]) == (1.0, pytest.approx(350))
    assert novel["score"] > 0


def test_compound_het_in_a_dominant_only_gene_is_penalised():
    df = pd.DataFrame([
        row("DOM", 8, 3.0, mode="compound_heterozygous", variant="chr1:1:A:G", moi_match="inconsistent",
            partners=["chr1:2:A:G"]),
        row("DOM", 8, 3.0, mode="compound_heterozygous", variant="chr1:2:A:G", moi_match="inconsistent",
            partners=["chr1:1:A:G"]),
        row("REC", 8, 3.0, mode="compound_heterozygous", variant="chr2:1:A:G", moi_match="consistent",
            partners=["chr2:2:A:G"]),
        row("REC", 8, 3.0, mode="compound_heterozygous", variant="chr2:2:A:G", moi_match="consistent",
            partners=["chr2:1:A:G"]),
    ])
    ranked = rank_candidates(df)
    assert ranked["gene"].tolist() == ["REC", "REC", "DOM", "DOM"]
    by_gene = ranked.drop_duplicates("gene").set_index("gene")["genotype_lr"]
    assert by_gene["DOM"] == pytest.approx(0.1 * by_gene["REC"])
    assert "does not fit" in ranked["genotype_lr_reason"].iloc[-1]
    # a single heterozygous call in a recessive-only gene: x 0.05
    assert genotype_lr(8, mode="de_novo", moi_match="inconsistent")[0] == pytest.approx(350 * 0.05)
    assert genotype_lr(8, mode="de_novo", moi_match="unknown")[0] == pytest.approx(350)


def test_compound_het_counts_its_weaker_side():
    # a likely pathogenic frameshift (8 points) paired with an intronic VUS (0 points): the pair is a VUS pair
    df = pd.DataFrame([
        row("G", 8, 2.0, mode="compound_heterozygous", variant="chr1:1:A:G", partners=["chr1:9:A:G"]),
        row("G", 0, 2.0, mode="compound_heterozygous", variant="chr1:9:A:G", partners=["chr1:1:A:G"]),
        row("H", 4, 2.0, mode="autosomal_recessive", variant="chr4:1:A:G"),
    ])
    ranked = rank_candidates(df)
    lr = ranked.set_index("variant_id")["genotype_lr"]
    assert lr["chr1:1:A:G"] == pytest.approx(1.0) and lr["chr1:9:A:G"] == pytest.approx(1.0)
    assert lr["chr4:1:A:G"] == pytest.approx(odds_path(4))  # a homozygous variant counts once
    assert ranked["gene"].iloc[0] == "H"


def test_incidental_pathogenic_variant_ranks_below_the_gene_that_fits():
    # synthetic case RD007's situation, with real phenotype LRs: a pathogenic de novo frameshift in TCOF1
    # (Treacher Collins, does not fit) against a homozygous VUS missense in PAH for a patient with PKU features
    from bigmed_utils.phenotype.similarity import rank_genes

    pku = ["HP:0004923", "HP:0001249", "HP:0001250", "HP:0000975"]  # hyperphenylalaninemia, ID, seizure, hyperhidrosis
    pheno = rank_genes(pku, ["TCOF1", "PAH"])
    df = pd.DataFrame([
        {"variant_id": "chr5:1:C:CA", "gene": "TCOF1", "mode": "de_novo", "acmg_points": 13, "acmg_class": "Pathogenic", "max_af": 0.0},
        {"variant_id": "chr12:2:C:T", "gene": "PAH", "mode": "autosomal_recessive", "acmg_points": 4, "acmg_class": VUS, "max_af": 4e-5},
    ]).merge(pheno, on="gene")
    ranked = rank_candidates(df)
    assert ranked["gene"].tolist() == ["PAH", "TCOF1"]
    top = ranked.iloc[0]
    assert top["best_disease_id"] == "OMIM:261600"  # Phenylketonuria
    assert top["genotype_lr"] == pytest.approx(odds_path(4))


def test_rank_of_empty_table_and_formula_text():
    df = pd.DataFrame(columns=["variant_id", "gene", "mode", "acmg_points", "acmg_class", "max_af"])
    ranked = rank_candidates(df)
    assert ranked.empty and {"rank", "score", "genotype_lr", "post_test_probability"} <= set(ranked.columns)
    assert "likelihood ratio" in SCORE_FORMULA and "PP4" in SCORE_FORMULA and "Clark et al. 2018" in SCORE_FORMULA
    assert gene_rank(rank_candidates(pd.DataFrame([row("A", 1)])), "ZZZ") is None
