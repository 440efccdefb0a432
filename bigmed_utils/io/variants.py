"""The one way an analysis reads a VCF into Hail: :func:`load_variants`.

Cache policy (one for every area): the first read of a VCF imports it with :func:`bigmed_utils.io.vcf.read_vcf`
and writes the MatrixTable beside it, keyed by the checksum of the VCF's bytes, its index, the import options
and the reader code (:mod:`bigmed_utils.io.vcf_cache`); every later read, in this process or the next night's
batch, reads that table. A file read once (``cache=False``: a case VCF added to the in-house database) is
imported into Hail's temporary scratch and not cached beside it. Nothing is kept in module-level memory, so a changed file is never served stale and
two Hail sessions never share a table. A read-only data folder falls back to ``$BIGMED_WORK_DIR/vcf-cache``;
without that the VCF is imported each time (logged).

Readers that are not analyses keep their own, simpler paths: the teaching helpers read small demo VCFs as
text with pandas (students see the file as it is), and the first pass of a whole genome streams the file
before any import.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..errors import InputDataError


def load_variants(
    vcf: str | os.PathLike,
    *,
    genome_build: str = "GRCh38",
    min_partitions: int | None = None,
    parse_csq: bool = True,
    csq_required: bool = True,
    cache: bool = True,
) -> Any:
    """A VCF as a Hail MatrixTable (multi-allelic sites split, ``variant_id`` = ``chrom:pos:ref:alt``).

    Parameters
    ----------
    vcf
        The VCF (plain, gzip or bgzip).
    genome_build
        ``"GRCh38"`` (default) or ``"GRCh37"``.
    min_partitions
        Import partitions (default from the file size and the cores).
    parse_csq
        Parse the VEP ``CSQ`` field into typed row fields (``False``: keep the strings, for work that parses
        only the rows it keeps).
    csq_required
        Refuse a VCF without a ``CSQ`` header (every analysis but the in-house database needs VEP's annotation).
    cache
        ``False`` for a file read once and never again (a case VCF added to the in-house database keeps only
        its calls): imported into Hail's temporary scratch, no import cache is written beside it.

    Returns
    -------
    hail.MatrixTable

    Raises
    ------
    InputDataError
        The file does not exist (named), or it is not a VCF the reader accepts.
    """
    from .vcf import read_vcf
    from .vcf_cache import read_vcf_cached

    p = Path(vcf).resolve()
    if not p.is_file():
        raise InputDataError(f"VCF file not found: {p}")
    if not cache:
        # a temporary checkpoint (Hail's scratch, gone with the session), inside read_vcf's retyping retry:
        # a field whose values contradict its header type is found here, not later by the caller
        return read_vcf(p, genome_build=genome_build, min_partitions=min_partitions, parse_csq=parse_csq,
                        csq_required=csq_required, checkpoint=True)
    return read_vcf_cached(p, genome_build=genome_build, min_partitions=min_partitions, parse_csq=parse_csq,
                           csq_required=csq_required)


__all__ = ["load_variants"]
