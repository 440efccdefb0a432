"""Result objects of the sudden-cardiac-death family analysis and the column sets of their tables.

Research use only; not a medical device.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..genomics.acmg import LIKELY_PATHOGENIC, PATHOGENIC, VUS
from .cascade import SegregationResult
from .filtering import FILTERED_COLUMNS
from .pedigree import Pedigree

#: ACMG class order for sorting findings (most severe first)
CLASS_RANK = {PATHOGENIC: 0, LIKELY_PATHOGENIC: 1, VUS: 2, "Likely benign": 3, "Benign": 4}
#: classes shown as findings (likely benign / benign candidates stay in the candidate table only)
REPORTED_CLASSES = (PATHOGENIC, LIKELY_PATHOGENIC, VUS)
DIAGNOSTIC_CLASSES = (PATHOGENIC, LIKELY_PATHOGENIC)

FINDING_COLUMNS = ["gene", "variant", "hgvsc", "hgvsp", "consequence", "zygosity", "condition", "disease",
                   "acmg_class", "acmg_points", "acmg_codes", "segregation", "max_af", "filtering_af",
                   "frequency_basis", "frequency_note", "revel", "clin_sig", "carriers", "non_carriers"]
RISK_COLUMNS = ["person", "relation", "model", "age", "echo_date", "mwt_mm", "la_mm", "mwt_z", "la_z",
                "lvot_gradient_mmhg", "family_history_scd", "nsvt", "unexplained_syncope", "percent", "category",
                "status", "reason", "recommendation", "esc2023_modifiers", "esc2023_recommendation", "notes"]


@dataclass
class FamilyResult:
    """Everything a family report shows: small pandas tables, figures and the ``summary.json`` dict.

    Attributes
    ----------
    family_id, proband, conditions
        The family, its proband and the condition panels screened (canonical keys).
    pedigree
        The validated :class:`~bigmed_utils.cardiac.pedigree.Pedigree`.
    members
        One row per family member: ``person, relation, degree, sex, affected, deceased, in_vcf,
        genotype_status`` (for the familial variant) and ``proband``.
    panel
        The panel genes screened with their condition, ClinGen classification and maximum credible AF.
    candidates
        The proband's candidate variants that passed the frequency filter, the consequence gate and the
        variant-type scope, classified (all classes, one row per variant and condition).
    filtered_out
        The proband's panel variants not classified, one row per variant and condition with the step
        (frequency, consequence, variant type) and the reason (``FILTERED_COLUMNS``).
    findings
        The reported findings (P, LP, VUS), ``FINDING_COLUMNS``.
    familial_variant
        The proband's P/LP variant used for cascade screening (a row of ``findings`` as a dict), or None.
    qtc_visits, qtc_latest, qtc_excluded
        QTc per visit (four formulas, flags), per person (latest visit) and the excluded ECG rows with reasons.
    hcm_risk
        HCM Risk-SCD (or HCM Risk-Kids under 16) per assessed person, with the ESC 2023 risk modifiers
        (``RISK_COLUMNS``).
    cascade
        Relatives to offer testing / screening (``CASCADE_COLUMNS``).
    segregation
        :class:`~bigmed_utils.cardiac.cascade.SegregationResult` of the familial variant (or of the leading
        VUS when there is no P/LP variant), or None.
    figures
        ``"pedigree"`` and ``"qtc_trend"`` matplotlib Figures (closed: show them with ``display``), or None.
    notes
        Plain-language remarks (what could not be assessed and why).
    summary
        The ``summary.json`` content.
    """

    family_id: str
    proband: str
    conditions: list[str]
    pedigree: Pedigree
    members: pd.DataFrame
    panel: pd.DataFrame
    candidates: pd.DataFrame
    findings: pd.DataFrame
    familial_variant: dict[str, Any] | None
    qtc_visits: pd.DataFrame
    qtc_latest: pd.DataFrame
    qtc_excluded: pd.DataFrame
    hcm_risk: pd.DataFrame
    cascade: pd.DataFrame
    segregation: SegregationResult | None
    segregation_variant: str | None
    filtered_out: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=FILTERED_COLUMNS))
    figures: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def headline(self) -> str:
        return str(self.summary.get("headline", ""))


@dataclass
class CardiacCohortResult:
    """Cohort view: one row per family, diagnostic yield per condition panel, QTc by genotype, figures."""

    families: pd.DataFrame
    diagnostic_yield: pd.DataFrame
    qtc_by_genotype: pd.DataFrame
    figures: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    results: list[FamilyResult] = field(default_factory=list)


#: the former name
CohortResult = CardiacCohortResult
