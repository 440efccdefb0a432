"""HCM Risk-SCD: the 5-year risk of sudden cardiac death in hypertrophic cardiomyopathy.

O'Mahony C, Jichi F, Pavlou M et al. A novel clinical risk prediction model for sudden cardiac death in
hypertrophic cardiomyopathy (HCM Risk-SCD). Eur Heart J 2014;35:2010-2020. Recommended by the 2014 ESC HCM
guideline (Elliott PM et al. Eur Heart J 2014;35:2733-2779) and the 2023 ESC cardiomyopathy guideline
(Arbelo E et al. Eur Heart J 2023;44:3503-3626) for patients aged 16 years or more.

Outside its validated use the score is reported as *not applicable* with the reason; with a missing input as
*not computable* naming the field. It never returns a number it cannot stand behind.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Mapping

import pandas as pd

from ..errors import ParameterError

# Prognostic index coefficients (O'Mahony et al. 2014; ESC 2014 guideline and its web calculator). Checked
# against independent public implementations (EP Mobile by EP Studios, github.com/mannd/epmobile HcmScd.java;
# several open calculators) which use the same constants.
COEF_MWT = 0.15939858          # per mm maximal LV wall thickness
COEF_MWT2 = -0.00294271        # per mm² (quadratic term)
COEF_LA = 0.0259082            # per mm left atrial diameter
COEF_LVOT = 0.00446131         # per mmHg maximal LVOT gradient (rest or Valsalva)
COEF_FHSCD = 0.4583082         # family history of SCD
COEF_NSVT = 0.82639195         # non-sustained VT
COEF_SYNCOPE = 0.71650361      # unexplained syncope
COEF_AGE = -0.01799934         # per year of age at evaluation
BASELINE_SURVIVAL_5Y = 0.998   # P(SCD at 5 y) = 1 − 0.998^exp(PI)

# ESC 2014 (and 2023) ICD categories: < 4 % ICD generally not indicated; 4 to < 6 % may be considered;
# >= 6 % should be considered.
LOW_BELOW_PERCENT = 4.0
HIGH_FROM_PERCENT = 6.0

# Range of each continuous predictor in the development cohort, as enforced by the ESC/ O'Mahony web
# calculator and EP Mobile (age 16-115 y, MWT 10-35 mm, LA 28-67 mm, LVOT gradient 2-154 mmHg). Outside these
# ranges the model extrapolates: reported as not applicable. The lower age bound is the guideline's >= 16 y.
VALID_RANGES: dict[str, tuple[float, float, str]] = {
    "age": (16.0, 115.0, "years"),
    "mwt_mm": (10.0, 35.0, "mm"),
    "la_mm": (28.0, 67.0, "mm"),
    "lvot_gradient_mmhg": (2.0, 154.0, "mmHg"),
}

# Conditions in which the model was not developed or validated (ESC 2014 HCM guideline, section 9.5:
# not for paediatric patients (< 16 y), elite/competitive athletes, HCM with metabolic or infiltrative disease
# (e.g. Anderson-Fabry) or syndromes (e.g. Noonan), or after aborted SCD / sustained VT (secondary prevention).
SYNDROMIC_KEYWORDS = (
    "fabry", "anderson-fabry", "danon", "lamp2", "noonan", "rasopathy", "leopard", "pompe", "prkag2",
    "amyloid", "friedreich", "mitochondrial", "metabolic", "syndromic", "glycogen", "storage",
)

CATEGORY_TEXT = {
    "low": "ICD generally not indicated (< 4 % / 5 years)",
    "intermediate": "ICD may be considered (4 to < 6 % / 5 years)",
    "high": "ICD should be considered (>= 6 % / 5 years)",
}


@dataclass(frozen=True)
class RiskResult:
    """Outcome of :func:`hcm_risk_scd`.

    ``status`` is ``'computed'``, ``'not_applicable'`` or ``'not_computable'``; ``percent`` and
    ``category`` are ``None`` unless computed; ``reason`` says why not; ``missing`` names missing inputs.
    """

    percent: float | None
    category: str | None
    applicable: bool
    reason: str | None = None
    status: str = "computed"
    prognostic_index: float | None = None
    recommendation: str | None = None
    missing: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["missing"] = list(self.missing)
        return out

    def to_summary(self) -> dict[str, Any]:
        """The ``hcm_risk_scd`` entry of ``summary.json``: percent (2 decimals) and category, or nulls with
        the reason."""
        return {
            "percent": None if self.percent is None else round(self.percent, 2),
            "category": self.category,
            "status": self.status,
            "reason": self.reason,
            "recommendation": self.recommendation,
        }


def prognostic_index(
    *, age: float, mwt_mm: float, la_mm: float, lvot_gradient_mmhg: float,
    family_history_scd: bool, nsvt: bool, unexplained_syncope: bool,
) -> float:
    """The HCM Risk-SCD prognostic index (no range checks; use :func:`hcm_risk_scd`)."""
    return (
        COEF_MWT * mwt_mm
        + COEF_MWT2 * mwt_mm ** 2
        + COEF_LA * la_mm
        + COEF_LVOT * lvot_gradient_mmhg
        + COEF_FHSCD * float(bool(family_history_scd))
        + COEF_NSVT * float(bool(nsvt))
        + COEF_SYNCOPE * float(bool(unexplained_syncope))
        + COEF_AGE * age
    )


def risk_category(percent: float) -> str:
    """ESC category for a 5-year risk in percent: ``'low'`` (< 4), ``'intermediate'`` (4 to < 6), ``'high'``."""
    if percent is None or not math.isfinite(percent) or percent < 0:
        raise ParameterError(f"percent: not a valid risk: {percent!r}")
    if percent < LOW_BELOW_PERCENT:
        return "low"
    if percent < HIGH_FROM_PERCENT:
        return "intermediate"
    return "high"


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _as_bool(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    s = str(value).strip().lower()
    if s in {"true", "yes", "y", "1", "ja"}:
        return True
    if s in {"false", "no", "n", "0", "nei"}:
        return False
    raise ParameterError(f"{name}: expected yes/no (boolean), got {value!r}")


def _as_float(value: Any, name: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"{name}: not a number: {value!r}") from None
    if not math.isfinite(v) or v < 0:
        raise ParameterError(f"{name}: must be a non-negative finite number, got {value!r}")
    return v


def hcm_risk_scd(
    *,
    age: float | None,
    mwt_mm: float | None,
    la_mm: float | None,
    lvot_gradient_mmhg: float | None,
    family_history_scd: bool | None,
    nsvt: bool | None,
    unexplained_syncope: bool | None,
    prior_scd_or_sustained_vt: bool = False,
    competitive_athlete: bool = False,
    syndromic_or_metabolic: bool | str | None = False,
) -> RiskResult:
    """5-year risk of sudden cardiac death in HCM (HCM Risk-SCD, O'Mahony et al. 2014).

    ``PI = 0.15939858·MWT − 0.00294271·MWT² + 0.0259082·LA + 0.00446131·LVOTmax + 0.4583082·FHSCD
    + 0.82639195·NSVT + 0.71650361·syncope − 0.01799934·age``; ``risk = 1 − 0.998^exp(PI)``.

    Parameters
    ----------
    age
        Age at evaluation, years (validated from 16).
    mwt_mm
        Maximal left-ventricular wall thickness, mm (validated 10–35).
    la_mm
        Left atrial diameter, mm (validated 28–67).
    lvot_gradient_mmhg
        Maximal LV outflow tract gradient at rest or with Valsalva, mmHg (validated 2–154).
    family_history_scd, nsvt, unexplained_syncope
        The three binary predictors.
    prior_scd_or_sustained_vt
        Aborted SCD / sustained VT / appropriate ICD therapy: secondary prevention, score not applicable.
    competitive_athlete
        Elite or competitive athletes were not in the development cohort.
    syndromic_or_metabolic
        ``True`` or a diagnosis (e.g. ``"Fabry"``, ``"Noonan"``, ``"Danon"``) for HCM phenocopies.

    Returns
    -------
    RiskResult
        ``percent`` (0–100, unrounded), ``category`` (``low``/``intermediate``/``high``), ``applicable``,
        ``reason``, ``status`` and the ESC ``recommendation`` text.
    """
    reasons: list[str] = []
    if _as_bool(prior_scd_or_sustained_vt, "prior_scd_or_sustained_vt"):
        reasons.append("prior aborted SCD or sustained VT: secondary prevention (ICD recommended), "
                       "HCM Risk-SCD not applicable")
    if _as_bool(competitive_athlete, "competitive_athlete"):
        reasons.append("competitive/elite athlete: outside the validated population of HCM Risk-SCD")
    if isinstance(syndromic_or_metabolic, str):
        text = syndromic_or_metabolic.strip()
        if text and text.lower() not in {"false", "no", "none", "0", "nei"}:
            reasons.append(f"metabolic/syndromic HCM ({text}): HCM Risk-SCD not validated")
    elif not _missing(syndromic_or_metabolic) and _as_bool(syndromic_or_metabolic, "syndromic_or_metabolic"):
        reasons.append("metabolic/syndromic HCM: HCM Risk-SCD not validated")

    if not _missing(age):
        a = _as_float(age, "age")
        if a < VALID_RANGES["age"][0]:
            reasons.append(f"age {a:g} < 16 years: HCM Risk-SCD is validated from age 16 "
                           "(use HCM Risk-Kids for children)")
    if reasons:
        return RiskResult(None, None, False, "; ".join(reasons), status="not_applicable")

    values = {"age": age, "mwt_mm": mwt_mm, "la_mm": la_mm, "lvot_gradient_mmhg": lvot_gradient_mmhg,
              "family_history_scd": family_history_scd, "nsvt": nsvt,
              "unexplained_syncope": unexplained_syncope}
    missing = tuple(k for k, v in values.items() if _missing(v))
    if missing:
        return RiskResult(None, None, True, f"not computable: missing {', '.join(missing)}",
                          status="not_computable", missing=missing)

    numeric = {k: _as_float(values[k], k) for k in VALID_RANGES}
    for name, (lo, hi, unit) in VALID_RANGES.items():
        if not lo <= numeric[name] <= hi:
            reasons.append(f"{name} {numeric[name]:g} {unit} outside the validated range {lo:g}-{hi:g} {unit}")
    if reasons:
        return RiskResult(None, None, False, "; ".join(reasons), status="not_applicable")

    pi = prognostic_index(
        **numeric,
        family_history_scd=_as_bool(family_history_scd, "family_history_scd"),
        nsvt=_as_bool(nsvt, "nsvt"),
        unexplained_syncope=_as_bool(unexplained_syncope, "unexplained_syncope"),
    )
    percent = 100.0 * (1.0 - BASELINE_SURVIVAL_5Y ** math.exp(pi))
    category = risk_category(percent)
    return RiskResult(percent, category, True, None, status="computed", prognostic_index=pi,
                      recommendation=CATEGORY_TEXT[category])


#: column names accepted by :func:`hcm_risk_scd_table` (echo.csv / clinical.csv style) -> keyword argument
COLUMN_ALIASES = {
    "age": "age", "age_years": "age",
    "mwt_mm": "mwt_mm", "max_wall_thickness_mm": "mwt_mm", "mwt": "mwt_mm", "max_wall_thickness": "mwt_mm",
    "la_mm": "la_mm", "la_diameter_mm": "la_mm", "la_diameter": "la_mm", "left_atrial_diameter_mm": "la_mm",
    "lvot_gradient_mmhg": "lvot_gradient_mmhg", "lvot_gradient": "lvot_gradient_mmhg",
    "max_lvot_gradient_mmhg": "lvot_gradient_mmhg", "lvot_max_mmhg": "lvot_gradient_mmhg",
    "family_history_scd": "family_history_scd", "fh_scd": "family_history_scd",
    "nsvt": "nsvt", "unexplained_syncope": "unexplained_syncope", "syncope": "unexplained_syncope",
    "prior_scd_or_sustained_vt": "prior_scd_or_sustained_vt", "prior_scd": "prior_scd_or_sustained_vt",
    "aborted_scd": "prior_scd_or_sustained_vt", "sustained_vt": "prior_scd_or_sustained_vt",
    "competitive_athlete": "competitive_athlete", "athlete": "competitive_athlete",
    "syndromic_or_metabolic": "syndromic_or_metabolic", "syndromic": "syndromic_or_metabolic",
}


def hcm_risk_scd_from_record(record: Mapping[str, Any]) -> RiskResult:
    """:func:`hcm_risk_scd` from a mapping with echo/clinical column names (see ``COLUMN_ALIASES``).

    Several secondary-prevention columns (``prior_scd``, ``sustained_vt``...) are OR-ed together.
    """
    kwargs: dict[str, Any] = {k: None for k in ("age", "mwt_mm", "la_mm", "lvot_gradient_mmhg",
                                                 "family_history_scd", "nsvt", "unexplained_syncope")}
    flags = {"prior_scd_or_sustained_vt": False, "competitive_athlete": False, "syndromic_or_metabolic": False}
    for col, value in record.items():
        key = COLUMN_ALIASES.get(str(col).strip().lower())
        if key is None:
            continue
        if key in flags:
            if _missing(value):
                continue
            if key == "syndromic_or_metabolic" and isinstance(value, str) and value.strip().lower() not in {
                "true", "false", "yes", "no", "1", "0", "none", "", "nei", "ja"
            }:
                flags[key] = value
            elif _as_bool(value, str(col)):
                flags[key] = True
        else:
            kwargs[key] = None if _missing(value) else value
    return hcm_risk_scd(**kwargs, **flags)


def hcm_risk_scd_table(df: pd.DataFrame, *, id_column: str = "person_id") -> pd.DataFrame:
    """HCM Risk-SCD for every row of a merged echo + clinical table.

    Returns one row per input row: ``id_column``, ``percent``, ``category``, ``status``, ``applicable``,
    ``reason``, ``recommendation``. Rows are never dropped; not-applicable and not-computable rows say why.
    """
    rows = []
    for record in df.to_dict(orient="records"):
        res = hcm_risk_scd_from_record(record)
        rows.append({id_column: record.get(id_column), "percent": res.percent, "category": res.category,
                     "status": res.status, "applicable": res.applicable, "reason": res.reason,
                     "recommendation": res.recommendation})
    return pd.DataFrame(rows, columns=[id_column, "percent", "category", "status", "applicable", "reason",
                                       "recommendation"])


__all__ = [
    "RiskResult",
    "hcm_risk_scd",
    "hcm_risk_scd_from_record",
    "hcm_risk_scd_table",
    "prognostic_index",
    "risk_category",
    "VALID_RANGES",
]
