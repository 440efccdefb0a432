"""Statistical disclosure control for counts that leave the secure lab: small-cell and complementary suppression.

The rule is the All of Us Research Program's Data and Statistics Dissemination Policy, as quoted in its
"Overview of All of Us Research Program Policies for Researchers" (support.researchallofus.org, article
4415498292244):

* "No participant count of 1 to 20 can be published or distributed directly (a count of 0 is permitted)";
* "No data or statistics can be reported that allow a participant count of 1 to 20 to be derived from
  other reported cells or information, including in text, tables, or figures."

So ``threshold`` is the largest count that is hidden: counts ``1..threshold`` (inclusive) are suppressed,
``0`` and counts above ``threshold`` are shown. The default, :data:`ALL_OF_US_THRESHOLD` = 20, is that policy
(a threshold of 19 would show a count of 20, which the policy text hides).

Primary suppression hides each count in ``1..threshold``, totals included. Complementary (secondary)
suppression then hides further cells until no hidden cell can be worked out from what is shown:

* in every row and column equation (cells + total), a line with exactly one hidden cell gets a second one
  (the smallest positive visible cell of that line, the classic choice; the line's total if none is left);
* where a line's total is visible, the sum of its hidden cells is known, so that sum must not be a count in
  ``1..threshold`` either (two hidden cells of 3 and 0 would reveal "3");
* the result is checked by linear algebra (no hidden cell is a linear combination of shown values, which
  catches chains across rows and columns that the line rule misses) and, when SciPy is present, by linear
  programming (no hidden cell is bounded inside ``1..threshold`` by the equations and non-negativity);
  any failure adds a further complementary cell and the loop repeats to a fixed point.

Every hidden cell shows the same marker (default ``"suppressed"``): showing which cells are small (primary)
and which were hidden only to protect them would narrow the intervals a reader can compute.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Hashable, Literal, Sequence

import numpy as np
import pandas as pd

from ..errors import InputDataError, ParameterError

__all__ = [
    "ALL_OF_US_THRESHOLD",
    "SUPPRESSED",
    "SuppressionResult",
    "audit_suppression",
    "is_small_count",
    "suppress_counts",
    "suppress_plot_data",
]

#: Largest participant count that must not be shown: All of Us Data and Statistics Dissemination Policy,
#: "No participant count of 1 to 20 can be published or distributed directly (a count of 0 is permitted)".
ALL_OF_US_THRESHOLD = 20
#: What a hidden cell shows (the same for primary and complementary suppression).
SUPPRESSED = "suppressed"
TOTAL = "Total"
_TOTAL_NAMES = {"total", "all", "sum"}
_LP_MAX_CELLS = 600  # larger tables get the exact (rank) audit only; LP per hidden cell would be slow

Reason = Literal["primary", "secondary"]


def is_small_count(value: Any, *, threshold: int = ALL_OF_US_THRESHOLD) -> bool:
    """Whether ``value`` is an integer count that must be hidden (``1 <= value <= threshold``)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer, float, np.floating)):
        return False
    if isinstance(value, (float, np.floating)) and (np.isnan(value) or value != int(value)):
        return False
    return 1 <= int(value) <= threshold


@dataclass
class SuppressionResult:
    """A table ready to leave the lab and what was hidden.

    Attributes
    ----------
    table
        The counts (margins added when ``totals=True``) as object dtype, hidden cells showing the marker.
    suppressed
        ``(row, column, reason)`` for every hidden cell, ``reason`` ``'primary'`` (a count in
        ``1..threshold``) or ``'secondary'`` (hidden so that a primary cell cannot be derived). For a
        Series the column is the Series name (``'count'`` when unnamed). Keep this list inside the lab.
    counts
        The full table with margins, unsuppressed (inside the lab only; used by :func:`audit_suppression`).
    threshold
        Largest hidden count.
    """

    table: pd.DataFrame | pd.Series
    suppressed: list[tuple[Hashable, Hashable, Reason]]
    counts: pd.DataFrame = field(repr=False)
    threshold: int = ALL_OF_US_THRESHOLD

    @property
    def hidden(self) -> pd.DataFrame:
        """Boolean mask of the hidden cells, shaped like :attr:`counts`."""
        mask = pd.DataFrame(False, index=self.counts.index, columns=self.counts.columns)
        for row, col, _ in self.suppressed:
            mask.loc[row, col] = True
        return mask


# ---------------------------------------------------------------------------------------------------------
# The protection engine on a flat vector of cells and a list of additive equations


@dataclass(frozen=True)
class _Line:
    members: tuple[int, ...]  # cells that add up to ...
    total: int  # ... this cell


def _matrix(lines: Sequence[_Line], n: int) -> np.ndarray:
    a = np.zeros((len(lines), n))
    for i, line in enumerate(lines):
        a[i, list(line.members)] = 1.0
        a[i, line.total] = -1.0
    return a


def _determined(a: np.ndarray, hidden: list[int]) -> list[int]:
    """Hidden cells whose value follows exactly from the equations (unit vector in the row space)."""
    if not hidden:
        return []
    sub = a[:, hidden]
    base = np.linalg.matrix_rank(sub)
    out = []
    for j, cell in enumerate(hidden):
        unit = np.zeros((1, len(hidden)))
        unit[0, j] = 1.0
        if np.linalg.matrix_rank(np.vstack([sub, unit])) == base:
            out.append(cell)
    return out


def _intervals(a: np.ndarray, values: np.ndarray, hidden: list[int]) -> dict[int, tuple[float, float]] | None:
    """Feasible ``[min, max]`` of each hidden cell given shown values, the equations and non-negativity."""
    try:
        from scipy.optimize import linprog
    except ImportError:  # pragma: no cover - scipy comes with lifelines
        return None
    if not hidden or a.size == 0:
        return {}
    shown = [i for i in range(len(values)) if i not in set(hidden)]
    a_h = a[:, hidden]
    b = -a[:, shown] @ values[shown] if shown else np.zeros(a.shape[0])
    keep = np.any(a_h != 0, axis=1)  # equations without a hidden cell say nothing
    a_h, b = a_h[keep], b[keep]
    out = {}
    for j, cell in enumerate(hidden):
        c = np.zeros(len(hidden))
        c[j] = 1.0
        bounds = [(0, None)] * len(hidden)
        lo = linprog(c, A_eq=a_h if len(b) else None, b_eq=b if len(b) else None, bounds=bounds, method="highs")
        hi = linprog(-c, A_eq=a_h if len(b) else None, b_eq=b if len(b) else None, bounds=bounds, method="highs")
        low = lo.fun if lo.status == 0 else 0.0
        high = -hi.fun if hi.status == 0 else float("inf")  # status 3: unbounded above
        out[cell] = (low, high)
    return out


def _problems(values: np.ndarray, lines: Sequence[_Line], hidden: set[int], threshold: int,
              *, lp: bool = True) -> list[tuple[int, _Line | None, str]]:
    """``(cell, line to fix or None, why)`` for every way a hidden cell (or a hidden sum) can be derived."""
    found: list[tuple[int, _Line | None, str]] = []
    for line in lines:
        cells = [*line.members, line.total]
        h = [c for c in cells if c in hidden]
        if len(h) == 1:
            found.append((h[0], line, "the only hidden cell of its row or column"))
        elif len(h) > 1 and line.total not in hidden:
            s = int(values[h].sum())
            if 1 <= s <= threshold:
                found.append((h[0], line, f"hidden cells of one line add up to {s}"))
    if found:
        return found
    a = _matrix(lines, len(values))
    order = sorted(hidden)
    found += [(c, None, "derivable from the row and column equations") for c in _determined(a, order)]
    if found or not lp or len(values) > _LP_MAX_CELLS:
        return found
    bounds = _intervals(a, values.astype(float), order)
    for cell, (low, high) in (bounds or {}).items():
        if low >= 1 - 1e-9 and high <= threshold + 1e-9:
            found.append((cell, None, f"bounded to {low:.0f}..{high:.0f} by the equations"))
    return found


def _protect(values: np.ndarray, lines: Sequence[_Line], threshold: int) -> dict[int, Reason]:
    """Primary then complementary suppression to a fixed point; ``{cell: reason}``."""
    hidden: dict[int, Reason] = {i: "primary" for i, v in enumerate(values) if 1 <= v <= threshold}
    lines_of: dict[int, list[_Line]] = {}
    for line in lines:
        for c in (*line.members, line.total):
            lines_of.setdefault(c, []).append(line)
    for _ in range(len(values) + 1):
        problems = _problems(values, lines, set(hidden), threshold)
        if not problems:
            return hidden
        cell, line, _why = problems[0]
        pick = _complement(values, [line] if line is not None else lines_of.get(cell, []), set(hidden))
        if pick is None:
            pick = _complement(values, lines_of.get(cell, []), set(hidden))
        if pick is None:  # every cell of its lines is hidden already
            raise InputDataError("counts table: cannot protect a suppressed cell (every cell of its lines is hidden)")
        hidden[pick] = "secondary"
    raise InputDataError("counts table: complementary suppression did not converge")  # pragma: no cover


def _complement(values: np.ndarray, lines: Sequence[_Line], hidden: set[int]) -> int | None:
    """The cell to hide next: smallest positive visible member of the lines, else a total, else any cell."""
    members = [c for line in lines for c in line.members if c not in hidden]
    positive = [c for c in members if values[c] > 0]
    if positive:
        return min(positive, key=lambda c: (values[c], c))
    totals = [line.total for line in lines if line.total not in hidden]
    if totals:
        return min(totals, key=lambda c: (values[c], c))
    return min(members, key=lambda c: (values[c], c)) if members else None


# ---------------------------------------------------------------------------------------------------------
# Tables


def _as_counts(df: pd.DataFrame, what: str) -> pd.DataFrame:
    """Non-negative integer counts or :class:`InputDataError` naming the first bad cell."""
    numeric = df.apply(pd.to_numeric, errors="coerce")
    bad = numeric.isna() | (numeric < 0) | (numeric != numeric.round())
    if bad.to_numpy().any():
        r, c = np.argwhere(bad.to_numpy())[0]
        value = df.iat[r, c]
        value = value.item() if isinstance(value, np.generic) else value
        raise InputDataError(
            f"{what}: cell ({df.index[r]!r}, {df.columns[c]!r}) is not a non-negative whole count: {value!r}"
        )
    return numeric.astype("int64")


def _is_total(label: Any) -> bool:
    return isinstance(label, str) and label.strip().lower() in _TOTAL_NAMES


def _with_margins(counts: pd.DataFrame) -> pd.DataFrame:
    """``counts`` with a ``Total`` column and row; margins already present (named Total/All) are checked."""
    has_row = len(counts.index) > 1 and _is_total(counts.index[-1])
    has_col = len(counts.columns) > 1 and _is_total(counts.columns[-1])
    body = counts.iloc[: len(counts.index) - has_row, : len(counts.columns) - has_col]
    full = body.copy()
    full[TOTAL if not has_col else counts.columns[-1]] = body.sum(axis=1)
    full.loc[TOTAL if not has_row else counts.index[-1]] = full.sum(axis=0)
    for given, label in ((has_col, "column"), (has_row, "row")):
        if given:
            expected = full.iloc[:, -1] if label == "column" else full.iloc[-1, :]
            actual = counts.iloc[:, -1] if label == "column" else counts.iloc[-1, :]
            diff = (expected.reindex(actual.index) != actual).to_numpy().nonzero()[0]
            if len(diff):
                raise InputDataError(
                    f"counts table: total {label} {counts.columns[-1] if label == 'column' else counts.index[-1]!r} "
                    f"does not equal the sum of the cells at {actual.index[diff[0]]!r}"
                )
    return full


def _grid_lines(n_rows: int, n_cols: int) -> list[_Line]:
    """Row and column equations of an (n_rows+1) x (n_cols+1) grid whose last row and column are totals."""
    width = n_cols + 1
    lines = []
    for r in range(n_rows + 1):  # each row, the total row included, adds up to its last cell
        lines.append(_Line(tuple(r * width + c for c in range(n_cols)), r * width + n_cols))
    for c in range(n_cols + 1):  # each column, the total column included, adds up to its last cell
        lines.append(_Line(tuple(r * width + c for r in range(n_rows)), n_rows * width + c))
    return lines


def _render(full: pd.DataFrame, hidden: dict[tuple[int, int], Reason], marker: str) -> pd.DataFrame:
    shown = full.astype(object)
    for (r, c) in hidden:
        shown.iat[r, c] = marker
    return shown


def suppress_counts(
    table: pd.DataFrame | pd.Series,
    *,
    threshold: int = ALL_OF_US_THRESHOLD,
    totals: bool = True,
    marker: str = SUPPRESSED,
) -> SuppressionResult:
    """Hide counts ``1..threshold`` and every cell from which one could be derived.

    Parameters
    ----------
    table
        Counts of participants: a DataFrame (rows x columns; margins named ``Total``/``All`` as the last
        row and column are recognised and checked) or a Series (one count per category).
    threshold
        Largest count to hide (default 20: the All of Us policy hides counts 1 to 20; 0 is shown).
    totals
        Show row and column totals (added when missing) and protect against derivation from them.
        ``False`` hides small cells only and must be used only when no total or sum of these counts is
        published anywhere (the cohort size in a report is such a total).
    marker
        What hidden cells show.

    Returns
    -------
    SuppressionResult

    Examples
    --------
    >>> t = pd.DataFrame({"MSI-H": [3, 40], "MSS": [45, 112]}, index=["KRAS", "wild type"])
    >>> res = suppress_counts(t)
    >>> [(r, c, why) for r, c, why in res.suppressed]  # doctest: +NORMALIZE_WHITESPACE
    [('KRAS', 'MSI-H', 'primary'), ('KRAS', 'MSS', 'secondary'), ('wild type', 'MSI-H', 'secondary'),
     ('wild type', 'MSS', 'secondary')]
    """
    if not isinstance(threshold, (int, np.integer)) or isinstance(threshold, bool) or threshold < 0:
        raise ParameterError(f"threshold must be a whole number >= 0, got {threshold!r}")
    if isinstance(table, pd.Series):
        return _suppress_series(table, threshold=threshold, totals=totals, marker=marker)
    counts = _as_counts(table, "counts table")
    if not totals:
        hidden = {(r, c): "primary" for r, c in zip(*np.nonzero(((counts >= 1) & (counts <= threshold)).to_numpy()))}
        return SuppressionResult(
            _render(counts, hidden, marker), _listing(counts, hidden), counts, threshold
        )
    full = _with_margins(counts)
    n_rows, n_cols = full.shape[0] - 1, full.shape[1] - 1
    flat = _protect(full.to_numpy().ravel(), _grid_lines(n_rows, n_cols), threshold)
    hidden = {divmod(i, n_cols + 1): why for i, why in flat.items()}
    return SuppressionResult(_render(full, hidden, marker), _listing(full, hidden), full, threshold)


def _listing(full: pd.DataFrame, hidden: dict[tuple[int, int], Reason]) -> list[tuple[Hashable, Hashable, Reason]]:
    return [(full.index[r], full.columns[c], why) for (r, c), why in sorted(hidden.items())]


def _suppress_series(series: pd.Series, *, threshold: int, totals: bool, marker: str) -> SuppressionResult:
    name = series.name if series.name is not None else "count"
    counts = _as_counts(series.to_frame(name), "counts")
    has_total = len(counts) > 1 and _is_total(counts.index[-1])
    body = counts.iloc[:-1] if has_total else counts
    full = body.copy()
    if totals or has_total:
        full.loc[counts.index[-1] if has_total else TOTAL] = int(body[name].sum())
        if has_total and int(counts.iloc[-1, 0]) != int(body[name].sum()):
            raise InputDataError(f"counts: total {counts.index[-1]!r} does not equal the sum of the counts")
    values = full[name].to_numpy()
    if totals:
        lines = [_Line(tuple(range(len(body))), len(body))]
        flat = _protect(values, lines, threshold)
    else:
        flat = {i: "primary" for i, v in enumerate(values) if 1 <= v <= threshold}
    hidden = {(i, 0): why for i, why in flat.items()}
    shown = _render(full, hidden, marker)[name]
    return SuppressionResult(shown, _listing(full, hidden), full, threshold)


def suppress_plot_data(
    data: pd.DataFrame,
    *,
    count_column: str,
    by: Sequence[str] | None = None,
    threshold: int = ALL_OF_US_THRESHOLD,
) -> tuple[pd.DataFrame, list[tuple[Hashable, Hashable, Reason]]]:
    """The data behind a bar plot or heat map with hidden counts set to missing (``NaN``).

    Parameters
    ----------
    data
        Long format: one row per bar (``by`` columns identify it) and ``count_column``.
    by
        One column (bars) or two columns (stacked or grouped bars: protected as a two-way table with
        margins, since stacks show their totals); default the index.
    threshold
        Largest count to hide.

    Returns
    -------
    (pandas.DataFrame, list)
        ``data`` with ``count_column`` as float (``NaN`` where hidden) and a boolean ``suppressed`` column,
        and the ``(row, column, reason)`` list of :func:`suppress_counts`. Plot only what is not missing.
    """
    if count_column not in data.columns:
        raise InputDataError(f"plot data has no column {count_column!r}")
    by = list(by or [])
    out = data.copy()
    out[count_column] = out[count_column].astype(float)
    out["suppressed"] = False
    if len(by) == 2:
        if out.duplicated(by).any():
            raise InputDataError(f"plot data: more than one row for the same {by[0]!r}/{by[1]!r}")
        wide = out.pivot(index=by[0], columns=by[1], values=count_column).fillna(0)
        res = suppress_counts(wide, threshold=threshold)
        keys = [(r, c) for r, c, _ in res.suppressed if r != TOTAL and c != TOTAL]
        hide = pd.MultiIndex.from_frame(out[by]).isin(keys)
    elif len(by) <= 1:
        labels = out[by[0]] if by else out.index.to_series()
        series = pd.Series(out[count_column].to_numpy(), index=pd.Index(labels.to_numpy()), name=count_column)
        if series.index.duplicated().any():
            raise InputDataError(f"plot data: more than one row for the same {by[0] if by else 'index'}")
        res = suppress_counts(series, threshold=threshold)
        hidden_labels = {r for r, _c, _w in res.suppressed if r != TOTAL}
        hide = labels.isin(hidden_labels).to_numpy()
    else:
        raise ParameterError(f"suppress_plot_data: by takes one or two columns, got {len(by)}")
    out.loc[hide, count_column] = np.nan
    out.loc[hide, "suppressed"] = True
    return out, res.suppressed


# ---------------------------------------------------------------------------------------------------------
# An independent check


def audit_suppression(
    counts: pd.DataFrame, hidden: pd.DataFrame, *, threshold: int = ALL_OF_US_THRESHOLD
) -> list[str]:
    """Ways a reader could recover a hidden cell of a table with margins; ``[]`` when it is safe.

    Tries every row and column equation repeatedly (a line with one unknown gives it; solved cells feed
    other lines), then linear algebra (a cell fixed by the equations together) and, with SciPy, linear
    programming (a cell bounded inside ``1..threshold``), plus visible cells in ``1..threshold``.

    Parameters
    ----------
    counts
        The full table with its total row and column last (:attr:`SuppressionResult.counts`).
    hidden
        Boolean mask of hidden cells, same shape (:attr:`SuppressionResult.hidden`).
    """
    values = counts.to_numpy().astype(float)
    mask = hidden.to_numpy().astype(bool)
    n_rows, n_cols = values.shape[0] - 1, values.shape[1] - 1
    label = lambda r, c: f"({counts.index[r]!r}, {counts.columns[c]!r})"  # noqa: E731
    problems = [
        f"cell {label(r, c)} = {int(values[r, c])} is shown"
        for r, c in zip(*np.nonzero(~mask)) if 1 <= values[r, c] <= threshold
    ]
    # 1. elimination by single equations, to a fixed point
    known = ~mask
    lines = _grid_lines(n_rows, n_cols)
    width = n_cols + 1
    changed = True
    while changed:
        changed = False
        for line in lines:
            cells = [*line.members, line.total]
            unknown = [c for c in cells if not known.flat[c]]
            if len(unknown) == 1:
                cell = unknown[0]
                r, c = divmod(cell, width)
                problems.append(f"cell {label(r, c)} = {int(values[r, c])} follows from its row or column")
                known.flat[cell] = True
                changed = True
    # 2. sums of hidden cells on a line with a shown total
    for line in lines:
        h = [c for c in line.members if mask.flat[c]]
        if h and not mask.flat[line.total] and 1 <= values.flat[h].sum() <= threshold:
            r, c = divmod(line.total, width)
            problems.append(f"hidden cells adding up to {int(values.flat[h].sum())} on the line of total {label(r, c)}")
    # 3. linear algebra and linear programming over all equations at once
    a = _matrix(lines, values.size)
    order = [int(i) for i in np.nonzero(mask.ravel())[0]]
    for cell in _determined(a, order):
        r, c = divmod(cell, width)
        problems.append(f"cell {label(r, c)} = {int(values.flat[cell])} is fixed by the equations")
    for cell, (low, high) in (_intervals(a, values.ravel(), order) or {}).items():
        if low >= 1 - 1e-9 and high <= threshold + 1e-9:
            r, c = divmod(cell, width)
            problems.append(f"cell {label(r, c)} is bounded to {low:.0f}..{high:.0f}")
    return list(dict.fromkeys(problems))
