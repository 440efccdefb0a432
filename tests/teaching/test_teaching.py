"""The exercise checker of the teaching notebooks: right answers pass, wrong ones get a hint that does not
reveal the answer, unknown exercise names fail with one clear line."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from bigmed_utils.errors import InputDataError, ParameterError
from bigmed_utils.teaching import (
    EXERCISES, check, exercises, genotypes_at, qtc_explorer, qtc_explorer_html,
)


def _rd_truth(demo_data, case="RD001"):
    t = pd.read_csv(demo_data / "rare_disease" / "truth.tsv", sep="\t", comment="#", dtype=str,
                    keep_default_na=False)
    return t.set_index("case").loc[case]


def _scd_truth(demo_data, family="SCD01"):
    t = pd.read_csv(demo_data / "sudden_cardiac_death" / "truth.tsv", sep="\t", comment="#", dtype=str,
                    keep_default_na=False)
    return t.set_index("family_id").loc[family]


def test_right_answers_from_the_truth_files_are_right(demo_data):
    truth = _rd_truth(demo_data)
    assert check("rd001_gene", truth["gene"], data=demo_data).correct
    assert check("rd001_gene", truth["gene"].lower(), data=demo_data)  # case does not matter
    assert check("rd001_mode", truth["mode"], data=demo_data)
    assert check("rd001_variant", truth["variants"], data=demo_data)
    assert check("rd001_excluded_term", truth["excluded_hpo_terms"], data=demo_data)
    assert check("rd001_proband_sex", truth["sex"], data=demo_data)
    result = check("rd001_gene", truth["gene"], data=demo_data)
    assert repr(result) == "✔ rd001_gene: right!"


def test_published_qtc_value_is_the_right_answer(demo_data):
    # Bazett 1920: QTc = QT / sqrt(RR); QT 400 ms at 90/min (RR 0.667 s) -> 489.9 ms
    assert check("qtc_bazett_hr90", 490, data=demo_data)
    assert check("qtc_bazett_hr90", "489.9", data=demo_data)
    assert not check("qtc_bazett_hr90", 400 / math.sqrt(0.9), data=demo_data)  # RR in the wrong unit
    # Framingham (Sagie 1992): 400 + 154 (1 - 0.667) = 451.3 ms, the lowest of the four at 90/min
    assert check("qtc_lowest_formula_hr90", "Framingham", data=demo_data)
    assert not check("qtc_lowest_formula_hr90", "bazett", data=demo_data)


def test_cascade_follow_up_is_the_living_carrier_relatives(demo_data):
    truth = _scd_truth(demo_data)
    clinical = pd.read_csv(demo_data / "sudden_cardiac_death" / "clinical.csv")
    dead = set(clinical.loc[clinical["deceased"] == 1, "person_id"])
    living_carriers = [i for i in truth["carriers"].split(",") if i not in dead and i != truth["proband"]]
    assert check("scd01_follow_up", living_carriers, data=demo_data)
    assert check("scd01_follow_up", ", ".join(reversed(living_carriers)), data=demo_data)
    partial = check("scd01_follow_up", living_carriers[:1], data=demo_data)
    assert not partial and "something is missing or extra" in partial.message


def test_colorectal_answers(demo_data):
    truth = json.loads((demo_data / "colorectal_cancer" / "truth.json").read_text())
    maf = pd.read_csv(demo_data / "colorectal_cancer" / "somatic.maf", sep="\t", comment="#",
                      usecols=["Tumor_Sample_Barcode", "Variant_Classification"])
    counted = maf[(maf["Tumor_Sample_Barcode"] == "CRC0136-T") & maf["Variant_Classification"].isin(
        ["Missense_Mutation", "Nonsense_Mutation", "Frame_Shift_Del", "Frame_Shift_Ins", "In_Frame_Del",
         "In_Frame_Ins", "Splice_Site", "Translation_Start_Site", "Nonstop_Mutation"])]
    tmb = len(counted) / truth["callable_mb"]
    assert check("crc0136_tmb", round(tmb, 1), data=demo_data)
    assert not check("crc0136_tmb", round(tmb, 1) + 1, data=demo_data)
    assert check("crc_confounder", "BRAF V600E", data=demo_data)
    assert check("crc_confounder", "braf_v600e", data=demo_data)
    assert not check("crc_confounder", "stage", data=demo_data)
    # the planted stage IV hazard ratio is 8 (truth.json); the fitted one is near it
    planted = truth["survival_model"]["hazard_ratios"]["stage_IV_vs_I"]
    assert not check("crc_stage_iv_hr", planted * 3, data=demo_data)


@pytest.mark.parametrize("name, wrong", [
    ("rd001_gene", "BRCA2"), ("rd001_mode", "autosomal recessive"), ("rd001_variant", "chr1:1:A:G"),
    ("rd001_n_pass", 1), ("qtc_bazett_hr90", 400), ("scd01_follow_up", ["SCD01-102"]),
    ("crc_confounder", "age"),
])
def test_wrong_answer_gets_a_hint_without_the_answer(demo_data, name, wrong):
    truth = _rd_truth(demo_data)
    result = check(name, wrong, data=demo_data)
    assert not result.correct and result.answered
    assert result.message.startswith(f"✘ {name}: not yet")
    assert "Hint: " + EXERCISES[name].hint in result.message
    for secret in (truth["gene"], truth["variants"], "de_novo", "490", "SCD01-207", "braf", "22709"):
        assert secret.lower() not in result.message.lower()


def test_numeric_hint_says_direction_only(demo_data):
    assert "too low" in check("rd001_n_pass", 10, data=demo_data).message
    assert "too high" in check("rd001_n_pass", 10**9, data=demo_data).message


def test_wrong_shape_and_missing_answers(demo_data):
    r = check("qtc_bazett_hr90", "four hundred", data=demo_data)
    assert not r and r.message.startswith("✘ qtc_bazett_hr90: expected a number.")
    r = check("rd001_excluded_term", "hearing impairment", data=demo_data)
    assert not r and "expected an HPO id written like HP:0001250" in r.message
    r = check("rd001_gene", ["SCN1A"], data=demo_data)
    assert not r and "expected text (a str)" in r.message
    for empty in (None, ..., "", "  "):
        r = check("rd001_gene", empty, data=demo_data)
        assert not r.correct and not r.answered and "no answer yet" in r.message


def test_unknown_exercise_is_one_clear_error(demo_data):
    with pytest.raises(ParameterError, match=r"^unknown exercise 'rd001_genes'; known exercises: rd001_n_pass, "):
        check("rd001_genes", "SCN1A", data=demo_data)
    with pytest.raises(ParameterError, match=r"^unknown exercise 3;"):
        check(3, "SCN1A", data=demo_data)


def test_missing_data_folder_is_named(tmp_path):
    with pytest.raises(InputDataError, match="synthetic demo data not found in 'nowhere'"):
        check("rd001_gene", "SCN1A", data=tmp_path / "nowhere")


def test_exercise_list_per_notebook():
    df = exercises("02_find_the_diagnosis")
    assert list(df["name"]) == ["rd001_excluded_term", "rd001_mode", "rd001_gene", "rd001_variant"]
    assert set(exercises()["notebook"]) == {"01_hail_basics", "02_find_the_diagnosis", "03_cardiac_family",
                                            "04_colorectal_cohort"}


def test_genotypes_at_reads_the_familial_variant(demo_data):
    truth = _scd_truth(demo_data)
    gts = genotypes_at(demo_data / "sudden_cardiac_death" / "cardiac.vcf.gz", truth["variant"])
    carriers = {s for s, gt in gts.items() if gt in {"0/1", "1/0", "0|1", "1|0"}}
    assert set(truth["carriers"].split(",")) <= carriers
    assert not set(truth["non_carriers"].split(",")) & carriers
    assert not set(truth["untested"].split(",")) & set(gts)  # untested relatives are not in the VCF
    with pytest.raises(InputDataError, match="variant chr1:1:A:G is not in cardiac.vcf.gz"):
        genotypes_at(demo_data / "sudden_cardiac_death" / "cardiac.vcf.gz", "chr1:1:A:G")


def test_qtc_explorer_table_and_widget():
    html = qtc_explorer_html(400, 90, "F")
    assert "<td>Bazett</td><td>490 ms</td>" in html and "<td>Framingham</td><td>451 ms</td>" in html
    box = qtc_explorer(qt_ms=400, heart_rate=90)
    assert "bigmed-qtc-explorer" in box._dom_classes
    result = box.children[-1]
    assert "490 ms" in result.value
    box.children[2].value = 60  # heart rate 60/min: RR 1 s, every formula gives QT itself
    assert result.value.count("400 ms") == 4
