"""PM3 (in trans with a pathogenic variant / homozygous) by the ClinGen SVI point table: points per
observation and the strength of their sum. Applied per candidate by :mod:`bigmed_utils.genomics.acmg`, which
re-exports these names.
"""

from __future__ import annotations

from typing import Any

from .acmg_combine import LIKELY_PATHOGENIC, PATHOGENIC, VUS, _criterion

#: ClinGen SVI "Recommendation for in trans criterion (PM3)" v1.0 (2019), Table 1: points per observation in
#: the proband, by the other allele's classification and the phase. P/LP share one row (the SVI table
#: follows Oza et al. 2018 Hum Mutat 39:1593, Table 6a); a VUS partner counts only in confirmed trans;
#: homozygous occurrences 0.5 each (at most 1 point in total).
PM3_POINTS = {
    ("pathogenic", "in_trans"): 1.0,
    ("pathogenic", "unknown"): 0.5,
    ("uncertain", "in_trans"): 0.25,
    ("uncertain", "unknown"): 0.0,
    ("homozygous", None): 0.5,
}
#: PM3 strength from the summed points (same document, Table 2)
PM3_STRENGTH = ((4.0, "PM3_VeryStrong", "Very strong"), (2.0, "PM3_Strong", "Strong"), (1.0, "PM3", "Moderate"),
                (0.5, "PM3_Supporting", "Supporting"))


def pm3_points(*, partner_class: str | None, phase: str | None, homozygous: bool = False) -> float:
    """Points of one observation by the ClinGen SVI PM3 v1.0 table (:data:`PM3_POINTS`).

    ``partner_class``: the other allele's class (an ACMG class name, or ``"pathogenic"`` for a ClinVar
    P/LP assertion); ``phase``: ``"in_trans"`` or ``"unknown"``; ``homozygous``: the variant is homozygous.
    """
    if homozygous:
        return PM3_POINTS[("homozygous", None)]
    if partner_class in (PATHOGENIC, LIKELY_PATHOGENIC, "pathogenic"):
        kind = "pathogenic"
    elif partner_class == VUS:
        kind = "uncertain"
    else:
        return 0.0
    return PM3_POINTS.get((kind, "in_trans" if phase == "in_trans" else "unknown"), 0.0)


def pm3_criterion(points: float, reason: str) -> dict[str, Any] | None:
    """The PM3 criterion for a sum of points (:data:`PM3_STRENGTH`), or ``None`` below 0.5."""
    for minimum, code, strength in PM3_STRENGTH:
        if points >= minimum:
            return _criterion(code, strength, f"{reason}: {points:g} PM3 point(s) (ClinGen SVI PM3 v1.0)")
    return None


__all__ = ["PM3_POINTS", "PM3_STRENGTH", "pm3_points", "pm3_criterion"]
