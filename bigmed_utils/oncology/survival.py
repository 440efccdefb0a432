"""Survival analysis for cohort reports, on lifelines (Davidson-Pilon, JOSS 2019;4:1317).

* Kaplan-Meier per group with the median and its 95 % CI (lifelines ``KaplanMeierFitter``; pointwise CI
  by the exponential Greenwood formula, median CI from the CI band via ``median_survival_times``);
* number-at-risk tables (numbers and, in plots, ``lifelines.plotting.add_at_risk_counts``);
* log-rank tests, overall (``multivariate_logrank_test``) and pairwise (``pairwise_logrank_test``);
* Cox proportional hazards (``CoxPHFitter``) with a hazard-ratio table (HR, 95 % CI, p), a forest plot and
  the proportional-hazards check (``proportional_hazard_test``, scaled Schoenfeld residuals against rank
  of time; Grambsch & Therneau, Biometrika 1994;81:515-26) as a table.

Delayed entry (left truncation): a patient who enters the cohort only when the tumour is sequenced, after
diagnosis, cannot die in between (immortal time). Every function takes ``entry_col``, the time (since the same
origin as the survival time) at which the patient enters the risk sets: Kaplan-Meier (``entry=`` of lifelines'
``KaplanMeierFitter``), Cox (``entry_col=`` of ``CoxPHFitter``), the number at risk, and the log-rank test,
computed here over the left-truncated risk sets (lifelines' log-rank functions take no entry times): at each
event time the patients with ``entry <= t <= time`` are at risk, as in lifelines' ``event_table``; the
statistic is the usual sum over event times of observed minus expected events with the hypergeometric
variance (Klein & Moeschberger, Survival Analysis, 2nd ed. 2003, sections 4.6 and 7.3).

Input validation names the column and the patient (or row): negative or missing survival times and
missing or non-binary event flags are refused, never silently dropped; so is an entry after the end of follow-up.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import InputDataError, ParameterError

_EVENT_VALUES = {0: 0, 1: 1, "0": 0, "1": 1, True: 1, False: 0, "true": 1, "false": 0, "True": 1, "False": 0}


def _where(df: pd.DataFrame, pos: int, id_col: str | None) -> str:
    if id_col and id_col in df.columns:
        return f"patient {df[id_col].iloc[pos]} (row {pos + 1})"
    return f"row {pos + 1}"


def validate_survival(
    df: pd.DataFrame,
    *,
    time_col: str,
    event_col: str,
    id_col: str | None = "patient_id",
    entry_col: str | None = None,
) -> pd.DataFrame:
    """Check survival columns and return a copy with float times (and entry times) and 0/1 integer events.

    Raises
    ------
    InputDataError
        A missing column; a missing, non-numeric or negative time or entry time; an entry after the end of
        follow-up; a missing event flag or one that is not 0/1 (True/False). The message names the column and
        the patient id (or row number).
    """
    for col in (time_col, event_col) + ((entry_col,) if entry_col else ()):
        if col not in df.columns:
            raise InputDataError(f"survival table has no column '{col}'")
    out = df.copy()
    times = pd.to_numeric(out[time_col], errors="coerce")
    for pos in np.flatnonzero(times.isna().to_numpy()):
        raw = out[time_col].iloc[pos]
        what = "missing" if pd.isna(raw) else f"not a number ({raw!r})"
        raise InputDataError(f"survival time '{time_col}' is {what} for {_where(out, pos, id_col)}")
    negative = np.flatnonzero((times < 0).to_numpy())
    if len(negative):
        pos = int(negative[0])
        raise InputDataError(
            f"survival time '{time_col}' is negative ({times.iloc[pos]:g}) for {_where(out, pos, id_col)}"
        )
    events = []
    for pos, raw in enumerate(out[event_col].tolist()):
        if raw is None or (isinstance(raw, float) and math.isnan(raw)) or raw is pd.NA:
            raise InputDataError(f"event flag '{event_col}' is missing for {_where(out, pos, id_col)}")
        key = raw.strip() if isinstance(raw, str) else (int(raw) if isinstance(raw, (float, np.floating)) and float(raw).is_integer() else raw)
        if isinstance(key, np.integer):
            key = int(key)
        if isinstance(key, np.bool_):
            key = bool(key)
        if key not in _EVENT_VALUES:
            raise InputDataError(
                f"event flag '{event_col}' must be 0/1 (or True/False), got {raw!r} for {_where(out, pos, id_col)}"
            )
        events.append(_EVENT_VALUES[key])
    out[time_col] = times.astype(float)
    out[event_col] = np.asarray(events, dtype=int)
    if entry_col:
        entry = pd.to_numeric(out[entry_col], errors="coerce")
        for pos in np.flatnonzero((entry.isna() | (entry < 0)).to_numpy()):
            raw = out[entry_col].iloc[pos]
            what = "missing" if pd.isna(raw) else f"not a time >= 0 ({raw!r})"
            raise InputDataError(f"entry time '{entry_col}' is {what} for {_where(out, pos, id_col)}")
        late = np.flatnonzero((entry > out[time_col]).to_numpy())
        if len(late):
            pos = int(late[0])
            raise InputDataError(f"entry time '{entry_col}' ({entry.iloc[pos]:g}) is after the end of follow-up "
                                 f"'{time_col}' ({out[time_col].iloc[pos]:g}) for {_where(out, pos, id_col)}")
        out[entry_col] = entry.astype(float)
    return out


# ----------------------------------------------------------------------------------------------------------
# Kaplan-Meier
# ----------------------------------------------------------------------------------------------------------


@dataclass
class KMResult:
    """Kaplan-Meier fits per group: ``fitters`` (label -> fitted ``KaplanMeierFitter``), ``summary``
    (group, n, events, median, median_ci_lower, median_ci_upper; ``inf`` = not reached) and ``data``."""

    fitters: dict[str, Any]
    summary: pd.DataFrame
    data: pd.DataFrame
    time_col: str
    event_col: str
    group_col: str | None
    entry_col: str | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, dict]:
        """``{group: {n, events, median, ci_lower, ci_upper}}`` with ``None`` for not reached."""
        out = {}
        for row in self.summary.itertuples(index=False):
            out[str(row.group)] = {
                "n": int(row.n),
                "events": int(row.events),
                "median": _finite(row.median),
                "ci_lower": _finite(row.median_ci_lower),
                "ci_upper": _finite(row.median_ci_upper),
            }
        return out


def _finite(x: float) -> float | None:
    return None if x is None or not np.isfinite(x) else float(x)


def _groups(df: pd.DataFrame, group_col: str | None) -> list[tuple[str, pd.DataFrame]]:
    if group_col is None:
        return [("all", df)]
    if group_col not in df.columns:
        raise InputDataError(f"survival table has no group column '{group_col}'")
    col = df[group_col]
    levels = list(col.cat.categories) if isinstance(col.dtype, pd.CategoricalDtype) else sorted(col.dropna().unique(), key=str)
    return [(str(level), df[col == level]) for level in levels if (col == level).any()]


def kaplan_meier(
    df: pd.DataFrame,
    *,
    time_col: str,
    event_col: str,
    group_col: str | None = None,
    id_col: str | None = "patient_id",
    alpha: float = 0.05,
    entry_col: str | None = None,
) -> KMResult:
    """Kaplan-Meier estimate per group (or overall) with median survival and its ``1 - alpha`` CI.

    With ``entry_col`` each patient enters the risk sets at that time (delayed entry, left truncation). When
    the risk set of a group empties before later patients enter (too few early entries), the product-limit
    estimate would drop to 0 for good; that group then gets lifelines' Breslow-Fleming-Harrington estimate
    (exp of the Nelson-Aalen cumulative hazard), as lifelines recommends, and ``notes`` says so.
    Rows with a missing group value are left out (counted in ``summary.attrs['n_missing_group']``);
    bad times or events raise :class:`InputDataError` (see :func:`validate_survival`).
    """
    from lifelines import BreslowFlemingHarringtonFitter, KaplanMeierFitter
    from lifelines.exceptions import StatError
    from lifelines.utils import median_survival_times

    data = validate_survival(df, time_col=time_col, event_col=event_col, id_col=id_col, entry_col=entry_col)
    fitters: dict[str, Any] = {}
    rows = []
    notes: list[str] = []
    for label, sub in _groups(data, group_col):
        entry = sub[entry_col] if entry_col else None
        try:
            kmf = KaplanMeierFitter(alpha=alpha, label=label).fit(sub[time_col], event_observed=sub[event_col],
                                                                  entry=entry)
        except StatError:
            kmf = BreslowFlemingHarringtonFitter(alpha=alpha, label=label).fit(
                sub[time_col], event_observed=sub[event_col], entry=entry)
            notes.append(f"{group_col or 'all'}={label}: the risk set empties before later patients enter "
                         "(too few early entries); Breslow-Fleming-Harrington estimate instead of Kaplan-Meier")
        with warnings.catch_warnings():  # lifelines' ApproximationWarning for the Breslow-Fleming-Harrington median
            warnings.simplefilter("ignore")
            ci = sorted(float(x) for x in median_survival_times(kmf.confidence_interval_).iloc[0, :2])
            median = float(kmf.median_survival_time_)
        fitters[label] = kmf
        rows.append({"group": label, "n": len(sub), "events": int(sub[event_col].sum()), "median": median,
                     "median_ci_lower": ci[0], "median_ci_upper": ci[1]})
    summary = pd.DataFrame(rows, columns=["group", "n", "events", "median", "median_ci_lower", "median_ci_upper"])
    summary.attrs["n_missing_group"] = int(data[group_col].isna().sum()) if group_col else 0
    return KMResult(fitters, summary, data, time_col, event_col, group_col, entry_col, notes)


def at_risk_table(km: KMResult, *, times: Sequence[float]) -> pd.DataFrame:
    """Number at risk per group at each time ``t`` (rows = groups), as printed under :func:`plot_km`.

    Counted as lifelines' ``add_at_risk_counts`` does by default (the end of each period, following the
    KMunicate layout): patients who entered by ``t`` and are still followed after it (``entry <= t < time``;
    without delayed entry everyone enters at 0), everyone who entered at ``t = 0``. R's
    ``summary(survfit, times=t)$n.risk`` counts ``time >= t`` and differs only for times tied with ``t``.
    """
    table = {}
    for label, sub in _groups(km.data, km.group_col):
        durations = sub[km.time_col].to_numpy()
        entry = sub[km.entry_col].to_numpy() if km.entry_col else np.zeros(len(sub))
        table[label] = [int((entry <= t).sum()) if t <= 0 else int(((entry <= t) & (durations > t)).sum())
                        for t in times]
    return pd.DataFrame.from_dict(table, orient="index", columns=list(times)).rename_axis("group")


def plot_km(
    km: KMResult,
    *,
    ax=None,
    at_risk: bool = True,
    ci: bool = True,
    title: str | None = None,
    xlabel: str = "Months",
    ylabel: str = "Survival probability",
    xticks: Sequence[float] | None = None,
):
    """Kaplan-Meier curves with censoring ticks and, below, the number-at-risk table. Returns the Figure.

    ``xticks`` sets the times of the axis and of the number-at-risk counts (e.g. every 12 months, to match
    an :func:`at_risk_table`); default matplotlib's ticks."""
    import matplotlib.pyplot as plt
    from lifelines.plotting import add_at_risk_counts

    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 4.8 + 0.25 * len(km.fitters)))
    else:
        fig = ax.figure
    for kmf in km.fitters.values():
        kmf.plot_survival_function(ax=ax, ci_show=ci, show_censors=True, censor_styles={"ms": 5, "marker": "|"})
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    if km.group_col:
        ax.legend(title=km.group_col, frameon=False)
    if xticks is not None:
        ax.set_xticks(list(xticks))
        ax.set_xlim(min(xticks), max(xticks) * 1.02)
    if at_risk:
        # lifelines' default count (end of period), the same numbers as at_risk_table()
        add_at_risk_counts(*km.fitters.values(), ax=ax, rows_to_show=["At risk"])
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------------------------------------
# Log-rank
# ----------------------------------------------------------------------------------------------------------


@dataclass
class LogRankResult:
    """Overall log-rank test (``statistic``, ``dof``, ``p``) and the ``pairwise`` table."""

    group_col: str
    statistic: float
    dof: int
    p: float
    pairwise: pd.DataFrame = field(default_factory=pd.DataFrame)

    def to_dict(self) -> dict:
        return {
            "group": self.group_col,
            "statistic": float(self.statistic),
            "dof": int(self.dof),
            "p": float(self.p),
            "pairwise": [
                {"group_a": str(r.group_a), "group_b": str(r.group_b), "statistic": float(r.statistic), "p": float(r.p)}
                for r in self.pairwise.itertuples(index=False)
            ],
        }


def logrank(
    df: pd.DataFrame,
    *,
    time_col: str,
    event_col: str,
    group_col: str,
    id_col: str | None = "patient_id",
    entry_col: str | None = None,
) -> LogRankResult:
    """Log-rank test across the groups of ``group_col`` (and pairwise when there are more than two).

    Without ``entry_col`` lifelines' ``multivariate_logrank_test`` and ``pairwise_logrank_test``; with it the
    same test over left-truncated risk sets (:func:`logrank_delayed_entry`)."""
    from lifelines.statistics import multivariate_logrank_test, pairwise_logrank_test

    data = validate_survival(df, time_col=time_col, event_col=event_col, id_col=id_col, entry_col=entry_col)
    if group_col not in data.columns:
        raise InputDataError(f"survival table has no group column '{group_col}'")
    data = data[data[group_col].notna()]
    groups = data[group_col].astype(str)
    if groups.nunique() < 2:
        raise InputDataError(f"log-rank test needs at least two groups in '{group_col}', found {groups.nunique()}")
    if entry_col:
        stat, dof, p = logrank_delayed_entry(data[time_col], data[event_col], groups, data[entry_col])
        rows = []
        levels = sorted(groups.unique())
        for i, a in enumerate(levels):
            for b in levels[i + 1:]:
                keep = groups.isin([a, b])
                st, _, pv = logrank_delayed_entry(data.loc[keep, time_col], data.loc[keep, event_col], groups[keep],
                                                  data.loc[keep, entry_col])
                rows.append({"group_a": a, "group_b": b, "statistic": st, "p": pv})
        return LogRankResult(group_col, stat, dof, p, pd.DataFrame(rows, columns=["group_a", "group_b", "statistic", "p"]))
    overall = multivariate_logrank_test(data[time_col], groups, data[event_col])
    pw = pairwise_logrank_test(data[time_col], groups, data[event_col]).summary.reset_index()
    pw.columns = ["group_a", "group_b", *pw.columns[2:]]
    pairwise = pw[["group_a", "group_b", "test_statistic", "p"]].rename(columns={"test_statistic": "statistic"})
    return LogRankResult(group_col, float(overall.test_statistic), int(overall.degrees_of_freedom),
                         float(overall.p_value), pairwise)


def logrank_delayed_entry(
    durations: Sequence[float],
    events: Sequence[int],
    groups: Sequence[Any],
    entry: Sequence[float],
) -> tuple[float, int, float]:
    """Log-rank chi-square test of k groups over left-truncated risk sets: ``(statistic, dof, p)``.

    At each distinct event time ``t`` the patients with ``entry <= t <= duration`` are at risk. With all entry
    times 0 this is the classical test (equal to lifelines' ``multivariate_logrank_test``).
    """
    from scipy.stats import chi2

    t = np.asarray(durations, dtype=float)
    e = np.asarray(events, dtype=int)
    s = np.asarray(entry, dtype=float)
    labels, g = np.unique(np.asarray(groups).astype(str), return_inverse=True)
    k = len(labels)
    times = np.unique(t[e == 1])
    # at risk and events per event time (rows) and group (columns)
    at_risk = np.stack([((s[g == j][None, :] <= times[:, None]) & (t[g == j][None, :] >= times[:, None])).sum(1)
                        for j in range(k)], axis=1).astype(float)
    died = np.stack([((t[(g == j) & (e == 1)][None, :] == times[:, None])).sum(1) for j in range(k)], axis=1)
    n, d = at_risk.sum(1), died.sum(1)
    keep = n > 0
    at_risk, died, n, d = at_risk[keep], died[keep], n[keep], d[keep]
    expected = at_risk * (d / n)[:, None]
    # hypergeometric covariance: V = sum_t c_t (diag(p_t) - p_t p_t'), c_t = d (n - d) / (n - 1), p_t = n_j / n
    c = np.where(n > 1, d * (n - d) / np.maximum(n - 1, 1), 0.0)
    frac = at_risk / n[:, None]
    var = np.diag((c[:, None] * frac).sum(0)) - np.einsum("t,tj,tl->jl", c, frac, frac)
    diff = (died - expected).sum(0)[:-1]
    stat = float(diff @ np.linalg.solve(var[:-1, :-1], diff))
    dof = k - 1
    return stat, dof, float(chi2.sf(stat, dof))


# ----------------------------------------------------------------------------------------------------------
# Cox proportional hazards
# ----------------------------------------------------------------------------------------------------------


@dataclass
class CoxResult:
    """A fitted Cox model: ``fitter`` (``CoxPHFitter``), ``hr_table`` (covariate, reference, hr, ci_lower,
    ci_upper, p), ``data`` (the design matrix it was fitted on), ``n``, ``events`` and ``entry_col``."""

    fitter: Any
    hr_table: pd.DataFrame
    data: pd.DataFrame
    time_col: str
    event_col: str
    n: int
    events: int
    entry_col: str | None = None

    @property
    def concordance(self) -> float:
        return float(self.fitter.concordance_index_)

    def to_dict(self) -> dict[str, dict]:
        """``{covariate: {hr, ci_lower, ci_upper, p}}`` for ``summary.json``."""
        return {
            r.covariate: {"hr": float(r.hr), "ci_lower": float(r.ci_lower), "ci_upper": float(r.ci_upper), "p": float(r.p)}
            for r in self.hr_table.itertuples(index=False)
        }


def _design_matrix(
    data: pd.DataFrame,
    covariates: Sequence[str],
    reference: Mapping[str, Any],
    id_col: str | None,
) -> tuple[pd.DataFrame, dict[str, str]]:
    design = pd.DataFrame(index=data.index)
    refs: dict[str, str] = {}
    for col in covariates:
        if col not in data.columns:
            raise InputDataError(f"survival table has no covariate column '{col}'")
        values = data[col]
        missing = np.flatnonzero(values.isna().to_numpy())
        if len(missing):
            raise InputDataError(f"covariate '{col}' is missing for {_where(data, int(missing[0]), id_col)}")
        if pd.api.types.is_bool_dtype(values):
            design[col] = values.astype(int)
            refs[col] = "False"
        elif pd.api.types.is_numeric_dtype(values):
            design[col] = values.astype(float)
            refs[col] = ""
        else:
            levels = list(values.cat.categories) if isinstance(values.dtype, pd.CategoricalDtype) else sorted(values.astype(str).unique())
            levels = [str(x) for x in levels if (values.astype(str) == str(x)).any()]
            ref = str(reference.get(col, levels[0]))
            if ref not in levels:
                raise ParameterError(f"reference level {ref!r} for covariate '{col}' is not among {levels}")
            for level in levels:
                if level != ref:
                    design[f"{col}={level}"] = (values.astype(str) == level).astype(int)
                    refs[f"{col}={level}"] = f"{col}={ref}"
    return design, refs


def cox_ph(
    df: pd.DataFrame,
    *,
    time_col: str,
    event_col: str,
    covariates: Sequence[str],
    reference: Mapping[str, Any] | None = None,
    id_col: str | None = "patient_id",
    penalizer: float = 0.0,
    alpha: float = 0.05,
    entry_col: str | None = None,
) -> CoxResult:
    """Fit a Cox proportional-hazards model and tabulate hazard ratios.

    Categorical covariates (strings, categories) are one-hot coded against a reference level (the first
    category, or ``reference[col]``); a covariate ``stage`` with levels I-IV gives rows ``stage=II``,
    ``stage=III``, ``stage=IV`` versus ``stage=I``. Booleans become 0/1; numbers are used as they are.
    With ``entry_col`` each patient enters the risk sets at that time (delayed entry, left truncation).
    """
    from lifelines import CoxPHFitter

    data = validate_survival(df, time_col=time_col, event_col=event_col, id_col=id_col, entry_col=entry_col)
    design, refs = _design_matrix(data, covariates, reference or {}, id_col)
    design[time_col] = data[time_col]
    design[event_col] = data[event_col]
    if entry_col:
        design[entry_col] = data[entry_col]
    if design[event_col].sum() == 0:
        raise InputDataError(f"no events in '{event_col}': a Cox model cannot be fitted")
    cph = CoxPHFitter(penalizer=penalizer, alpha=alpha)
    cph.fit(design, duration_col=time_col, event_col=event_col, entry_col=entry_col)
    s = cph.summary
    lo = [c for c in s.columns if c.startswith("exp(coef) lower")][0]
    hi = [c for c in s.columns if c.startswith("exp(coef) upper")][0]
    table = pd.DataFrame({
        "covariate": s.index.astype(str),
        "reference": [refs.get(c, "") for c in s.index],
        "hr": s["exp(coef)"].to_numpy(),
        "ci_lower": s[lo].to_numpy(),
        "ci_upper": s[hi].to_numpy(),
        "p": s["p"].to_numpy(),
    })
    return CoxResult(cph, table, design, time_col, event_col, len(design), int(design[event_col].sum()), entry_col)


def forest_plot(cox: CoxResult | pd.DataFrame, *, ax=None, title: str | None = "Hazard ratios (95% CI)"):
    """Forest plot of hazard ratios with 95 % CIs on a log axis. Returns the Figure."""
    import matplotlib.pyplot as plt
    import matplotlib.ticker as mticker

    table = cox.hr_table if isinstance(cox, CoxResult) else cox
    n = len(table)
    if ax is None:
        fig, ax = plt.subplots(figsize=(8, 1.4 + 0.45 * n))
    else:
        fig = ax.figure
    y = np.arange(n)[::-1]
    hr, lo, hi = (table[c].to_numpy(dtype=float) for c in ("hr", "ci_lower", "ci_upper"))  # arrays: n = 1 works too
    ax.errorbar(hr, y, xerr=[hr - lo, hi - hr], fmt="s", color="black", ecolor="0.3", capsize=3)
    ax.axvline(1.0, color="0.5", linestyle="--", linewidth=1)
    ax.set_xscale("log")
    labels = [f"{c} (yes vs no)" if r == "False" else f"{c} (vs {r.split('=', 1)[-1]})" if r else c
              for c, r in zip(table["covariate"], table["reference"])]
    ax.set_yticks(y)
    ax.set_yticklabels(labels)
    for yi, (hr, lo, hi, p) in zip(y, table[["hr", "ci_lower", "ci_upper", "p"]].itertuples(index=False)):
        ax.annotate(f"{hr:.2f} ({lo:.2f}-{hi:.2f}), p={p:.2g}", xy=(1.02, yi), xycoords=("axes fraction", "data"),
                    va="center", fontsize=8)
    ax.xaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_formatter(mticker.NullFormatter())
    ax.set_xlabel("Hazard ratio (log scale)")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    fig.subplots_adjust(right=0.68)  # room for the HR (CI), p annotations
    return fig


def _scaled_schoenfeld_delayed_entry(cox: CoxResult) -> pd.DataFrame:
    """Scaled Schoenfeld residuals of a Cox model fitted with delayed entry (lifelines computes none then).

    Residual of an event at ``t``: its covariates minus their risk-weighted mean over the patients at risk at ``t``
    (``entry <= t <= time``), scaled as lifelines scales them (events x residual x variance matrix; Grambsch &
    Therneau 1994); ties as Breslow. Rows in the fitter's (time-sorted) order of events."""
    f = cox.fitter
    order = f.durations.index
    events = f.event_observed.to_numpy().astype(bool)
    x = cox.data.loc[order, list(f.params_.index)].to_numpy(dtype=float)
    t = f.durations.to_numpy(dtype=float)
    s = cox.data.loc[order, cox.entry_col].to_numpy(dtype=float)
    w = np.exp(x @ f.params_.to_numpy())
    at_risk = (s[None, :] <= t[events][:, None]) & (t[None, :] >= t[events][:, None])
    weights = at_risk * w[None, :]
    mean = weights @ x / weights.sum(1, keepdims=True)
    resid = (x[events] - mean) @ f.variance_matrix_.to_numpy() * events.sum()
    return pd.DataFrame(resid, columns=f.params_.index, index=order[events])


def proportional_hazards_check(cox: CoxResult, *, p_threshold: float = 0.05, time_transform: str = "rank") -> pd.DataFrame:
    """Test of the proportional-hazards assumption per covariate (scaled Schoenfeld residuals).

    With delayed entry the residuals are computed over the left-truncated risk sets
    (:func:`_scaled_schoenfeld_delayed_entry`) and handed to lifelines' ``proportional_hazard_test``.
    Returns columns ``covariate, test_statistic, p, ph_violated`` (``p < p_threshold``)."""
    from lifelines.statistics import proportional_hazard_test

    if cox.entry_col:
        result = proportional_hazard_test(cox.fitter, None, time_transform=time_transform,
                                          precomputed_residuals=_scaled_schoenfeld_delayed_entry(cox))
    else:
        result = proportional_hazard_test(cox.fitter, cox.data, time_transform=time_transform)
    s = result.summary.reset_index()
    s = s.rename(columns={s.columns[0]: "covariate"})
    if "covariate" not in s.columns:  # multi-index (covariate, transform)
        s = s.rename(columns={"index": "covariate"})
    out = pd.DataFrame({
        "covariate": s["covariate"].astype(str),
        "test_statistic": s["test_statistic"].astype(float),
        "p": s["p"].astype(float),
    })
    out["ph_violated"] = out["p"] < p_threshold
    return out


__all__ = [
    "validate_survival",
    "KMResult",
    "kaplan_meier",
    "at_risk_table",
    "plot_km",
    "LogRankResult",
    "logrank",
    "logrank_delayed_entry",
    "CoxResult",
    "cox_ph",
    "forest_plot",
    "proportional_hazards_check",
]
