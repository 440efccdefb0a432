"""Hail's de novo caller (``hl.de_novo``, Kaitlin Samocha's model) for the proband's trio.

:func:`de_novo_calls` runs it on a MatrixTable of calls; :func:`cached_de_novo_calls` runs it once on the
proband's gated rows as imported (no genotype filter, no AF ceiling, any p) and caches the calls beside the
VCF. ``hl.de_novo`` needs the child het and both parents called hom-ref, and reads no other row or sample, so
the calls it makes on genotype-filtered calls are exactly the cached calls whose parents' calls pass the
filter: :func:`~bigmed_utils.genomics.inheritance.find_candidates` keeps those, under its AF ceiling and
minimum p (tested in ``tests/genomics/test_inheritance.py``).
"""

from __future__ import annotations

import logging
from typing import Any

import pandas as pd

log = logging.getLogger(__name__)


def cached_de_novo_calls(source: Any, fam: pd.DataFrame, *, proband: str, father: str, mother: str,
                   family: Any) -> dict[str, tuple[float, str]]:
    """``hl.de_novo`` on the gated rows' calls as imported (no genotype filter, no AF ceiling, any p), cached
    beside the VCF as JSON: ``{variant_id: (p_de_novo, confidence)}``. The caller keeps the calls whose
    parents' calls pass its genotype filter, under its AF ceiling and minimum p."""
    from ..io.vcf_cache import cached_json

    class Failed(Exception):
        """hl.de_novo failed (logged): nothing is cached, the next analysis tries again."""

    def build() -> list[list[Any]]:
        found = de_novo_calls(source, fam, proband=proband, father=father, mother=mother, max_af=None, min_p=0.0)
        if found is None:
            raise Failed
        return [[v, p, c] for v, (p, c) in sorted(found.items())]

    try:
        value = cached_json(source, name="hail-de-novo", build=build,
                            options={"family": dict(family), "trio": [proband, father, mother]},
                            code=("genomics/rare_rows.py", "genomics/gate.py", "genomics/csq.py",
                                  "genomics/hail_de_novo.py"))
    except Failed:
        return {}
    return {v: (float(p), str(c)) for v, p, c in value}


def de_novo_calls(
    calls: Any, fam: pd.DataFrame, *, proband: str, father: str, mother: str, max_af: float | None, min_p: float
) -> dict[str, tuple[float, str]] | None:
    """``hl.de_novo`` for the proband's trio on ``calls``, as ``{variant_id: (p_de_novo, confidence)}`` for
    the calls at AF <= ``max_af`` (``None``: any known AF) with ``p_de_novo >= min_p``; ``None`` when
    ``hl.de_novo`` failed (logged; the rule-based caller still runs)."""
    import hail as hl

    from ..io.ped import ped_to_hail_pedigree

    trio = fam[fam["individual_id"].isin([proband, father, mother])].copy()
    trio.loc[trio["individual_id"] != proband, ["paternal_id", "maternal_id"]] = None
    ped = ped_to_hail_pedigree(trio)
    sub = calls.filter_cols(hl.literal({proband, father, mother}).contains(calls.s))
    sub = sub.filter_rows(
        (hl.is_defined(sub.max_af) if max_af is None else sub.max_af <= max_af)
        & hl.agg.any((sub.s == proband) & hl.or_else(sub.GT.is_het() | sub.GT.is_hom_var(), False))
    )
    try:
        dn = hl.de_novo(sub, ped, pop_frequency_prior=sub.max_af)
        dn = dn.filter((dn.id == proband) & (dn.p_de_novo >= min_p))
        dn = dn.annotate(variant_id=sub.rows()[dn.locus, dn.alleles].variant_id)
        res = dn.select("variant_id", "p_de_novo", "confidence").collect()
    except Exception as exc:  # missing PL etc. in some rows: the rule-based caller still runs
        if not type(exc).__module__.startswith(("hail", "py4j")):
            raise
        log.warning("hl.de_novo failed and was skipped: %s", str(exc).splitlines()[0][:200])
        return None
    return {r.variant_id: (float(r.p_de_novo), str(r.confidence)) for r in res}


__all__ = ["cached_de_novo_calls", "de_novo_calls"]
