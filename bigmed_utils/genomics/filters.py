"""Genotype quality filters with slivar-like defaults, applied in Hail as entry filters.

Defaults are slivar's "high quality" genotype rule (``hq1`` in ``js/slivar-functions.js``, brentp/slivar,
``var config = {min_GQ: 20, min_AB: 0.20, min_DP: 6, ...}``; hom-ref ``AB < 0.02``, het
``min_AB <= AB <= 1 - min_AB``, hom-alt ``AB > 0.98``; the slivar wiki "rare-disease" recipe uses the same
config, and variants must have ``FILTER == PASS``). A failing genotype is set to missing
(``filter_entries``), so inheritance logic sees only good calls; a variant whose FILTER is not PASS is
removed (FILTER is a property of the record, not of a genotype).

Definitions (where we differ from slivar, it is said):
    * AB = alt / (ref + alt) from ``AD`` of the split allele;
    * depth = ``DP`` when present, else ``ref + alt`` from ``AD`` (slivar uses ``AD[0] + AD[1]`` only);
    * GQ = ``GQ`` when present, else computed from ``PL`` (``hl.gq_from_pl``), so callers writing no GQ
      (samtools rows in Scout's demo) are not lost; a call with neither fails;
    * a call without ``AD`` passes the AB checks unless ``require_ad`` is set (slivar would fail it);
    * FILTER passes when it is empty, ``PASS`` or ``.``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from ..errors import ParameterError

#: slivar ``config.min_GQ`` (brentp/slivar js/slivar-functions.js)
SLIVAR_MIN_GQ = 20
#: slivar ``config.min_DP``
SLIVAR_MIN_DP = 6
#: slivar ``config.min_AB``: het AB must lie in [min_AB, 1 - min_AB]
SLIVAR_MIN_AB = 0.20
#: slivar hq1: hom-ref calls need ``AB < 0.02``
SLIVAR_HOM_REF_MAX_AB = 0.02
#: slivar hq1: hom-alt calls need ``AB > 0.98``
SLIVAR_HOM_ALT_MIN_AB = 0.98


@dataclass(frozen=True)
class GenotypeFilters:
    """Thresholds of the genotype filter (all inclusive except the two hom AB bounds, as in slivar).

    Attributes
    ----------
    min_gq
        GQ >= min_gq.
    min_dp
        depth >= min_dp.
    het_ab_min, het_ab_max
        het calls need het_ab_min <= AB <= het_ab_max.
    hom_ref_ab_max
        hom-ref calls need AB < hom_ref_ab_max.
    hom_alt_ab_min
        hom-alt calls need AB > hom_alt_ab_min.
    require_pass
        keep only variants whose FILTER is empty, ``PASS`` or ``.``.
    require_ad
        fail calls without AD (default: AB checks are skipped for them).
    """

    min_gq: int = SLIVAR_MIN_GQ
    min_dp: int = SLIVAR_MIN_DP
    het_ab_min: float = SLIVAR_MIN_AB
    het_ab_max: float = 1 - SLIVAR_MIN_AB
    hom_ref_ab_max: float = SLIVAR_HOM_REF_MAX_AB
    hom_alt_ab_min: float = SLIVAR_HOM_ALT_MIN_AB
    require_pass: bool = True
    require_ad: bool = False

    def __post_init__(self) -> None:
        for name in ("het_ab_min", "het_ab_max", "hom_ref_ab_max", "hom_alt_ab_min"):
            v = getattr(self, name)
            if not 0.0 <= v <= 1.0:
                raise ParameterError(f"genotype filter {name}: {v} is not between 0 and 1")
        if self.het_ab_min > self.het_ab_max:
            raise ParameterError(
                f"genotype filter het_ab_min ({self.het_ab_min}) is above het_ab_max ({self.het_ab_max})"
            )
        if self.min_gq < 0 or self.min_dp < 0:
            raise ParameterError("genotype filters min_gq and min_dp must not be negative")

    def as_dict(self) -> dict[str, Any]:
        """The thresholds as a plain dict (for reports and provenance)."""
        return asdict(self)


def allele_balance_expr(mt: Any) -> Any:
    """AB = alt / (ref + alt) from AD (missing without AD or with zero reads)."""
    import hail as hl

    if "AD" not in mt.entry:
        return hl.missing(hl.tfloat64)
    ad = mt.AD
    ref = ad[0]
    alt = hl.or_missing(hl.len(ad) > 1, ad[1])
    tot = ref + alt
    return hl.or_missing(hl.is_defined(tot) & (tot > 0), hl.float64(alt) / tot)


def depth_expr(mt: Any) -> Any:
    """DP when present, else the sum of AD."""
    import hail as hl

    dp = mt.DP if "DP" in mt.entry else hl.missing(hl.tint32)
    if "AD" in mt.entry:
        dp = hl.or_else(dp, hl.sum(mt.AD))
    return dp


def gq_expr(mt: Any) -> Any:
    """GQ when present, else from PL (``hl.gq_from_pl``)."""
    import hail as hl

    gq = mt.GQ if "GQ" in mt.entry else hl.missing(hl.tint32)
    if "PL" in mt.entry:
        gq = hl.or_else(gq, hl.or_missing(hl.is_defined(mt.PL) & mt.PL.all(hl.is_defined), hl.gq_from_pl(mt.PL)))
    return gq


def filter_pass_expr(mt: Any) -> Any:
    """True when the VCF FILTER column is empty, ``PASS`` or ``.`` (Hail: missing or an empty set)."""
    import hail as hl

    f = mt.filters
    return hl.is_missing(f) | (hl.len(f.remove("PASS")) == 0)


def genotype_pass_expr(mt: Any, filters: GenotypeFilters | None = None) -> Any:
    """Boolean entry expression: the call exists and passes GQ, depth and allele-balance thresholds."""
    import hail as hl

    f = filters or GenotypeFilters()
    gt = mt.GT
    ab = allele_balance_expr(mt)
    ab_ok = hl.case()
    ab_ok = (
        ab_ok.when(hl.is_missing(ab), not f.require_ad)
        .when(gt.is_hom_ref(), ab < f.hom_ref_ab_max)
        .when(gt.is_het(), (ab >= f.het_ab_min) & (ab <= f.het_ab_max))
        .when(gt.is_hom_var(), ab > f.hom_alt_ab_min)
        .default(False)
    )
    ok = (
        hl.is_defined(gt)
        & hl.or_else(gq_expr(mt) >= f.min_gq, False)
        & hl.or_else(depth_expr(mt) >= f.min_dp, False)
        & ab_ok
    )
    return hl.or_else(ok, False)


def apply_genotype_filters(mt: Any, filters: GenotypeFilters | None = None) -> Any:
    """Remove non-PASS variants (if required) and set failing genotypes to missing.

    Returns
    -------
    hail.MatrixTable
        The same MatrixTable with entry fields ``GT`` (missing where the call fails), ``GT_raw`` (the call
        as in the VCF; kept if already present), ``GT_pass`` (bool) and ``AB``.
    """
    import hail as hl

    f = filters or GenotypeFilters()
    if f.require_pass:
        mt = mt.filter_rows(filter_pass_expr(mt))
    if "GT_raw" not in mt.entry:
        mt = mt.annotate_entries(GT_raw=mt.GT)
    mt = mt.annotate_entries(AB=allele_balance_expr(mt), GT_pass=genotype_pass_expr(mt, f))
    return mt.annotate_entries(GT=hl.or_missing(mt.GT_pass, mt.GT))


__all__ = [
    "GenotypeFilters",
    "apply_genotype_filters",
    "genotype_pass_expr",
    "allele_balance_expr",
    "depth_expr",
    "gq_expr",
    "filter_pass_expr",
    "SLIVAR_MIN_GQ",
    "SLIVAR_MIN_DP",
    "SLIVAR_MIN_AB",
    "SLIVAR_HOM_REF_MAX_AB",
    "SLIVAR_HOM_ALT_MIN_AB",
]
