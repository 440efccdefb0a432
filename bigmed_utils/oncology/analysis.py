"""The two colorectal-cancer analyses behind the notebooks: one patient's tumour-board profile and the cohort.

:func:`analyse_patient` (notebook ``colorectal_cancer``)
    somatic variants from a MAF or a VEP-annotated tumour/normal VCF (imported with Hail, somatic calls kept,
    converted to MAF rows), the clinical record (CSV or OMOP tables), MSI from the score and/or MMR IHC,
    TMB, hypermutation/POLE, drivers, actionability with levels and sources, resistance flags, and the
    patient's TMB and MSI score against the cohort when the MAF holds one.
:func:`analyse_cohort` (notebook ``colorectal_cohort``)
    EHR selection (ICD-10, stage, treatment) joined to the genomic data, oncoplot with MSI and side tracks,
    KRAS/BRAF V600E mutual exclusivity, TMB by MSI status, Kaplan-Meier curves with number-at-risk tables
    and log-rank tests, Cox models with hazard-ratio tables, forest plots and proportional-hazards checks.

Both return a result object holding small pandas tables, matplotlib figures and ``summary`` (the content of
``summary.json``). The patient analysis lives in :mod:`~bigmed_utils.oncology.patient`, the clinical-record
readers in :mod:`~bigmed_utils.oncology.clinical`; both are re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputDataError, ParameterError
from .clinical import DAYS_PER_MONTH, clinical_from_omop, read_clinical_any, side_from_icd10
from .cohort import match_barcodes
from .patient import PatientResult, _close, _fmt, _nr, analyse_patient, somatic_variants_from_vcf

#: survival endpoints of the clinical table: name -> (time column in months, event column 0/1)
ENDPOINTS: dict[str, tuple[str, str]] = {"os": ("os_months", "os_event"), "pfs": ("pfs_months", "pfs_event")}
ENDPOINT_NAMES = {"os": "Overall survival", "pfs": "Progression-free survival"}
#: groups of the Kaplan-Meier curves and log-rank tests
KM_GROUPS: tuple[str, ...] = ("stage", "msi_status", "side", "kras_braf")
#: reference levels of categorical Cox covariates
COX_REFERENCE: dict[str, str] = {"stage": "I", "msi_status": "MSS", "side": "left", "sex": "F"}
#: interval (months) of the number-at-risk tables and of the time axis of the Kaplan-Meier plots
AT_RISK_STEP: int = 12
#: readable names of the Kaplan-Meier groups
GROUP_NAMES = {"stage": "stage", "msi_status": "MSI status", "side": "tumour side", "kras_braf": "KRAS/BRAF V600E"}
#: months from diagnosis to tumour sequencing: the delayed entry of a patient into the genomic cohort
ENTRY_COL = "sequencing_months"

# -----------------------------------------------------------------------------------------------------------
# Cohort
# -----------------------------------------------------------------------------------------------------------


@dataclass
class ColorectalCohortResult:
    """Everything the cohort report shows. ``summary`` is the content of ``summary.json``."""

    case_id: str
    selection_steps: pd.DataFrame
    cohort: pd.DataFrame
    mutation_matrix: pd.DataFrame
    exclusivity: Any
    exclusivity_table: pd.DataFrame
    tmb_by_msi: pd.DataFrame
    km_tables: dict[str, pd.DataFrame]
    at_risk: dict[str, dict[str, pd.DataFrame]]
    log_rank: pd.DataFrame
    cox: dict[str, Any]
    cox_tables: dict[str, pd.DataFrame]
    ph_checks: dict[str, pd.DataFrame]
    figures: dict[str, Any] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    delayed_entry: dict[str, Any] = field(default_factory=dict)

    @property
    def n_patients(self) -> int:
        return int(len(self.cohort))

    @property
    def headline(self) -> str:
        return self.summary["headline"]


def _select(params: Any, clinical: pd.DataFrame, barcodes: list[str],
            notes: list[str]) -> tuple[pd.DataFrame, list[tuple[str, int]]]:
    """Patients of the clinical table selected through the EHR (ICD-10, stage, treatment), EHR columns added."""
    from ..io.omop import read_omop, select_patients

    steps: list[tuple[str, int]] = [(f"clinical table ({clinical.attrs.get('name', '')})", len(clinical))]
    ehr_path = params.ehr or (params.clinical if Path(params.clinical).is_dir() else None)
    out = clinical.copy()
    if ehr_path is not None:
        omop = read_omop(ehr_path)
        icd = select_patients(omop, icd10_prefixes=params.icd10)
        steps.append((f"EHR: diagnosis coded ICD-10 {', '.join(params.icd10)}", len(icd)))
        sel = icd
        if params.stage:
            sel = select_patients(omop, icd10_prefixes=params.icd10, stage=params.stage)
            steps.append((f"EHR: stage {', '.join(params.stage)}", len(sel)))
        if params.treatment:
            sel = select_patients(omop, icd10_prefixes=params.icd10, stage=params.stage, treatment=params.treatment)
            steps.append((f"EHR: treated with {' or '.join(params.treatment)}", len(sel)))
        ehr_cols = [c for c in ("patient_id", "icd10", "diagnosis_date", "stage", "treatments") if c in sel.columns]
        ehr = sel[ehr_cols].rename(columns={"stage": "ehr_stage"})
        ehr["patient_id"] = ehr["patient_id"].astype(str)
        out = out.drop(columns=[c for c in ("icd10", "diagnosis_date", "treatments") if c in out.columns and c in ehr.columns])
        out = out.merge(ehr, on="patient_id", how="inner")
        steps.append(("in the clinical table and selected in the EHR", len(out)))
        if "ehr_stage" in out.columns:
            if "stage" in out.columns and clinical.attrs.get("source") != "OMOP":
                clin_stage = out["stage"].astype(object)
                ehr_stage = out["ehr_stage"].astype(object)
                n_diff = int((clin_stage.notna() & ehr_stage.notna()
                              & (clin_stage.astype(str) != ehr_stage.astype(str))).sum())
                notes.append(f"stage taken from the EHR (AJCC stage); it differs from the clinical table for "
                             f"{n_diff} patient(s)")
                out["stage"] = ehr_stage.where(ehr_stage.notna(), clin_stage)
            elif "stage" not in out.columns:
                out["stage"] = out["ehr_stage"]
            out = out.drop(columns="ehr_stage")
    else:
        notes.append("no EHR tables given: patients are not selected by ICD-10 code")
        if params.treatment:
            raise ParameterError("treatment: selecting by treatment needs the OMOP tables (parameter 'ehr')")
        if params.stage:
            if "stage" not in out.columns:
                raise InputDataError(f"{clinical.attrs.get('name', 'clinical table')}: no column 'stage' to select on")
            out = out[out["stage"].astype(str).isin(params.stage)]
            steps.append((f"stage {', '.join(params.stage)}", len(out)))
    if "stage" in out.columns:
        out["stage"] = pd.Categorical(out["stage"].astype(object), categories=["I", "II", "III", "IV"], ordered=True)
    mapping = match_barcodes(barcodes, out["patient_id"].astype(str))
    with_tumour = set(mapping.values())
    out = out[out["patient_id"].astype(str).isin(with_tumour)].reset_index(drop=True)
    steps.append(("with a tumour in the MAF", len(out)))
    out.attrs["sample_to_patient"] = {b: p for b, p in mapping.items()}
    return out, steps


def _delayed_entry(cohort: pd.DataFrame, wanted: bool, notes: list[str]) -> tuple[str | None, dict[str, Any]]:
    """The entry column of the survival analyses and the ``delayed_entry`` summary: survival counts from
    diagnosis, and a patient enters the risk sets at the sequencing of the tumour (left truncation), so the time
    between the two, which the patient had to survive to be sequenced, is not credited to any group."""
    has = ENTRY_COL in cohort.columns and cohort[ENTRY_COL].notna().any()
    applied = bool(wanted and has)
    info: dict[str, Any] = {"applied": applied, "entry": ENTRY_COL if applied else None,
                            "n_entered_after_diagnosis": None, "median_entry_months": None}
    if applied:
        delay = pd.to_numeric(cohort[ENTRY_COL], errors="coerce")
        later = delay[delay > 0]
        info.update(n_entered_after_diagnosis=int(len(later)),
                    median_entry_months=float(later.median()) if len(later) else None)
        info["statement"] = (f"Survival is counted from diagnosis with delayed entry at the sequencing date "
                             f"('{ENTRY_COL}', left truncation): {len(later)} of {len(cohort)} patients were sequenced "
                             f"after diagnosis (median {_fmt(info['median_entry_months'])} months) and join the risk "
                             "sets only then, so their survival before sequencing (immortal time) is not credited "
                             "to any genomic group.")
    elif has:
        info["statement"] = ("Delayed entry switched off (delayed_entry: false): survival from diagnosis although "
                             "tumours were sequenced later; estimates carry immortal-time bias.")
    else:
        info["statement"] = (f"No sequencing date ('{ENTRY_COL}') in the clinical data: survival from diagnosis "
                             "without delayed entry; if tumours were sequenced after diagnosis the estimates carry "
                             "immortal-time bias.")
    notes.append(info["statement"])
    return (ENTRY_COL if applied else None), info


def _km_key(endpoint: str, group: str) -> str:
    return f"km_{endpoint}_{group}"


def _mutation_tables(cohort: pd.DataFrame, maf_sel: pd.DataFrame, *, params: Any, mapping: dict[str, str],
                     figures: dict[str, Any]) -> tuple[pd.DataFrame, Any, pd.DataFrame, pd.DataFrame]:
    """``(mutation matrix, KRAS/BRAF exclusivity, its 2x2 table, TMB by MSI status)``; adds the oncoplot and
    the TMB-by-MSI figure to ``figures``."""
    from scipy.stats import mannwhitneyu

    from .oncoplot import mutual_exclusivity, oncoplot, tmb_by_msi_plot

    cohort_barcodes = list(cohort["tumor_barcode"])
    annotations = [c for c in ("msi_status", "side") if c in cohort.columns]
    fig, matrix = oncoplot(maf_sel, clinical=cohort, top_n=params.top_n_genes, annotations=annotations,
                           samples=cohort_barcodes, sample_to_patient={b: mapping[b] for b in cohort_barcodes},
                           title=f"Top {params.top_n_genes} mutated genes, {len(cohort)} tumours")
    figures["oncoplot"] = fig
    excl = mutual_exclusivity(pd.DataFrame({"KRAS": cohort["kras_activating"], "BRAF V600E": cohort["braf_v600e"]}),
                              "KRAS", "BRAF V600E")
    excl_table = pd.DataFrame({"BRAF V600E": [excl.both, excl.b_only], "BRAF V600E absent": [excl.a_only, excl.neither]},
                              index=pd.Index(["KRAS mutant", "KRAS wild type"], name="KRAS (missense/in-frame)"))
    tmb_rows = []
    if "msi_status" in cohort.columns:
        for status, sub in cohort.groupby(cohort["msi_status"].astype(str)):
            tmb_rows.append({"msi_status": status, "n": len(sub), "median_tmb": sub["tmb"].median(),
                             "q1": sub["tmb"].quantile(0.25), "q3": sub["tmb"].quantile(0.75),
                             "tmb_high_percent": 100 * sub["tmb_high"].mean()})
        figures["tmb_by_msi"] = tmb_by_msi_plot(cohort)
    tmb_table = pd.DataFrame(tmb_rows)
    groups = cohort["msi_status"].dropna().astype(str).unique() if "msi_status" in cohort.columns else []
    if len(groups) == 2:
        a, b = (cohort.loc[cohort["msi_status"].astype(str) == g, "tmb"] for g in sorted(groups))
        tmb_table.attrs["mann_whitney_p"] = float(mannwhitneyu(a, b, alternative="two-sided").pvalue)
    return matrix, excl, excl_table, tmb_table


def _survival(cohort: pd.DataFrame, *, endpoints: dict[str, tuple[str, str]], entry: str | None,
              covariates: list[str], notes: list[str], figures: dict[str, Any]) -> dict[str, Any]:
    """Kaplan-Meier (overall and per group in ``KM_GROUPS``), log-rank and Cox model per endpoint, with delayed
    entry at ``entry`` when given; adds the KM and forest plots to ``figures``."""
    from .survival import (at_risk_table, cox_ph, forest_plot, kaplan_meier, logrank, plot_km,
                           proportional_hazards_check)

    km_summary: dict[str, Any] = {}
    lr_summary: dict[str, Any] = {}
    cox_summary: dict[str, Any] = {}
    km_tables, at_risk, cox_results, cox_tables, ph = {}, {}, {}, {}, {}
    lr_rows = []
    for ep, (tcol, ecol) in endpoints.items():
        data = cohort
        if entry and ep != "os":
            # progression before sequencing: the patient never entered the risk set of this endpoint
            before = pd.to_numeric(cohort[tcol], errors="coerce") < cohort[entry]
            if before.any():
                notes.append(f"{ENDPOINT_NAMES[ep]}: {int(before.sum())} patient(s) with the event before "
                             "sequencing are left out (they never entered the risk set)")
                data = cohort[~before]
        t_max = float(pd.to_numeric(data[tcol], errors="coerce").max())
        times = list(range(0, int(np.ceil(max(t_max, 1) / AT_RISK_STEP)) * AT_RISK_STEP + 1, AT_RISK_STEP)) \
            if np.isfinite(t_max) else [0]
        overall = kaplan_meier(data, time_col=tcol, event_col=ecol, entry_col=entry)
        notes.extend(f"{ENDPOINT_NAMES[ep]}: {n}" for n in overall.notes)
        km_summary[ep] = {"all": overall.to_dict()["all"]}
        lr_summary[ep] = {}
        at_risk[ep] = {"all": at_risk_table(overall, times=times)}
        tables = [overall.summary.assign(variable="all")]
        figures[_km_key(ep, "all")] = plot_km(overall, title=f"{ENDPOINT_NAMES[ep]}, all patients", xticks=times)
        for g in KM_GROUPS:
            if g not in data.columns or data[g].dropna().astype(str).nunique() < 2:
                continue
            km = kaplan_meier(data, time_col=tcol, event_col=ecol, group_col=g, entry_col=entry)
            notes.extend(f"{ENDPOINT_NAMES[ep]}: {n}" for n in km.notes)
            km_summary[ep][g] = km.to_dict()
            tables.append(km.summary.assign(variable=g))
            at_risk[ep][g] = at_risk_table(km, times=times)
            lr = logrank(data, time_col=tcol, event_col=ecol, group_col=g, entry_col=entry)
            lr_summary[ep][g] = lr.to_dict()
            lr_rows.append({"endpoint": ep, "group": g, "statistic": lr.statistic, "dof": lr.dof, "p": lr.p})
            figures[_km_key(ep, g)] = plot_km(km, title=f"{ENDPOINT_NAMES[ep]} by {GROUP_NAMES.get(g, g)} "
                                                        f"(log-rank p = {lr.p:.2g})", xticks=times)
        table = pd.concat(tables, ignore_index=True)
        table["median (95% CI), months"] = [
            f"{_nr(m)} ({_nr(lo)}-{_nr(hi)})" for m, lo, hi in
            zip(table["median"], table["median_ci_lower"], table["median_ci_upper"])]
        km_tables[ep] = table[["variable", "group", "n", "events", "median (95% CI), months"]]
        # the usual reference level when the selection kept it (a stage III-IV cohort is compared with III)
        reference = {k: v for k, v in COX_REFERENCE.items()
                     if k in covariates and (data[k].astype(str) == v).any()}
        cox = cox_ph(data, time_col=tcol, event_col=ecol, covariates=covariates, reference=reference, entry_col=entry)
        cox_results[ep] = cox
        cox_tables[ep] = cox.hr_table
        cox_summary[ep] = cox.to_dict()
        ph[ep] = proportional_hazards_check(cox)
        figures[f"forest_{ep}"] = forest_plot(cox, title=f"{ENDPOINT_NAMES[ep]}: hazard ratios (95% CI)")
    return {"km": km_summary, "log_rank": lr_summary, "cox_summary": cox_summary, "km_tables": km_tables,
            "at_risk": at_risk, "cox": cox_results, "cox_tables": cox_tables, "ph": ph, "lr_rows": lr_rows}


def _cohort_headline(n_patients: int, km_summary: dict[str, Any], cox_tables: dict[str, pd.DataFrame]) -> str:
    """Patients, median overall survival and the OS hazard ratios of stage IV, MSI-H and BRAF V600E."""
    os_hr = cox_tables["os"].set_index("covariate")
    stage_ref = os_hr.loc["stage=IV", "reference"].split("=")[-1] if "stage=IV" in os_hr.index else "I"
    shown = [c for c in ("stage=IV", "msi_status=MSI-H", "braf_v600e") if c in os_hr.index]
    label = {"stage=IV": f"stage IV vs {stage_ref}", "msi_status=MSI-H": "MSI-H vs MSS", "braf_v600e": "BRAF V600E"}
    hr_text = "; ".join(f"{label[c]} HR {os_hr.loc[c, 'hr']:.2f} ({os_hr.loc[c, 'ci_lower']:.2f}-"
                        f"{os_hr.loc[c, 'ci_upper']:.2f})" for c in shown)
    med = km_summary["os"]["all"]["median"]
    headline = (f"{n_patients} patients; median OS {_fmt(med)} months" if med is not None
                else f"{n_patients} patients; median OS not reached")
    headline += f"; OS Cox: {hr_text}" if hr_text else ""
    return headline


def analyse_cohort(params: Any) -> ColorectalCohortResult:
    """Cohort analysis of colorectal cancers: EHR selection, mutations, survival by molecular group, Cox models.

    Parameters
    ----------
    params
        :class:`~bigmed_utils.params.ColorectalCohortParams` (or a mapping validated into one).

    Returns
    -------
    ColorectalCohortResult
        Tables, figures (``oncoplot``, ``tmb_by_msi``, ``km_<endpoint>_<group>``, ``forest_<endpoint>``) and
        ``summary`` with ``case_id``, ``n_patients``, ``km`` (``{endpoint: {all|group: {level: {n, events,
        median, ci_lower, ci_upper}}}}``, months, ``None`` = not reached), ``cox`` (``{endpoint: {covariate:
        {hr, ci_lower, ci_upper, p}}}``), ``log_rank`` (``{endpoint: {group: {statistic, dof, p, ...}}}``),
        ``delayed_entry`` (``{applied, entry, n_entered_after_diagnosis, median_entry_months, statement}``: with a
        ``sequencing_months`` column every survival analysis uses delayed entry at sequencing) and ``headline``.

    Raises
    ------
    ParameterError, InputDataError
        One line naming the parameter, file, column or patient at fault (negative survival time, missing
        covariate, unknown stage ...).
    """
    from ..io.maf import read_maf
    from ..params import ColorectalCohortParams, validate_params
    from .cohort import cohort_table

    if not isinstance(params, ColorectalCohortParams):
        params = validate_params("colorectal_cohort", dict(params))
    maf = read_maf(params.maf)
    barcodes = list(dict.fromkeys(maf["Tumor_Sample_Barcode"]))
    clinical = read_clinical_any(params.clinical, assay=params.msi_assay)
    notes: list[str] = []
    selected, steps = _select(params, clinical, barcodes, notes)
    if selected.empty:
        raise InputDataError("no patient is left after the selection (ICD-10, stage, treatment) and the join to the MAF")
    mapping = selected.attrs["sample_to_patient"]
    cohort = cohort_table(selected, maf, callable_mb=params.callable_mb, sample_to_patient=mapping)
    cohort = cohort.rename(columns={"KRAS_mut": "kras_mut"})
    if "age" in cohort.columns:
        cohort["age_per_10y"] = pd.to_numeric(cohort["age"], errors="coerce") / 10
    cohort["kras_activating"] = cohort["kras_braf"].isin(["KRAS", "both"])
    cohort_barcodes = list(cohort["tumor_barcode"])
    maf_sel = maf[maf["Tumor_Sample_Barcode"].isin(set(cohort_barcodes))]
    figures: dict[str, Any] = {}

    matrix, excl, excl_table, tmb_table = _mutation_tables(cohort, maf_sel, params=params, mapping=mapping,
                                                           figures=figures)

    # survival
    endpoints = {k: v for k, v in ENDPOINTS.items() if v[0] in cohort.columns and v[1] in cohort.columns}
    if "os" not in endpoints:
        raise InputDataError(f"{clinical.attrs.get('name', 'clinical table')}: no overall-survival columns "
                             "'os_months' and 'os_event'")
    covariates = [c for c in params.cox_covariates]
    for c in covariates:
        if c not in cohort.columns:
            raise InputDataError(f"Cox covariate '{c}' is not available in the cohort table "
                                 f"({clinical.attrs.get('name', 'clinical table')})")
    entry, delayed = _delayed_entry(cohort, params.delayed_entry, notes)
    surv = _survival(cohort, endpoints=endpoints, entry=entry, covariates=covariates, notes=notes, figures=figures)
    km_summary, lr_summary, cox_summary = surv["km"], surv["log_rank"], surv["cox_summary"]
    km_tables, at_risk, cox_results, cox_tables, ph = (surv["km_tables"], surv["at_risk"], surv["cox"],
                                                       surv["cox_tables"], surv["ph"])
    lr_rows = surv["lr_rows"]

    headline = _cohort_headline(len(cohort), km_summary, cox_tables)
    summary = {"case_id": params.case_id, "n_patients": int(len(cohort)), "km": km_summary, "cox": cox_summary,
               "log_rank": lr_summary, "delayed_entry": delayed, "headline": headline}
    _close(figures)
    return ColorectalCohortResult(
        case_id=params.case_id,
        selection_steps=pd.DataFrame(steps, columns=["step", "patients"]),
        cohort=cohort, mutation_matrix=matrix, exclusivity=excl, exclusivity_table=excl_table,
        tmb_by_msi=tmb_table, km_tables=km_tables, at_risk=at_risk,
        log_rank=pd.DataFrame(lr_rows, columns=["endpoint", "group", "statistic", "dof", "p"]),
        cox=cox_results, cox_tables=cox_tables, ph_checks=ph, figures=figures, summary=summary, notes=notes,
        delayed_entry=delayed,
    )


#: the former name
CohortResult = ColorectalCohortResult


__all__ = [
    "PatientResult",
    "ColorectalCohortResult",
    "CohortResult",
    "analyse_patient",
    "analyse_cohort",
    "somatic_variants_from_vcf",
    "clinical_from_omop",
    "read_clinical_any",
    "side_from_icd10",
    "DAYS_PER_MONTH",
    "ENDPOINTS",
    "KM_GROUPS",
    "AT_RISK_STEP",
]
