"""Secure-lab privacy: pseudonyms and date shifts, disclosure control, audit trail, airlock export, escaping.

* :mod:`.pseudonyms` — keyed HMAC pseudonyms, key loading, :class:`Pseudonymiser`, per-patient date shifts;
* :mod:`.disclosure` — All of Us small-cell suppression (counts 1-20) with complementary suppression;
* :mod:`.audit` — append-only, hash-chained JSON-lines audit log and its verification;
* :mod:`.export` — the airlock bundle of a finished run folder;
* :mod:`.escape` — HTML/Markdown escaping of input-derived strings in notebook displays.
"""

from .audit import AuditLogError, AuditVerification, append_audit, default_audit_log, run_audit_fields, verify_audit
from .disclosure import (
    ALL_OF_US_THRESHOLD,
    SUPPRESSED,
    SuppressionResult,
    audit_suppression,
    is_small_count,
    suppress_counts,
    suppress_plot_data,
)
from .escape import html_text, markdown_text
from .export import ExportError, aggregate_summary, export_run
from .pseudonyms import (
    Pseudonymiser,
    collect_identifiers,
    date_shift_days,
    find_identifiers,
    load_key,
    pseudonym,
    pseudonymise_folder,
    shift_dates,
)

__all__ = [
    "ALL_OF_US_THRESHOLD",
    "SUPPRESSED",
    "AuditLogError",
    "AuditVerification",
    "ExportError",
    "Pseudonymiser",
    "SuppressionResult",
    "aggregate_summary",
    "append_audit",
    "audit_suppression",
    "collect_identifiers",
    "date_shift_days",
    "default_audit_log",
    "export_run",
    "find_identifiers",
    "html_text",
    "is_small_count",
    "load_key",
    "markdown_text",
    "pseudonym",
    "pseudonymise_folder",
    "run_audit_fields",
    "shift_dates",
    "suppress_counts",
    "suppress_plot_data",
    "verify_audit",
]
