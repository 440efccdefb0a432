"""HCM Risk-Kids (Norrish et al. JAMA Cardiol 2019;4:918): the published equation, validated use, and the
choice between HCM Risk-Kids and HCM Risk-SCD with the ESC 2023 modifiers in the family table."""

import math

import pandas as pd
import pytest

from bigmed_utils.cardiac import analysis as scd
from bigmed_utils.cardiac.pedigree import validate_pedigree
from bigmed_utils.cardiac.risk_kids import (
    KIDS_BASELINE_SURVIVAL_5Y,
    hcm_risk_from_record,
    hcm_risk_kids,
    kids_prognostic_index,
)
from bigmed_utils.errors import ParameterError

NO = dict(nsvt=False, unexplained_syncope=False)


def _hand(mwt_z, la_z, lvot, syncope=0, nsvt=0):
    # the published model written out independently of the module (Norrish et al. 2019; the authors'
    # calculator and its external validation, Eur J Prev Cardiol 2022;29:678)
    pi = (0.2171364 * (mwt_z - 11.09) - 0.0047562 * (mwt_z ** 2 - 174.12) + 0.130365 * (la_z - 1.92)
          + 0.429624 * syncope + 0.1861694 * nsvt - 0.0065555 * (lvot - 21.8))
    return 100 * (1 - 0.949437808 ** math.exp(pi))


def test_baseline_survival_and_threshold():
    assert KIDS_BASELINE_SURVIVAL_5Y == 0.949437808
    # PI = 0: the 5-year risk is 1 - S0 = 5.06 %, below the 6 % ICD threshold (ESC 2023)
    assert 100 * (1 - KIDS_BASELINE_SURVIVAL_5Y) == pytest.approx(5.0562, abs=1e-4)


@pytest.mark.parametrize("mwt_z, la_z, lvot, syncope, nsvt, expected", [
    # hand-computed: PI = 0.2171364*1.31 - 0.0047562*(153.76-174.12) + 0.130365*0.88 - 0.0065555*3.2
    #                   = 0.284449 + 0.096836 + 0.114721 - 0.020978 = 0.475029; 1 - 0.949437808**1.60807 = 8.00 %
    (12.4, 2.8, 25, 0, 0, 8.00),
    # massive hypertrophy, syncope and NSVT, no obstruction: PI = 1.934685 - 1.074331 + 0.271159 + 0.429624
    # + 0.186169 + 0.142910 = 1.890217; 1 - 0.949437808**6.62060 = 29.07 %
    (20.0, 4.0, 0, 1, 1, 29.07),
    # mild hypertrophy with obstruction (in this model a higher LVOT gradient lowers the risk): PI = -1.322361
    # + 0.709245 - 0.185118 - 0.381530 = -1.179765; 1 - 0.949437808**0.307365 = 1.58 %
    (5.0, 0.5, 80, 0, 0, 1.58),
])
def test_known_values(mwt_z, la_z, lvot, syncope, nsvt, expected):
    res = hcm_risk_kids(age=10, mwt_z=mwt_z, la_z=la_z, lvot_gradient_mmhg=lvot, nsvt=bool(nsvt),
                        unexplained_syncope=bool(syncope))
    assert res.model == "HCM Risk-Kids" and res.status == "computed"
    assert res.percent == pytest.approx(_hand(mwt_z, la_z, lvot, syncope, nsvt), abs=1e-9)
    assert res.percent == pytest.approx(expected, abs=0.01)
    assert res.category == ("high" if expected >= 6 else "low")


def test_prognostic_index_matches_the_equation():
    pi = kids_prognostic_index(mwt_z=12.4, la_z=2.8, lvot_gradient_mmhg=25, **NO)
    assert pi == pytest.approx(0.475029, abs=1e-6)


def test_six_percent_threshold_category_and_recommendation():
    high = hcm_risk_kids(age=12, mwt_z=12.4, la_z=2.8, lvot_gradient_mmhg=25, **NO)
    assert high.category == "high" and "ICD should be considered" in high.recommendation
    low = hcm_risk_kids(age=12, mwt_z=5.0, la_z=0.5, lvot_gradient_mmhg=80, **NO)
    assert low.category == "low" and "not routinely indicated" in low.recommendation


@pytest.mark.parametrize("extra, reason", [
    (dict(age=16), "age 16 >= 16 years: use HCM Risk-SCD"),
    (dict(age=0.5), "age 0.5 < 1 year"),
    (dict(prior_scd_or_sustained_vt=True), "secondary prevention"),
    (dict(syndromic_or_metabolic="Noonan syndrome"), "syndromic/metabolic HCM (Noonan syndrome)"),
])
def test_not_applicable_outside_the_development_cohort(extra, reason):
    inputs = dict(age=10, mwt_z=12.0, la_z=2.0, lvot_gradient_mmhg=10, **NO)
    inputs.update(extra)
    res = hcm_risk_kids(**inputs)
    assert res.status == "not_applicable" and res.percent is None and reason in res.reason


def test_millimetres_without_z_scores_are_not_computable_and_named():
    res = hcm_risk_kids(age=10, mwt_z=None, la_z=float("nan"), lvot_gradient_mmhg=10, **NO)
    assert res.status == "not_computable" and res.missing == ("mwt_z", "la_z")
    assert res.reason == "not computable: missing mwt_z, la_z (HCM Risk-Kids needs Z-scores, not millimetres)"


def test_bad_z_score_is_a_parameter_error():
    with pytest.raises(ParameterError, match="mwt_z: not a number: 'thick'"):
        hcm_risk_kids(age=10, mwt_z="thick", la_z=1.0, lvot_gradient_mmhg=10, **NO)


def test_record_dispatch_by_age_and_lvot_zero():
    child = {"age": 11, "mwt_z": 12.4, "la_z": 2.8, "lvot_gradient_mmhg": 25, "nsvt": 0, "unexplained_syncope": 0,
             "family_history_scd": 1}
    res, mods = hcm_risk_from_record(child)
    assert res.model == "HCM Risk-Kids" and res.percent == pytest.approx(8.00, abs=0.01)
    assert mods["recommendation"] is None  # no modifier recorded; ESC 2023 modifiers are for 16 and over
    adult = {"age": 40, "max_wall_thickness_mm": 20, "la_diameter_mm": 40, "lvot_gradient_mmhg": 0,
             "family_history_scd": 0, "nsvt": 0, "unexplained_syncope": 0, "lvef_percent": 45, "lge_percent": 3}
    res, mods = hcm_risk_from_record(adult, sarcomeric_plp=False)
    assert res.model == "HCM Risk-SCD" and res.status == "computed" and res.category == "low"
    assert mods["present"] == ["LVEF < 50 %"]
    assert mods["recommendation"].startswith("ESC 2023: low risk, but LVEF < 50 %: ICD may be considered (class IIb)")
    res, _ = hcm_risk_from_record(adult, syndromic="Fabry disease")
    assert res.status == "not_applicable" and "Fabry disease" in res.reason


def test_family_table_shows_kids_and_esc_modifiers_beside_the_score():
    ped = pd.DataFrame({"family_id": ["H"] * 4, "individual_id": ["D", "M", "P", "C"],
                        "paternal_id": ["0", "0", "D", "D"], "maternal_id": ["0", "0", "M", "M"],
                        "sex": [1, 2, 1, 2], "phenotype": [2, 1, 2, 2]})
    p = validate_pedigree(ped, family_id="H")
    echo = pd.DataFrame([
        {"person_id": "P", "date": "2020-05-01", "max_wall_thickness_mm": 22, "la_diameter_mm": 45,
         "lvot_gradient_mmhg": 0, "lge_percent": 18, "lvef_percent": 58, "apical_aneurysm": 0},
        {"person_id": "C", "date": "2020-05-01", "max_wall_thickness_mm": 14, "la_diameter_mm": 30,
         "mwt_z": 12.4, "la_z": 2.8, "lvot_gradient_mmhg": 25},
        {"person_id": "D", "date": "2020-05-01", "max_wall_thickness_mm": 19, "la_diameter_mm": 41,
         "lvot_gradient_mmhg": 12},
    ])
    clinical = pd.DataFrame([
        {"person_id": "P", "age": 40, "family_history_scd": 0, "nsvt": 1, "unexplained_syncope": 0,
         "prior_cardiac_arrest_or_sustained_vt": 0, "athlete": 0},
        {"person_id": "C", "age": 11, "family_history_scd": 0, "nsvt": 0, "unexplained_syncope": 0,
         "prior_cardiac_arrest_or_sustained_vt": 0, "athlete": 0},
        {"person_id": "D", "age": 68, "family_history_scd": 0, "nsvt": 0, "unexplained_syncope": 0,
         "prior_cardiac_arrest_or_sustained_vt": 0, "athlete": 0},
    ])
    risk = scd.family_hcm_risk(pedigree=p, proband="P", echo=echo, clinical=clinical,
                               affected={"P": "affected", "C": "affected", "D": "affected"}, deceased=set(),
                               visits=pd.DataFrame(), sarcomeric_plp={"P": True, "C": True, "D": None})
    r = risk.set_index("person")
    # the proband: HCM Risk-SCD with LVOT 0 gives a number; LGE 18 % and a sarcomeric variant beside it
    assert r.loc["P", "model"] == "HCM Risk-SCD" and r.loc["P", "status"] == "computed"
    assert r.loc["P", "esc2023_modifiers"] == "LGE >= 15 % of LV mass; sarcomeric P/LP variant"
    assert "used as recorded" in r.loc["P", "notes"]
    # PI = 0.15939858*22 - 0.00294271*484 + 0.0259082*45 + 0.82639195 - 0.01799934*40 = 3.354784: 5.57 %
    assert r.loc["P", "percent"] == pytest.approx(5.57, abs=0.01) and r.loc["P", "category"] == "intermediate"
    assert r.loc["P", "esc2023_recommendation"].startswith(
        "ESC 2023: intermediate risk with LGE >= 15 % of LV mass, sarcomeric P/LP variant: ICD should be "
        "considered (class IIa)")
    # the 11-year-old: HCM Risk-Kids from the Z-scores
    assert r.loc["C", "model"] == "HCM Risk-Kids" and r.loc["C", "percent"] == pytest.approx(8.00, abs=0.01)
    assert r.loc["C", "category"] == "high"
    # the father (1.28 %, low): no LGE/LVEF recorded, named in the recommendation
    assert r.loc["D", "category"] == "low"
    assert r.loc["D", "esc2023_recommendation"] == ("ESC 2023: low risk, no risk modifier present: ICD generally not "
                                                    "indicated (not recorded: LGE, LVEF, LV apical aneurysm, "
                                                    "abnormal blood pressure response to exercise, sarcomeric P/LP "
                                                    "variant)")
