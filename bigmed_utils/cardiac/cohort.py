"""Cohort views across families: diagnostic yield per condition and QTc by genotype (seaborn figures)."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputDataError, ParameterError
from .ecg import HIGH_RISK_MS, METHODS, PROLONGED_FEMALE_MS, PROLONGED_MALE_MS

DIAGNOSTIC_CLASSES = {"pathogenic", "likely pathogenic", "p", "lp", "likely_pathogenic", "p/lp"}
Z_95 = 1.959963984540054


def wilson_interval(successes: int, n: int, *, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval for a proportion (Wilson EB. J Am Stat Assoc 1927;22:209-212)."""
    if n <= 0:
        return (math.nan, math.nan)
    if not 0 <= successes <= n:
        raise ParameterError(f"successes: {successes} is not between 0 and n={n}")
    phat = successes / n
    denom = 1 + z * z / n
    centre = (phat + z * z / (2 * n)) / denom
    half = z * math.sqrt(phat * (1 - phat) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def diagnostic_yield(
    results: pd.DataFrame,
    *,
    condition_col: str = "condition",
    family_col: str = "family_id",
    class_col: str | None = "acmg_class",
    solved_col: str | None = None,
) -> pd.DataFrame:
    """Proportion of families with a diagnostic (P/LP) finding, per condition, with a Wilson 95 % CI.

    Parameters
    ----------
    results
        One or more rows per family (e.g. one per reported finding; families without a finding need a row
        with an empty class). A family counts as solved if any row is P/LP (``class_col``) or true
        (``solved_col``).

    Returns
    -------
    pandas.DataFrame
        ``condition, n_families, n_solved, yield, ci_low, ci_high`` plus a final ``all`` row.
    """
    cols = [condition_col, family_col] + [c for c in (class_col, solved_col) if c]
    missing = [c for c in cols if c not in results.columns]
    if missing:
        raise InputDataError(f"diagnostic_yield: missing column(s) {missing}")
    df = results.copy()
    if solved_col:
        df["_solved"] = df[solved_col].fillna(False).astype(bool)
    else:
        df["_solved"] = df[class_col].astype(str).str.strip().str.lower().isin(DIAGNOSTIC_CLASSES)
    fam = df.groupby([condition_col, family_col], sort=True)["_solved"].any().reset_index()
    rows = []
    for cond, grp in list(fam.groupby(condition_col, sort=True)) + [("all", fam)]:
        n, k = len(grp), int(grp["_solved"].sum())
        lo, hi = wilson_interval(k, n)
        rows.append({"condition": cond, "n_families": n, "n_solved": k, "yield": k / n if n else np.nan,
                     "ci_low": lo, "ci_high": hi})
    return pd.DataFrame(rows)


def plot_diagnostic_yield(yield_df: pd.DataFrame, *, ax: Any = None, include_all: bool = True):
    """Bar chart of :func:`diagnostic_yield` with Wilson 95 % intervals; returns the Figure."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    df = yield_df if include_all else yield_df[yield_df["condition"] != "all"]
    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 3.5))
    else:
        fig = ax.figure
    sns.barplot(data=df, x="condition", y="yield", color="steelblue", ax=ax, errorbar=None)
    x = np.arange(len(df))
    # clip: at yield 0 or 1 the Wilson bound equals the estimate up to rounding (a tiny negative error bar)
    lower = (df["yield"] - df["ci_low"]).clip(lower=0)
    upper = (df["ci_high"] - df["yield"]).clip(lower=0)
    ax.errorbar(x, df["yield"], yerr=[lower, upper],
                fmt="none", ecolor="black", capsize=3)
    for xi, (k, n) in zip(x, zip(df["n_solved"], df["n_families"])):
        ax.text(xi, 0.02, f"{k}/{n}", ha="center", va="bottom", fontsize=8, color="white")
    ax.set_ylim(0, 1)
    ax.set_ylabel("diagnostic yield (P/LP)")
    ax.set_xlabel("")
    ax.set_title("Diagnostic yield per condition (95 % Wilson CI)")
    return fig


def qtc_by_genotype(latest: pd.DataFrame, genotypes: pd.DataFrame | dict, *,
                    person_col: str = "person_id") -> pd.DataFrame:
    """Join each person's latest QTc (:func:`~bigmed_utils.cardiac.ecg.latest_qtc`) with their genotype status.

    ``genotypes`` is a DataFrame with ``person_id`` and ``genotype_status`` (``family_id`` optional) or a
    mapping person -> status; people without a genotype are ``untested``.
    """
    from .cascade import genotype_status

    if isinstance(genotypes, dict):
        g = pd.DataFrame({person_col: list(genotypes), "genotype_status": list(genotypes.values())})
    else:
        if person_col not in genotypes.columns or "genotype_status" not in genotypes.columns:
            raise InputDataError(f"qtc_by_genotype: genotypes need columns {person_col!r} and 'genotype_status'")
        g = genotypes[[person_col, "genotype_status"]].copy()
    g["genotype_status"] = [genotype_status(v) for v in g["genotype_status"]]
    out = latest.merge(g.drop_duplicates(person_col), on=person_col, how="left")
    out["genotype_status"] = out["genotype_status"].fillna("untested")
    return out


def plot_qtc_by_genotype(df: pd.DataFrame, *, method: str = "bazett", ax: Any = None, hue: str | None = "sex_used"):
    """Box and strip plot of QTc by genotype status with the 450/460/500 ms lines; returns the Figure."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    if method not in METHODS:
        raise ParameterError(f"method: {method!r} is not one of {list(METHODS)}")
    col = f"qtc_{method}"
    for c in (col, "genotype_status"):
        if c not in df.columns:
            raise InputDataError(f"plot_qtc_by_genotype: column {c!r} missing (use qtc_by_genotype())")
    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 4))
    else:
        fig = ax.figure
    order = [s for s in ("carrier", "non-carrier", "untested") if s in set(df["genotype_status"])]
    with warnings.catch_warnings():  # seaborn 0.13 passes matplotlib 3.11's deprecated `vert` to bxp
        warnings.filterwarnings("ignore", message=".*vert.*")
        sns.boxplot(data=df, x="genotype_status", y=col, order=order, color="white", ax=ax, showfliers=False)
    use_hue = hue if hue and hue in df.columns else None
    sns.stripplot(data=df, x="genotype_status", y=col, order=order, hue=use_hue, ax=ax, dodge=False,
                  size=5, alpha=0.8)
    for y, style in ((PROLONGED_MALE_MS, ":"), (PROLONGED_FEMALE_MS, "--"), (HIGH_RISK_MS, "-")):
        ax.axhline(y, color="grey", linestyle=style, linewidth=0.8)
    ax.set_xlabel("genotype for the familial variant")
    ax.set_ylabel(f"latest QTc {method.capitalize()} (ms)")
    ax.set_title("QTc by genotype")
    return fig


__all__ = ["wilson_interval", "diagnostic_yield", "plot_diagnostic_yield", "qtc_by_genotype",
           "plot_qtc_by_genotype"]
