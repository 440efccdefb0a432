"""OMOP CDM v5.4-shaped EHR tables for everybody in the synthetic cohorts.

Built from the files the other generators wrote (so ids, sexes, ages, diagnoses and deaths agree):
``person``, ``observation_period``, ``visit_occurrence``, ``condition_occurrence`` (ICD-10 in
``condition_source_value``), ``measurement`` (QTc, heart rate, MSI score, AJCC stage), ``drug_exposure``
(colorectal-cancer treatment), ``death`` and ``cdm_source`` (which states that the data are synthetic).
Standard concept ids are given where they are fixed OMOP conventions (gender 8507/8532, visit 9201/9202,
type concept 32817 "EHR"); other concept ids are 0 ("No matching concept") with the source code kept in the
``*_source_value`` column, as an ETL without a vocabulary mapping would write them.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from ._vcf import SYNTHETIC_NOTICE

# OMOP CDM v5.4 column order (https://ohdsi.github.io/CommonDataModel/cdm54.html)
PERSON = ["person_id", "gender_concept_id", "year_of_birth", "month_of_birth", "day_of_birth", "birth_datetime",
          "race_concept_id", "ethnicity_concept_id", "location_id", "provider_id", "care_site_id",
          "person_source_value", "gender_source_value", "gender_source_concept_id", "race_source_value",
          "race_source_concept_id", "ethnicity_source_value", "ethnicity_source_concept_id"]
OBSERVATION_PERIOD = ["observation_period_id", "person_id", "observation_period_start_date",
                      "observation_period_end_date", "period_type_concept_id"]
VISIT = ["visit_occurrence_id", "person_id", "visit_concept_id", "visit_start_date", "visit_start_datetime",
         "visit_end_date", "visit_end_datetime", "visit_type_concept_id", "provider_id", "care_site_id",
         "visit_source_value", "visit_source_concept_id", "admitted_from_concept_id", "admitted_from_source_value",
         "discharged_to_concept_id", "discharged_to_source_value", "preceding_visit_occurrence_id"]
CONDITION = ["condition_occurrence_id", "person_id", "condition_concept_id", "condition_start_date",
             "condition_start_datetime", "condition_end_date", "condition_end_datetime", "condition_type_concept_id",
             "condition_status_concept_id", "stop_reason", "provider_id", "visit_occurrence_id", "visit_detail_id",
             "condition_source_value", "condition_source_concept_id", "condition_status_source_value"]
MEASUREMENT = ["measurement_id", "person_id", "measurement_concept_id", "measurement_date", "measurement_datetime",
               "measurement_time", "measurement_type_concept_id", "operator_concept_id", "value_as_number",
               "value_as_concept_id", "unit_concept_id", "range_low", "range_high", "provider_id",
               "visit_occurrence_id", "visit_detail_id", "measurement_source_value", "measurement_source_concept_id",
               "unit_source_value", "unit_source_concept_id", "value_source_value", "measurement_event_id",
               "meas_event_field_concept_id"]
DRUG = ["drug_exposure_id", "person_id", "drug_concept_id", "drug_exposure_start_date",
        "drug_exposure_start_datetime", "drug_exposure_end_date", "drug_exposure_end_datetime", "verbatim_end_date",
        "drug_type_concept_id", "stop_reason", "refills", "quantity", "days_supply", "sig", "route_concept_id",
        "lot_number", "provider_id", "visit_occurrence_id", "visit_detail_id", "drug_source_value",
        "drug_source_concept_id", "route_source_value", "dose_unit_source_value"]
DEATH = ["person_id", "death_date", "death_datetime", "death_type_concept_id", "cause_concept_id",
         "cause_source_value", "cause_source_concept_id"]
CDM_SOURCE = ["cdm_source_name", "cdm_source_abbreviation", "cdm_holder", "source_description",
              "source_documentation_reference", "cdm_etl_reference", "source_release_date", "cdm_release_date",
              "cdm_version", "cdm_version_concept_id", "vocabulary_version"]

GENDER = {"M": 8507, "F": 8532}
#: the least age gap between a synthetic parent and child (a generator choice, not a clinical fact)
MIN_PARENT_AGE = 18
EHR_TYPE = 32817  # OMOP type concept "EHR"
OUTPATIENT, INPATIENT = 9202, 9201
TODAY = date(2021, 1, 1)  # end of the synthetic observation window
#: the last whole year of the observation window: nobody is born or seen after it
LAST_YEAR = TODAY.year - 1

#: ICD-10 codes of colorectal cancer by tumour side (WHO ICD-10: C18.0 caecum, C18.2 ascending, C18.6
#: descending, C18.7 sigmoid, C20 rectum)
CRC_ICD10 = {"right": ["C18.0", "C18.2"], "left": ["C18.6", "C18.7"], "rectum": ["C20"]}
#: first-line and later regimens by situation (ESMO metastatic CRC guideline 2023, simplified)
REGIMENS = {
    "adjuvant": [["oxaliplatin", "fluorouracil", "leucovorin"], ["capecitabine", "oxaliplatin"]],
    "metastatic_1": [["fluorouracil", "leucovorin", "oxaliplatin", "bevacizumab"],
                     ["fluorouracil", "leucovorin", "irinotecan", "cetuximab"]],
    "msi_1": [["pembrolizumab"]],
    "braf_2": [["encorafenib", "cetuximab"]],
    "later": [["fluorouracil", "leucovorin", "irinotecan", "bevacizumab"], ["trifluridine/tipiracil"],
              ["regorafenib"]],
}


class _Tables:
    def __init__(self, rng):
        self.rng = rng
        self.person, self.visit, self.cond, self.meas, self.drug, self.death, self.obs = [], [], [], [], [], [], []
        self._pid = 0

    def add_person(self, source: str, sex: str, yob: int) -> int:
        self._pid += 1
        rng = self.rng
        self.person.append({"person_id": self._pid, "gender_concept_id": GENDER.get(sex, 0), "year_of_birth": yob,
                            "month_of_birth": int(rng.integers(1, 13)), "day_of_birth": int(rng.integers(1, 29)),
                            "race_concept_id": 0, "ethnicity_concept_id": 0, "person_source_value": source,
                            "gender_source_value": sex, "gender_source_concept_id": 0, "race_source_concept_id": 0,
                            "ethnicity_source_concept_id": 0})
        self.obs.append({"observation_period_id": self._pid, "person_id": self._pid,
                         "observation_period_start_date": date(yob, 1, 1).isoformat(),
                         "observation_period_end_date": TODAY.isoformat(), "period_type_concept_id": EHR_TYPE})
        return self._pid

    def birth_date(self, pid: int) -> date:
        p = self.person[pid - 1]
        return date(p["year_of_birth"], p["month_of_birth"], p["day_of_birth"])

    def add_visit(self, pid: int, d: date, *, inpatient: bool = False, days: int = 0) -> int:
        vid = len(self.visit) + 1
        end = d + timedelta(days=days)
        self.visit.append({"visit_occurrence_id": vid, "person_id": pid,
                           "visit_concept_id": INPATIENT if inpatient else OUTPATIENT,
                           "visit_start_date": d.isoformat(), "visit_start_datetime": f"{d.isoformat()}T09:00:00",
                           "visit_end_date": end.isoformat(), "visit_end_datetime": f"{end.isoformat()}T16:00:00",
                           "visit_type_concept_id": EHR_TYPE, "visit_source_value": "inpatient" if inpatient else "outpatient",
                           "visit_source_concept_id": 0, "admitted_from_concept_id": 0, "discharged_to_concept_id": 0})
        return vid

    def add_condition(self, pid: int, vid: int, d: date, icd10: str) -> None:
        self.cond.append({"condition_occurrence_id": len(self.cond) + 1, "person_id": pid, "condition_concept_id": 0,
                          "condition_start_date": d.isoformat(), "condition_start_datetime": f"{d.isoformat()}T10:00:00",
                          "condition_type_concept_id": EHR_TYPE, "condition_status_concept_id": 0,
                          "visit_occurrence_id": vid, "condition_source_value": icd10,
                          "condition_source_concept_id": 0, "condition_status_source_value": "final diagnosis"})

    def add_measurement(self, pid: int, vid: int, d: date, source: str, value: float | None, unit: str = "",
                        value_source: str = "", low: float | None = None, high: float | None = None) -> None:
        self.meas.append({"measurement_id": len(self.meas) + 1, "person_id": pid, "measurement_concept_id": 0,
                          "measurement_date": d.isoformat(), "measurement_datetime": f"{d.isoformat()}T11:00:00",
                          "measurement_type_concept_id": EHR_TYPE, "operator_concept_id": 0,
                          "value_as_number": value, "value_as_concept_id": 0, "unit_concept_id": 0,
                          "range_low": low, "range_high": high, "visit_occurrence_id": vid,
                          "measurement_source_value": source, "measurement_source_concept_id": 0,
                          "unit_source_value": unit, "unit_source_concept_id": 0, "value_source_value": value_source})

    def add_drug(self, pid: int, vid: int, start: date, days: int, name: str) -> None:
        end = start + timedelta(days=days)
        self.drug.append({"drug_exposure_id": len(self.drug) + 1, "person_id": pid, "drug_concept_id": 0,
                          "drug_exposure_start_date": start.isoformat(),
                          "drug_exposure_start_datetime": f"{start.isoformat()}T10:00:00",
                          "drug_exposure_end_date": end.isoformat(),
                          "drug_exposure_end_datetime": f"{end.isoformat()}T10:00:00",
                          "drug_type_concept_id": EHR_TYPE, "days_supply": days, "route_concept_id": 0,
                          "visit_occurrence_id": vid, "drug_source_value": name, "drug_source_concept_id": 0,
                          "route_source_value": "oral" if name in ("capecitabine", "encorafenib", "regorafenib",
                                                                   "trifluridine/tipiracil") else "intravenous"})

    def add_death(self, pid: int, d: date, cause: str) -> None:
        self.obs[pid - 1]["observation_period_end_date"] = d.isoformat()
        self.death.append({"person_id": pid, "death_date": d.isoformat(), "death_datetime": f"{d.isoformat()}T00:00:00",
                           "death_type_concept_id": EHR_TYPE, "cause_concept_id": 0, "cause_source_value": cause,
                           "cause_source_concept_id": 0})


def _rand_date(rng, year_lo: int, year_hi: int) -> date:
    return date(int(rng.integers(year_lo, year_hi + 1)), int(rng.integers(1, 13)), int(rng.integers(1, 29)))


def _rare(t: _Tables, rng, out: Path) -> None:
    truth = pd.read_csv(out / "rare_disease" / "truth.tsv", sep="\t", comment="#", dtype=str).fillna("")
    age = {}
    for f in sorted((out / "rare_disease").glob("*.phenopacket.json")):
        pp = json.loads(f.read_text())
        age[pp["id"]] = int(pp["subject"]["timeAtLastEncounter"]["age"]["iso8601duration"][1:-1])
    for row in truth.itertuples():
        ped = pd.read_csv(out / "rare_disease" / f"{row.case}.ped", sep="\t", header=None, dtype=str)
        yob_p = TODAY.year - 1 - age[row.case]
        parents_yob = yob_p - int(rng.integers(24, 38))
        for r in ped.itertuples(index=False):
            iid, sex, phen = r[1], "M" if r[4] == "1" else "F", r[5]
            role = iid.rsplit("-", 1)[1]
            yob = {"P": yob_p, "F": parents_yob - int(rng.integers(0, 4)), "M": parents_yob,
                   "S": yob_p + int(rng.integers(-4, 5))}[role]
            # a sibling up to 4 years younger than a 1-year-old proband would be born after the data cut
            yob = min(yob, LAST_YEAR)
            pid = t.add_person(iid, sex, yob)
            if phen == "2":
                # a diagnosis visit from the year after birth (or 2010) to the last year of the window; a child
                # born in the last year is seen that year, after its birthday
                d = _rand_date(rng, min(max(yob + 1, 2010), LAST_YEAR), LAST_YEAR)
                d = max(d, t.birth_date(pid) + timedelta(days=1))
                vid = t.add_visit(pid, d)
                t.add_condition(pid, vid, d, row.icd10)


def _cardiac(t: _Tables, rng, out: Path) -> None:
    folder = out / "sudden_cardiac_death"
    clin = pd.read_csv(folder / "clinical.csv")
    truth = pd.read_csv(folder / "truth.tsv", sep="\t", comment="#", dtype=str)
    icd = dict(zip(truth.family_id, truth.icd10))
    ecg = pd.read_csv(folder / "ecg.csv")
    ecg_by = {k: v for k, v in ecg.groupby("person_id")}
    ped = pd.read_csv(folder / "families.ped", sep="\t", header=None, dtype=str)
    children: dict[str, list[str]] = {}
    parents: dict[str, list[str]] = {}
    for row in ped.itertuples(index=False):
        for parent in (row[2], row[3]):
            if parent != "0":
                children.setdefault(parent, []).append(row[1])
                parents.setdefault(row[1], []).append(parent)
    alive_yob = {r.person_id: TODAY.year - 1 - int(r.age) for r in clin.itertuples() if not r.deceased}
    # years of birth and death days, youngest generation first, so that parents are born before children
    yob_of: dict[str, int] = {}
    death_of: dict[str, date] = {}
    by_gen = sorted(clin.itertuples(), key=lambda r: -int(r.person_id.rsplit("-", 1)[1][0]))
    for r in by_gen:
        if not r.deceased:
            yob_of[r.person_id] = TODAY.year - 1 - int(r.age)
            continue
        aad = int(r.age_at_death)
        person_ecg = ecg_by.get(r.person_id)
        if person_ecg is not None:  # died after the last recorded ECG
            last = date.fromisoformat(str(person_ecg.date.max()))
            day = min(last + timedelta(days=int(rng.integers(30, 330))), TODAY - timedelta(days=1))
            yob = day.year - aad
        else:
            kids = [yob_of[c] for c in children.get(r.person_id, []) if c in yob_of]
            yob = (min(kids) - int(rng.integers(22, 36))) if kids else TODAY.year - 1 - aad - int(rng.integers(0, 12))
            yob = min(yob, TODAY.year - 2 - aad)
            # and after a living parent's birth (the pedigree's ages leave room for both bounds)
            elder = [alive_yob[q] + MIN_PARENT_AGE for q in parents.get(r.person_id, []) if q in alive_yob]
            yob = max([yob, *elder])
            day = _rand_date(rng, yob + aad, yob + aad)
        yob_of[r.person_id], death_of[r.person_id] = yob, day
    for r in clin.itertuples():
        deceased = bool(r.deceased)
        death_day = death_of.get(r.person_id)
        death_year = death_day.year if death_day else None
        yob = yob_of[r.person_id]
        pid = t.add_person(r.person_id, r.sex, int(yob))
        if r.affected_status == 1:
            hi = 2019 if not deceased else death_year
            d = _rand_date(rng, min(hi, max(int(yob) + 5, 2008)), hi)
            if deceased:
                d = min(d, death_day)
            vid = t.add_visit(pid, d)
            t.add_condition(pid, vid, d, icd[r.family_id])
            if r.unexplained_syncope:
                t.add_condition(pid, vid, d, "R55")
        if deceased:
            d = death_day
            if r.cause_of_death == "sudden cardiac death":
                vid = t.add_visit(pid, d, inpatient=True)
                t.add_condition(pid, vid, d, "I46.1")
                t.add_death(pid, d, "I46.1")
            else:
                code = {"cancer": "C80.1", "stroke": "I64", "pneumonia": "J18.9"}.get(r.cause_of_death, "R99")
                t.add_death(pid, d, code)
        for e in ecg_by.get(r.person_id, pd.DataFrame()).itertuples():
            d = date.fromisoformat(e.date)
            vid = t.add_visit(pid, d)
            qtc = e.qt_ms / np.sqrt(e.rr_s)  # Bazett
            t.add_measurement(pid, vid, d, "QTc interval (Bazett)", round(float(qtc)), "ms", "", 350, 450)
            t.add_measurement(pid, vid, d, "Heart rate", float(e.heart_rate), "/min", "", 50, 100)


def _crc(t: _Tables, rng, out: Path) -> None:
    folder = out / "colorectal_cancer"
    clin = pd.read_csv(folder / "clinical.csv")
    truth = json.loads((folder / "truth.json").read_text())
    braf = set(truth["braf_v600e"])
    for r in clin.itertuples():
        # diagnosis so that follow-up ends at the data cut (censored) or at death (event)
        dx = TODAY - timedelta(days=int(r.os_months * 30.44) + int(rng.integers(1, 60)) * (1 - int(r.os_event)) + 1)
        yob = dx.year - int(r.age)
        pid = t.add_person(r.patient_id, r.sex, yob)
        vid = t.add_visit(pid, dx, inpatient=True, days=int(rng.integers(3, 10)))
        codes = CRC_ICD10[r.side]
        t.add_condition(pid, vid, dx, codes[int(rng.integers(len(codes)))])
        if r.stage == "IV":
            t.add_condition(pid, vid, dx, "C78.7")  # liver metastasis
        t.add_measurement(pid, vid, dx, "AJCC stage", None, "", r.stage)
        t.add_measurement(pid, vid, dx, "MSI score (MSIsensor)", float(r.msi_score), "%", "", None, 10.0)
        t.add_measurement(pid, vid, dx, "MMR immunohistochemistry", None, "", str(r.mmr_ihc))
        # the tumour sequencing (entry into the genomic cohort): at diagnosis or at a later visit
        seq_months = float(getattr(r, "sequencing_months", 0.0) or 0.0)
        seq_day = dx + timedelta(days=int(seq_months * 30.44))
        seq_vid = vid if seq_day == dx else t.add_visit(pid, seq_day)
        t.add_measurement(pid, seq_vid, seq_day, "Tumour sequencing (somatic panel)", None, "", f"{r.patient_id}-T")
        start = dx + timedelta(days=int(rng.integers(21, 60)))
        lines = []
        if r.stage == "III" or (r.stage == "II" and r.treatment_lines):
            lines.append(REGIMENS["adjuvant"][int(rng.integers(2))])
        if r.stage == "IV":
            first = REGIMENS["msi_1"][0] if r.msi_status == "MSI-H" else \
                REGIMENS["metastatic_1"][int(rng.integers(2))]
            lines.append(first)
            for k in range(1, int(r.treatment_lines)):
                lines.append(REGIMENS["braf_2"][0] if (k == 1 and r.patient_id in braf)
                             else REGIMENS["later"][int(rng.integers(3))])
        end_of_follow_up = dx + timedelta(days=int(r.os_months * 30.44))
        for regimen in lines:
            days = int(rng.integers(90, 200))
            if start + timedelta(days=days) >= end_of_follow_up:  # no treatment after death or data cut
                days = (end_of_follow_up - start).days - 1
                if days < 14:
                    break
            v = t.add_visit(pid, start)
            for drug in regimen:
                t.add_drug(pid, v, start, days, drug)
            start = start + timedelta(days=days + int(rng.integers(14, 90)))
        if r.os_event == 1:
            d = dx + timedelta(days=int(r.os_months * 30.44))
            t.add_death(pid, d, "C18.9" if r.side != "rectum" else "C20")


def generate_ehr(out: Path, *, seed: int) -> Path:
    """Write ``out/ehr/`` from the cohorts already written under ``out``."""
    out = Path(out)
    folder = out / "ehr"
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng([seed, 4])
    t = _Tables(rng)
    _rare(t, rng, out)
    _cardiac(t, rng, out)
    _crc(t, rng, out)
    tables = {"person": (t.person, PERSON), "observation_period": (t.obs, OBSERVATION_PERIOD),
              "visit_occurrence": (t.visit, VISIT), "condition_occurrence": (t.cond, CONDITION),
              "measurement": (t.meas, MEASUREMENT), "drug_exposure": (t.drug, DRUG), "death": (t.death, DEATH)}
    visits = pd.DataFrame(t.visit)
    visits = visits.sort_values(["person_id", "visit_start_date", "visit_occurrence_id"], kind="mergesort")
    prev = visits.groupby("person_id")["visit_occurrence_id"].shift(1)
    # the previous visit of the same person; 0 for a first visit (the project's OMOP reader wants integers)
    visits["preceding_visit_occurrence_id"] = prev.fillna(0).astype("int64")
    t.visit = visits.sort_values("visit_occurrence_id").to_dict("records")
    tables["visit_occurrence"] = (t.visit, VISIT)
    for name, (rows, cols) in tables.items():
        df = pd.DataFrame(rows).reindex(columns=cols)
        for c in cols:
            if c.endswith("_id") and c not in ("person_source_value",) and df[c].notna().all():
                df[c] = df[c].astype("int64")
        df.to_csv(folder / f"{name}.csv", index=False, lineterminator="\n")
    pd.DataFrame([{"cdm_source_name": "BigMed synthetic cohorts", "cdm_source_abbreviation": "BIGMED-SYNTH",
                   "cdm_holder": "bigmed_utils.synthetic", "source_description": SYNTHETIC_NOTICE,
                   "source_documentation_reference": "README.md", "cdm_etl_reference": "bigmed_utils/synthetic/ehr.py",
                   "source_release_date": TODAY.isoformat(), "cdm_release_date": TODAY.isoformat(),
                   "cdm_version": "v5.4", "cdm_version_concept_id": 756265, "vocabulary_version": "none (source codes only)"}],
                 columns=CDM_SOURCE).to_csv(folder / "cdm_source.csv", index=False, lineterminator="\n")
    return folder
