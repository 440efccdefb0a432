"""Combining ACMG/AMP criteria into a class: the ClinGen points system (Tavtigian et al. 2020 Hum Mutat 41:1734)
and the original Richards et al. 2015 (Genet Med 17:405) Table 5 rules, for comparison.

Re-exported by :mod:`bigmed_utils.genomics.acmg`, which applies the criteria.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Mapping

from ..errors import ParameterError

#: points per evidence strength (Tavtigian et al. 2020 Hum Mutat 41:1734, Table 1: odds of pathogenicity
#: 350 : 18.7 : 4.33 : 2.08 = 2.08^8 : 2.08^4 : 2.08^2 : 2.08^1)
STRENGTH_POINTS = {"Very strong": 8, "Strong": 4, "Moderate": 2, "Supporting": 1}
#: BA1 is stand-alone evidence; in the points system it is scored -8 and forces Benign
STAND_ALONE_POINTS = -8

#: class boundaries of the points system (Tavtigian et al. 2020, Table 2)
PATHOGENIC_MIN_POINTS = 10
LIKELY_PATHOGENIC_MIN_POINTS = 6
LIKELY_BENIGN_MAX_POINTS = -1
BENIGN_MAX_POINTS = -7

PATHOGENIC = "Pathogenic"
LIKELY_PATHOGENIC = "Likely pathogenic"
VUS = "Uncertain significance"
LIKELY_BENIGN = "Likely benign"
BENIGN = "Benign"
CLASSES = (PATHOGENIC, LIKELY_PATHOGENIC, VUS, LIKELY_BENIGN, BENIGN)


def _criterion(code: str, strength: str, reason: str, *, benign: bool = False) -> dict[str, Any]:
    """One criterion as the engine reports it: code, strength, signed points and the reason."""
    if strength == "Stand-alone":
        points = STAND_ALONE_POINTS
    else:
        points = STRENGTH_POINTS[strength] * (-1 if benign else 1)
    return {"code": code, "strength": strength, "points": points, "reason": reason}


def sum_points(criteria: Iterable[Mapping[str, Any]]) -> int:
    """Total points of a list of criteria (each with a ``points`` key)."""
    return int(sum(int(c["points"]) for c in criteria))


def combine_points(criteria: Iterable[Mapping[str, Any]]) -> str:
    """Class from the ClinGen/Tavtigian points (Tavtigian et al. 2020 Hum Mutat 41:1734).

    ``criteria`` are dicts with ``points`` (and ``code``). BA1 (stand-alone) gives Benign whatever else
    fired; otherwise Pathogenic >= 10, Likely pathogenic 6..9, Uncertain significance 0..5, Likely benign
    -1..-6, Benign <= -7.
    """
    criteria = list(criteria)
    if any(str(c.get("code", "")).startswith("BA1") for c in criteria):
        return BENIGN
    points = sum_points(criteria)
    if points >= PATHOGENIC_MIN_POINTS:
        return PATHOGENIC
    if points >= LIKELY_PATHOGENIC_MIN_POINTS:
        return LIKELY_PATHOGENIC
    if points <= BENIGN_MAX_POINTS:
        return BENIGN
    if points <= LIKELY_BENIGN_MAX_POINTS:
        return LIKELY_BENIGN
    return VUS


_STRENGTH_FROM_SUFFIX = {"VERYSTRONG": "Very strong", "VERY_STRONG": "Very strong", "STRONG": "Strong",
                         "MODERATE": "Moderate", "SUPPORTING": "Supporting", "STANDALONE": "Stand-alone"}
_DEFAULT_STRENGTH = {"PVS": "Very strong", "PS": "Strong", "PM": "Moderate", "PP": "Supporting",
                     "BA": "Stand-alone", "BS": "Strong", "BP": "Supporting"}


def _strength_and_direction(criterion: Any) -> tuple[str, str]:
    """(strength, "pathogenic"|"benign") of a criterion dict or a code such as ``"PM2_Supporting"``."""
    if isinstance(criterion, Mapping):
        code = str(criterion["code"])
        strength = criterion.get("strength")
    else:
        code, strength = str(criterion), None
    base, _, suffix = code.partition("_")
    prefix = re.match(r"^(PVS|PS|PM|PP|BA|BS|BP)", base.upper())
    if prefix is None:
        raise ParameterError(f"not an ACMG/AMP criterion code: {code!r}")
    if not strength:
        strength = _STRENGTH_FROM_SUFFIX.get(suffix.upper(), _DEFAULT_STRENGTH[prefix.group(1)]) if suffix else \
            _DEFAULT_STRENGTH[prefix.group(1)]
    return strength, ("benign" if prefix.group(1).startswith("B") else "pathogenic")


def richards_2015_class(criteria: Iterable[Any]) -> str:
    """Class from the original combining rules (Richards et al. 2015 Genet Med 17:405, Table 5).

    ``criteria``: dicts with ``code`` (and ``strength``) or plain codes (``"PVS1"``, ``"PM2_Supporting"``);
    a strength suffix counts at the applied strength. When both pathogenic and benign rules are met the
    result is Uncertain significance (Table 5, VUS (ii)).
    """
    counts = {("pathogenic", s): 0 for s in ("Very strong", "Strong", "Moderate", "Supporting")}
    counts.update({("benign", s): 0 for s in ("Stand-alone", "Very strong", "Strong", "Moderate", "Supporting")})
    for criterion in criteria:
        strength, direction = _strength_and_direction(criterion)
        counts[(direction, strength)] = counts.get((direction, strength), 0) + 1
    pvs, ps = counts[("pathogenic", "Very strong")], counts[("pathogenic", "Strong")]
    pm, pp = counts[("pathogenic", "Moderate")], counts[("pathogenic", "Supporting")]
    ba = counts[("benign", "Stand-alone")]
    # a benign criterion applied at very strong or moderate strength counts as strong / supporting here
    bs = counts[("benign", "Strong")] + counts[("benign", "Very strong")]
    bp = counts[("benign", "Supporting")] + counts[("benign", "Moderate")]

    pathogenic = (
        (pvs >= 1 and (ps >= 1 or pm >= 2 or (pm == 1 and pp == 1) or pp >= 2))
        or ps >= 2
        or (ps == 1 and (pm >= 3 or (pm == 2 and pp >= 2) or (pm == 1 and pp >= 4)))
    )
    likely_pathogenic = (
        (pvs == 1 and pm == 1)
        or (ps == 1 and 1 <= pm <= 2)
        or (ps == 1 and pp >= 2)
        or pm >= 3
        or (pm == 2 and pp >= 2)
        or (pm == 1 and pp >= 4)
    )
    benign = ba >= 1 or bs >= 2
    likely_benign = (bs == 1 and bp >= 1) or bp >= 2
    path_side = pathogenic or likely_pathogenic
    benign_side = benign or likely_benign
    if path_side and benign_side:
        return VUS
    if pathogenic:
        return PATHOGENIC
    if likely_pathogenic:
        return LIKELY_PATHOGENIC
    if benign:
        return BENIGN
    if likely_benign:
        return LIKELY_BENIGN
    return VUS
