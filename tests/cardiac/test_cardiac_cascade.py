"""Cascade list, obligate carriers, relationships, segregation (LOD, PP1/BS4) and pedigree validation on
hand-made three-generation pedigrees."""

import math

import pandas as pd
import pytest

from bigmed_utils.cardiac import cascade_list, genotype_status, infer_obligate_carriers, segregation
from bigmed_utils.cardiac.cascade import lod_fully_segregating, pp1_strength
from bigmed_utils.cardiac.pedigree import Pedigree, validate_pedigree
from bigmed_utils.errors import InputDataError, ParameterError


def ped(rows, fam="F1"):
    return pd.DataFrame(
        [{"family_id": fam, "individual_id": i, "paternal_id": f, "maternal_id": m, "sex": s, "phenotype": ph}
         for i, f, m, s, ph in rows]
    )


# Family F1 (HCM). Generation I: GF (affected, deceased, untested) x GM.
# II: FA (affected carrier) x MO (married in); AU (aunt, untested) x UH (married in); UN (uncle, non-carrier) x UW.
# III: PB (proband), SI1 (sister, untested), SI2 (sister, affected carrier), CO (cousin via AU), CN (via UN).
F1 = ped([
    ("GF", None, None, 1, 2), ("GM", None, None, 2, 1),
    ("FA", "GF", "GM", 1, 2), ("MO", None, None, 2, 1),
    ("AU", "GF", "GM", 2, 1), ("UH", None, None, 1, 1),
    ("UN", "GF", "GM", 1, 1), ("UW", None, None, 2, 1),
    ("PB", "FA", "MO", 1, 2), ("SI1", "FA", "MO", 2, 1), ("SI2", "FA", "MO", 2, 2),
    ("CO", "UH", "AU", 1, 0), ("CN", "UN", "UW", 2, 1),
])
F1_GT = {"PB": "carrier", "FA": "0/1", "SI2": "carrier", "UN": "0/0", "CN": "untested"}
F1_DEAD = {"GF"}


def test_relationship_names_and_degrees():
    p = validate_pedigree(F1)
    expect = {
        "FA": ("father", 1), "MO": ("mother", 1), "SI1": ("sister", 1), "GF": ("paternal grandfather", 2),
        "GM": ("paternal grandmother", 2), "AU": ("paternal aunt", 2), "UN": ("paternal uncle", 2),
        "CO": ("paternal first cousin", 3), "UH": ("partner of paternal aunt (AU)", None),
    }
    for iid, rel in expect.items():
        assert p.relationship("PB", iid) == rel, iid
    assert p.relationship("GF", "PB") == ("grandson", 2)
    assert p.relationship("AU", "PB") == ("nephew", 2)


def test_cascade_first_degree_first_then_onward():
    out = cascade_list(F1, proband="PB", genotypes=F1_GT, condition="hcm", deceased=F1_DEAD)
    step = dict(zip(out["person"], out["cascade_step"]))
    assert {p for p, s in step.items() if s == 1} == {"FA", "MO", "SI1", "SI2"}
    assert step["AU"] == 2 and step["GF"] == 2 and step["UN"] == 2
    assert step["CO"] == 3  # reached through the untested aunt
    assert list(out["cascade_step"]) == sorted(out["cascade_step"])
    assert "PB" not in step
    # married-in partners are not at risk; relatives of a non-carrier are not reached through them
    assert not {"UH", "UW", "CN"} & set(step)


def test_every_untested_first_degree_relative_of_a_carrier_is_listed():
    out = cascade_list(F1, proband="PB", genotypes=F1_GT, condition="hcm", deceased=F1_DEAD)
    p = Pedigree.from_dataframe(F1)
    status = {i: genotype_status(F1_GT.get(i)) for i in p.order}
    status["PB"] = "carrier"
    listed = set(out["person"])
    for carrier in [i for i, s in status.items() if s == "carrier"]:
        for rel in p.first_degree(carrier):
            if status[rel] == "untested" and rel != "PB":
                assert rel in listed, (carrier, rel)


def test_non_carriers_are_never_sent_to_follow_up():
    out = cascade_list(F1, proband="PB", genotypes=F1_GT, condition="hcm", deceased=F1_DEAD).set_index("person")
    assert out.loc["UN", "genotype_status"] == "non-carrier"
    assert not out.loc["UN", "follow_up"]
    assert "discharge" in out.loc["UN", "recommendation"]
    assert not out.loc[out["genotype_status"] == "non-carrier", "follow_up"].any()


def test_recommendations_per_status():
    out = cascade_list(F1, proband="PB", genotypes=F1_GT, condition="hcm", deceased=F1_DEAD).set_index("person")
    assert out.loc["FA", "follow_up"] and "echocardiography" in out.loc["FA", "recommendation"]
    assert out.loc["SI1", "follow_up"] and "predictive genetic testing" in out.loc["SI1", "recommendation"]
    assert not out.loc["GF", "follow_up"] and "molecular autopsy" in out.loc["GF", "recommendation"]
    assert out.loc["GF", "deceased"]
    # the father carries, so the mother's prior risk is low and her side is not cascaded
    assert "low prior risk" in out.loc["MO", "recommendation"]
    assert out.loc["CO", "at_risk_via"] == "AU"
    assert out.loc["SI2", "phenotype_status"] == "affected"


def test_non_carrier_proband_is_rejected():
    with pytest.raises(ParameterError, match="proband 'PB' is genotyped as a non-carrier"):
        cascade_list(F1, proband="PB", genotypes={"PB": "0/0"})


def test_unknown_genotype_label_names_the_individual():
    with pytest.raises(ParameterError, match="individual 'FA'"):
        cascade_list(F1, proband="PB", genotypes={"FA": "maybe"})


# Family F2 (long QT): obligate carrier and a larger segregating configuration.
# I: G1 x G2 (untested). II: DA (untested father, unaffected) x MA; AN (aunt, affected carrier) x AH.
# III: PR (proband, affected carrier), BR (brother, affected carrier), UU (brother, unaffected non-carrier),
#      KU (cousin, child of AN, affected carrier).
F2 = ped([
    ("G1", None, None, 1, 0), ("G2", None, None, 2, 0),
    ("DA", "G1", "G2", 1, 1), ("MA", None, None, 2, 1),
    ("AN", "G1", "G2", 2, 2), ("AH", None, None, 1, 1),
    ("PR", "DA", "MA", 2, 2), ("BR", "DA", "MA", 1, 2), ("UU", "DA", "MA", 1, 1),
    ("KU", "AH", "AN", 1, 2),
], fam="F2")
F2_GT = {"PR": "carrier", "BR": "carrier", "UU": "non-carrier", "AN": "carrier", "KU": "carrier"}


def test_untested_parent_between_carriers_is_an_obligate_carrier():
    assert infer_obligate_carriers(F2, F2_GT) == {"DA"}
    out = cascade_list(F2, proband="PR", genotypes=F2_GT, condition="long_qt").set_index("person")
    assert out.loc["DA", "genotype_status"] == "obligate carrier"
    assert out.loc["DA", "follow_up"] and "QTc" in out.loc["DA", "recommendation"]


def test_lod_of_a_known_configuration_affected_only():
    # affected carriers PR, BR, AN, KU joined through DA and a grandparent: edges PR-DA, BR-DA, DA-G, G-AN,
    # AN-KU = 5; the untested grandparent's first meiosis is uninformative -> 4 meioses, LOD 4*log10(2)
    res = segregation(F2, proband="PR", genotypes=F2_GT)
    assert res.informative_meioses == 4
    assert res.lod == pytest.approx(4 * math.log10(2))
    assert res.pp1_strength == "supporting" and res.evidence == "PP1"  # ClinGen cardiomyopathy: 0.9 <= LOD < 1.5
    jb = segregation(F2, proband="PR", genotypes=F2_GT, thresholds="jarvik_browning")
    assert jb.pp1_strength == "moderate" and jb.evidence == "PP1_Moderate"  # Jarvik & Browning: >= 1.2


def test_full_penetrance_model_counts_unaffected_non_carriers():
    res = segregation(F2, proband="PR", genotypes=F2_GT, model="full_penetrance")
    assert res.unaffected_non_carriers_counted == ["UU"]
    assert res.informative_meioses == 5
    assert res.lod == pytest.approx(5 * math.log10(2))
    assert res.evidence == "PP1_Moderate"


@pytest.mark.parametrize("rows, gt, n", [
    # affected sibling pair, parents untested: 1 meiosis
    ([("D", None, None, 1, 0), ("M", None, None, 2, 0), ("P", "D", "M", 1, 2), ("S", "D", "M", 2, 2)],
     {"P": "carrier", "S": "carrier"}, 1),
    # affected first cousins through untested parents: 3 meioses (1/8), the Jarvik & Browning example
    ([("G1", None, None, 1, 0), ("G2", None, None, 2, 0), ("A", "G1", "G2", 1, 0), ("AW", None, None, 2, 1),
      ("B", "G1", "G2", 1, 0), ("BW", None, None, 2, 1), ("P", "A", "AW", 1, 2), ("C", "B", "BW", 2, 2)],
     {"P": "carrier", "C": "carrier"}, 3),
    # affected parent and child: 1 meiosis
    ([("D", None, None, 1, 2), ("M", None, None, 2, 1), ("P", "D", "M", 1, 2)], {"P": "carrier", "D": "carrier"}, 1),
])
def test_informative_meioses_small_configurations(rows, gt, n):
    res = segregation(ped(rows), proband="P", genotypes=gt)
    assert res.informative_meioses == n
    assert res.lod == pytest.approx(n * math.log10(2))


def test_one_affected_non_carrier_is_a_possible_phenocopy_neither_bs4_nor_pp1():
    # Richards et al. 2015 (BS4 caveat: phenocopies) and Jarvik & Browning 2016: one discordant affected
    # relative is weak evidence; without BS4 the family still does not support PP1
    gt = dict(F2_GT, BR="non-carrier")
    res = segregation(F2, proband="PR", genotypes=gt)
    assert res.affected_non_carriers == ["BR"]
    assert not res.bs4 and res.evidence is None and res.pp1_strength is None
    assert res.lod == pytest.approx(3 * math.log10(2))  # the carriers alone would have given PP1 (LOD 0.9)
    assert "possible phenocopy" in res.notes[-1] and ">= 2 needed" in res.notes[-1]


def test_two_affected_non_carriers_give_bs4():
    from bigmed_utils.cardiac.cascade import BS4_MIN_AFFECTED_NON_CARRIERS

    assert BS4_MIN_AFFECTED_NON_CARRIERS == 2
    gt = dict(F2_GT, BR="non-carrier", KU="non-carrier")
    res = segregation(F2, proband="PR", genotypes=gt)
    assert res.bs4 and res.evidence == "BS4" and res.pp1_strength is None
    assert res.affected_non_carriers == ["BR", "KU"]


def test_unaffected_carrier_voids_full_penetrance_lod():
    gt = dict(F2_GT, UU="carrier")
    res = segregation(F2, proband="PR", genotypes=gt, model="full_penetrance")
    assert res.lod == float("-inf") and res.evidence is None
    assert res.to_dict()["lod"] is None
    assert "incompatible with full penetrance" in res.notes[0]


@pytest.mark.parametrize("lod, cm, jb", [
    (0.6, None, None), (0.903, "supporting", "supporting"), (1.204, "supporting", "moderate"),
    (1.505, "moderate", "strong"), (2.107, "strong", "strong"),
])
def test_pp1_thresholds(lod, cm, jb):
    assert pp1_strength(lod) == cm
    assert pp1_strength(lod, thresholds="jarvik_browning") == jb


def test_lod_formula():
    assert lod_fully_segregating(7) == pytest.approx(2.107, abs=1e-3)


def test_missing_parent_row_names_the_individual():
    bad = ped([("P", "DAD", None, 1, 2)])
    with pytest.raises(InputDataError, match="father 'DAD' of individual 'P' has no row"):
        validate_pedigree(bad)


def test_ancestry_loop_names_the_individual():
    bad = ped([("A", "B", None, 1, 1), ("B", "C", None, 1, 1), ("C", "A", None, 1, 1)])
    with pytest.raises(InputDataError, match="loop in the ancestry: individual '[ABC]' is their own ancestor"):
        validate_pedigree(bad)


def test_father_coded_female_is_an_error():
    bad = ped([("D", None, None, 2, 1), ("P", "D", None, 1, 2)])
    with pytest.raises(InputDataError, match="father 'D' of individual 'P' is coded female"):
        validate_pedigree(bad)


def test_several_families_need_family_id():
    both = pd.concat([F1, F2])
    with pytest.raises(ParameterError, match="pass family_id"):
        cascade_list(both, proband="PR", genotypes=F2_GT)
    out = cascade_list(both, proband="PR", genotypes=F2_GT, family_id="F2")
    assert set(out["family_id"]) == {"F2"}


def test_vcf_genotypes_and_summary_records():
    from bigmed_utils.cardiac import cascade_records, genotypes_from_vcf

    gts = genotypes_from_vcf({"PR": "0/1", "BR": "0|1", "UU": "0/0", "AN": "1/0", "KU": "0/1", "MA": "./."})
    assert gts["UU"] == "non-carrier" and gts["MA"] == "untested" and gts["BR"] == "carrier"
    recs = cascade_records(cascade_list(F2, proband="PR", genotypes=gts, condition="long_qt"))
    first = recs[0]
    assert set(first) >= {"person", "relation", "degree", "genotype_status", "recommendation"}
    assert isinstance(first["degree"], int) and isinstance(first["follow_up"], bool)


def test_real_scout_trio_ped(realdata):
    from bigmed_utils.io.ped import read_ped

    trio = read_ped(realdata / "scout_643594.ped")
    out = cascade_list(trio, proband="ADM1059A2", genotypes={"ADM1059A2": "0/1", "ADM1059A1": "0/1"},
                       condition="hcm").set_index("person")
    assert out.loc["ADM1059A1", "relation"] == "father" and out.loc["ADM1059A3", "relation"] == "mother"
    assert "low prior risk" in out.loc["ADM1059A3", "recommendation"]
    # the father is an unaffected carrier: no affected relative carries it, so no informative meiosis
    seg = segregation(trio, proband="ADM1059A2", genotypes={"ADM1059A2": "0/1", "ADM1059A1": "0/1"})
    assert seg.informative_meioses == 0 and seg.evidence is None
    assert seg.unaffected_carriers == ["ADM1059A1"]


def test_half_sibling_and_great_grandparent():
    p = validate_pedigree(ped([
        ("GG", None, None, 1, 1), ("GGW", None, None, 2, 1),
        ("G", "GG", "GGW", 1, 1), ("GW", None, None, 2, 1),
        ("D", "G", "GW", 1, 1), ("M1", None, None, 2, 1), ("M2", None, None, 2, 1),
        ("P", "D", "M1", 2, 2), ("H", "D", "M2", 1, 1),
    ]))
    assert p.relationship("P", "H") == ("half-brother", 2)
    assert p.relationship("P", "GG") == ("paternal great-grandfather", 3)
    assert "H" not in p.first_degree("P")
