"""HCM Risk-SCD (O'Mahony et al. Eur Heart J 2014;35:2010): known values, categories, validated use."""

import math

import pandas as pd
import pytest

from bigmed_utils.cardiac import hcm_risk_scd, hcm_risk_scd_table
from bigmed_utils.cardiac.risk import prognostic_index, risk_category
from bigmed_utils.errors import ParameterError

BASE = dict(family_history_scd=False, nsvt=False, unexplained_syncope=False)


def _hand(age, mwt, la, lvot, fh=0, nsvt=0, sync=0):
    # the published equation written out independently of the module
    pi = (0.15939858 * mwt - 0.00294271 * mwt * mwt + 0.0259082 * la + 0.00446131 * lvot
          + 0.4583082 * fh + 0.82639195 * nsvt + 0.71650361 * sync - 0.01799934 * age)
    return 100 * (1 - 0.998 ** math.exp(pi))


@pytest.mark.parametrize("inputs, expected", [
    # values reproduced by an independent open calculator: 2.23 % and 5.1 %
    (dict(age=45, mwt_mm=20, la_mm=42, lvot_gradient_mmhg=30, **BASE), 2.23),
    (dict(age=45, mwt_mm=22, la_mm=44, lvot_gradient_mmhg=30, family_history_scd=False, nsvt=False,
          unexplained_syncope=True), 5.10),
    # recomputed by hand: PI = 4.7819574 - 2.648439 + 1.29541 + 0.446131 + 0.4583082 + 0.82639195
    # - 0.5399802 = 4.6197794; exp(PI) = 101.47; 1 - 0.998**101.47 = 1 - exp(-0.20314) = 0.1838
    (dict(age=30, mwt_mm=30, la_mm=50, lvot_gradient_mmhg=100, family_history_scd=True, nsvt=True,
          unexplained_syncope=False), 18.38),
])
def test_known_values_within_0_01_percentage_points(inputs, expected):
    res = hcm_risk_scd(**inputs)
    assert res.applicable and res.status == "computed"
    assert res.percent == pytest.approx(expected, abs=0.01)


@pytest.mark.parametrize("age, mwt, la, lvot, fh, nsvt, sync", [
    (16, 10, 28, 2, 0, 0, 0), (70, 35, 67, 154, 1, 1, 1), (52, 18, 39, 8, 1, 0, 0), (25, 28, 48, 90, 0, 1, 1),
])
def test_matches_the_equation_on_several_inputs(age, mwt, la, lvot, fh, nsvt, sync):
    res = hcm_risk_scd(age=age, mwt_mm=mwt, la_mm=la, lvot_gradient_mmhg=lvot, family_history_scd=bool(fh),
                       nsvt=bool(nsvt), unexplained_syncope=bool(sync))
    assert res.percent == pytest.approx(_hand(age, mwt, la, lvot, fh, nsvt, sync), abs=0.01)


def test_prognostic_index_value():
    pi = prognostic_index(age=45, mwt_mm=20, la_mm=42, lvot_gradient_mmhg=30, **BASE)
    assert pi == pytest.approx(2.422901, abs=1e-6)


@pytest.mark.parametrize("percent, category", [
    (3.99, "low"), (4.00, "intermediate"), (5.99, "intermediate"), (6.00, "high"), (0.0, "low"),
])
def test_esc_category_boundaries(percent, category):
    assert risk_category(percent) == category


def test_recommendation_text_follows_category():
    res = hcm_risk_scd(age=30, mwt_mm=30, la_mm=50, lvot_gradient_mmhg=100, family_history_scd=True,
                       nsvt=True, unexplained_syncope=False)
    assert res.category == "high" and "should be considered" in res.recommendation


@pytest.mark.parametrize("extra, reason", [
    (dict(age=15), "age 15 < 16 years"),
    (dict(prior_scd_or_sustained_vt=True), "secondary prevention"),
    (dict(competitive_athlete=True), "athlete"),
    (dict(syndromic_or_metabolic="Fabry disease"), "metabolic/syndromic HCM (Fabry disease)"),
    (dict(syndromic_or_metabolic=True), "metabolic/syndromic HCM"),
    (dict(mwt_mm=36), "mwt_mm 36 mm outside the validated range 10-35 mm"),
    (dict(mwt_mm=9), "mwt_mm 9 mm outside the validated range"),
    (dict(la_mm=70), "la_mm 70 mm outside"),
    (dict(lvot_gradient_mmhg=160), "lvot_gradient_mmhg 160 mmHg outside"),
])
def test_not_applicable_outside_validated_use(extra, reason):
    inputs = dict(age=40, mwt_mm=20, la_mm=40, lvot_gradient_mmhg=10, **BASE)
    inputs.update(extra)
    res = hcm_risk_scd(**inputs)
    assert res.applicable is False and res.status == "not_applicable"
    assert res.percent is None and res.category is None
    assert reason in res.reason


def test_missing_inputs_are_not_computable_and_named():
    res = hcm_risk_scd(age=40, mwt_mm=20, la_mm=None, lvot_gradient_mmhg=float("nan"), **BASE)
    assert res.status == "not_computable" and res.percent is None
    assert res.missing == ("la_mm", "lvot_gradient_mmhg")
    assert "la_mm" in res.reason and "lvot_gradient_mmhg" in res.reason


def test_impossible_value_is_a_parameter_error():
    with pytest.raises(ParameterError, match="mwt_mm: must be a non-negative"):
        hcm_risk_scd(age=40, mwt_mm=-3, la_mm=40, lvot_gradient_mmhg=10, **BASE)


def test_table_keeps_every_row_and_says_why():
    df = pd.DataFrame({
        "person_id": ["A", "B", "C"],
        "age": [45, 12, 50],
        "max_wall_thickness_mm": [20, 18, 22],
        "la_diameter_mm": [42, 35, None],
        "lvot_gradient_mmhg": [30, 5, 20],
        "family_history_scd": [0, 0, 1], "nsvt": [0, 0, 0], "unexplained_syncope": [0, 1, 0],
    })
    out = hcm_risk_scd_table(df).set_index("person_id")
    assert out.loc["A", "percent"] == pytest.approx(2.23, abs=0.01)
    assert out.loc["B", "status"] == "not_applicable" and "age 12" in out.loc["B", "reason"]
    assert out.loc["C", "status"] == "not_computable" and "la_mm" in out.loc["C", "reason"]
    assert len(out) == 3


def test_to_dict_for_summary_json():
    d = hcm_risk_scd(age=45, mwt_mm=20, la_mm=42, lvot_gradient_mmhg=30, **BASE).to_dict()
    assert set(d) >= {"percent", "category", "applicable", "reason"}


def test_to_summary_null_with_reason():
    s = hcm_risk_scd(age=12, mwt_mm=20, la_mm=40, lvot_gradient_mmhg=10, **BASE).to_summary()
    assert s["percent"] is None and s["category"] is None and "age 12" in s["reason"]
    s = hcm_risk_scd(age=45, mwt_mm=20, la_mm=42, lvot_gradient_mmhg=30, **BASE).to_summary()
    assert s["percent"] == 2.23 and s["category"] == "low"


# --- a recorded LVOT gradient of 0 mmHg is valid --------------------------------------------------------------


@pytest.mark.parametrize("lvot", [0, 0.0, 1.5])
def test_lvot_gradient_below_2_mmhg_gives_a_number(lvot):
    # non-obstructive HCM: 0 mmHg is a measurement, not an input outside the model
    res = hcm_risk_scd(age=45, mwt_mm=20, la_mm=42, lvot_gradient_mmhg=lvot, **BASE)
    assert res.status == "computed" and res.applicable
    assert res.percent == pytest.approx(_hand(45, 20, 42, lvot), abs=1e-9)
    # PI = 2.4229010 - 0.00446131 x 30 = 2.2890617 at 0 mmHg: 1.96 % (2.23 % at 30 mmHg)
    assert res.percent == pytest.approx(1.96, abs=0.015)
    assert res.category == "low" and "used as recorded" in res.notes[0]
    assert res.to_summary()["notes"] == list(res.notes)


def test_lvot_zero_in_a_table_row_from_echo():
    df = pd.DataFrame({"person_id": ["A"], "age": [50], "max_wall_thickness_mm": [24], "la_diameter_mm": [45],
                       "lvot_gradient_mmhg": [0], "family_history_scd": [0], "nsvt": [1], "unexplained_syncope": [0]})
    out = hcm_risk_scd_table(df).set_index("person_id")
    assert out.loc["A", "status"] == "computed"
    assert out.loc["A", "percent"] == pytest.approx(_hand(50, 24, 45, 0, nsvt=1), abs=1e-9)


def test_negative_lvot_is_still_an_error():
    with pytest.raises(ParameterError, match="lvot_gradient_mmhg: must be a non-negative"):
        hcm_risk_scd(age=40, mwt_mm=20, la_mm=40, lvot_gradient_mmhg=-1, **BASE)


# --- ESC 2023 risk modifiers beside the score -------------------------------------------------------------------


def test_esc2023_thresholds_are_the_guideline_values():
    from bigmed_utils.cardiac.risk import LGE_EXTENSIVE_PERCENT, LVEF_REDUCED_BELOW_PERCENT

    # Arbelo et al. Eur Heart J 2023;44:3503: "significant LGE (usually >= 15 % of LV mass)", "LVEF < 50 %"
    assert LGE_EXTENSIVE_PERCENT == 15.0 and LVEF_REDUCED_BELOW_PERCENT == 50.0


@pytest.mark.parametrize("category, kwargs, present, text", [
    ("low", dict(lge_percent=15), ["LGE >= 15 % of LV mass"], "low risk, but LGE >= 15 % of LV mass: ICD may be considered (class IIb)"),
    ("low", dict(lge_percent=14.9, lvef_percent=50, apical_aneurysm=False), [], "low risk, no risk modifier present: ICD generally not indicated"),
    ("low", dict(lvef_percent=49), ["LVEF < 50 %"], "ICD may be considered (class IIb)"),
    ("low", dict(apical_aneurysm=True), ["LV apical aneurysm"], "ICD may be considered (class IIb)"),
    # the two intermediate-only modifiers do not change a low-risk recommendation
    ("low", dict(sarcomeric_plp=True, abnormal_bp_response=True),
     ["abnormal blood pressure response to exercise", "sarcomeric P/LP variant"], "no risk modifier present"),
    ("intermediate", dict(sarcomeric_plp=True), ["sarcomeric P/LP variant"], "ICD should be considered (class IIa)"),
    ("intermediate", dict(abnormal_bp_response=True), ["abnormal blood pressure response to exercise"], "class IIa"),
    ("intermediate", dict(lge_percent=5, lvef_percent=60, apical_aneurysm=False, abnormal_bp_response=False,
                          sarcomeric_plp=False), [], "intermediate risk, no risk modifier present: ICD may be considered (class IIb)"),
    ("high", dict(), [], "5-year risk >= 6 %: ICD should be considered (class IIa)"),
])
def test_esc2023_risk_modifiers(category, kwargs, present, text):
    from bigmed_utils.cardiac.risk import esc2023_risk_modifiers

    out = esc2023_risk_modifiers(category=category, **kwargs)
    assert out["present"] == present
    assert text in out["recommendation"]


def test_esc2023_modifiers_name_what_was_not_recorded():
    from bigmed_utils.cardiac.risk import esc2023_risk_modifiers

    out = esc2023_risk_modifiers(category="intermediate", lvef_percent=60)
    assert out["not_recorded"] == ["LGE", "LV apical aneurysm", "abnormal blood pressure response to exercise",
                                   "sarcomeric P/LP variant"]
    assert out["recommendation"].endswith("(not recorded: LGE, LV apical aneurysm, abnormal blood pressure response "
                                          "to exercise, sarcomeric P/LP variant)")
    assert esc2023_risk_modifiers(category=None, lge_percent=20)["recommendation"] is None
