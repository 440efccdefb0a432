"""Tumour mutational burden (TMB): counted somatic coding variants per callable megabase.

TMB = n counted variants / callable size (Mb). The callable size is a property of the assay (the exome or
panel territory covered well enough to call variants) and is always a parameter, never guessed.

Which variant classes count is a parameter too. The default is the non-synonymous coding set that
maftools uses (``read.maf(vc_nonSyn=...)`` default, which ``maftools::tmb()`` divides by ``captureSize``;
Mayakonda et al., Genome Res 2018;28:1747-56): Missense, Nonsense, Frame_Shift_Del/Ins,
In_Frame_Del/Ins, Splice_Site, Translation_Start_Site and Nonstop mutations. FoundationOne CDx counts
synonymous coding variants as well (Chalmers et al., Genome Med 2017;9:34) to reduce sampling noise on
a panel; pass ``variant_classes=FOUNDATION_ONE_CLASSES`` to follow that convention.

TMB-high is ``>= 10`` mut/Mb: the cut-off of the FDA accelerated approval of pembrolizumab for TMB-H
solid tumours (16 June 2020, KEYNOTE-158; Marcus et al., Clin Cancer Res 2021;27:4685-9).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Iterable

import pandas as pd

from ..errors import InputDataError, ParameterError

#: non-synonymous coding classes counted by default (maftools ``vc_nonSyn`` default)
NONSYNONYMOUS_CLASSES: tuple[str, ...] = (
    "Missense_Mutation",
    "Nonsense_Mutation",
    "Frame_Shift_Del",
    "Frame_Shift_Ins",
    "In_Frame_Del",
    "In_Frame_Ins",
    "Splice_Site",
    "Translation_Start_Site",
    "Nonstop_Mutation",
)
#: FoundationOne-style counting: coding non-synonymous plus synonymous (Chalmers et al. 2017)
FOUNDATION_ONE_CLASSES: tuple[str, ...] = NONSYNONYMOUS_CLASSES + ("Silent",)

#: TMB-high cut-off in mut/Mb (FDA pembrolizumab TMB-H approval, 16 June 2020, KEYNOTE-158)
TMB_HIGH_THRESHOLD: float = 10.0

#: columns that identify one variant in one tumour (duplicates, e.g. one row per transcript, count once)
_VARIANT_KEY = ["Tumor_Sample_Barcode", "Chromosome", "Start_Position", "Reference_Allele", "Tumor_Seq_Allele2"]


@dataclass(frozen=True)
class TMBResult:
    """TMB of one tumour: ``value`` in ``unit`` (mut/Mb) from ``n_variants`` over ``callable_mb``;
    ``high`` when ``value >= threshold``."""

    value: float
    unit: str
    callable_mb: float
    n_variants: int
    high: bool
    threshold: float = TMB_HIGH_THRESHOLD

    def to_dict(self) -> dict:
        """Plain dict for ``summary.json``."""
        return asdict(self)


def _check_callable_mb(callable_mb: object) -> float:
    try:
        value = float(callable_mb)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ParameterError(f"callable_mb must be a number of megabases, got {callable_mb!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise ParameterError(f"callable_mb must be > 0 Mb (the assay's callable territory), got {callable_mb!r}")
    return value


def is_tmb_high(value: float, *, threshold: float = TMB_HIGH_THRESHOLD) -> bool:
    """Whether a TMB value (mut/Mb) is TMB-high (``>= threshold``, default 10)."""
    return bool(value >= threshold)


def _counted(maf: pd.DataFrame, variant_classes: Iterable[str]) -> pd.DataFrame:
    for col in ("Variant_Classification", "Tumor_Sample_Barcode"):
        if col not in maf.columns:
            raise InputDataError(f"{maf.attrs.get('path', 'MAF table')}: missing column '{col}' needed for TMB")
    classes = set(variant_classes)
    kept = maf[maf["Variant_Classification"].isin(classes)]
    key = [c for c in _VARIANT_KEY if c in kept.columns]
    return kept.drop_duplicates(subset=key)


def compute_tmb(
    maf: pd.DataFrame,
    *,
    callable_mb: float,
    tumor_sample: str | None = None,
    variant_classes: Iterable[str] = NONSYNONYMOUS_CLASSES,
    threshold: float = TMB_HIGH_THRESHOLD,
) -> TMBResult:
    """TMB of one tumour from its MAF rows.

    Parameters
    ----------
    maf
        MAF table (:func:`bigmed_utils.io.maf.read_maf`).
    callable_mb
        Callable territory of the assay in megabases (> 0).
    tumor_sample
        Barcode to use when the table holds several tumours (required then).
    variant_classes
        ``Variant_Classification`` values that count (default :data:`NONSYNONYMOUS_CLASSES`).
    threshold
        TMB-high cut-off in mut/Mb (default 10).

    Raises
    ------
    ParameterError
        ``callable_mb`` zero, negative or not a number; several tumours and no ``tumor_sample``.
    InputDataError
        ``tumor_sample`` is not in the table.
    """
    mb = _check_callable_mb(callable_mb)
    samples = list(dict.fromkeys(maf["Tumor_Sample_Barcode"])) if "Tumor_Sample_Barcode" in maf else []
    if tumor_sample is not None:
        if tumor_sample not in samples:
            raise InputDataError(
                f"{maf.attrs.get('path', 'MAF table')}: tumour sample '{tumor_sample}' not found "
                f"(available: {', '.join(samples[:5])}{', ...' if len(samples) > 5 else ''})"
            )
        maf = maf[maf["Tumor_Sample_Barcode"] == tumor_sample]
    elif len(samples) > 1:
        raise ParameterError(
            f"tumor_sample: the MAF holds {len(samples)} tumours ({', '.join(samples[:3])}, ...); name one, "
            "or use tmb_by_sample()"
        )
    n = len(_counted(maf, variant_classes))
    value = n / mb
    return TMBResult(value=value, unit="mut/Mb", callable_mb=mb, n_variants=n,
                     high=is_tmb_high(value, threshold=threshold), threshold=threshold)


def tmb_by_sample(
    maf: pd.DataFrame,
    *,
    callable_mb: float,
    samples: Iterable[str] | None = None,
    variant_classes: Iterable[str] = NONSYNONYMOUS_CLASSES,
    threshold: float = TMB_HIGH_THRESHOLD,
) -> pd.DataFrame:
    """TMB of every tumour in a MAF (cohort use).

    ``samples`` lists all sequenced tumours, so that tumours without a counted variant get TMB 0 (a MAF
    has no row for them). Returns columns ``Tumor_Sample_Barcode``, ``n_variants``, ``tmb``, ``tmb_high``.
    """
    mb = _check_callable_mb(callable_mb)
    counted = _counted(maf, variant_classes)
    counts = counted.groupby("Tumor_Sample_Barcode").size()
    index = list(dict.fromkeys(samples)) if samples is not None else list(dict.fromkeys(maf["Tumor_Sample_Barcode"]))
    counts = counts.reindex(index, fill_value=0)
    out = pd.DataFrame({"Tumor_Sample_Barcode": counts.index, "n_variants": counts.to_numpy().astype(int)})
    out["tmb"] = out["n_variants"] / mb
    out["tmb_high"] = out["tmb"] >= threshold
    return out


__all__ = [
    "TMBResult",
    "compute_tmb",
    "tmb_by_sample",
    "is_tmb_high",
    "NONSYNONYMOUS_CLASSES",
    "FOUNDATION_ONE_CLASSES",
    "TMB_HIGH_THRESHOLD",
]
