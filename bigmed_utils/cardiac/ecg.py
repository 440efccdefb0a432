"""Heart-rate-corrected QT interval (QTc): four formulas, sex-specific flags, the QTc points of the Schwartz
score, a per-visit table for ``ecg.csv`` with an explicit list of excluded rows, and a trend plot.

Units: QT in milliseconds, RR in seconds, heart rate in beats per minute (HR = 60 / RR).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputDataError, ParameterError

# --- formulas --------------------------------------------------------------------------------------------
# Bazett HC. Heart 1920;7:353-370:           QTc = QT / RR^(1/2)
# Fridericia LS. Acta Med Scand 1920;53:469: QTc = QT / RR^(1/3)
# Sagie A et al. (Framingham) Am J Cardiol 1992;70:797-801: QTc = QT + 154 × (1 − RR)
# Hodges M et al. J Am Coll Cardiol 1983;1:694 (abstract): QTc = QT + 1.75 × (HR − 60)
# (formulas as reviewed in Vandenberk B et al. J Am Heart Assoc 2016;5:e003264)

FRAMINGHAM_SLOPE_MS = 154.0
HODGES_SLOPE_MS_PER_BPM = 1.75

# --- thresholds ------------------------------------------------------------------------------------------
# AHA/ACCF/HRS recommendations for the standardization and interpretation of the ECG, part IV
# (Rautaharju PM et al. Circulation 2009;119:e241-e250): QTc >= 450 ms in men and >= 460 ms in women is
# prolonged.
PROLONGED_MALE_MS = 450.0
PROLONGED_FEMALE_MS = 460.0
# QTc >= 500 ms: high risk of torsades / arrhythmic events (2022 ESC ventricular arrhythmia / SCD guideline,
# Zeppenfeld K et al. Eur Heart J 2022;43:3997-4126; Drew BJ et al. Circulation 2010;121:1047-1060).
HIGH_RISK_MS = 500.0

# Schwartz PJ, Crotti L. QTc behavior during exercise and genetic testing for the long-QT syndrome.
# Circulation 2011;124:2181-2184 (1993 criteria, 2011 update): QTc (Bazett) >= 480 ms: 3 points,
# 460-479 ms: 2 points, 450-459 ms in males: 1 point.
SCHWARTZ_QTC_POINTS = ((480.0, 3), (460.0, 2))
SCHWARTZ_MALE_450_POINTS = 1

# Plausibility bounds for a recorded interval (project choice, not a clinical threshold): values outside are
# listed as excluded, never silently corrected. RR 0.25-2.5 s = heart rate 24-240 bpm.
RR_PLAUSIBLE_S = (0.25, 2.5)
QT_PLAUSIBLE_MS = (150.0, 800.0)
# heart_rate and 60/rr_s disagreeing by more than this fraction makes a row ambiguous -> excluded
HR_RR_TOLERANCE = 0.10

METHODS = ("bazett", "fridericia", "framingham", "hodges")


def _rr_from(rr_s: Any, heart_rate: Any, *, scalar: bool) -> Any:
    if rr_s is None and heart_rate is None:
        raise ParameterError("give rr_s (seconds) or heart_rate (beats per minute)")
    if rr_s is not None and heart_rate is not None:
        raise ParameterError("give rr_s or heart_rate, not both")
    if rr_s is not None:
        rr = rr_s
        name = "rr_s"
    else:
        name = "heart_rate"
        if scalar:
            _check_scalar(heart_rate, name)
        rr = 60.0 / np.asarray(heart_rate, dtype=float) if not scalar else 60.0 / float(heart_rate)
    if scalar:
        _check_scalar(rr, name)
    return rr


def _check_scalar(value: Any, name: str) -> None:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"{name}: not a number: {value!r}") from None
    if not math.isfinite(v) or v <= 0:
        raise ParameterError(f"{name}: must be a positive finite number, got {value!r}")


def _is_scalar(*values: Any) -> bool:
    return all(v is None or np.ndim(v) == 0 for v in values)


def _wrap(result: Any, like: Any) -> Any:
    if isinstance(like, pd.Series):
        return pd.Series(np.asarray(result, dtype=float), index=like.index)
    return result


def _prepare(qt_ms: Any, rr_s: Any, heart_rate: Any):
    scalar = _is_scalar(qt_ms, rr_s, heart_rate)
    if scalar:
        _check_scalar(qt_ms, "qt_ms")
        rr = _rr_from(rr_s, heart_rate, scalar=True)
        return float(qt_ms), float(rr), True
    rr = _rr_from(rr_s, heart_rate, scalar=False)
    return np.asarray(qt_ms, dtype=float), np.asarray(rr, dtype=float), False


def qtc_bazett(qt_ms: Any, *, rr_s: Any = None, heart_rate: Any = None) -> Any:
    """QTc by Bazett: ``QT / sqrt(RR)`` (ms). Scalars raise :class:`ParameterError` on impossible values;
    arrays and Series are computed element-wise (invalid elements give NaN)."""
    qt, rr, scalar = _prepare(qt_ms, rr_s, heart_rate)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = qt / np.sqrt(np.where(np.asarray(rr) > 0, rr, np.nan)) if not scalar else qt / math.sqrt(rr)
    return out if scalar else _wrap(out, qt_ms)


def qtc_fridericia(qt_ms: Any, *, rr_s: Any = None, heart_rate: Any = None) -> Any:
    """QTc by Fridericia: ``QT / RR^(1/3)`` (ms)."""
    qt, rr, scalar = _prepare(qt_ms, rr_s, heart_rate)
    if scalar:
        return qt / rr ** (1.0 / 3.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = qt / np.cbrt(np.where(rr > 0, rr, np.nan))
    return _wrap(out, qt_ms)


def qtc_framingham(qt_ms: Any, *, rr_s: Any = None, heart_rate: Any = None) -> Any:
    """QTc by the Framingham linear formula: ``QT + 154 × (1 − RR)`` (ms)."""
    qt, rr, scalar = _prepare(qt_ms, rr_s, heart_rate)
    if scalar:
        return qt + FRAMINGHAM_SLOPE_MS * (1.0 - rr)
    out = qt + FRAMINGHAM_SLOPE_MS * (1.0 - np.where(rr > 0, rr, np.nan))
    return _wrap(out, qt_ms)


def qtc_hodges(qt_ms: Any, *, heart_rate: Any = None, rr_s: Any = None) -> Any:
    """QTc by Hodges: ``QT + 1.75 × (HR − 60)`` (ms), HR in beats per minute (or ``rr_s``: HR = 60 / RR)."""
    qt, rr, scalar = _prepare(qt_ms, rr_s, heart_rate)
    if scalar:
        return qt + HODGES_SLOPE_MS_PER_BPM * (60.0 / rr - 60.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        hr = 60.0 / np.where(rr > 0, rr, np.nan)
    return _wrap(qt + HODGES_SLOPE_MS_PER_BPM * (hr - 60.0), qt_ms)


_FORMULAS = {
    "bazett": qtc_bazett,
    "fridericia": qtc_fridericia,
    "framingham": qtc_framingham,
    "hodges": qtc_hodges,
}


def qtc(qt_ms: Any, *, rr_s: Any = None, heart_rate: Any = None, method: str = "bazett") -> Any:
    """QTc by the named ``method`` (one of ``bazett``, ``fridericia``, ``framingham``, ``hodges``)."""
    try:
        fn = _FORMULAS[method]
    except KeyError:
        raise ParameterError(f"method: {method!r} is not one of {list(METHODS)}") from None
    return fn(qt_ms, rr_s=rr_s, heart_rate=heart_rate)


# --- sex and flags ---------------------------------------------------------------------------------------

def normalise_sex(sex: Any) -> str:
    """``'M'``, ``'F'`` or ``'U'`` (unknown) from M/F, male/female, 1/2 (PED coding) and the like."""
    if sex is None or (isinstance(sex, float) and math.isnan(sex)):
        return "U"
    s = str(sex).strip().lower()
    if s in {"m", "male", "1", "man", "mann"}:
        return "M"
    if s in {"f", "female", "2", "woman", "k", "kvinne", "w"}:
        return "F"
    return "U"


def qtc_flag(qtc_ms: float, *, sex: Any) -> str:
    """``'high_risk'`` (>= 500 ms), ``'prolonged'`` (>= 450 ms men, >= 460 ms women), ``'normal'``, or
    ``'not_computable'`` for a missing value.

    Unknown sex uses the lower (male) threshold so that no prolonged QTc is missed; the table reports the
    sex used.
    """
    if qtc_ms is None or not np.isfinite(qtc_ms):
        return "not_computable"
    if qtc_ms >= HIGH_RISK_MS:
        return "high_risk"
    threshold = PROLONGED_FEMALE_MS if normalise_sex(sex) == "F" else PROLONGED_MALE_MS
    return "prolonged" if qtc_ms >= threshold else "normal"


def schwartz_qtc_points(qtc_ms: float, *, sex: Any) -> int:
    """Points of the QTc item of the Schwartz (LQTS diagnostic) score; QTc should be Bazett's.

    >= 480 ms: 3; 460–479 ms: 2; 450–459 ms in males: 1; otherwise 0 (Schwartz & Crotti,
    Circulation 2011;124:2181).
    """
    if qtc_ms is None or not np.isfinite(qtc_ms):
        raise ParameterError(f"qtc_ms: not a finite number: {qtc_ms!r}")
    for threshold, points in SCHWARTZ_QTC_POINTS:
        if qtc_ms >= threshold:
            return points
    if qtc_ms >= PROLONGED_MALE_MS and normalise_sex(sex) == "M":
        return SCHWARTZ_MALE_450_POINTS
    return 0


# --- tables ----------------------------------------------------------------------------------------------

ECG_COLUMNS = ("person_id", "family_id", "date", "age", "sex", "heart_rate", "rr_s", "qt_ms", "qrs_ms", "pr_ms")
REQUIRED_COLUMNS = ("person_id", "sex", "qt_ms")


def qtc_table(ecg_df: pd.DataFrame, *, source: str = "ecg table") -> tuple[pd.DataFrame, pd.DataFrame]:
    """QTc by the four formulas for every visit of an ``ecg.csv``-shaped table.

    Parameters
    ----------
    ecg_df
        Columns ``person_id, family_id, date, age, sex (M/F), heart_rate, rr_s, qt_ms, qrs_ms, pr_ms``;
        ``person_id``, ``sex``, ``qt_ms`` and one of ``rr_s`` / ``heart_rate`` are required.
    source
        Name of the input used in error messages (e.g. the file path).

    Returns
    -------
    (visits, excluded)
        ``visits``: the input columns plus ``rr_used_s``, ``qtc_bazett``, ``qtc_fridericia``,
        ``qtc_framingham``, ``qtc_hodges``, ``flag`` (from Bazett), ``flag_fridericia``,
        ``schwartz_qtc_points`` and ``sex_used``. ``excluded``: the rows not computed, with
        ``row`` (0-based position in the input), ``person_id``, ``date`` and ``reason``.
        Every input row is in exactly one of the two tables.
    """
    if not isinstance(ecg_df, pd.DataFrame):
        raise ParameterError(f"{source}: expected a pandas DataFrame, got {type(ecg_df).__name__}")
    missing = [c for c in REQUIRED_COLUMNS if c not in ecg_df.columns]
    if "rr_s" not in ecg_df.columns and "heart_rate" not in ecg_df.columns:
        missing.append("rr_s or heart_rate")
    if missing:
        raise InputDataError(f"{source}: missing column(s) {missing}")
    df = ecg_df.reset_index(drop=True).copy()
    df.insert(0, "row", np.arange(len(df)))
    qt = pd.to_numeric(df["qt_ms"], errors="coerce")
    rr_raw = pd.to_numeric(df["rr_s"], errors="coerce") if "rr_s" in df else pd.Series(np.nan, index=df.index)
    hr = pd.to_numeric(df["heart_rate"], errors="coerce") if "heart_rate" in df else pd.Series(np.nan, index=df.index)
    rr = rr_raw.where(rr_raw.notna(), 60.0 / hr.where(hr > 0))

    reasons = pd.Series("", index=df.index, dtype=object)

    def add(mask: pd.Series, text: str) -> None:
        mask = mask.fillna(False).astype(bool)
        reasons[mask] = reasons[mask].where(reasons[mask] == "", reasons[mask] + "; ") + text

    add(df["person_id"].isna() | (df["person_id"].astype(str).str.strip() == ""), "missing person_id")
    add(qt.isna(), "missing or non-numeric qt_ms")
    add(qt.notna() & (qt <= 0), "qt_ms <= 0")
    add((qt > 0) & ((qt < QT_PLAUSIBLE_MS[0]) | (qt > QT_PLAUSIBLE_MS[1])),
        f"qt_ms outside plausible range {QT_PLAUSIBLE_MS[0]:g}-{QT_PLAUSIBLE_MS[1]:g} ms")
    add(rr_raw.isna() & hr.isna(), "missing rr_s and heart_rate")
    add(rr_raw.notna() & (rr_raw <= 0), "rr_s <= 0")
    add(rr_raw.isna() & hr.notna() & (hr <= 0), "heart_rate <= 0")
    add((rr > 0) & ((rr < RR_PLAUSIBLE_S[0]) | (rr > RR_PLAUSIBLE_S[1])),
        f"RR outside plausible range {RR_PLAUSIBLE_S[0]:g}-{RR_PLAUSIBLE_S[1]:g} s")
    both = (rr_raw > 0) & (hr > 0)
    disagree = both & ((60.0 / rr_raw - hr).abs() > HR_RR_TOLERANCE * hr)
    add(disagree, f"heart_rate and 60/rr_s differ by more than {HR_RR_TOLERANCE:.0%}")

    bad = reasons != ""
    excluded_cols = ["row"] + [c for c in ("person_id", "family_id", "date") if c in df.columns]
    excluded = df.loc[bad, excluded_cols].copy()
    excluded["reason"] = reasons[bad]
    excluded = excluded.reset_index(drop=True)

    visits = df.loc[~bad].copy()
    q = qt[~bad].to_numpy(dtype=float)
    r = rr[~bad].to_numpy(dtype=float)
    visits["rr_used_s"] = r
    for method in METHODS:
        visits[f"qtc_{method}"] = np.asarray(_FORMULAS[method](q, rr_s=r), dtype=float)
    visits["sex_used"] = [normalise_sex(s) for s in visits["sex"]]
    visits["flag"] = [qtc_flag(v, sex=s) for v, s in zip(visits["qtc_bazett"], visits["sex_used"])]
    visits["flag_fridericia"] = [qtc_flag(v, sex=s) for v, s in zip(visits["qtc_fridericia"], visits["sex_used"])]
    visits["schwartz_qtc_points"] = [
        schwartz_qtc_points(v, sex=s) for v, s in zip(visits["qtc_bazett"], visits["sex_used"])
    ]
    if "date" in visits:
        visits["date"] = pd.to_datetime(visits["date"], errors="coerce")
    return visits.reset_index(drop=True), excluded


def latest_qtc(visits: pd.DataFrame, *, methods: tuple[str, ...] = METHODS) -> pd.DataFrame:
    """Each person's latest visit (by ``date``, else by ``age``, else the last row) from :func:`qtc_table`.

    Returns one row per ``person_id`` with ``date``, the QTc per method, ``flag`` (Bazett),
    ``flag_fridericia``, ``schwartz_qtc_points`` and ``n_visits``.
    """
    if visits.empty:
        cols = ["person_id", "date", *[f"qtc_{m}" for m in methods], "flag", "flag_fridericia",
                "schwartz_qtc_points", "n_visits"]
        return pd.DataFrame(columns=cols)
    order = [c for c in ("date", "age", "row") if c in visits.columns]
    ordered = visits.sort_values(["person_id", *order], kind="stable")
    last = ordered.groupby("person_id", sort=True).tail(1).set_index("person_id")
    counts = visits.groupby("person_id").size().rename("n_visits")
    keep = [c for c in ("family_id", "date", "age", "sex_used") if c in last.columns]
    keep += [f"qtc_{m}" for m in methods] + ["flag", "flag_fridericia", "schwartz_qtc_points"]
    return last[keep].join(counts).reset_index()


def qtc_summary(latest: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """The ``qtc`` entry of ``summary.json``: per person, the latest visit's QTc per method (ms, 1 decimal),
    the flag (Bazett and Fridericia), the Schwartz QTc points and the visit date."""
    out: dict[str, dict[str, Any]] = {}
    for rec in latest.to_dict(orient="records"):
        date = rec.get("date")
        out[str(rec["person_id"])] = {
            "date": None if date is None or pd.isna(date) else str(pd.Timestamp(date).date()),
            **{m: round(float(rec[f"qtc_{m}"]), 1) for m in METHODS if f"qtc_{m}" in rec},
            "flag": rec.get("flag"),
            "flag_fridericia": rec.get("flag_fridericia"),
            "schwartz_qtc_points": int(rec["schwartz_qtc_points"]),
            "n_visits": int(rec.get("n_visits", 1)),
        }
    return out


def plot_qtc_trend(
    df: pd.DataFrame,
    *,
    method: str = "bazett",
    ax: Any = None,
    hue: str = "person_id",
    show_thresholds: bool = True,
):
    """Each person's QTc over visits (seaborn line plot) with the 450/460/500 ms reference lines.

    Parameters
    ----------
    df
        ``visits`` from :func:`qtc_table` (needs ``person_id``, ``date`` or ``age``, ``qtc_<method>``).
    method
        Which QTc to plot.
    ax
        A matplotlib Axes to draw on; a new figure is made when ``None``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    col = f"qtc_{method}"
    if method not in METHODS:
        raise ParameterError(f"method: {method!r} is not one of {list(METHODS)}")
    if col not in df.columns:
        raise InputDataError(f"plot_qtc_trend: column {col!r} missing; pass the visits table of qtc_table()")
    x = "date" if "date" in df.columns and df["date"].notna().any() else "age"
    if x not in df.columns:
        raise InputDataError("plot_qtc_trend: needs a 'date' or 'age' column")
    if ax is None:
        fig, ax = plt.subplots(figsize=(8.5, 4), layout="constrained")
    else:
        fig = ax.figure
    data = df.sort_values([hue, x])
    sns.lineplot(data=data, x=x, y=col, hue=hue, marker="o", ax=ax)
    if show_thresholds:
        for y, label, style in ((PROLONGED_MALE_MS, "450 ms (men)", ":"),
                                (PROLONGED_FEMALE_MS, "460 ms (women)", "--"),
                                (HIGH_RISK_MS, "500 ms (high risk)", "-")):
            ax.axhline(y, color="grey", linestyle=style, linewidth=0.8, label=label)
    ax.set_ylabel(f"QTc {method.capitalize()} (ms)")
    ax.set_xlabel("visit date" if x == "date" else "age (years)")
    ax.set_title(f"QTc ({method.capitalize()}) over visits")
    # outside the axes: with a dozen relatives an inside legend hides the lines
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return fig


__all__ = [
    "qtc_bazett",
    "qtc_fridericia",
    "qtc_framingham",
    "qtc_hodges",
    "qtc",
    "qtc_flag",
    "schwartz_qtc_points",
    "normalise_sex",
    "qtc_table",
    "latest_qtc",
    "qtc_summary",
    "plot_qtc_trend",
    "METHODS",
    "PROLONGED_MALE_MS",
    "PROLONGED_FEMALE_MS",
    "HIGH_RISK_MS",
]
