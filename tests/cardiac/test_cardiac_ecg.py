"""QTc formulas, flags, Schwartz points and the per-visit table with excluded rows."""

import math

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

from bigmed_utils import cardiac  # noqa: E402
from bigmed_utils.cardiac import (  # noqa: E402
    latest_qtc, plot_qtc_trend, qtc_bazett, qtc_flag, qtc_framingham, qtc_fridericia, qtc_hodges, qtc_table,
    schwartz_qtc_points,
)
from bigmed_utils.errors import InputDataError, ParameterError  # noqa: E402


def test_four_formulas_hand_computed_qt400_rr064():
    # QT 400 ms, RR 0.64 s (HR 93.75/min)
    assert qtc_bazett(400, rr_s=0.64) == pytest.approx(500.0)          # 400 / 0.8
    assert qtc_fridericia(400, rr_s=0.64) == pytest.approx(464.16, abs=0.01)  # 400 / 0.8618
    assert qtc_framingham(400, rr_s=0.64) == pytest.approx(455.44)      # 400 + 154 * 0.36
    assert qtc_hodges(400, heart_rate=93.75) == pytest.approx(459.0625)  # 400 + 1.75 * 33.75
    assert qtc_hodges(400, rr_s=0.64) == pytest.approx(459.0625)


def test_rr_of_one_second_leaves_qt_unchanged_in_every_formula():
    for fn in (qtc_bazett, qtc_fridericia, qtc_framingham, qtc_hodges):
        assert fn(420, rr_s=1.0) == pytest.approx(420.0)


def test_vectorised_over_numpy_and_pandas():
    qt = pd.Series([400.0, 360.0], index=["a", "b"])
    rr = pd.Series([0.64, 1.21], index=["a", "b"])
    out = qtc_bazett(qt, rr_s=rr)
    assert isinstance(out, pd.Series) and list(out.index) == ["a", "b"]
    assert out.tolist() == pytest.approx([500.0, 360 / 1.1])
    arr = qtc_fridericia(np.array([400.0, 400.0]), rr_s=np.array([1.0, 0.0]))
    assert arr[0] == pytest.approx(400.0) and math.isnan(arr[1])


@pytest.mark.parametrize("kwargs, message", [
    ({"qt_ms": 0, "rr_s": 0.8}, "qt_ms: must be a positive"),
    ({"qt_ms": 400, "rr_s": -0.5}, "rr_s: must be a positive"),
    ({"qt_ms": 400, "rr_s": float("nan")}, "rr_s: must be a positive"),
    ({"qt_ms": 400}, "give rr_s"),
])
def test_impossible_scalar_values_raise(kwargs, message):
    qt = kwargs.pop("qt_ms")
    with pytest.raises(ParameterError, match=message):
        qtc_bazett(qt, **kwargs)


def test_public_api_exports_qtc_functions():
    for name in ("qtc_bazett", "qtc_fridericia", "qtc_framingham", "qtc_hodges", "hcm_risk_scd"):
        assert callable(getattr(cardiac, name))


def test_sex_specific_flags_at_the_boundaries():
    # AHA/ACCF/HRS 2009: >= 450 ms men, >= 460 ms women prolonged; >= 500 ms high risk
    assert qtc_flag(449.9, sex="M") == "normal"
    assert qtc_flag(450.0, sex="M") == "prolonged"
    assert qtc_flag(459.9, sex="F") == "normal"
    assert qtc_flag(460.0, sex="F") == "prolonged"
    assert qtc_flag(500.0, sex="F") == "high_risk"
    assert qtc_flag(499.9, sex="M") == "prolonged"
    assert qtc_flag(float("nan"), sex="M") == "not_computable"


def test_schwartz_qtc_points():
    # Schwartz & Crotti, Circulation 2011;124:2181
    assert schwartz_qtc_points(480, sex="F") == 3
    assert schwartz_qtc_points(479.9, sex="F") == 2
    assert schwartz_qtc_points(460, sex="M") == 2
    assert schwartz_qtc_points(455, sex="M") == 1
    assert schwartz_qtc_points(455, sex="F") == 0
    assert schwartz_qtc_points(449, sex="M") == 0


def _ecg():
    return pd.DataFrame({
        "person_id": ["P1", "P1", "P2", "P3", "P4", "P5", "P6", "P7"],
        "family_id": ["F1"] * 8,
        "date": ["2020-01-01", "2022-06-01", "2021-03-03", "2021-03-03", "2021-03-03", "2021-03-03",
                 "2021-03-03", "2021-03-03"],
        "age": [30, 32, 50, 40, 41, 42, 43, 44],
        "sex": ["M", "M", "F", "F", "M", "F", "M", "F"],
        "heart_rate": [93.75, 60.0, 75.0, 70.0, 80.0, None, 60.0, 100.0],
        "rr_s": [0.64, 1.0, 0.8, -0.5, 0.75, None, 1.0, 1.0],
        "qt_ms": [400, 470, 420, 400, 0, 410, None, 400],
        "qrs_ms": [90] * 8,
        "pr_ms": [160] * 8,
    })


def test_qtc_table_computes_valid_rows_and_lists_every_excluded_row_with_a_reason():
    visits, excluded = qtc_table(_ecg())
    assert len(visits) + len(excluded) == 8
    reasons = dict(zip(excluded["person_id"], excluded["reason"]))
    assert "rr_s <= 0" in reasons["P3"]
    assert "qt_ms <= 0" in reasons["P4"]
    assert "missing rr_s and heart_rate" in reasons["P5"]
    assert "missing or non-numeric qt_ms" in reasons["P6"]
    assert "differ by more than" in reasons["P7"]  # HR 100 vs RR 1.0 s
    first = visits[(visits["person_id"] == "P1") & (visits["age"] == 30)].iloc[0]
    assert first["qtc_bazett"] == pytest.approx(500.0)
    assert first["flag"] == "high_risk"
    assert first["schwartz_qtc_points"] == 3


def test_qtc_table_missing_column_is_an_input_error():
    with pytest.raises(InputDataError, match=r"ecg.csv: missing column\(s\) \['qt_ms'\]"):
        qtc_table(_ecg().drop(columns="qt_ms"), source="ecg.csv")


def test_latest_qtc_picks_last_visit_per_person():
    visits, _ = qtc_table(_ecg())
    latest = latest_qtc(visits).set_index("person_id")
    assert latest.loc["P1", "qtc_bazett"] == pytest.approx(470.0)
    assert latest.loc["P1", "n_visits"] == 2
    assert latest.loc["P1", "flag"] == "prolonged"
    assert set(latest.index) == {"P1", "P2"}


def test_plot_qtc_trend_draws_one_line_per_person():
    visits, _ = qtc_table(_ecg())
    fig = plot_qtc_trend(visits)
    ax = fig.axes[0]
    assert ax.get_ylabel() == "QTc Bazett (ms)"
    assert {t.get_text() for t in ax.get_legend().get_texts()} >= {"P1", "P2", "500 ms (high risk)"}
    import matplotlib.pyplot as plt
    plt.close(fig)


def test_qtc_summary_for_summary_json():
    from bigmed_utils.cardiac import qtc_summary

    visits, _ = qtc_table(_ecg())
    summ = qtc_summary(latest_qtc(visits))
    assert summ["P1"]["bazett"] == 470.0 and summ["P1"]["flag"] == "prolonged"
    assert summ["P1"]["date"] == "2022-06-01" and summ["P1"]["n_visits"] == 2
    assert set(summ["P1"]) >= {"bazett", "fridericia", "framingham", "hodges"}
