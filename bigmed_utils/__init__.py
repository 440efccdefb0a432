"""bigmed_utils: the tested logic behind the BigMed research notebooks.

A flat, discoverable API over well-named submodules (``import bigmed_utils as bm``; ``bm.qtc_bazett``,
``bm.read_vcf``, ``bm.run_analysis`` ...). Heavy submodules (Hail, the HPO ontology, plotting) load on
first use, so ``bigmed --help`` and the batch runner start quickly.

Research use only; not a medical device.
"""

from __future__ import annotations

import sys
from importlib import import_module
from importlib.metadata import PackageNotFoundError, version as _version
from typing import Any

try:
    __version__ = _version("bigmed-utils")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

# jsonschema imports rfc3987-syntax (an extra of jupyter-events) for its optional "iri" format checker, which
# nothing here uses (nbformat validates without format checks); building that package's Lark grammar took 1-2 s
# wherever jsonschema was imported: every `bigmed` start (through papermill and nbformat) and every kernel that
# starts Hail (hail.ggplot imports plotly, whose renderers import nbformat under IPython). Without it jsonschema
# leaves the iri formats unchecked.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]

from .errors import *  # noqa: F401,F403  (the exception hierarchy is part of the flat API)
from .errors import __all__ as _errors_all

#: public name -> submodule that defines it ("module:attr" when the name differs), loaded on first access
_LAZY: dict[str, str] = {
    # the analysis contract: bm.analyse("rare_disease", params), bm.analyses()
    "analyse": "contract.registry",
    "analyses": "contract.registry",
    "Analysis": "contract.base",
    "Result": "contract.base",
    # machinery
    "init_hail": "hail_session",
    "validate_params": "params",
    "params_from_namespace": "params",
    "describe_params": "params",
    "write_summary": "summary",
    "read_summary": "summary",
    "run_analysis": "runner",
    "run_batch": "batch",
    # input readers
    "read_vcf": "io.vcf",
    "read_vcf_header": "io.vcf",
    "read_vcf_cached": "io.vcf_cache",
    "annotate_vcf_csq": "io.vcf",
    "read_ped": "io.ped",
    "read_phenopacket": "io.phenopacket",
    "read_maf": "io.maf",
    "read_omop": "io.omop",
    "select_patients": "io.omop",
    # shared genomics
    "GenotypeFilters": "genomics.filters",
    "apply_genotype_filters": "genomics.filters",
    "InheritanceThresholds": "genomics.inheritance",
    "find_candidates": "genomics.inheritance",
    "proband_rare_rows": "genomics.rare_rows",
    "run_qc": "genomics.qc",
    "classify_variants": "genomics.acmg",
    "combine_points": "genomics.acmg",
    "richards_2015_class": "genomics.acmg",
    # phenotype
    "validate_terms": "phenotype.ontology",
    "rank_genes": "phenotype.similarity",
    "similar_patients": "phenotype.similarity",
    "extract_hpo": "phenotype.text_to_hpo",
    "terms_from_text": "phenotype.text_to_hpo",
    "family_history": "phenotype.text_to_hpo",
    "gene_phenotype_lrs": "phenotype.likelihood",
    "rank_candidates": "rare_disease.ranking",
    "analyse_case": "rare_disease.analysis",
    "candidate_explorer": "rare_disease.widgets",
    # cardiac
    "qtc_bazett": "cardiac.ecg",
    "qtc_fridericia": "cardiac.ecg",
    "qtc_framingham": "cardiac.ecg",
    "qtc_hodges": "cardiac.ecg",
    "qtc_table": "cardiac.ecg",
    "hcm_risk_scd": "cardiac.risk",
    "hcm_risk_kids": "cardiac.risk_kids",
    "cascade_list": "cardiac.cascade",
    "segregation": "cardiac.cascade",
    "draw_pedigree": "cardiac.pedigree_plot",
    "analyse_family": "cardiac.analysis",
    "cohort_overview": "cardiac.analysis",
    # oncology
    "compute_tmb": "oncology.tmb",
    "assess_msi": "oncology.msi",
    "lynch_triage": "oncology.lynch",
    "match_actionability": "oncology.actionability",
    "kaplan_meier": "oncology.survival",
    "logrank": "oncology.survival",
    "cox_ph": "oncology.survival",
    "oncoplot": "oncology.oncoplot",
    "mutual_exclusivity": "oncology.oncoplot",
    "patient_profile": "oncology.summary",
    "cohort_survival_summary": "oncology.summary",
    "analyse_patient": "oncology.analysis",
    "analyse_cohort": "oncology.analysis",
    # synthetic data
    "generate_synthetic": "synthetic:generate",
    "gene_spans": "synthetic.genes",
    # secure lab
    "Pseudonymiser": "privacy.pseudonyms",
    "shift_dates": "privacy.pseudonyms",
    "suppress_counts": "privacy.disclosure",
    "suppress_plot_data": "privacy.disclosure",
    "export_run": "privacy.export",
    "verify_audit": "privacy.audit",
    "html_text": "privacy.escape",
    "markdown_text": "privacy.escape",
}

__all__ = ["__version__", *_errors_all, *_LAZY]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'bigmed_utils' has no attribute {name!r}")
    module, _, attr = module.partition(":")
    value = getattr(import_module(f".{module}", __name__), attr or name)
    globals()[name] = value  # cache: the next access is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
