"""The consequence gate: which variants may become rare-disease candidates at all.

A variant passes the gate, before any inheritance mode is tried, when the chosen transcript's VEP
consequence (``consequence_terms``, see :mod:`bigmed_utils.genomics.csq`) changes the protein or a splice
site, or when a splice predictor or a ClinVar assertion argues for it. The reason is kept in the ``gate``
column (the first that applies, in this order):

``protein_altering``
    :data:`PROTEIN_ALTERING_TERMS`: stop gained, frameshift, start and stop lost, in-frame insertions and
    deletions, missense and other protein-altering changes, transcript ablation/amplification.
``splice``
    :data:`SPLICE_TERMS`: the canonical donor and acceptor sites (+/-1, 2), the splice region (exon 1-3 /
    intron 3-8 bases), the donor 5th base and the donor region (+3 to +6).
``spliceai``
    a SpliceAI delta score of at least :data:`SPLICEAI_MIN_DELTA` (0.2) when the annotation carries SpliceAI.
``clinvar``
    a ClinVar assertion of pathogenic or likely pathogenic (no benign or conflicting term).

Everything else (synonymous, intronic, UTR, up/downstream, non-coding transcript variants without a splice
prediction or a ClinVar assertion) is rejected: ``gate`` is missing and the variant enters no mode, so
neither side of a compound heterozygote can be such a variant (slivar's ``impactful`` rule for
``compound-hets``, brentp/slivar ``src/slivarpkg/default-order.txt``: every consequence above
``IMPACTFUL_CUTOFF``). Differences from slivar's list, deliberate: ``splice_donor_5th_base`` and
``splice_donor_region`` pass (Ensembl places them below the cut-off, but donor +3..+6 variants are a known
cause of exon skipping); ``start_retained`` and ``stop_retained`` do not (they leave the protein unchanged).

Sources: SpliceAI cut-off 0.2 is the authors' "high recall" threshold (Jaganathan et al. 2019 Cell
176:535) and the ClinGen SVI Splicing Subgroup's PP3 threshold (Walker et al. 2023 Am J Hum Genet
110:1046). Exomiser and slivar both gate on the consequence before segregation; the gate here is one Hail
expression (:func:`gate_expr`) with a pure-Python twin for small tables (:func:`gate_reason`).
"""

from __future__ import annotations

import math
import re
from typing import Any

#: consequences that change the protein (Ensembl SO terms; VEP < 2015 ``initiator_codon_variant`` too)
PROTEIN_ALTERING_TERMS = (
    "transcript_ablation",
    "stop_gained",
    "frameshift_variant",
    "stop_lost",
    "start_lost",
    "initiator_codon_variant",
    "transcript_amplification",
    "inframe_insertion",
    "inframe_deletion",
    "missense_variant",
    "protein_altering_variant",
    "incomplete_terminal_codon_variant",
)
#: consequences at or next to a splice site
SPLICE_TERMS = (
    "splice_acceptor_variant",
    "splice_donor_variant",
    "splice_donor_5th_base_variant",
    "splice_donor_region_variant",
    "splice_region_variant",
)
#: SpliceAI delta score from which a variant passes the gate (Jaganathan et al. 2019: 0.2 = high recall;
#: Walker et al. 2023: PP3 for SpliceAI >= 0.2)
SPLICEAI_MIN_DELTA = 0.2
#: ``gate`` values, in the order they are tried
GATE_REASONS = ("protein_altering", "splice", "spliceai", "clinvar")
#: one line per reason, for the report
GATE_DESCRIPTION = {
    "protein_altering": "changes the protein (stop gained, frameshift, start/stop lost, in-frame indel, missense)",
    "splice": "canonical splice site, splice region, donor 5th base or donor region (+3 to +6)",
    "spliceai": f"SpliceAI delta score >= {SPLICEAI_MIN_DELTA:g}",
    "clinvar": "ClinVar assertion pathogenic or likely pathogenic",
}

_PATHOGENIC = ("pathogenic", "likely_pathogenic")
_BENIGN = ("benign", "likely_benign")


def clinvar_pathogenic(clin_sig: Any) -> bool:
    """True for a ClinVar significance string asserting (likely) pathogenic without a benign or conflicting term.

    Terms may be joined by ``&``, ``/``, ``,`` or ``|`` and written with spaces or underscores
    (``"Pathogenic/Likely_pathogenic"``, ``"likely pathogenic"``).
    """
    if clin_sig is None or (isinstance(clin_sig, float) and math.isnan(clin_sig)):
        return False
    tokens = {t.strip().lower().replace(" ", "_") for t in re.split(r"[&/,|]", str(clin_sig)) if t.strip()}
    if any("conflicting" in t for t in tokens):
        return False
    return bool(tokens & set(_PATHOGENIC)) and not tokens & set(_BENIGN)


def _terms(consequence: Any) -> set[str]:
    if consequence is None or (isinstance(consequence, float) and math.isnan(consequence)):
        return set()
    return {t for t in re.split(r"[&,]", str(consequence)) if t}


def gate_reason(*, consequence: Any, spliceai: Any = None, clin_sig: Any = None) -> str | None:
    """Why a variant passes the gate (:data:`GATE_REASONS`), or ``None`` when it is rejected.

    Parameters
    ----------
    consequence
        VEP consequence terms of the chosen transcript, ``&``-joined.
    spliceai
        Largest SpliceAI delta score (``None``/NaN: no SpliceAI annotation).
    clin_sig
        ClinVar significance string (``None``: no assertion).

    Examples
    --------
    >>> gate_reason(consequence="splice_region_variant&synonymous_variant")
    'splice'
    >>> gate_reason(consequence="intron_variant", spliceai=0.35)
    'spliceai'
    >>> gate_reason(consequence="synonymous_variant", spliceai=0.05) is None
    True
    """
    terms = _terms(consequence)
    if terms & set(PROTEIN_ALTERING_TERMS):
        return "protein_altering"
    if terms & set(SPLICE_TERMS):
        return "splice"
    try:
        delta = None if spliceai is None else float(spliceai)
    except (TypeError, ValueError):
        delta = None
    if delta is not None and not math.isnan(delta) and delta >= SPLICEAI_MIN_DELTA:
        return "spliceai"
    if clinvar_pathogenic(clin_sig):
        return "clinvar"
    return None


def clinvar_pathogenic_expr(clin_sig: Any) -> Any:
    """Hail twin of :func:`clinvar_pathogenic` for a string expression."""
    import hail as hl

    tokens = hl.set(
        hl.or_else(clin_sig, "").lower().replace(" ", "_").split("[&/,|]").map(lambda t: t.strip())
    ).remove("")
    return (
        ~tokens.any(lambda t: t.contains("conflicting"))
        & tokens.any(lambda t: hl.literal(set(_PATHOGENIC)).contains(t))
        & ~tokens.any(lambda t: hl.literal(set(_BENIGN)).contains(t))
    )


def gate_expr(row: Any) -> Any:
    """The ``gate`` reason of every row, as a Hail string expression (missing = rejected).

    ``row`` is a table or matrix table with the fields of :func:`~bigmed_utils.genomics.csq.annotate_csq`
    (``consequence_terms``, ``spliceai``, ``clin_sig``).
    """
    import hail as hl

    fields = row.row if hasattr(row, "row") else row
    terms = hl.set(hl.or_else(fields.consequence_terms, "").split("&"))
    protein = hl.literal(set(PROTEIN_ALTERING_TERMS))
    splice = hl.literal(set(SPLICE_TERMS))
    spliceai = fields.spliceai if "spliceai" in fields else hl.missing(hl.tfloat64)
    return (
        hl.case()
        .when(terms.any(lambda t: protein.contains(t)), "protein_altering")
        .when(terms.any(lambda t: splice.contains(t)), "splice")
        .when(hl.or_else(spliceai >= SPLICEAI_MIN_DELTA, False), "spliceai")
        .when(clinvar_pathogenic_expr(fields.clin_sig), "clinvar")
        .or_missing()
    )


def gated_rows(mt: Any) -> Any:
    """The rows of ``mt`` that pass the gate, with the ``gate`` reason as a row field; calls untouched.

    The gate reads only the chosen transcript's annotation, so on the proband's rare rows
    (:func:`~bigmed_utils.genomics.rare_rows.proband_rare_rows`) the result serves every genotype threshold
    and AF ceiling: :func:`~bigmed_utils.genomics.inheritance.find_candidates` caches it beside the VCF and
    filters the calls on these few rows.
    """
    import hail as hl

    mt = mt.annotate_rows(gate=gate_expr(mt))
    return mt.filter_rows(hl.is_defined(mt.gate))


def cached_gated_rows(mt: Any, *, family: Any, members: list[str]) -> Any:
    """The proband's rare rows that pass the gate (:func:`gated_rows`), cached
    beside the VCF when ``mt`` comes from the cache (a re-analysis reads these few rows, not every rare one)."""
    from ..io.vcf_cache import cached_derived

    return cached_derived(mt, name="gated", options={"family": dict(family), "samples": members},
                          build=gated_rows, code=("genomics/rare_rows.py", "genomics/gate.py", "genomics/csq.py"))


__all__ = [
    "GATE_DESCRIPTION",
    "GATE_REASONS",
    "cached_gated_rows",
    "PROTEIN_ALTERING_TERMS",
    "SPLICEAI_MIN_DELTA",
    "SPLICE_TERMS",
    "clinvar_pathogenic",
    "clinvar_pathogenic_expr",
    "gate_expr",
    "gate_reason",
    "gated_rows",
]
