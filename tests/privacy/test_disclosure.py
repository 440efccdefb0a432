"""Small-cell suppression (All of Us: counts 1-20 hidden) with complementary suppression against totals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bigmed_utils.errors import InputDataError
from bigmed_utils.privacy.disclosure import (
    ALL_OF_US_THRESHOLD,
    SUPPRESSED,
    audit_suppression,
    is_small_count,
    suppress_counts,
    suppress_plot_data,
)


def test_threshold_is_the_all_of_us_policy():
    # "No participant count of 1 to 20 can be published or distributed directly (a count of 0 is permitted)"
    assert ALL_OF_US_THRESHOLD == 20
    assert [n for n in range(0, 25) if is_small_count(n)] == list(range(1, 21))
    assert not is_small_count(True) and not is_small_count(2.5) and not is_small_count("3")


def solve_by_lines(shown: pd.DataFrame) -> dict[tuple, float]:
    """Independent checker: repeatedly solve every row and column equation that has one unknown.

    ``shown`` has its total row and column last; returns the hidden cells it could recompute.
    """
    grid = shown.to_numpy(dtype=object).copy()
    n_rows, n_cols = grid.shape
    unknown = lambda v: v == SUPPRESSED  # noqa: E731
    recovered = {}
    changed = True
    while changed:
        changed = False
        lines = [[(r, c) for c in range(n_cols)] for r in range(n_rows)]
        lines += [[(r, c) for r in range(n_rows)] for c in range(n_cols)]
        for cells in lines:
            *members, total = cells
            missing = [rc for rc in cells if unknown(grid[rc])]
            if len(missing) != 1:
                continue
            rc = missing[0]
            known_members = sum(grid[m] for m in members if m != rc)
            grid[rc] = known_members if rc == total else grid[total] - known_members
            recovered[(shown.index[rc[0]], shown.columns[rc[1]])] = grid[rc]
            changed = True
    return recovered


@pytest.fixture
def cohort():
    """Molecular group by stage; the 3 MSI-H stage IV patients are the planted small cell."""
    return pd.DataFrame(
        {"I-II": [40, 22, 130], "III": [35, 28, 150], "IV": [3, 30, 90]},
        index=["MSI-H", "BRAF V600E", "MSS/KRAS"],
    )


def test_planted_3_would_be_derivable_from_totals_without_secondary_suppression(cohort):
    naive = cohort.astype(object)
    naive["Total"] = cohort.sum(axis=1)
    naive.loc["Total"] = list(cohort.sum(axis=0)) + [int(cohort.to_numpy().sum())]
    naive.loc["MSI-H", "IV"] = SUPPRESSED  # primary suppression only
    assert solve_by_lines(naive) == {("MSI-H", "IV"): 3}


def test_planted_3_is_protected(cohort):
    res = suppress_counts(cohort)
    table = res.table
    assert table.loc["MSI-H", "IV"] == SUPPRESSED
    reasons = {(r, c): why for r, c, why in res.suppressed}
    assert reasons[("MSI-H", "IV")] == "primary"
    # a second cell in its row and in its column is hidden (the classic smallest-cell choice)
    assert reasons[("MSI-H", "III")] == "secondary"  # 35, smallest other cell of the row
    assert reasons[("BRAF V600E", "IV")] == "secondary"  # 30, smallest other cell of the column
    assert sum(table.loc["MSI-H"] == SUPPRESSED) >= 2 and sum(table["IV"] == SUPPRESSED) >= 2
    # totals are shown and no hidden cell can be recomputed from them
    assert table.loc["Total", "Total"] == 528
    assert solve_by_lines(table) == {}
    assert audit_suppression(res.counts, res.hidden) == []
    assert not any(is_small_count(v) for v in table.to_numpy().ravel())


def test_zero_is_shown_and_never_the_only_complement():
    # row a: 3 and 0; hiding the 0 as well would reveal 3 as the sum of the row's hidden cells
    t = pd.DataFrame({"x": [3, 50], "y": [0, 60], "z": [40, 70]}, index=["a", "b"])
    res = suppress_counts(t)
    assert res.table.loc["a", "y"] == 0
    assert res.table.loc["a", "z"] == SUPPRESSED
    assert audit_suppression(res.counts, res.hidden) == []


def test_small_total_is_suppressed_too():
    t = pd.DataFrame({"x": [3, 100], "y": [4, 100]}, index=["rare", "common"])  # row total 7
    res = suppress_counts(t)
    assert res.table.loc["rare", "Total"] == SUPPRESSED
    assert ("rare", "Total", "primary") in res.suppressed
    assert audit_suppression(res.counts, res.hidden) == []


@pytest.mark.parametrize("seed", range(25))
def test_random_tables_are_safe(seed):
    rng = np.random.default_rng(seed)
    shape = (rng.integers(2, 5), rng.integers(2, 5))
    values = rng.choice([0, 1, 2, 5, 12, 19, 20, 21, 25, 40, 80, 150], size=shape)
    t = pd.DataFrame(values, index=[f"r{i}" for i in range(shape[0])], columns=[f"c{j}" for j in range(shape[1])])
    res = suppress_counts(t)
    assert audit_suppression(res.counts, res.hidden) == []
    assert solve_by_lines(res.table) == {}
    shown = [v for v in res.table.to_numpy().ravel() if v != SUPPRESSED]
    assert not any(1 <= v <= 20 for v in shown)


def test_audit_finds_a_bridge_that_line_checks_miss():
    """Two hidden 2x2 cycles joined by one hidden cell: every line has 2+ hidden cells, yet the joining
    cell is fixed by the equations taken together (it lies on no cycle)."""
    values = np.full((4, 4), 50)
    t = pd.DataFrame(values, index=list("abcd"), columns=list("wxyz"))
    res = suppress_counts(t)  # nothing small: nothing hidden
    assert res.suppressed == []
    hidden = pd.DataFrame(False, index=res.counts.index, columns=res.counts.columns)
    for r, c in [("a", "w"), ("a", "x"), ("b", "w"), ("b", "x"), ("c", "y"), ("c", "z"), ("d", "y"), ("d", "z"), ("b", "y")]:
        hidden.loc[r, c] = True
    shown = res.counts.astype(object).mask(hidden, SUPPRESSED)
    assert solve_by_lines(shown) == {}  # the line-by-line check sees nothing
    assert audit_suppression(res.counts, hidden) == ["cell ('b', 'y') = 50 is fixed by the equations"]


def test_series_with_total():
    res = suppress_counts(pd.Series({"KRAS": 3, "BRAF": 50, "NRAS": 60, "HER2": 0}, name="patients"))
    assert list(res.table) == [SUPPRESSED, SUPPRESSED, 60, 0, 113]
    assert list(res.table.index) == ["KRAS", "BRAF", "NRAS", "HER2", "Total"]
    assert res.suppressed == [("KRAS", "patients", "primary"), ("BRAF", "patients", "secondary")]


def test_without_totals_only_primary():
    res = suppress_counts(pd.DataFrame({"x": [3, 50]}), totals=False)
    assert list(res.table["x"]) == [SUPPRESSED, 50]


def test_given_margins_recognised_and_checked():
    good = pd.DataFrame({"x": [3, 50, 53], "y": [40, 60, 100], "Total": [43, 110, 153]}, index=["a", "b", "Total"])
    res = suppress_counts(good)
    assert list(res.table.columns) == ["x", "y", "Total"] and list(res.table.index) == ["a", "b", "Total"]
    bad = good.copy()
    bad.loc["b", "Total"] = 111
    with pytest.raises(InputDataError, match=r"^counts table: total column 'Total' does not equal the sum of the cells at 'b'$"):
        suppress_counts(bad)


def test_bad_cell_is_named():
    with pytest.raises(InputDataError, match=r"^counts table: cell \('b', 'x'\) is not a non-negative whole count: -1$"):
        suppress_counts(pd.DataFrame({"x": [3, -1]}, index=["a", "b"]))


def test_plot_data_one_and_two_way():
    bars = pd.DataFrame({"gene": ["KRAS", "BRAF", "NRAS"], "n": [3, 50, 60]})
    out, hidden = suppress_plot_data(bars, count_column="n", by=["gene"])
    assert out["n"].isna().tolist() == [True, True, False]
    assert out["suppressed"].tolist() == [True, True, False]
    stacked = pd.DataFrame({
        "group": ["MSI-H", "MSI-H", "MSS", "MSS"], "stage": ["early", "late", "early", "late"], "n": [3, 40, 45, 112],
    })
    out2, _ = suppress_plot_data(stacked, count_column="n", by=["group", "stage"])
    assert out2["suppressed"].tolist() == [True, True, True, True]  # a 2x2 table with a small cell hides all four
