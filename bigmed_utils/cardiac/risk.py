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
from .._values import is_missing as _missing

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
# A recorded LVOT gradient of 0 mmHg (no measurable obstruction, the commonest finding in non-obstructive
# HCM) is a valid measurement, not an input outside the model: gradients from 0 up to the development
# cohort's lowest value (2 mmHg) are used as recorded, with a note. The prognostic index then differs by at
# most 2 mmHg x 0.00446131 = 0.009 from the cohort's lowest gradient (a relative risk change under 1 %).
LVOT_ACCEPTED_FROM_MMHG = 0.0

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
    model: str = "HCM Risk-SCD"
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["missing"] = list(self.missing)
        out["notes"] = list(self.notes)
        return out

    def to_summary(self) -> dict[str, Any]:
        """The ``hcm_risk_scd`` entry of ``summary.json``: percent (2 decimals) and category, or nulls with
        the reason."""
        return {
            "model": self.model,
            "percent": None if self.percent is None else round(self.percent, 2),
            "category": self.category,
            "status": self.status,
            "reason": self.reason,
            "recommendation": self.recommendation,
            "notes": list(self.notes),
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
        Maximal LV outflow tract gradient at rest or with Valsalva, mmHg (development cohort 2–154; a
        recorded 0, no obstruction, is used as recorded with a note).
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
    notes: list[str] = []
    for name, (lo, hi, unit) in VALID_RANGES.items():
        value = numeric[name]
        if name == "lvot_gradient_mmhg" and LVOT_ACCEPTED_FROM_MMHG <= value < lo:
            notes.append(f"LVOT gradient {value:g} mmHg (no obstruction) is below the development cohort's lowest "
                         f"value ({lo:g} mmHg) and used as recorded (effect on the risk < 1 % relative)")
            continue
        if not lo <= value <= hi:
            reasons.append(f"{name} {value:g} {unit} outside the validated range {lo:g}-{hi:g} {unit}")
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
                      recommendation=CATEGORY_TEXT[category], notes=tuple(notes))


# ---------------------------------------------------------------------------------------------------------
# ESC 2023 risk modifiers shown beside the score
#
# 2023 ESC Guidelines for the management of cardiomyopathies (Arbelo E et al. Eur Heart J 2023;44:3503-3626),
# recommendations for the prevention of sudden cardiac death in HCM, patients aged 16 years or more:
#   * 5-year risk >= 6 %: ICD implantation should be considered (class IIa);
#   * intermediate risk (>= 4 to < 6 %): ICD should be considered (IIa) in the presence of significant LGE at
#     CMR (usually >= 15 % of LV mass), LVEF < 50 %, an abnormal blood pressure response during exercise, an
#     LV apical aneurysm, or a sarcomeric pathogenic variant; otherwise it may be considered (IIb);
#   * low risk (< 4 %): ICD may be considered (IIb) with significant LGE (>= 15 %), LVEF < 50 % or an LV
#     apical aneurysm.
# The modifiers are shown beside the number, never folded into it (the score was not developed with them).

#: the eight sarcomere genes with definitive evidence for HCM (Ingles J et al. Circ Genom Precis Med
#: 2019;12:e002460): a pathogenic / likely pathogenic variant in one is the ESC 2023 "sarcomeric pathogenic
#: mutation" risk modifier
SARCOMERE_GENES = frozenset({"MYBPC3", "MYH7", "TNNT2", "TNNI3", "TPM1", "ACTC1", "MYL2", "MYL3"})
#: extensive late gadolinium enhancement, % of LV mass (ESC 2023: "usually >= 15 %")
LGE_EXTENSIVE_PERCENT = 15.0
#: LV systolic dysfunction, LV ejection fraction below this value (%)
LVEF_REDUCED_BELOW_PERCENT = 50.0
#: modifiers that count at intermediate and at low risk, and those that count only at intermediate risk
ESC2023_MODIFIERS_ANY_RISK = ("LGE >= 15 % of LV mass", "LVEF < 50 %", "LV apical aneurysm")
ESC2023_MODIFIERS_INTERMEDIATE_ONLY = ("abnormal blood pressure response to exercise", "sarcomeric P/LP variant")


def _flag_value(value: Any, name: str) -> bool | None:
    return None if _missing(value) else _as_bool(value, name)


def esc2023_risk_modifiers(
    *,
    category: str | None,
    lge_percent: float | None = None,
    lvef_percent: float | None = None,
    apical_aneurysm: bool | None = None,
    abnormal_bp_response: bool | None = None,
    sarcomeric_plp: bool | None = None,
) -> dict[str, Any]:
    """The ESC 2023 risk modifiers present, the ones not recorded, and the ICD recommendation they lead to
    for an HCM Risk-SCD ``category`` (``'low'``, ``'intermediate'``, ``'high'``; ``None`` when not computed).

    Returns
    -------
    dict
        ``present`` (modifier names), ``not_recorded`` (inputs missing), ``recommendation`` (text with the
        class of recommendation; ``None`` without a computed category).
    """
    present: list[str] = []
    not_recorded: list[str] = []
    if _missing(lge_percent):
        not_recorded.append("LGE")
    elif _as_float(lge_percent, "lge_percent") >= LGE_EXTENSIVE_PERCENT:
        present.append(ESC2023_MODIFIERS_ANY_RISK[0])
    if _missing(lvef_percent):
        not_recorded.append("LVEF")
    elif _as_float(lvef_percent, "lvef_percent") < LVEF_REDUCED_BELOW_PERCENT:
        present.append(ESC2023_MODIFIERS_ANY_RISK[1])
    for value, name, label in ((apical_aneurysm, "apical_aneurysm", ESC2023_MODIFIERS_ANY_RISK[2]),
                               (abnormal_bp_response, "abnormal_bp_response", ESC2023_MODIFIERS_INTERMEDIATE_ONLY[0]),
                               (sarcomeric_plp, "sarcomeric_plp", ESC2023_MODIFIERS_INTERMEDIATE_ONLY[1])):
        flag = _flag_value(value, name)
        if flag is None:
            not_recorded.append(label)
        elif flag:
            present.append(label)
    rec = None
    if category == "high":
        rec = "ESC 2023: 5-year risk >= 6 %: ICD should be considered (class IIa)"
    elif category == "intermediate":
        if present:
            rec = (f"ESC 2023: intermediate risk with {', '.join(present)}: ICD should be considered (class IIa)")
        else:
            rec = "ESC 2023: intermediate risk, no risk modifier present: ICD may be considered (class IIb)"
    elif category == "low":
        counted = [m for m in present if m in ESC2023_MODIFIERS_ANY_RISK]
        if counted:
            rec = f"ESC 2023: low risk, but {', '.join(counted)}: ICD may be considered (class IIb)"
        else:
            rec = "ESC 2023: low risk, no risk modifier present: ICD generally not indicated"
    if rec is not None and not_recorded:
        rec += f" (not recorded: {', '.join(not_recorded)})"
    return {"present": present, "not_recorded": not_recorded, "recommendation": rec}


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
    "esc2023_risk_modifiers",
    "SARCOMERE_GENES",
    "LGE_EXTENSIVE_PERCENT",
    "LVEF_REDUCED_BELOW_PERCENT",
    "hcm_risk_scd",
    "hcm_risk_scd_from_record",
    "hcm_risk_scd_table",
    "prognostic_index",
    "risk_category",
    "VALID_RANGES",
]
