"""QTc and HCM Risk-SCD / Risk-Kids of a family's members: the family's ECG rows to QTc per visit and per
person, and the HCM risk table with the ESC 2023 risk modifiers.

Research use only; not a medical device. Every clinical constant carries its citation next to it.
"""

from __future__ import annotations

from typing import Any, Mapping

import pandas as pd

from .cascade import CARRIER, NON_CARRIER
from .ecg import latest_qtc, qtc_table
from .inputs import _missing_value
from .pedigree import Pedigree
from .results import RISK_COLUMNS
from .risk import SARCOMERE_GENES, RiskResult
from .risk_kids import hcm_risk_from_record

#: HCM diagnosis in adults: maximal LV wall thickness >= 15 mm not explained by loading conditions
#: (2014 ESC HCM guideline, Elliott PM et al. Eur Heart J 2014;35:2733; 2023 ESC cardiomyopathy guideline,
#: Arbelo E et al. Eur Heart J 2023;44:3503). Used only to decide whom to offer the HCM Risk-SCD score.
HCM_MWT_DIAGNOSTIC_MM = 15.0
#: in children: LV wall thickness more than 2 standard deviations above the predicted mean (Z-score > 2)
#: (2023 ESC cardiomyopathy guideline, Arbelo E et al. Eur Heart J 2023;44:3503)
HCM_MWT_Z_DIAGNOSTIC = 2.0


def family_qtc(ecg: pd.DataFrame | None, pedigree: Pedigree, *, source: str = "ecg.csv"
               ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``(visits, latest, excluded)`` for the family's rows of an ecg.csv table; rows of the family whose
    person is not in the pedigree are excluded with that reason."""
    empty_ex = pd.DataFrame(columns=["line", "person_id", "family_id", "date", "reason"])
    if ecg is None:
        return pd.DataFrame(), latest_qtc(pd.DataFrame()), empty_ex
    fam = str(pedigree.family_id)
    in_family = ecg["person_id"].isin(pedigree.order)
    if "family_id" in ecg.columns:
        in_family |= ecg["family_id"].astype(str) == fam
    sub = ecg[in_family]
    stray = ~sub["person_id"].isin(pedigree.order)
    kept = sub[~stray]
    visits, excluded = qtc_table(kept, source=source)
    # name excluded rows by their line in the input file (header = line 1), not their position in the subset
    excluded.insert(0, "line", [int(kept.index[r]) + 2 for r in excluded["row"]])
    excluded = excluded.drop(columns="row")
    if stray.any():
        extra = sub.loc[stray, [c for c in ("person_id", "family_id", "date") if c in sub.columns]].copy()
        extra.insert(0, "line", [int(i) + 2 for i in sub.index[stray]])
        extra["reason"] = f"person not in the pedigree of family {fam}"
        excluded = pd.concat([excluded, extra], ignore_index=True)
    return visits, latest_qtc(visits), excluded


def _birth_dates(visits: pd.DataFrame) -> dict[str, pd.Timestamp]:
    """Approximate date of birth per person from ECG visits (visit date minus age), to get the age at an
    echocardiogram."""
    if visits.empty or "age" not in visits or "date" not in visits:
        return {}
    v = visits.dropna(subset=["age", "date"])
    births = pd.to_datetime(v["date"]) - pd.to_timedelta(v["age"].astype(float) * 365.25 + 182, unit="D")
    return births.groupby(v["person_id"]).median().to_dict()


def family_hcm_risk(
    *,
    pedigree: Pedigree,
    proband: str,
    echo: pd.DataFrame | None,
    clinical: pd.DataFrame | None,
    affected: Mapping[str, str],
    deceased: set[str],
    visits: pd.DataFrame,
    applicable_reason: str | None = None,
    sarcomeric_plp: Mapping[str, bool | None] | None = None,
    syndromic: str | None = None,
) -> pd.DataFrame:
    """HCM Risk-SCD (O'Mahony et al. 2014; 16 and over) or HCM Risk-Kids (Norrish et al. 2019; under 16) for
    the proband, every affected relative and anyone whose latest echo shows HCM (maximal wall thickness
    >= 15 mm, or a wall-thickness Z-score > 2 in a child); each with a number or 'not applicable' /
    'not computable' and the reason, and the ESC 2023 risk modifiers beside it. With ``applicable_reason``
    (e.g. the family's condition is not HCM) only the proband is listed, as not applicable for that reason.

    ``sarcomeric_plp``: person -> carries a pathogenic / likely pathogenic sarcomeric variant (True/False,
    None when untested); ``syndromic``: the family's phenocopy diagnosis (e.g. "Fabry disease"), which makes
    both scores not applicable."""
    if applicable_reason:
        # the family's condition is not HCM: one row for the proband saying why, no relatives
        return pd.DataFrame([{"person": proband, "relation": "proband", "model": "HCM Risk-SCD", "percent": None,
                              "category": None, "status": "not_applicable", "reason": applicable_reason,
                              "recommendation": None}], columns=RISK_COLUMNS)
    people = [proband] + [i for i in pedigree.order if i != proband and affected.get(i) == "affected"]
    echo_latest: dict[str, dict[str, Any]] = {}
    if echo is not None and not echo.empty:
        e = echo.copy()
        e["_date"] = pd.to_datetime(e["date"], errors="coerce") if "date" in e else pd.NaT
        e = e.sort_values(["person_id", "_date"], kind="stable")
        for pid, grp in e.groupby("person_id"):
            echo_latest[pid] = grp.iloc[-1].to_dict()
        mwt_col = next((c for c in ("max_wall_thickness_mm", "mwt_mm", "mwt") if c in e.columns), None)
        if mwt_col:
            for pid, rec in echo_latest.items():
                v = pd.to_numeric(pd.Series([rec.get(mwt_col)]), errors="coerce").iloc[0]
                if pid in pedigree and pid not in people and not pd.isna(v) and v >= HCM_MWT_DIAGNOSTIC_MM:
                    people.append(pid)
        z_col = next((c for c in ("mwt_z", "mwt_zscore", "max_wall_thickness_z") if c in e.columns), None)
        if z_col:
            for pid, rec in echo_latest.items():
                v = pd.to_numeric(pd.Series([rec.get(z_col)]), errors="coerce").iloc[0]
                if pid in pedigree and pid not in people and not pd.isna(v) and v > HCM_MWT_Z_DIAGNOSTIC:
                    people.append(pid)
    clin = {} if clinical is None else clinical.drop_duplicates("person_id").set_index("person_id").to_dict("index")
    births = _birth_dates(visits)
    rows = []
    for pid in people:
        relation = "proband" if pid == proband else pedigree.relationship(proband, pid)[0]
        base = {"person": pid, "relation": relation}
        er = echo_latest.get(pid)
        cr = clin.get(pid)
        record: dict[str, Any] = {}
        if cr:
            record.update({k: v for k, v in cr.items() if k not in ("date",)})
            if "prior_cardiac_arrest_or_sustained_vt" in cr:
                record["prior_scd_or_sustained_vt"] = cr["prior_cardiac_arrest_or_sustained_vt"]
        if er:
            record.update({k: v for k, v in er.items() if k not in ("person_id", "date", "_date")})
            edate = er.get("_date")
            if pid in births and edate is not None and not pd.isna(edate):
                record["age"] = round((edate - births[pid]).days / 365.25, 1)
        mods: dict[str, Any] = {"present": [], "recommendation": None}
        age = record.get("age")
        model = "HCM Risk-Kids" if not _missing_value(age) and float(age) < 16 else "HCM Risk-SCD"
        if pid in deceased:
            res = RiskResult(None, None, False, "deceased: no prospective risk estimate", status="not_applicable",
                             model=model)
        elif echo is None:
            res = RiskResult(None, None, True, "not computable: no echocardiography file given (echo)",
                             status="not_computable", missing=("mwt_mm", "la_mm", "lvot_gradient_mmhg"), model=model)
        elif er is None:
            res = RiskResult(None, None, True, "not computable: no echocardiogram for this person in "
                             f"{echo.attrs.get('path', 'echo.csv')}", status="not_computable",
                             missing=("mwt_mm", "la_mm", "lvot_gradient_mmhg"), model=model)
        elif cr is None:
            res = RiskResult(None, None, True, "not computable: no clinical record (age, family history, NSVT, "
                             "syncope)", status="not_computable", model=model)
        else:
            res, mods = hcm_risk_from_record(record, sarcomeric_plp=(sarcomeric_plp or {}).get(pid),
                                             syndromic=syndromic)
            if res.status == "not_computable" and er is not None and not pd.isna(er.get("_date")):
                res = RiskResult(None, None, True, f"{res.reason} (latest echo {pd.Timestamp(er['_date']).date()})",
                                 status="not_computable", missing=res.missing, model=res.model)
        edate = None if not er or pd.isna(er.get("_date")) else str(pd.Timestamp(er["_date"]).date())
        rows.append({**base, "model": res.model, "age": age, "echo_date": edate,
                     "mwt_mm": record.get("max_wall_thickness_mm", record.get("mwt_mm")),
                     "la_mm": record.get("la_diameter_mm", record.get("la_mm")),
                     "mwt_z": record.get("mwt_z"), "la_z": record.get("la_z"),
                     "lvot_gradient_mmhg": record.get("lvot_gradient_mmhg"),
                     "family_history_scd": record.get("family_history_scd"), "nsvt": record.get("nsvt"),
                     "unexplained_syncope": record.get("unexplained_syncope"),
                     "percent": None if res.percent is None else round(res.percent, 2), "category": res.category,
                     "status": res.status, "reason": res.reason, "recommendation": res.recommendation,
                     "esc2023_modifiers": "; ".join(mods.get("present") or []) or None,
                     "esc2023_recommendation": mods.get("recommendation"),
                     "notes": "; ".join(res.notes) or None})
    return pd.DataFrame(rows, columns=RISK_COLUMNS)


def _hcm_genetic_context(familial: Mapping[str, Any] | None, status: Mapping[str, str], *, proband: str,
                         screened_hcm: bool) -> tuple[dict[str, bool | None], str | None]:
    """``(sarcomeric_plp per person, phenocopy diagnosis)`` for the HCM risk table: who carries a P/LP variant
    in one of the eight sarcomere genes (an ESC 2023 risk modifier; untested relatives: None), and the
    phenocopy disease when the familial variant is in a phenocopy gene (GLA, LAMP2, PRKAG2, TTR)."""
    if familial is None:
        # no P/LP variant found in the screened sarcomere genes: the proband has no sarcomeric P/LP variant
        return ({proband: False} if screened_hcm else {}), None
    disease = str(familial.get("disease") or "")
    syndromic = disease.split(":", 1)[1].strip() if disease.startswith("HCM phenocopy:") else None
    if familial["gene"] not in SARCOMERE_GENES:
        return {proband: False}, syndromic
    out: dict[str, bool | None] = {}
    for person, st in status.items():
        out[person] = True if st == CARRIER else False if st == NON_CARRIER else None
    out[proband] = True
    return out, syndromic
