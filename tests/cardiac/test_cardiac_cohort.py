"""Cohort helpers: diagnostic yield with Wilson intervals and QTc by genotype."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from bigmed_utils.cardiac import (  # noqa: E402
    diagnostic_yield, latest_qtc, plot_diagnostic_yield, plot_qtc_by_genotype, qtc_by_genotype, qtc_table,
)
from bigmed_utils.cardiac.cohort import wilson_interval  # noqa: E402


def test_wilson_interval_known_value():
    # 8 of 10: Wilson 95 % interval 0.490-0.943 (Newcombe, Stat Med 1998;17:857, Table I example)
    lo, hi = wilson_interval(8, 10)
    assert lo == pytest.approx(0.4902, abs=1e-4) and hi == pytest.approx(0.9433, abs=1e-4)


def test_diagnostic_yield_per_condition():
    res = pd.DataFrame({
        "family_id": ["A", "A", "B", "C", "D", "E"],
        "condition": ["hcm", "hcm", "hcm", "long_qt", "long_qt", "long_qt"],
        "acmg_class": ["VUS", "Likely pathogenic", "", "Pathogenic", "VUS", "Pathogenic"],
    })
    y = diagnostic_yield(res).set_index("condition")
    assert (y.loc["hcm", "n_families"], y.loc["hcm", "n_solved"]) == (2, 1)
    assert y.loc["long_qt", "yield"] == pytest.approx(2 / 3)
    assert (y.loc["all", "n_families"], y.loc["all", "n_solved"]) == (5, 3)
    fig = plot_diagnostic_yield(y.reset_index())
    assert len(fig.axes[0].patches) == 3
    plt.close(fig)


def test_qtc_by_genotype_join_and_plot():
    ecg = pd.DataFrame({
        "person_id": ["a", "b", "c"], "family_id": ["F"] * 3, "date": ["2020-01-01"] * 3, "age": [30, 40, 50],
        "sex": ["M", "F", "F"], "heart_rate": [60, 60, 60], "rr_s": [1.0, 1.0, 1.0], "qt_ms": [480, 420, 430],
        "qrs_ms": [90] * 3, "pr_ms": [150] * 3,
    })
    visits, _ = qtc_table(ecg)
    joined = qtc_by_genotype(latest_qtc(visits), {"a": "0/1", "b": "0/0"}).set_index("person_id")
    assert list(joined["genotype_status"]) == ["carrier", "non-carrier", "untested"]
    fig = plot_qtc_by_genotype(joined.reset_index())
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["carrier", "non-carrier", "untested"]
    plt.close(fig)
