"""Display helpers of the colorectal cohort report; they take a
:class:`~bigmed_utils.colorectal_cohort.contract.ColorectalCohortResult` and compute nothing."""

from __future__ import annotations

from typing import Any


def figures_starting(result: Any, prefix: str) -> list[Any]:
    """The figures whose name starts with ``prefix`` (``km_os_``, ``km_pfs_``, ``forest_``), in order."""
    return [fig for name, fig in result.data.figures.items() if name.startswith(prefix)]


def exclusivity_text(result: Any) -> str:
    """Fisher's test of KRAS / BRAF V600E mutual exclusivity in one line."""
    e = result.exclusivity
    return f"Odds ratio {e.odds_ratio:.2f}; p (two-sided) = {e.p_value:.2g}; p (exclusive) = {e.p_exclusive:.2g}"


def cox_heading(result: Any, endpoint: str) -> str:
    """Patients, events and concordance of the Cox model of ``endpoint`` (Markdown)."""
    model = result.cox[endpoint]
    return f"**{endpoint.upper()}**: {model.n} patients, {model.events} events, concordance {model.concordance:.2f}"


__all__ = ["figures_starting", "exclusivity_text", "cox_heading"]
