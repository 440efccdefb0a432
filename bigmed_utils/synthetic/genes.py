"""GRCh38 gene spans (MANE Select transcripts) and contig lengths, bundled for the synthetic generators.

The gene table is ``bigmed_utils/data/genes/mane_select_grch38_genes.tsv.gz``: one row per gene symbol with
the span of its MANE Select transcript on GRCh38 (GENCODE release 50 via github.com/pzweuj/ManeSelectBed,
MIT licence; see the comment lines at the top of the file). Other modules may reuse :func:`gene_spans`
(e.g. to draw gene tracks or check that a variant lies inside its annotated gene).

Examples
--------
>>> from bigmed_utils.synthetic.genes import gene_spans
>>> spans = gene_spans()
>>> spans.loc[spans.symbol == "KRAS", ["chrom", "start", "end", "strand"]].iloc[0].tolist()
['chr12', 25205246, 25250929, '-']
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from .._resources import data_path

#: GRCh38 primary assembly contig lengths (Genome Reference Consortium, GRCh38.p14 assembly report,
#: GCA_000001405.15; chrM = rCRS NC_012920.1, 16,569 bp).
GRCH38_CONTIGS: dict[str, int] = {
    "chr1": 248956422, "chr2": 242193529, "chr3": 198295559, "chr4": 190214555, "chr5": 181538259,
    "chr6": 170805979, "chr7": 159345973, "chr8": 145138636, "chr9": 138394717, "chr10": 133797422,
    "chr11": 135086622, "chr12": 133275309, "chr13": 114364328, "chr14": 107043718, "chr15": 101991189,
    "chr16": 90338345, "chr17": 83257441, "chr18": 80373285, "chr19": 58617616, "chr20": 64444167,
    "chr21": 46709983, "chr22": 50818468, "chrX": 156040895, "chrY": 57227415, "chrM": 16569,
}

#: contig sort order used in every synthetic file (chr1..chr22, chrX, chrY, chrM)
CONTIG_ORDER: dict[str, int] = {c: i for i, c in enumerate(GRCH38_CONTIGS)}

#: pseudo-autosomal regions of chrX on GRCh38 (1-based inclusive; GRC), where males are diploid
PAR_X: tuple[tuple[int, int], ...] = ((10001, 2781479), (155701383, 156030895))

GENES_FILE = ("genes", "mane_select_grch38_genes.tsv.gz")


@lru_cache(maxsize=1)
def _load() -> pd.DataFrame:
    path = data_path(*GENES_FILE)
    df = pd.read_csv(path, sep="\t", comment="#",
                     dtype={"chrom": str, "start": "int64", "end": "int64", "symbol": str, "strand": str,
                            "refseq": str, "ensembl_transcript": str})
    df["_order"] = df["chrom"].map(CONTIG_ORDER)
    df = df.sort_values(["_order", "start", "symbol"], kind="mergesort").drop(columns="_order")
    return df.reset_index(drop=True)


def gene_spans(*, with_transcripts: bool = False) -> pd.DataFrame:
    """GRCh38 gene spans of MANE Select transcripts, sorted by contig and start.

    Parameters
    ----------
    with_transcripts
        Also return the ``refseq`` (NM_) and ``ensembl_transcript`` (ENST) ids of the MANE transcript.

    Returns
    -------
    pandas.DataFrame
        Columns ``chrom, start, end, symbol, strand`` (``start`` 0-based, ``end`` exclusive, as in BED),
        plus ``refseq, ensembl_transcript`` when asked. A copy: callers may modify it.
    """
    df = _load()
    cols = ["chrom", "start", "end", "symbol", "strand"]
    if with_transcripts:
        cols += ["refseq", "ensembl_transcript"]
    return df[cols].copy()


def gene_span(symbol: str) -> tuple[str, int, int, str]:
    """``(chrom, start0, end, strand)`` of one gene; raises ReferenceDataError for an unknown symbol."""
    from ..errors import ReferenceDataError

    df = _load()
    hit = df[df.symbol == symbol]
    if hit.empty:
        raise ReferenceDataError(f"gene symbol not in bundled MANE Select table: {symbol}")
    r = hit.iloc[0]
    return str(r.chrom), int(r.start), int(r.end), str(r.strand)


__all__ = ["GRCH38_CONTIGS", "CONTIG_ORDER", "PAR_X", "gene_spans", "gene_span"]
