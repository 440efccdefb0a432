"""Assemble the patient and cohort results that the colorectal notebooks show and write to ``summary.json``.

Patient ``summary.json`` keys: ``patient_id``, ``tmb`` (value, unit, callable_mb, high), ``msi``
(status, score, source), ``drivers``, ``actionable`` (alteration, therapy, level, source), ``resistance``.
Cohort keys: ``n_patients``, ``km`` (median survival per group with 95 % CI), ``cox`` (HR, 95 % CI and p per
covariate), ``log_rank``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import pandas as pd

from ..errors import InputDataError
from .actionability import match_actionability, summarise_actionability
from .cohort import driver_mutations
from .lynch import LynchTriage, lynch_triage
from .msi import HypermutationResult, MSIResult, assess_msi, hypermutation_status, pole_exonuclease_mutations
from .survival import cox_ph, kaplan_meier, logrank
from .tmb import NONSYNONYMOUS_CLASSES, TMB_HIGH_THRESHOLD, TMBResult, compute_tmb


@dataclass
class PatientProfile:
    """Molecular profile of one tumour: TMB, MSI/MMR, hypermutation/POLE, drivers and therapy matches."""

    patient_id: str
    tumor_sample: str | None
    tmb: TMBResult
    msi: MSIResult
    hypermutation: HypermutationResult
    drivers: pd.DataFrame
    matches: pd.DataFrame
    lynch: LynchTriage | None = None

    def summary(self) -> dict[str, Any]:
        """The patient keys of ``summary.json`` (JSON-ready)."""
        split = summarise_actionability(self.matches)
        return {
            "patient_id": self.patient_id,
            "tumor_sample": self.tumor_sample,
            "tmb": {k: self.tmb.to_dict()[k] for k in ("value", "unit", "callable_mb", "high")},
            "msi": {"status": self.msi.status, "score": self.msi.score, "source": self.msi.source,
                    "mmr_ihc": self.msi.mmr_status, "discordant": self.msi.discordant},
            "hypermutation": {"category": self.hypermutation.category, "pole_driven": self.hypermutation.pole_driven},
            "drivers": [
                {"gene": r.gene, "hgvsp": r.hgvsp, "variant": r.variant, "variant_classification": r.variant_classification}
                for r in self.drivers.itertuples(index=False)
            ],
            "actionable": split["actionable"],
            "resistance": split["resistance"],
            "unknown_meaning": split["unknown_meaning"],
            "lynch_triage": self.lynch.to_dict() if self.lynch is not None else None,
            "knowledge_base_version": self.matches.attrs.get("kb_version"),
        }


def patient_profile(
    maf: pd.DataFrame,
    *,
    patient_id: str,
    callable_mb: float,
    tumor_sample: str | None = None,
    msi_score: float | None = None,
    mmr_ihc: Any = None,
    assay: str = "tumor_normal",
    msi_threshold: float | None = None,
    her2_ihc: str | None = None,
    mlh1_methylation: bool | None = None,
    extra_alterations: pd.DataFrame | None = None,
    variant_classes: Sequence[str] = NONSYNONYMOUS_CLASSES,
    tmb_threshold: float = TMB_HIGH_THRESHOLD,
    kb: pd.DataFrame | None = None,
) -> PatientProfile:
    """Profile one tumour from its MAF rows and optional MSI score / MMR IHC / HER2 IHC / MLH1 methylation.

    ``extra_alterations`` adds copy-number and fusion calls (columns ``gene``, ``alteration_type``
    ``amplification``/``fusion``, optional ``alteration``) to the actionability matching. The Lynch syndrome
    triage (:func:`~bigmed_utils.oncology.lynch.lynch_triage`) uses BRAF V600E from the MAF rows and
    ``mlh1_methylation`` (True, False or None = not tested).
    """
    if tumor_sample is not None:
        if tumor_sample not in set(maf["Tumor_Sample_Barcode"]):
            raise InputDataError(f"{maf.attrs.get('path', 'MAF table')}: tumour sample '{tumor_sample}' not found")
        maf = maf[maf["Tumor_Sample_Barcode"] == tumor_sample]
    tmb = compute_tmb(maf, callable_mb=callable_mb, variant_classes=variant_classes, threshold=tmb_threshold)
    msi = assess_msi(msi_score=msi_score, mmr_ihc=mmr_ihc, assay=assay, threshold=msi_threshold)
    pole = len(pole_exonuclease_mutations(maf)) > 0
    hyper = hypermutation_status(tmb.value, pole_edm=pole,
                                 msi_high=msi.msi_high if msi.status in ("MSI-H", "MSS") else None)
    nonsyn = maf[maf["Variant_Classification"].isin(set(NONSYNONYMOUS_CLASSES))]
    alterations = nonsyn.drop(columns=["Tumor_Sample_Barcode"], errors="ignore")
    if extra_alterations is not None and len(extra_alterations):
        extra = extra_alterations.rename(columns={"gene": "Hugo_Symbol"})
        alterations = pd.concat([alterations.assign(alteration_type="mutation"), extra], ignore_index=True)
    matches = match_actionability(alterations, msi_status=msi, tmb_high=tmb, her2_ihc=her2_ihc, kb=kb)
    drivers = driver_mutations(maf)
    braf = bool(((drivers["gene"] == "BRAF") & (drivers["hgvsp"] == "V600E")).any())
    lynch = lynch_triage(msi, braf_v600e=braf, mlh1_methylation=mlh1_methylation)
    return PatientProfile(patient_id, tumor_sample, tmb, msi, hyper, drivers, matches, lynch)


def cohort_survival_summary(
    df: pd.DataFrame,
    *,
    endpoints: Mapping[str, tuple[str, str]] = {"os": ("os_months", "os_event"), "pfs": ("pfs_months", "pfs_event")},
    groups: Sequence[str] = ("stage", "msi_status", "side", "kras_braf"),
    cox_covariates: Sequence[str] = ("stage", "msi_status", "side", "age"),
    reference: Mapping[str, Any] | None = None,
    id_col: str = "patient_id",
    entry_col: str | None = None,
) -> dict[str, Any]:
    """Kaplan-Meier medians, log-rank tests and a Cox model per endpoint, as ``summary.json`` content.

    Returns ``{n_patients, km: {endpoint: {group: {level: {n, events, median, ci_lower, ci_upper}}}},
    log_rank: {endpoint: {group: {statistic, dof, p, pairwise}}}, cox: {endpoint: {covariate: {hr,
    ci_lower, ci_upper, p}}}}``. Groups and covariates missing from ``df`` are skipped; endpoints whose
    columns are missing raise :class:`InputDataError`. ``entry_col`` (e.g. ``sequencing_months``) gives every
    analysis delayed entry at that time (left truncation).
    """
    out: dict[str, Any] = {"n_patients": int(len(df)), "km": {}, "log_rank": {}, "cox": {}}
    for name, (time_col, event_col) in endpoints.items():
        for col in (time_col, event_col):
            if col not in df.columns:
                raise InputDataError(f"cohort table has no column '{col}' for endpoint '{name}'")
        km_all = kaplan_meier(df, time_col=time_col, event_col=event_col, id_col=id_col, entry_col=entry_col)
        out["km"][name] = {"all": km_all.to_dict()["all"]}
        out["log_rank"][name] = {}
        for g in groups:
            if g not in df.columns:
                continue
            out["km"][name][g] = kaplan_meier(df, time_col=time_col, event_col=event_col, group_col=g, id_col=id_col,
                                              entry_col=entry_col).to_dict()
            if df[g].dropna().astype(str).nunique() >= 2:
                out["log_rank"][name][g] = logrank(df, time_col=time_col, event_col=event_col, group_col=g,
                                                   id_col=id_col, entry_col=entry_col).to_dict()
        covs = [c for c in cox_covariates if c in df.columns]
        if covs:
            out["cox"][name] = cox_ph(df, time_col=time_col, event_col=event_col, covariates=covs,
                                      reference=reference, id_col=id_col, entry_col=entry_col).to_dict()
    return out


__all__ = ["PatientProfile", "patient_profile", "cohort_survival_summary"]
