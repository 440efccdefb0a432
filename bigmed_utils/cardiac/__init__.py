"""Sudden cardiac death: gene panels, the frequency filter, ECG/QTc, HCM Risk-SCD / Risk-Kids, cascade screening,
segregation, pedigree drawing.

Research use only; not a medical device. Every clinical constant carries its citation next to it.
"""

from .cascade import (
    SegregationResult,
    cascade_list,
    cascade_records,
    genotype_status,
    genotypes_from_vcf,
    infer_obligate_carriers,
    lod_fully_segregating,
    pp1_strength,
    segregation,
)
from .cohort import diagnostic_yield, plot_diagnostic_yield, plot_qtc_by_genotype, qtc_by_genotype
from .ecg import (
    latest_qtc,
    plot_qtc_trend,
    qtc,
    qtc_bazett,
    qtc_flag,
    qtc_framingham,
    qtc_fridericia,
    qtc_hodges,
    qtc_summary,
    qtc_table,
    schwartz_qtc_points,
)
from .filtering import consequence_gate, screen_candidates
from .frequency import assess_frequency, filtering_af
from .panels import allele_frequency_ceilings, bs1_thresholds, max_credible_af, max_tolerated_ac, panel, panel_genes
from .pedigree import Pedigree, validate_pedigree
from .pedigree_plot import draw_pedigree, pedigree_elements
from .risk import RiskResult, esc2023_risk_modifiers, hcm_risk_scd, hcm_risk_scd_from_record, hcm_risk_scd_table
from .risk_kids import hcm_risk_from_record, hcm_risk_kids

__all__ = [
    "panel", "panel_genes", "max_credible_af", "bs1_thresholds", "max_tolerated_ac", "allele_frequency_ceilings",
    "qtc_bazett", "qtc_fridericia", "qtc_framingham", "qtc_hodges", "qtc", "qtc_flag",
    "schwartz_qtc_points", "qtc_table", "latest_qtc", "qtc_summary", "plot_qtc_trend",
    "RiskResult", "hcm_risk_scd", "hcm_risk_scd_from_record", "hcm_risk_scd_table", "hcm_risk_kids",
    "hcm_risk_from_record", "esc2023_risk_modifiers", "assess_frequency", "filtering_af", "consequence_gate",
    "screen_candidates",
    "Pedigree", "validate_pedigree", "cascade_list", "infer_obligate_carriers", "genotype_status",
    "genotypes_from_vcf", "cascade_records", "segregation", "SegregationResult", "lod_fully_segregating", "pp1_strength",
    "draw_pedigree", "pedigree_elements",
    "diagnostic_yield", "plot_diagnostic_yield", "qtc_by_genotype", "plot_qtc_by_genotype",
]
