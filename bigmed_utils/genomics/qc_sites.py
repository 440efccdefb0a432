"""The fixed set of informative sites on which the family QC runs (sex check, Mendelian errors, KING).

peddy (Pedersen & Quinlan 2017, Am J Hum Genet 100:406, "Who's who? Detecting and resolving sample anomalies
in human DNA sequencing studies with peddy") checks sex, relatedness and ancestry on about 25,000 sites and
shows that this is as good as the whole exome/genome for these questions. Rates and kinship estimated from
tens of thousands of sites have a sampling error far below the flag thresholds of
:mod:`bigmed_utils.genomics.qc`, and the QC no longer scales with the genome: a WGS trio's QC reads 25,000
rows instead of five million.

The rule (deterministic: the same VCF and family give the same sites, on every machine and whichever way the
rows were read; :mod:`bigmed_utils.io.first_pass` keeps a superset of them while streaming the file):

1. the VCF record has one ALT allele (not a split multi-allelic record), and it is a SNV;
2. on an autosome or chrX (the sex check needs X; KING uses the autosomes only);
3. a member of the family carries the ALT allele (as today's QC: other families' sites dilute the rates);
4. the position is a multiple of the thinning step ``max(1, records // 100,000)``, where ``records`` is the
   number of records in the VCF's tabix/CSI index (step 1 without an index): a whole genome of 5 million
   records keeps every 50th position, an exome every position;
5. of the sites left, at most :data:`MAX_QC_SITES`: those with the smallest multiplicative hash of their
   genome-wide position (Knuth's 2654435761, modulo 2**32), so the cap samples every chromosome evenly.

No population frequency is used: test and real families without frequency annotation keep their QC.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any, Iterable

log = logging.getLogger(__name__)

#: sites of the family QC at most; peddy's site set has about 25,000 (Pedersen & Quinlan 2017, AJHG 100:406)
MAX_QC_SITES = 25_000
#: records per unit of the thinning step (rule 4): about 100,000 positions remain before the cap
RECORDS_PER_STEP = 100_000
#: Knuth's multiplicative hash constant (The Art of Computer Programming vol. 3, 6.4): spreads positions
_HASH_MULTIPLIER = 2654435761


def index_record_count(vcf: str | os.PathLike) -> int | None:
    """Records in the VCF's ``.tbi``/``.csi`` index (htslib's per-contig counts), or ``None`` without one."""
    p = Path(vcf)
    if not any(p.with_name(p.name + s).is_file() for s in (".tbi", ".csi")):
        return None
    try:
        import pysam.bcftools

        out = pysam.bcftools.index("--nrecords", str(p))
        return int(str(out).strip().splitlines()[-1])
    except Exception as exc:  # noqa: BLE001 - an index htslib cannot read counts as no index
        log.info("%s: no record count from the index (%s)", p, str(exc).splitlines()[0][:200] if str(exc) else exc)
        return None


def thinning_step(vcf: str | os.PathLike) -> int:
    """The position step of rule 4 for this VCF (module docstring)."""
    n = index_record_count(vcf)
    return 1 if n is None else max(1, n // RECORDS_PER_STEP)


def informative_sites(mt: Any, *, members: Iterable[str], step: int, max_sites: int = MAX_QC_SITES) -> Any:
    """The rows of ``mt`` that are family-QC sites (module docstring), columns unchanged.

    Parameters
    ----------
    mt
        From :func:`bigmed_utils.io.vcf.read_vcf` (split; ``was_split`` row field), the whole VCF or the
        first pass's rows (which contain every site this rule keeps).
    members
        Sample ids of the family.
    step
        From :func:`thinning_step` of the VCF the rows come from.
    max_sites
        The cap of rule 5 (at least 1).

    Returns
    -------
    hail.MatrixTable
        The sites' rows (no row fields besides the key) and calls (entry field ``GT`` only): what
        :func:`~bigmed_utils.genomics.qc.run_qc` reads.

    Raises
    ------
    ValueError
        ``max_sites`` below 1 (before any Hail work).
    """
    if max_sites < 1:
        raise ValueError(f"max_sites: the family QC needs at least one site, not {max_sites}")
    import hail as hl

    members = sorted(set(members))
    mt = mt.filter_rows(
        ~mt.was_split
        & hl.is_snp(mt.alleles[0], mt.alleles[1])
        & (mt.locus.in_autosome() | mt.locus.in_x_par() | mt.locus.in_x_nonpar())
        & ((mt.locus.position % step) == 0)
    )
    carried = hl.agg.filter(hl.literal(set(members)).contains(mt.s), hl.agg.any(hl.or_else(mt.GT.is_non_ref(), False)))
    mt = mt.filter_rows(carried)
    # one pass over ``mt`` (a whole genome's rows, or the first pass's): the sites' calls and their rank, which
    # is all the QC reads; the cap and the QC then read this small table, not ``mt`` again
    mt = mt.select_rows(_rank=(hl.int64(mt.locus.global_position()) * _HASH_MULTIPLIER) % (2**32))
    mt = mt.select_entries("GT").checkpoint(hl.utils.new_temp_file("bigmed_qc_sites", "mt"))
    n = mt.count_rows()
    if n > max_sites:
        # the max_sites smallest (rank, locus, alleles): ranks below the max_sites-th smallest, then sites of
        # that rank in key order (a scan; sorting the table by rank would cost a shuffle)
        ranks = mt.aggregate_rows(hl.agg.take(mt._rank, max_sites, ordering=mt._rank))
        last = ranks[-1]
        of_last = max_sites - sum(1 for r in ranks if r < last)
        mt = mt.annotate_rows(_before=hl.scan.count_where(mt._rank == last))
        mt = mt.filter_rows((mt._rank < last) | ((mt._rank == last) & (mt._before < of_last))).drop("_before")
        log.info("family QC: %d of %d informative sites (cap %d)", max_sites, n, max_sites)
    return mt.drop("_rank")


__all__ = ["MAX_QC_SITES", "RECORDS_PER_STEP", "index_record_count", "informative_sites", "thinning_step"]
