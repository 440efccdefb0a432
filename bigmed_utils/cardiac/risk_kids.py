"""HCM Risk-Kids: the 5-year risk of sudden cardiac death in children with hypertrophic cardiomyopathy.

Norrish G, Ding T, Field E et al. Development of a novel risk prediction model for sudden cardiac death in
childhood hypertrophic cardiomyopathy (HCM Risk-Kids). JAMA Cardiol 2019;4:918-927; externally validated by
Norrish G, Qu C, Field E et al. Eur J Prev Cardiol 2022;29:678-686 (patients aged 1-16 years, 5-year risk
threshold 6 %). The 2023 ESC cardiomyopathy guideline (Arbelo E et al. Eur Heart J 2023;44:3503) recommends
it for patients under 16: an ICD should be considered at an estimated 5-year risk >= 6 % (class IIa).

The model is a Cox model on the **Z-scores** of maximal LV wall thickness and left atrial diameter, the
maximal LVOT gradient, unexplained syncope and non-sustained VT::

    PI   = 0.2171364 (MWTz - 11.09) - 0.0047562 (MWTz^2 - 174.12) + 0.130365 (LAz - 1.92)
           + 0.429624 syncope + 0.1861694 NSVT - 0.0065555 (LVOT - 21.8)
    risk = 1 - 0.949437808 ^ exp(PI)

(constants as published and used by the authors' online calculator; identical in three independent public
implementations). The Z-scores are inputs: the model's Z-scores come from body-size reference equations
the published model does not define, so this module never converts millimetres to Z-scores; without them the
risk is *not computable* and the missing field is named.

Not applicable (reason given): age < 1 or >= 16 years (use HCM Risk-SCD from 16), previous aborted cardiac
arrest or sustained VT (secondary prevention), and syndromic or metabolic HCM (RASopathies, inborn errors of
metabolism, neuromuscular disease were excluded from the development cohort).

Research use only; not a medical device.
"""

from __future__ import annotations

import math
from typing import Any

from ..errors import ParameterError
from .risk import (
    COLUMN_ALIASES,
    RiskResult,
    _as_bool,
    _as_float,
    _missing,
    esc2023_risk_modifiers,
    hcm_risk_scd_from_record,
)

KIDS_COEF_MWT_Z = 0.2171364       # per MWT Z-score (centred at the cohort mean 11.09)
KIDS_COEF_MWT_Z2 = -0.0047562     # per squared MWT Z-score (centred at 174.12)
KIDS_COEF_LA_Z = 0.130365         # per LA diameter Z-score (centred at 1.92)
KIDS_COEF_SYNCOPE = 0.429624      # unexplained syncope
KIDS_COEF_NSVT = 0.1861694        # non-sustained VT
KIDS_COEF_LVOT = -0.0065555       # per mmHg maximal LVOT gradient (centred at 21.8)
KIDS_MEAN_MWT_Z = 11.09
KIDS_MEAN_MWT_Z2 = 174.12
KIDS_MEAN_LA_Z = 1.92
KIDS_MEAN_LVOT = 21.8
KIDS_BASELINE_SURVIVAL_5Y = 0.949437808
#: ESC 2023: ICD should be considered at a 5-year risk >= 6 % (HCM Risk-Kids), the threshold of the validation
KIDS_HIGH_FROM_PERCENT = 6.0
#: ages of the development and validation cohorts (years): from 1, below 16 (16 and over: HCM Risk-SCD)
KIDS_MIN_AGE = 1.0
KIDS_MAX_AGE_EXCLUSIVE = 16.0

KIDS_CATEGORY_TEXT = {
    "high": "ICD should be considered (>= 6 % / 5 years with HCM Risk-Kids; ESC 2023 class IIa)",
    "low": "< 6 % / 5 years with HCM Risk-Kids: ICD not routinely indicated; clinical judgement",
}

_SYNDROMIC_FALSE = {"false", "no", "none", "0", "nei", ""}


def kids_prognostic_index(*, mwt_z: float, la_z: float, lvot_gradient_mmhg: float, nsvt: bool,
                          unexplained_syncope: bool) -> float:
    """The HCM Risk-Kids prognostic index (no checks; use :func:`hcm_risk_kids`)."""
    return (KIDS_COEF_MWT_Z * (mwt_z - KIDS_MEAN_MWT_Z)
            + KIDS_COEF_MWT_Z2 * (mwt_z ** 2 - KIDS_MEAN_MWT_Z2)
            + KIDS_COEF_LA_Z * (la_z - KIDS_MEAN_LA_Z)
            + KIDS_COEF_SYNCOPE * float(bool(unexplained_syncope))
            + KIDS_COEF_NSVT * float(bool(nsvt))
            + KIDS_COEF_LVOT * (lvot_gradient_mmhg - KIDS_MEAN_LVOT))


def _z(value: Any, name: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"{name}: not a number: {value!r}") from None
    if not math.isfinite(v):
        raise ParameterError(f"{name}: must be a finite Z-score, got {value!r}")
    return v


def hcm_risk_kids(
    *,
    age: float | None,
    mwt_z: float | None,
    la_z: float | None,
    lvot_gradient_mmhg: float | None,
    nsvt: bool | None,
    unexplained_syncope: bool | None,
    prior_scd_or_sustained_vt: bool = False,
    syndromic_or_metabolic: bool | str | None = False,
) -> RiskResult:
    """5-year risk of sudden cardiac death in childhood HCM (HCM Risk-Kids, Norrish et al. 2019).

    Parameters
    ----------
    age
        Age at evaluation, years (1 to < 16).
    mwt_z, la_z
        Z-scores of the maximal LV wall thickness and of the left atrial diameter.
    lvot_gradient_mmhg
        Maximal LVOT gradient at rest or with Valsalva, mmHg (0 accepted).
    nsvt, unexplained_syncope
        The binary predictors.
    prior_scd_or_sustained_vt
        Secondary prevention: not applicable.
    syndromic_or_metabolic
        ``True`` or a diagnosis for syndromic/metabolic HCM: not applicable.

    Returns
    -------
    RiskResult
        ``model='HCM Risk-Kids'``; ``category`` ``'high'`` (>= 6 %) or ``'low'``.
    """
    reasons = []
    if _as_bool(prior_scd_or_sustained_vt, "prior_scd_or_sustained_vt"):
        reasons.append("prior aborted SCD or sustained VT: secondary prevention (ICD recommended), "
                       "HCM Risk-Kids not applicable")
    if isinstance(syndromic_or_metabolic, str):
        if syndromic_or_metabolic.strip().lower() not in _SYNDROMIC_FALSE:
            reasons.append(f"syndromic/metabolic HCM ({syndromic_or_metabolic.strip()}): excluded from the "
                           "HCM Risk-Kids cohort")
    elif not _missing(syndromic_or_metabolic) and _as_bool(syndromic_or_metabolic, "syndromic_or_metabolic"):
        reasons.append("syndromic/metabolic HCM: excluded from the HCM Risk-Kids cohort")
    if not _missing(age):
        a = _as_float(age, "age")
        if a < KIDS_MIN_AGE:
            reasons.append(f"age {a:g} < 1 year: HCM Risk-Kids was developed from age 1")
        elif a >= KIDS_MAX_AGE_EXCLUSIVE:
            reasons.append(f"age {a:g} >= 16 years: use HCM Risk-SCD")
    if reasons:
        return RiskResult(None, None, False, "; ".join(reasons), status="not_applicable", model="HCM Risk-Kids")
    values = {"age": age, "mwt_z": mwt_z, "la_z": la_z, "lvot_gradient_mmhg": lvot_gradient_mmhg, "nsvt": nsvt,
              "unexplained_syncope": unexplained_syncope}
    missing = tuple(k for k, v in values.items() if _missing(v))
    if missing:
        return RiskResult(None, None, True, f"not computable: missing {', '.join(missing)}"
                          + (" (HCM Risk-Kids needs Z-scores, not millimetres)"
                             if {"mwt_z", "la_z"} & set(missing) else ""),
                          status="not_computable", missing=missing, model="HCM Risk-Kids")
    pi = kids_prognostic_index(mwt_z=_z(mwt_z, "mwt_z"), la_z=_z(la_z, "la_z"),
                               lvot_gradient_mmhg=_as_float(lvot_gradient_mmhg, "lvot_gradient_mmhg"),
                               nsvt=_as_bool(nsvt, "nsvt"),
                               unexplained_syncope=_as_bool(unexplained_syncope, "unexplained_syncope"))
    percent = 100.0 * (1.0 - KIDS_BASELINE_SURVIVAL_5Y ** math.exp(pi))
    category = "high" if percent >= KIDS_HIGH_FROM_PERCENT else "low"
    return RiskResult(percent, category, True, None, status="computed", prognostic_index=pi,
                      recommendation=KIDS_CATEGORY_TEXT[category], model="HCM Risk-Kids")


#: echo / CMR / clinical column names of the Risk-Kids Z-scores and of the ESC 2023 risk modifiers
EXTRA_COLUMN_ALIASES = {
    "mwt_z": "mwt_z", "mwt_zscore": "mwt_z", "mwt_z_score": "mwt_z", "max_wall_thickness_z": "mwt_z",
    "la_z": "la_z", "la_zscore": "la_z", "la_z_score": "la_z", "la_diameter_z": "la_z",
    "lge_percent": "lge_percent", "lge_pct": "lge_percent", "lge_percent_lv_mass": "lge_percent",
    "lvef_percent": "lvef_percent", "lvef": "lvef_percent", "lvef_pct": "lvef_percent", "ef_percent": "lvef_percent",
    "apical_aneurysm": "apical_aneurysm", "lv_apical_aneurysm": "apical_aneurysm",
    "abnormal_bp_response": "abnormal_bp_response", "abnormal_blood_pressure_response": "abnormal_bp_response",
}


def _pick(record: dict[str, Any], aliases: dict[str, str], key: str) -> Any:
    for col, value in record.items():
        if aliases.get(str(col).strip().lower()) == key and not _missing(value):
            return value
    return None


def hcm_risk_from_record(record: dict[str, Any], *, sarcomeric_plp: bool | None = None,
                         syndromic: str | None = None) -> tuple[RiskResult, dict[str, Any]]:
    """The HCM sudden-death risk of one person from echo/CMR/clinical columns: HCM Risk-Kids under 16,
    HCM Risk-SCD from 16 (:func:`~bigmed_utils.cardiac.risk.hcm_risk_scd_from_record`), and the ESC 2023 risk
    modifiers beside it (:func:`~bigmed_utils.cardiac.risk.esc2023_risk_modifiers`; defined for 16 and over).

    ``sarcomeric_plp``: the person carries a pathogenic / likely pathogenic sarcomeric variant (a modifier);
    ``syndromic``: a phenocopy diagnosis (e.g. "Fabry disease") that makes both scores not applicable.
    """
    record = dict(record)
    if syndromic:
        record["syndromic_or_metabolic"] = syndromic
    age = _pick(record, COLUMN_ALIASES, "age")
    mods = {k: _pick(record, EXTRA_COLUMN_ALIASES, k)
            for k in ("lge_percent", "lvef_percent", "apical_aneurysm", "abnormal_bp_response")}
    if age is not None and _as_float(age, "age") < KIDS_MAX_AGE_EXCLUSIVE:
        flags = {k: _pick(record, COLUMN_ALIASES, k) for k in ("prior_scd_or_sustained_vt", "syndromic_or_metabolic")}
        res = hcm_risk_kids(
            age=age, mwt_z=_pick(record, EXTRA_COLUMN_ALIASES, "mwt_z"), la_z=_pick(record, EXTRA_COLUMN_ALIASES, "la_z"),
            lvot_gradient_mmhg=_pick(record, COLUMN_ALIASES, "lvot_gradient_mmhg"),
            nsvt=_pick(record, COLUMN_ALIASES, "nsvt"),
            unexplained_syncope=_pick(record, COLUMN_ALIASES, "unexplained_syncope"),
            prior_scd_or_sustained_vt=bool(flags["prior_scd_or_sustained_vt"] is not None
                                           and _as_bool(flags["prior_scd_or_sustained_vt"], "prior_scd_or_sustained_vt")),
            syndromic_or_metabolic=flags["syndromic_or_metabolic"] or False,
        )
        modifiers = esc2023_risk_modifiers(category=None, sarcomeric_plp=sarcomeric_plp, **mods)
        modifiers["recommendation"] = ("ESC 2023 risk modifiers are defined for patients aged 16 or more"
                                       if modifiers["present"] else None)
        return res, modifiers
    res = hcm_risk_scd_from_record(record)
    modifiers = esc2023_risk_modifiers(category=res.category, sarcomeric_plp=sarcomeric_plp, **mods)
    return res, modifiers


__all__ = [
    "hcm_risk_from_record",
    "EXTRA_COLUMN_ALIASES",
    "hcm_risk_kids",
    "kids_prognostic_index",
    "KIDS_BASELINE_SURVIVAL_5Y",
    "KIDS_HIGH_FROM_PERCENT",
]
