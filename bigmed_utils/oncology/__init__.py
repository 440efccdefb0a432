"""Colorectal-cancer logic: TMB, MSI/MMR, actionability, survival, oncoplot and cohort helpers."""

from .analysis import CohortResult, ColorectalCohortResult, PatientResult, analyse_cohort, analyse_patient
from .actionability import load_knowledge_base, match_actionability, summarise_actionability
from .cohort import CRC_DRIVER_GENES, cohort_table, driver_mutations, match_barcodes, read_clinical
from .hgvsp import normalise_hgvsp, parse_hgvsp, same_protein_change
from .lynch import LynchTriage, lynch_triage
from .msi import (
    MSI_ASSAYS,
    MSI_SCORE_THRESHOLDS,
    POLE_EXONUCLEASE_DOMAIN,
    assess_msi,
    classify_mmr_ihc,
    classify_msi_score,
    hypermutation_status,
    is_pole_exonuclease_mutation,
    pole_exonuclease_mutations,
)
from .oncoplot import msi_score_plot, mutation_matrix, mutual_exclusivity, oncoplot, tmb_by_msi_plot
from .summary import PatientProfile, cohort_survival_summary, patient_profile
from .survival import (
    at_risk_table,
    cox_ph,
    forest_plot,
    kaplan_meier,
    logrank,
    plot_km,
    proportional_hazards_check,
    validate_survival,
)
from .tmb import NONSYNONYMOUS_CLASSES, TMB_HIGH_THRESHOLD, TMBResult, compute_tmb, is_tmb_high, tmb_by_sample
from .vcf_to_maf import maf_from_vcf_table

__all__ = [
    "analyse_patient", "analyse_cohort", "PatientResult", "CohortResult", "ColorectalCohortResult",
    "load_knowledge_base", "match_actionability", "summarise_actionability",
    "CRC_DRIVER_GENES", "cohort_table", "driver_mutations", "match_barcodes", "read_clinical",
    "normalise_hgvsp", "parse_hgvsp", "same_protein_change",
    "LynchTriage", "lynch_triage", "MSI_ASSAYS",
    "MSI_SCORE_THRESHOLDS", "POLE_EXONUCLEASE_DOMAIN", "assess_msi", "classify_mmr_ihc", "classify_msi_score",
    "hypermutation_status", "is_pole_exonuclease_mutation", "pole_exonuclease_mutations",
    "msi_score_plot", "mutation_matrix", "mutual_exclusivity", "oncoplot", "tmb_by_msi_plot",
    "at_risk_table", "cox_ph", "forest_plot", "kaplan_meier", "logrank", "plot_km",
    "proportional_hazards_check", "validate_survival",
    "NONSYNONYMOUS_CLASSES", "TMB_HIGH_THRESHOLD", "TMBResult", "compute_tmb", "is_tmb_high", "tmb_by_sample",
    "maf_from_vcf_table",
    "PatientProfile", "cohort_survival_summary", "patient_profile",
]
