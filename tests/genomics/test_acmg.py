"""ACMG/AMP engine: published constants, each criterion on hand-built variants (exact reasons), REVEL
boundaries, the points system, and its agreement with the Richards et al. 2015 combining table."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from bigmed_utils.errors import InputDataError
from bigmed_utils.genomics import acmg
from bigmed_utils.genomics.acmg import (
    BENIGN,
    LIKELY_BENIGN,
    LIKELY_PATHOGENIC,
    PATHOGENIC,
    VUS,
    classify_variants,
    combine_points,
    richards_2015_class,
)

NAN = math.nan


def classify_one(**fields) -> pd.Series:
    # 0.005 lies between the PM2 (<= 1e-5) and BS1 (> 0.01) limits: no frequency criterion by default
    row = {"variant_id": "v1", "gene": "GENEX", "consequence": "intron_variant", "max_af": 0.005}
    row.update(fields)
    return classify_variants(pd.DataFrame([row])).iloc[0]


def codes(result: pd.Series) -> list[str]:
    return [c["code"] for c in result["acmg_criteria"]]


def reason(result: pd.Series, code: str) -> str:
    return next(c["reason"] for c in result["acmg_criteria"] if c["code"] == code)


# --- published constants -------------------------------------------------------------------------------


def test_points_per_strength_are_tavtigian_2020():
    # Tavtigian et al. 2020 Hum Mutat 41:1734: supporting 1, moderate 2, strong 4, very strong 8
    assert acmg.STRENGTH_POINTS == {"Very strong": 8, "Strong": 4, "Moderate": 2, "Supporting": 1}
    assert (acmg.PATHOGENIC_MIN_POINTS, acmg.LIKELY_PATHOGENIC_MIN_POINTS) == (10, 6)
    assert (acmg.LIKELY_BENIGN_MAX_POINTS, acmg.BENIGN_MAX_POINTS) == (-1, -7)


def test_revel_thresholds_are_pejaver_2022_table2():
    # Pejaver et al. 2022 AJHG 109:2163, Table 2, REVEL row
    assert acmg.REVEL_PP3 == ((0.932, "Strong"), (0.773, "Moderate"), (0.644, "Supporting"))
    assert acmg.REVEL_BP4 == ((0.016, "Strong"), (0.183, "Moderate"), (0.290, "Supporting"))
    assert acmg.BA1_THRESHOLD == 0.05


def test_bundled_clingen_lof_list_has_known_curations():
    genes = acmg.lof_genes()
    assert len(genes) == 1135
    # ClinGen haploinsufficiency curations (15 Feb 2026 list)
    assert genes["SCN1A"] == 3 and genes["BRCA1"] == 3 and genes["MECP2"] == 3 and genes["DMD"] == 3
    assert genes["CFTR"] == 30 and genes["WWOX"] == 30 and genes["PAH"] == 30
    assert "TTN" not in genes  # score 2 (some evidence): not enough for PVS1
    assert "GJB2" not in genes  # score 40 (dosage sensitivity unlikely)


# --- each criterion ----------------------------------------------------------------------------------------


def test_pvs1_dominant_gene_with_hi_score_3():
    result = classify_one(gene="SCN1A", consequence="stop_gained&NMD_transcript_variant", mode="autosomal_dominant",
                          exon="5/26")
    assert reason(result, "PVS1") == (
        "null variant (stop_gained) in SCN1A; loss of function is a known disease mechanism (ClinGen HI score 3); "
        "exon 5/26: NMD predicted (Abou Tayoun et al. 2018)"
    )


def test_pvs1_strength_follows_the_decision_tree():
    last = classify_one(gene="SCN1A", consequence="stop_gained", exon="26/26", protein_position="1900/2009")
    assert codes(last) == ["PVS1_Moderate"]  # last exon, 5 % of the protein lost
    penultimate = classify_one(gene="SCN1A", consequence="frameshift_variant", exon="25/26",
                               protein_position="1700/2009")
    assert codes(penultimate) == ["PVS1_Strong"]  # the last 50 nt of exon 25 cannot be checked
    crit = next(c for c in penultimate["acmg_criteria"] if c["code"] == "PVS1_Strong")
    assert (crit["strength"], crit["points"]) == ("Strong", 4)


def test_pvs1_recessive_gene_needs_recessive_mode():
    recessive = classify_one(gene="CFTR", consequence="frameshift_variant", mode="autosomal_recessive", exon="4/27")
    assert reason(recessive, "PVS1") == (
        "null variant (frameshift_variant) in CFTR; loss of function is a known disease mechanism (ClinGen HI score 30); "
        "exon 4/27: NMD predicted (Abou Tayoun et al. 2018)"
    )
    dominant = classify_one(gene="CFTR", consequence="frameshift_variant", mode="de_novo")
    assert not any(c.startswith("PVS1") for c in codes(dominant))


def test_pvs1_recessive_disease_gene_from_hpo_annotations():
    # HEXA (Tay-Sachs, autosomal recessive) has no ClinGen HI curation in the bundled list
    assert "HEXA" not in acmg.lof_genes()
    result = classify_one(gene="HEXA", consequence="splice_donor_variant", mode="autosomal_recessive", intron="3/13")
    assert reason(result, "PVS1") == (
        "null variant (splice_donor_variant) in HEXA; gene of an autosomal recessive disorder in HPO annotations "
        "(biallelic loss of function); canonical splice site; effect on the reading frame not assessable from VCF "
        "fields (exon lengths unknown): confirm with RNA or a splice prediction (Abou Tayoun et al. 2018)"
    )
    assert "PVS1" not in codes(classify_one(gene="HEXA", consequence="splice_donor_variant", mode="de_novo"))
    off = classify_variants(pd.DataFrame([{"variant_id": "v", "gene": "HEXA", "consequence": "stop_gained",
                                           "max_af": 0.005, "mode": "autosomal_recessive"}]),
                            use_hpo_inheritance=False).iloc[0]
    assert codes(off) == []


def test_pvs1_not_for_gene_without_lof_mechanism_or_missense():
    assert not any(c.startswith("PVS1") for c in codes(classify_one(gene="TTN", consequence="stop_gained")))
    assert not any(c.startswith("PVS1") for c in codes(classify_one(gene="SCN1A", consequence="missense_variant")))


def test_pvs1_start_lost_is_moderate():
    result = classify_one(gene="SCN1A", consequence="start_lost", mode="de_novo", parents_tested=True)
    assert "PVS1_Moderate" in codes(result)
    crit = next(c for c in result["acmg_criteria"] if c["code"] == "PVS1_Moderate")
    assert (crit["strength"], crit["points"]) == ("Moderate", 2)
    assert crit["reason"] == (
        "null variant (start_lost) in SCN1A; loss of function is a known disease mechanism (ClinGen HI score 3); "
        "initiation codon variant: moderate strength (Abou Tayoun et al. 2018)"
    )


def test_ps2_needs_tested_parents_and_confirmed_parentage_else_pm6():
    confirmed = classify_one(consequence="missense_variant", mode="de_novo", parents_tested=True,
                             parentage_confirmed=True)
    assert reason(confirmed, "PS2") == "de novo: absent from both tested parents, parentage confirmed by the family QC"
    assumed = classify_one(consequence="missense_variant", mode="de_novo", parents_tested=False)
    assert reason(assumed, "PM6") == "assumed de novo: parents not both tested"
    assert "PS2" not in codes(assumed)
    # both parents genotyped, but the QC refutes (or could not check) paternity: assumed, not confirmed
    refuted = classify_one(consequence="missense_variant", mode="de_novo", parents_tested=True,
                           parentage_confirmed=False, parentage_note="parentage not confirmed: KING kinship "
                           "proband-father 0.010 (unrelated, expected first degree)")
    assert codes(refuted) == ["PM6"]
    assert reason(refuted, "PM6") == ("assumed de novo: parentage not confirmed: KING kinship proband-father 0.010 "
                                      "(unrelated, expected first degree)")
    unchecked = classify_one(consequence="missense_variant", mode="de_novo", parents_tested=True)
    assert reason(unchecked, "PM6") == "assumed de novo: parentage not confirmed by the family QC"


def test_no_ps2_or_pm6_for_a_variant_the_gate_rejects():
    for consequence in ("intron_variant", "synonymous_variant", "3_prime_UTR_variant"):
        result = classify_one(consequence=consequence, mode="de_novo", parents_tested=True, parentage_confirmed=True,
                              max_af=NAN, phenotype_score=0.9)
        assert not {"PS2", "PM6"} & set(codes(result)), consequence
        assert result["acmg_class"] not in (PATHOGENIC, LIKELY_PATHOGENIC)
    # with a gate column, its verdict counts (here: rejected although the consequence is intronic anyway)
    gated = classify_one(consequence="intron_variant", gate=None, mode="de_novo", parents_tested=True,
                         parentage_confirmed=True)
    assert "PS2" not in codes(gated)
    # a ClinVar P/LP intronic variant passes the gate, so its de novo occurrence counts
    clinvar = classify_one(consequence="intron_variant", clin_sig="pathogenic", mode="de_novo", parents_tested=True,
                           parentage_confirmed=True)
    assert "PS2" in codes(clinvar)


def test_pm2_supporting_absent_and_rare_per_mode():
    absent = classify_one(max_af=NAN, mode="de_novo")
    assert reason(absent, "PM2_Supporting") == "absent from population databases"
    rare = classify_one(max_af=5e-5, mode="autosomal_recessive")
    assert reason(rare, "PM2_Supporting") == "population allele frequency 5e-05 <= 0.0001 (autosomal_recessive threshold)"
    # the same frequency is too common for a dominant disorder's PM2 threshold (1e-5)
    assert "PM2_Supporting" not in codes(classify_one(max_af=5e-5, mode="autosomal_dominant"))
    crit = next(c for c in absent["acmg_criteria"] if c["code"] == "PM2_Supporting")
    assert (crit["strength"], crit["points"]) == ("Supporting", 1)


def test_ba1_and_bs1():
    common = classify_one(max_af=0.06, mode="autosomal_dominant")
    assert reason(common, "BA1") == "population allele frequency 0.06 > 0.05"
    assert common["acmg_class"] == BENIGN
    frequent = classify_one(max_af=0.02, mode="autosomal_dominant")
    assert reason(frequent, "BS1") == (
        "population allele frequency 0.02 > 0.01, greater than expected for the disorder (autosomal_dominant)"
    )
    assert "BS1" not in codes(classify_one(max_af=0.02, mode="autosomal_recessive"))  # recessive default 0.03
    custom = classify_variants(
        pd.DataFrame([{"variant_id": "v", "gene": "G", "consequence": "intron_variant", "max_af": 0.02,
                       "mode": "autosomal_recessive"}]), bs1_thresholds={"autosomal_recessive": 0.01}).iloc[0]
    assert codes(custom) == ["BS1"]


def test_pm3_point_table_is_svi_v1():
    # ClinGen SVI PM3 v1.0 Table 1 (P/LP partner in trans 1.0, phase unknown 0.5; VUS partner in trans 0.25,
    # phase unknown 0; homozygous 0.5) and Table 2 (0.5 supporting, 1 moderate, 2 strong, 4 very strong)
    assert acmg.PM3_POINTS == {("pathogenic", "in_trans"): 1.0, ("pathogenic", "unknown"): 0.5,
                               ("uncertain", "in_trans"): 0.25, ("uncertain", "unknown"): 0.0,
                               ("homozygous", None): 0.5}
    assert [(p, code) for p, code, _ in acmg.PM3_STRENGTH] == [
        (4.0, "PM3_VeryStrong"), (2.0, "PM3_Strong"), (1.0, "PM3"), (0.5, "PM3_Supporting")]
    assert acmg.pm3_points(partner_class=LIKELY_PATHOGENIC, phase="in_trans") == 1.0
    assert acmg.pm3_points(partner_class=PATHOGENIC, phase="unknown") == 0.5
    assert acmg.pm3_points(partner_class=VUS, phase="in_trans") == 0.25
    assert acmg.pm3_points(partner_class=LIKELY_BENIGN, phase="in_trans") == 0.0
    assert acmg.pm3_criterion(0.25, "x") is None
    assert acmg.pm3_criterion(2.0, "x")["code"] == "PM3_Strong"


def _pair(phase: str, partner_consequence: str = "frameshift_variant") -> pd.DataFrame:
    return pd.DataFrame([
        {"variant_id": "a", "gene": "CFTR", "consequence": "missense_variant", "max_af": NAN, "revel": 0.5,
         "mode": "compound_heterozygous", "in_trans_with": "b", "partner_phase": phase},
        {"variant_id": "b", "gene": "CFTR", "consequence": partner_consequence, "max_af": NAN, "exon": "4/27",
         "mode": "compound_heterozygous", "in_trans_with": "a", "partner_phase": phase, "phenotype_score": 0.9},
    ])


def test_pm3_in_trans_with_pathogenic_allele():
    out = classify_variants(_pair("in_trans")).set_index("variant_id")
    assert reason(out.loc["a"], "PM3") == ("with b (pathogenic), in trans (phased by transmission): 1 PM3 point(s) "
                                           "(ClinGen SVI PM3 v1.0)")
    crit = next(c for c in out.loc["a"]["acmg_criteria"] if c["code"] == "PM3")
    assert (crit["strength"], crit["points"]) == ("Moderate", 2)
    assert out.loc["b"]["acmg_class"] == PATHOGENIC  # PVS1 + PM2_Supporting + PP4 = 10
    assert not any(c.startswith("PM3") for c in codes(out.loc["b"]))  # the other allele (a) is a VUS: 0.25 points


def test_pm3_phase_unknown_is_supporting_and_a_vus_partner_gives_nothing():
    unknown = classify_variants(_pair("unknown")).set_index("variant_id")
    assert "PM3_Supporting" in codes(unknown.loc["a"])
    vus_partner = classify_variants(_pair("in_trans", partner_consequence="missense_variant")).set_index("variant_id")
    assert not any(c.startswith("PM3") for c in codes(vus_partner.loc["a"]))


def test_pm3_homozygous_needs_both_parents_heterozygous():
    hom = classify_one(consequence="missense_variant", mode="autosomal_recessive", parents_tested=True)
    assert reason(hom, "PM3_Supporting") == ("homozygous, both parents heterozygous: 0.5 PM3 point(s) "
                                             "(ClinGen SVI PM3 v1.0)")
    assert "PM3_Supporting" not in codes(classify_one(consequence="missense_variant", mode="autosomal_recessive"))


def test_pm4_inframe_outside_repeat():
    result = classify_one(consequence="inframe_deletion")
    assert reason(result, "PM4") == "protein length change (inframe_deletion) outside a repeat region"
    assert "PM4" not in codes(classify_one(consequence="inframe_deletion", in_repeat_region=True))


def test_bs2_unaffected_carrier():
    result = classify_one(observed_in_unaffected=True)
    assert reason(result, "BS2") == "observed in an unaffected family member in a state incompatible with full penetrance"
    crit = next(c for c in result["acmg_criteria"] if c["code"] == "BS2")
    assert crit["points"] == -4


def test_pp4_from_phenotype_score():
    assert reason(classify_one(phenotype_score=0.62), "PP4") == "phenotype match score 0.62 >= 0.5"
    assert "PP4" not in codes(classify_one(phenotype_score=0.49))


def test_pp4_counts_in_the_class_but_not_in_the_ranking_points():
    result = classify_one(consequence="missense_variant", revel=0.95, max_af=NAN, phenotype_score=0.8)
    assert codes(result) == ["PM2_Supporting", "PP3_Strong", "PP4"]
    assert (result["acmg_points"], result["acmg_points_without_pp4"]) == (6, 5)
    assert result["acmg_class"] == LIKELY_PATHOGENIC


@pytest.mark.parametrize("clin_sig", ["pathogenic&likely_pathogenic", "Pathogenic", "benign", "likely_benign"])
def test_pp5_and_bp6_never_fire(clin_sig):
    # retired by ClinGen SVI (Biesecker & Harrison 2018 Genet Med 20:1505)
    for consequence in ("intron_variant", "missense_variant", "stop_gained"):
        result = classify_one(clin_sig=clin_sig, consequence=consequence, gene="SCN1A")
        assert not {"PP5", "BP6"} & set(codes(result))


def test_bp7_synonymous_and_deep_intronic_without_splicing_impact():
    syn = classify_one(consequence="synonymous_variant", spliceai=0.04)
    assert reason(syn, "BP7") == "synonymous, SpliceAI 0.04 <= 0.1: no predicted splicing impact (Walker et al. 2023)"
    assert codes(classify_one(consequence="synonymous_variant", spliceai=0.15)) == []  # between the thresholds
    assert codes(classify_one(consequence="splice_region_variant&synonymous_variant", spliceai=0.01)) == []
    deep = classify_one(consequence="intron_variant", hgvsc="ENST1:c.601+7G>A", spliceai=0.0)
    assert reason(deep, "BP7").startswith("deep intronic (c.+7), SpliceAI 0 <= 0.1")
    # +6 and -20 are not deep enough (Walker et al. 2023: +7/-21 or beyond); a deep intronic variant needs SpliceAI
    assert codes(classify_one(consequence="intron_variant", hgvsc="ENST1:c.601+6G>A", spliceai=0.0)) == []
    assert codes(classify_one(consequence="intron_variant", hgvsc="ENST1:c.602-20G>A", spliceai=0.0)) == []
    assert codes(classify_one(consequence="intron_variant", hgvsc="ENST1:c.602-21G>A", spliceai=0.0)) == ["BP7"]
    assert codes(classify_one(consequence="intron_variant", hgvsc="ENST1:c.601+500G>A")) == []
    crit = next(c for c in syn["acmg_criteria"] if c["code"] == "BP7")
    assert (crit["strength"], crit["points"]) == ("Supporting", -1)


def test_pp3_from_spliceai_and_no_bp4_for_a_missense_that_disturbs_splicing():
    assert codes(classify_one(consequence="intron_variant", spliceai=0.35)) == ["PP3"]
    assert reason(classify_one(consequence="intron_variant", spliceai=0.35), "PP3") == (
        "SpliceAI delta score 0.35 >= 0.2 (Walker et al. 2023)")
    # REVEL decides PP3 for a missense; SpliceAI adds no second PP3
    assert codes(classify_one(consequence="missense_variant", revel=0.8, spliceai=0.5)) == ["PP3_Moderate"]
    assert codes(classify_one(consequence="missense_variant", revel=0.1, spliceai=0.5)) == ["PP3"]
    # never PP3 with PVS1 (the splice effect is what PVS1 already counts)
    assert codes(classify_one(gene="SCN1A", consequence="splice_donor_variant", intron="3/25", spliceai=0.9)) == ["PVS1"]


def test_segregation_passthrough():
    assert codes(classify_one(segregation="PP1_Strong")) == ["PP1_Strong"]
    assert codes(classify_one(segregation="BS4")) == ["BS4"]


@pytest.mark.parametrize(
    ("revel", "expected"),
    [
        (0.932, "PP3_Strong"), (0.9319, "PP3_Moderate"), (0.773, "PP3_Moderate"), (0.7729, "PP3"),
        (0.644, "PP3"), (0.6439, None), (0.2901, None), (0.290, "BP4"), (0.1831, "BP4"), (0.183, "BP4_Moderate"),
        (0.0161, "BP4_Moderate"), (0.016, "BP4_Strong"), (0.001, "BP4_Strong"),
    ],
)
def test_revel_boundaries(revel, expected):
    result = classify_one(consequence="missense_variant", revel=revel)
    assert codes(result) == ([expected] if expected else [])


def test_revel_ignored_for_non_missense():
    # no REVEL criterion; BP7 from the synonymous consequence outside the splice region (no SpliceAI score)
    assert codes(classify_one(consequence="synonymous_variant", revel=0.99)) == ["BP7"]


def test_reason_format_for_revel():
    assert reason(classify_one(consequence="missense_variant", revel=0.95), "PP3_Strong") == (
        "REVEL 0.95 >= 0.932 (Pejaver et al. 2022)"
    )


# --- errors ---------------------------------------------------------------------------------------------------


def test_missing_required_column_is_named():
    with pytest.raises(InputDataError) as err:
        classify_variants(pd.DataFrame([{"variant_id": "v", "gene": "G"}]), source="candidates.tsv")
    assert str(err.value) == "candidates.tsv: required column(s) missing: consequence"


def test_unknown_mode_is_named():
    with pytest.raises(InputDataError) as err:
        classify_one(mode="dominant")
    assert str(err.value) == (
        "candidate table: column mode of variant v1 has unknown value 'dominant' (expected one of de_novo, "
        "autosomal_recessive, compound_heterozygous, x_linked, autosomal_dominant, x_linked_dominant)"
    )


# --- combining --------------------------------------------------------------------------------------------


def crit(code: str) -> dict:
    strength, direction = acmg._strength_and_direction(code)
    points = acmg.STAND_ALONE_POINTS if strength == "Stand-alone" else acmg.STRENGTH_POINTS[strength]
    return {"code": code, "strength": strength, "points": points if direction == "pathogenic" else -abs(points)}


@pytest.mark.parametrize(
    ("points", "expected"),
    [(10, PATHOGENIC), (9, LIKELY_PATHOGENIC), (6, LIKELY_PATHOGENIC), (5, VUS), (0, VUS), (-1, LIKELY_BENIGN),
     (-6, LIKELY_BENIGN), (-7, BENIGN)],
)
def test_points_class_boundaries(points, expected):
    assert combine_points([{"code": "X", "points": points}]) == expected


def test_ba1_overrides_pathogenic_points():
    assert combine_points([crit("PVS1"), crit("PS2"), crit("PM2_Supporting"), crit("BA1")]) == BENIGN


# Richards et al. 2015 Table 5 rule examples: (rule, criteria, Richards class, points class).
# Tavtigian et al. 2018 (Genet Med 20:1054) showed the points/Bayesian model agrees with 16 of the 18
# rules; the two exceptions are Likely pathogenic (i) (1 very strong + 1 moderate = 10 points: Pathogenic)
# and Pathogenic (ii) (2 strong = 8 points: Likely pathogenic).
TABLE5 = [
    ("P (i)(a)", ["PVS1", "PS2"], PATHOGENIC, PATHOGENIC),
    ("P (i)(b)", ["PVS1", "PM3", "PM4"], PATHOGENIC, PATHOGENIC),
    ("P (i)(c)", ["PVS1", "PM3", "PP4"], PATHOGENIC, PATHOGENIC),
    ("P (i)(d)", ["PVS1", "PP3", "PP4"], PATHOGENIC, PATHOGENIC),
    ("P (ii)", ["PS1", "PS2"], PATHOGENIC, LIKELY_PATHOGENIC),
    ("P (iii)(a)", ["PS2", "PM1", "PM2", "PM3"], PATHOGENIC, PATHOGENIC),
    ("P (iii)(b)", ["PS2", "PM1", "PM2", "PP3", "PP4"], PATHOGENIC, PATHOGENIC),
    ("P (iii)(c)", ["PS2", "PM2", "PP1", "PP3", "PP4", "PP5"], PATHOGENIC, PATHOGENIC),
    ("LP (i)", ["PVS1", "PM2"], LIKELY_PATHOGENIC, PATHOGENIC),
    ("LP (ii) 1 moderate", ["PS2", "PM2"], LIKELY_PATHOGENIC, LIKELY_PATHOGENIC),
    ("LP (ii) 2 moderate", ["PS2", "PM2", "PM4"], LIKELY_PATHOGENIC, LIKELY_PATHOGENIC),
    ("LP (iii)", ["PS2", "PP3", "PP4"], LIKELY_PATHOGENIC, LIKELY_PATHOGENIC),
    ("LP (iv)", ["PM1", "PM2", "PM4"], LIKELY_PATHOGENIC, LIKELY_PATHOGENIC),
    ("LP (v)", ["PM2", "PM4", "PP3", "PP4"], LIKELY_PATHOGENIC, LIKELY_PATHOGENIC),
    ("LP (vi)", ["PM2", "PP1", "PP3", "PP4", "PP5"], LIKELY_PATHOGENIC, LIKELY_PATHOGENIC),
    ("B (i)", ["BA1"], BENIGN, BENIGN),
    ("B (ii)", ["BS1", "BS2"], BENIGN, BENIGN),
    ("LB (i)", ["BS1", "BP4"], LIKELY_BENIGN, LIKELY_BENIGN),
    ("LB (ii)", ["BP4", "BP6"], LIKELY_BENIGN, LIKELY_BENIGN),
]


@pytest.mark.parametrize(("rule", "codes_", "richards", "points"), TABLE5, ids=[r[0] for r in TABLE5])
def test_table5_rules(rule, codes_, richards, points):
    criteria = [crit(c) for c in codes_]
    assert richards_2015_class(criteria) == richards
    assert combine_points(criteria) == points


def test_points_agree_with_richards_except_two_published_discrepancies():
    disagree = [rule for rule, codes_, richards, points in TABLE5 if richards != points]
    assert disagree == ["P (ii)", "LP (i)"]


def test_richards_vus_for_conflicts_and_partial_evidence():
    assert richards_2015_class(["PVS1", "PS2", "BS1", "BS2"]) == VUS  # pathogenic and benign rules both met
    assert combine_points([crit(c) for c in ["PVS1", "PS2", "BS1", "BS2"]]) == VUS  # 12 - 8 = 4 points
    assert richards_2015_class(["PVS1", "BS1", "BS2"]) == BENIGN  # no pathogenic rule is met
    assert richards_2015_class(["PVS1"]) == VUS
    assert richards_2015_class(["PM2_Supporting", "PP3"]) == VUS  # two supporting is not a rule
    assert richards_2015_class(["PM2_Supporting", "PP3", "PP4", "PP5", "PM4"]) == LIKELY_PATHOGENIC


def test_end_to_end_de_novo_nonsense_is_pathogenic():
    result = classify_one(gene="SCN1A", consequence="stop_gained", max_af=NAN, mode="de_novo", parents_tested=True,
                          parentage_confirmed=True, phenotype_score=0.8, exon="8/26")
    assert codes(result) == ["PVS1", "PS2", "PM2_Supporting", "PP4"]
    assert (result["acmg_points"], result["acmg_class"]) == (14, PATHOGENIC)
    assert result["acmg_points_without_pp4"] == 13
    assert result["acmg_codes"] == "PVS1,PS2,PM2_Supporting,PP4"
