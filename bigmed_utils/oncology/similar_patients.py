"""Similar earlier colorectal-cancer patients: outcomes of patients with the same molecular profile and stage.

Earlier patients live in a versioned case store (:mod:`bigmed_utils.case_store`, kind ``colorectal_cancer``),
one record per patient: the molecular group, the driver genes, MSI status, TMB band, stage and the survival
outcome. A store is built from a cohort's MAF and clinical table (:func:`build_store_from_cohort`) and grows
with every finished patient report (``bigmed inhouse add RUN_DIR --db STORE``, :func:`record_from_run`).

For a new patient, :func:`similar_patients` gives the outcomes of the earlier patients who share the
patient's profile, from the most specific match (same molecular group, MSI status, TMB band and stage) to
single criteria, each row with the number of patients, deaths and the Kaplan-Meier median overall survival.
Counts are individual-level information leaving the store, so they follow the disclosure rule of
:mod:`bigmed_utils.privacy.disclosure` (counts 1-20 hidden; All of Us dissemination policy): a row whose
count is hidden shows no outcome, and a count that could be worked out as the difference of two nested rows
(a row and a broader row containing it) is hidden as well.

Profile definitions (choices of this project, with their basis):

* molecular group: BRAF V600E, KRAS or NRAS mutant (missense or in-frame change), or RAS/BRAF wild type; RAS
  and BRAF V600E status are the molecular groups that set treatment and prognosis in metastatic colorectal
  cancer (ESMO guideline for metastatic CRC, Cervantes et al. 2023 Ann Oncol 34:10-32). A tumour with
  several is labelled with all of them (``BRAF V600E + KRAS``);
* TMB band: below 10 mut/Mb, TMB-high from 10 mut/Mb (FDA, KEYNOTE-158: :data:`~bigmed_utils.oncology.tmb.TMB_HIGH_THRESHOLD`),
  ultra-high above 100 mut/Mb (ultra-hypermutation, Campbell et al. 2017 Cell 171:1042;
  :data:`~bigmed_utils.oncology.msi.ULTRAMUTATION_THRESHOLD`);
* MSI status as the report computes it (MSI-H/dMMR or MSS); stage: AJCC stage I-IV of the clinical record.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import pandas as pd

from ..case_store import add_records, read_meta, read_records
from ..privacy.disclosure import ALL_OF_US_THRESHOLD, SUPPRESSED, is_small_count
from .hgvsp import normalise_hgvsp
from .msi import ULTRAMUTATION_THRESHOLD
from .tmb import TMB_HIGH_THRESHOLD

KIND = "colorectal_cancer"
#: the profile criteria, in the order rows are described
CRITERIA: tuple[str, ...] = ("molecular_group", "msi_status", "tmb_band", "stage")
#: the rows of the table, most specific first (each a set of criteria the earlier patient shares)
STRATA: tuple[tuple[str, ...], ...] = (
    ("molecular_group", "msi_status", "tmb_band", "stage"),
    ("molecular_group", "msi_status", "tmb_band"),
    ("molecular_group", "stage"),
    ("msi_status", "tmb_band", "stage"),
    ("molecular_group",),
    ("msi_status", "tmb_band"),
    ("stage",),
    (),
)
_PROTEIN_ALTERING = frozenset({"Missense_Mutation", "In_Frame_Del", "In_Frame_Ins"})
WILD_TYPE = "RAS/BRAF wild type"
COLUMNS = ["earlier patients with", "patients", "deaths", "median OS, months (95% CI)"]


def molecular_group(drivers: Sequence[Mapping[str, Any]]) -> str:
    """``BRAF V600E``, ``KRAS``, ``NRAS`` (joined with `` + `` when several) or ``RAS/BRAF wild type``."""
    found = []
    for d in drivers:
        gene, change = d.get("gene"), normalise_hgvsp(d.get("hgvsp"))
        if gene == "BRAF" and change == "V600E":
            found.append("BRAF V600E")
        elif gene in ("KRAS", "NRAS") and d.get("variant_classification") in _PROTEIN_ALTERING:
            found.append(gene)
    order = ["BRAF V600E", "KRAS", "NRAS"]
    return " + ".join(g for g in order if g in found) or WILD_TYPE


def tmb_band(tmb: float | None) -> str | None:
    """``TMB < 10``, ``TMB 10-100`` or ``TMB > 100`` (mut/Mb); ``None`` when unknown."""
    if tmb is None or (isinstance(tmb, float) and math.isnan(tmb)):
        return None
    if tmb > ULTRAMUTATION_THRESHOLD:
        return f"TMB > {ULTRAMUTATION_THRESHOLD:g}"
    if tmb >= TMB_HIGH_THRESHOLD:
        return f"TMB {TMB_HIGH_THRESHOLD:g}-{ULTRAMUTATION_THRESHOLD:g}"
    return f"TMB < {TMB_HIGH_THRESHOLD:g}"


def _clean(value: Any) -> Any:
    if value is None or (not isinstance(value, (str, list, dict)) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def make_record(*, patient_id: str, drivers: Sequence[Mapping[str, Any]], msi_status: str | None,
                tmb: float | None, record: Mapping[str, Any]) -> dict[str, Any]:
    """One store record from a patient's drivers, MSI status, TMB and clinical record (stage, survival)."""
    msi = msi_status if msi_status in ("MSI-H", "MSS") else None
    stage = _clean(record.get("stage"))
    rec = {
        "patient_id": str(patient_id),
        "molecular_group": molecular_group(drivers),
        "driver_genes": sorted({str(d["gene"]) for d in drivers if d.get("gene")}),
        "msi_status": msi,
        "tmb": None if _clean(tmb) is None else round(float(tmb), 3),
        "tmb_band": tmb_band(_clean(tmb)),
        "stage": None if stage is None else str(stage),
    }
    for col in ("os_months", "os_event", "pfs_months", "pfs_event"):
        value = _clean(record.get(col))
        rec[col] = None if value is None else (int(value) if col.endswith("event") else float(value))
    return rec


def record_from_result(result: Any) -> dict[str, Any]:
    """The record of a :class:`~bigmed_utils.oncology.analysis.PatientResult` (also the query profile)."""
    s = result.summary
    return make_record(patient_id=result.patient_id, drivers=s.get("drivers") or [],
                       msi_status=(s.get("msi") or {}).get("status"), tmb=(s.get("tmb") or {}).get("value"),
                       record=result.record)


def record_from_run(summary: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
    """The record of a finished ``colorectal_cancer`` run (``summary.json``, with stage and survival read
    from the clinical record named by its parameters, when it is still there)."""
    from ..io.clinical import patient_record
    from .clinical import read_clinical_any

    pid = str(summary["patient_id"])
    record: dict[str, Any] = {}
    clinical = params.get("clinical")
    if clinical and Path(clinical).exists():
        try:
            record = patient_record(read_clinical_any(clinical, assay=params.get("msi_assay") or "tumor_normal"), pid)
        except Exception:  # noqa: BLE001 - a patient no longer in the record is stored without outcome
            record = {}
    return make_record(patient_id=pid, drivers=summary.get("drivers") or [],
                       msi_status=(summary.get("msi") or {}).get("status"),
                       tmb=(summary.get("tmb") or {}).get("value"), record=record)


def records_from_cohort(maf: str | Path | pd.DataFrame, clinical: str | Path | pd.DataFrame, *,
                        callable_mb: float, msi_assay: str = "tumor_normal") -> list[dict[str, Any]]:
    """One record per patient of a cohort MAF with a clinical row (TMB over all the patient's tumour rows)."""
    from ..io.maf import read_maf
    from .clinical import read_clinical_any
    from .cohort import driver_mutations, match_barcodes
    from .msi import assess_msi
    from .tmb import tmb_by_sample

    maf_df = read_maf(maf) if not isinstance(maf, pd.DataFrame) else maf
    clin = read_clinical_any(clinical, assay=msi_assay) if not isinstance(clinical, pd.DataFrame) else clinical
    barcodes = list(dict.fromkeys(maf_df["Tumor_Sample_Barcode"]))
    mapping = match_barcodes(barcodes, clin["patient_id"].astype(str))
    tmb = tmb_by_sample(maf_df, callable_mb=callable_mb, samples=list(mapping)).set_index("Tumor_Sample_Barcode")["tmb"]
    drivers = driver_mutations(maf_df[maf_df["Tumor_Sample_Barcode"].isin(set(mapping))])
    by_barcode = {b: g.to_dict("records") for b, g in drivers.groupby("Tumor_Sample_Barcode")}
    rows = clin.assign(patient_id=clin["patient_id"].astype(str)).set_index("patient_id")
    records = []
    for barcode, pid in mapping.items():
        rec = {k: _clean(v) for k, v in rows.loc[pid].to_dict().items()}
        status = rec.get("msi_status")
        if status not in ("MSI-H", "MSS") and (rec.get("msi_score") is not None or rec.get("mmr_ihc")):
            status = assess_msi(msi_score=rec.get("msi_score"), mmr_ihc=rec.get("mmr_ihc"), assay=msi_assay).status
        records.append(make_record(patient_id=pid, drivers=by_barcode.get(barcode, []), msi_status=status,
                                   tmb=float(tmb[barcode]), record=rec))
    return records


def build_store_from_cohort(store: str | Path, *, maf: str | Path, clinical: str | Path, callable_mb: float,
                            msi_assay: str = "tumor_normal") -> Any:
    """Add every patient of a cohort (MAF + clinical table) to the store; returns the store update."""
    return add_records(store, KIND, records_from_cohort(maf, clinical, callable_mb=callable_mb, msi_assay=msi_assay))


def describe(profile: Mapping[str, Any], criteria: Sequence[str]) -> str:
    """``BRAF V600E, MSI-H, TMB 10-100, stage IV`` for the criteria given (``all earlier patients`` for none)."""
    if not criteria:
        return "all earlier patients"
    parts = []
    for c in CRITERIA:
        if c in criteria:
            parts.append(f"stage {profile[c]}" if c == "stage" else str(profile[c]))
    return ", ".join(parts)


@dataclass
class SimilarPatients:
    """The outcome table of earlier patients like this one (``table``) and what it was computed from."""

    table: pd.DataFrame
    profile: dict[str, Any]
    n_earlier: int
    store_version: str | None
    threshold: int
    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.n_earlier == 0

    def summary(self) -> dict[str, Any]:
        """JSON-ready: store version, threshold and one entry per row (hidden values as ``"suppressed"``)."""
        return {"store_version": self.store_version, "n_earlier": self.n_earlier if self.n_earlier > self.threshold
                else SUPPRESSED if self.n_earlier else 0, "threshold": self.threshold, "rows": self.rows}


def _km_median(members: pd.DataFrame) -> tuple[float | None, float | None, float | None] | None:
    """KM median OS and its 95 % CI (``None`` inside = not reached); ``None`` without survival data."""
    from .survival import kaplan_meier

    data = members.dropna(subset=["os_months", "os_event"])
    if data.empty:
        return None
    res = kaplan_meier(data, time_col="os_months", event_col="os_event", id_col="patient_id").to_dict()["all"]
    return res["median"], res["ci_lower"], res["ci_upper"]


def _fmt_months(x: float | None) -> str:
    return "not reached" if x is None else f"{x:.1f}"


def _hide_nested(rows: list[dict[str, Any]], counts: str, threshold: int) -> None:
    """Hide a row's count when it, or its difference to a broader shown row containing it, is 1..threshold."""
    changed = True
    while changed:
        changed = False
        for r in rows:
            if r[counts] is None or r[f"{counts}_hidden"]:
                continue
            if is_small_count(r[counts], threshold=threshold):
                r[f"{counts}_hidden"] = changed = True
                continue
            for broad in rows:
                if broad is r or broad[f"{counts}_hidden"] or broad[counts] is None:
                    continue
                if set(broad["criteria"]) < set(r["criteria"]) and \
                        is_small_count(broad[counts] - r[counts], threshold=threshold):
                    r[f"{counts}_hidden"] = changed = True
                    break


def similar_patients(store: str | Path | None, profile: Mapping[str, Any], *, exclude: str | None = None,
                     threshold: int = ALL_OF_US_THRESHOLD) -> SimilarPatients:
    """Outcomes of the earlier patients of ``store`` who share ``profile``'s criteria (see the module doc).

    Parameters
    ----------
    store
        A ``colorectal_cancer`` case store (``None`` or absent: no earlier patient).
    profile
        A record of :func:`make_record` / :func:`record_from_result` (the patient being reported).
    exclude
        A patient id left out (the patient itself, when it is already in the store).
    threshold
        Largest count hidden (default the All of Us rule, 20).

    Returns
    -------
    SimilarPatients
        ``table`` with :data:`COLUMNS`; a criterion the patient's record lacks (no stage, MSI unknown) is
        not matched on. Hidden cells show ``"suppressed"``.
    """
    records = read_records(store, kind=KIND) if store is not None and Path(store).exists() else []
    version = read_meta(store).get("version") if records else None
    earlier = pd.DataFrame([r for r in records if str(r.get("patient_id")) != str(exclude)])
    known = [c for c in CRITERIA if profile.get(c) not in (None, "")]
    strata: list[tuple[str, ...]] = []
    for s in STRATA:
        kept = tuple(c for c in s if c in known)
        if kept not in strata and (kept == s or not s):
            strata.append(kept)
    rows: list[dict[str, Any]] = []
    for criteria in strata:
        members = earlier
        for c in criteria:
            members = members[members[c] == profile[c]] if len(members) else members
        n = int(len(members))
        deaths = int(members["os_event"].fillna(0).sum()) if n and "os_event" in members else 0
        rows.append({"criteria": list(criteria), "description": describe(profile, criteria), "n": n,
                     "deaths": deaths, "survivors": n - deaths, "members": members,
                     "n_hidden": False, "deaths_hidden": False, "survivors_hidden": False})
    _hide_nested(rows, "n", threshold)
    for r in rows:  # deaths: hidden with the count, when small, or when the survivors would be small
        if r["n_hidden"]:
            r["deaths_hidden"] = r["survivors_hidden"] = True
    _hide_nested(rows, "deaths", threshold)
    _hide_nested(rows, "survivors", threshold)
    table, out_rows = [], []
    for r in rows:
        hide_deaths = r["deaths_hidden"] or r["survivors_hidden"]
        km = None if r["n_hidden"] or r["n"] == 0 else _km_median(r["members"])
        median = "n/a" if km is None else f"{_fmt_months(km[0])} ({_fmt_months(km[1])}-{_fmt_months(km[2])})"
        table.append({"earlier patients with": r["description"],
                      "patients": SUPPRESSED if r["n_hidden"] else r["n"],
                      "deaths": SUPPRESSED if hide_deaths else r["deaths"],
                      "median OS, months (95% CI)": SUPPRESSED if r["n_hidden"] else median})
        out_rows.append({"criteria": {c: profile[c] for c in r["criteria"]},
                         "patients": SUPPRESSED if r["n_hidden"] else r["n"],
                         "deaths": SUPPRESSED if hide_deaths else r["deaths"],
                         "median_os_months": None if r["n_hidden"] or km is None else km[0]})
    return SimilarPatients(table=pd.DataFrame(table, columns=COLUMNS), profile=dict(profile),
                           n_earlier=int(len(earlier)), store_version=version, threshold=threshold, rows=out_rows)


__all__ = [
    "CRITERIA",
    "STRATA",
    "SimilarPatients",
    "build_store_from_cohort",
    "make_record",
    "molecular_group",
    "record_from_result",
    "record_from_run",
    "records_from_cohort",
    "similar_patients",
    "tmb_band",
]
