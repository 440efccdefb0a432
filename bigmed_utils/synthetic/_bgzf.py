"""BGZF compression and tabix (.tbi) indexing for the synthetic VCFs, without htslib.

BGZF (SAM/BAM specification, section 4.1) is a series of gzip members of at most 64 KiB, each carrying its
compressed size in a ``BC`` extra field, closed by a fixed 28-byte EOF block. The tabix index (tabix
specification, htslib ``tbx.c``/``hts.c``) stores per contig a UCSC binning scheme (bins of 16 KiB to
512 MiB) with chunks of virtual file offsets and a linear index of 16 KiB windows. Writing both here keeps
the generator free of a compiled dependency; the output is checked by Hail and, where installed, bcftools.

Deterministic: gzip mtime is 0 and the OS byte is 0xff ("unknown"), so identical text gives identical bytes.
Blocks are compressed by a thread pool (``zlib`` releases the GIL), which keeps the order of blocks.
"""

from __future__ import annotations

import struct
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

#: uncompressed bytes per BGZF block (htslib uses 0xff00 so that a block always fits in 64 KiB)
BLOCK_SIZE = 0xFF00
#: the standard empty BGZF block that marks the end of file (SAM spec 4.1.2)
BGZF_EOF = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")

_TBI_MIN_SHIFT = 14  # 16 KiB linear-index windows (tabix default)
_META_BIN = 37450  # pseudo-bin holding offsets and record counts (htslib)


def _bgzf_block(data: bytes, level: int) -> bytes:
    comp = zlib.compressobj(level, zlib.DEFLATED, -15, 9)
    payload = comp.compress(data) + comp.flush()
    if len(payload) + 26 > 65536:  # incompressible data: store (level 0 never exceeds the limit)
        comp = zlib.compressobj(0, zlib.DEFLATED, -15)
        payload = comp.compress(data) + comp.flush()
    header = struct.pack("<4BI2BH2BHH", 0x1F, 0x8B, 8, 4, 0, 0, 0xFF, 6, ord("B"), ord("C"), 2,
                         len(payload) + 25)
    return header + payload + struct.pack("<II", zlib.crc32(data) & 0xFFFFFFFF, len(data))


def bgzf_compress(data: bytes, *, level: int = 6) -> bytes:
    """Whole ``data`` as BGZF blocks followed by the EOF marker."""
    blocks = [_bgzf_block(data[i:i + BLOCK_SIZE], level) for i in range(0, len(data), BLOCK_SIZE)]
    return b"".join(blocks) + BGZF_EOF


def _reg2bin(beg: np.ndarray, end: np.ndarray) -> np.ndarray:
    """UCSC/tabix bin of 0-based half-open intervals (vectorised ``hts_reg2bin`` with 14/5 levels)."""
    e = end - 1
    conds = [(beg >> s) == (e >> s) for s in (14, 17, 20, 23, 26)]
    choices = [4681 + (beg >> 14), 585 + (beg >> 17), 73 + (beg >> 20), 9 + (beg >> 23), 1 + (beg >> 26)]
    return np.select(conds, choices, default=0).astype(np.int64)


class BgzfTabixWriter:
    """Write a sorted VCF as BGZF and its tabix index.

    Call :meth:`write_header` once, then :meth:`write_records` with records sorted by contig (contigs in
    one contiguous run each) and position, then :meth:`close`.
    """

    def __init__(self, path: str | Path, *, level: int = 6, threads: int = 2):
        self.path = Path(path)
        self._fh = open(self.path, "wb")
        self._level = level
        self._pool = ThreadPoolExecutor(max_workers=max(1, threads))
        self._buf = bytearray()
        self._uoff = 0  # uncompressed bytes written so far (including buffered)
        self._csizes: list[int] = []  # compressed size of each block, in order
        self._contigs: list[str] = []
        self._recs: dict[str, list[tuple[np.ndarray, ...]]] = {}

    def _flush_blocks(self, final: bool = False) -> None:
        n_full = len(self._buf) // BLOCK_SIZE
        if final and len(self._buf) % BLOCK_SIZE:
            n_full += 1
        if n_full == 0:
            return
        pieces = [bytes(self._buf[i * BLOCK_SIZE:(i + 1) * BLOCK_SIZE]) for i in range(n_full)]
        del self._buf[:n_full * BLOCK_SIZE]
        for block in self._pool.map(lambda d: _bgzf_block(d, self._level), pieces):
            self._fh.write(block)
            self._csizes.append(len(block))

    def _append(self, data: bytes) -> None:
        self._buf += data
        self._uoff += len(data)
        if len(self._buf) >= 32 * BLOCK_SIZE:
            self._flush_blocks()

    def write_header(self, header: str) -> None:
        self._append(header.encode())

    def write_records(self, chrom: str, beg0: np.ndarray, end0: np.ndarray, lines: list[str]) -> None:
        """Append records of one contig: 0-based starts, exclusive ends, and text lines without newline."""
        if not lines:
            return
        text = ("\n".join(lines) + "\n").encode()
        lens = np.fromiter((len(s) for s in lines), dtype=np.int64, count=len(lines)) + 1
        if not text.isascii():
            lens = np.array([len(s.encode()) + 1 for s in lines], dtype=np.int64)
        starts = self._uoff + np.concatenate([[0], np.cumsum(lens)[:-1]])
        ends = starts + lens
        if chrom not in self._recs:
            if self._contigs and self._contigs[-1] != chrom and chrom in self._contigs:
                raise ValueError(f"records of {chrom} are not contiguous")
            self._contigs.append(chrom)
            self._recs[chrom] = []
        self._recs[chrom].append((np.asarray(beg0, np.int64), np.asarray(end0, np.int64), starts, ends))
        self._append(text)

    def _voffsets(self, u: np.ndarray) -> np.ndarray:
        cum = np.concatenate([[0], np.cumsum(self._csizes, dtype=np.int64)])
        block = u // BLOCK_SIZE
        return (cum[block] << 16) | (u % BLOCK_SIZE)

    def close(self) -> None:
        self._flush_blocks(final=True)
        self._fh.write(BGZF_EOF)
        self._fh.close()
        self._pool.shutdown()
        tbi = self._index()
        Path(str(self.path) + ".tbi").write_bytes(bgzf_compress(tbi))

    def _index(self) -> bytes:
        names = b"".join(c.encode() + b"\0" for c in self._contigs)
        out = [b"TBI\x01", struct.pack("<8i", len(self._contigs), 2, 1, 2, 0, ord("#"), 0, len(names)), names]
        for chrom in self._contigs:
            parts = self._recs[chrom]
            beg = np.concatenate([p[0] for p in parts])
            end = np.concatenate([p[1] for p in parts])
            vs = self._voffsets(np.concatenate([p[2] for p in parts]))
            ve = self._voffsets(np.concatenate([p[3] for p in parts]))
            n = len(beg)
            bins = _reg2bin(beg, end)
            order = np.lexsort((np.arange(n), bins))
            b_sorted = bins[order]
            new_chunk = np.ones(n, dtype=bool)
            new_chunk[1:] = (b_sorted[1:] != b_sorted[:-1]) | (order[1:] != order[:-1] + 1)
            chunk_start = np.flatnonzero(new_chunk)
            chunk_last = np.concatenate([chunk_start[1:] - 1, [n - 1]])
            c_bin = b_sorted[chunk_start]
            c_beg = vs[order[chunk_start]]
            c_end = ve[order[chunk_last]]
            ubins, first = np.unique(c_bin, return_index=True)
            bounds = list(first) + [len(c_bin)]
            pairs = np.column_stack([c_beg, c_end]).astype("<u8").tobytes()
            body = [struct.pack("<i", len(ubins) + 1)]
            for k, b in enumerate(ubins.tolist()):
                lo, hi = bounds[k], bounds[k + 1]
                body.append(struct.pack("<Ii", b, hi - lo))
                body.append(pairs[16 * lo:16 * hi])
            body.append(struct.pack("<Ii4Q", _META_BIN, 2, int(vs[0]), int(ve[-1]), n, 0))
            # linear index: smallest start offset of a record overlapping each 16 KiB window
            w0 = beg >> _TBI_MIN_SHIFT
            w1 = (np.maximum(end, beg + 1) - 1) >> _TBI_MIN_SHIFT
            n_win = int(w1.max()) + 1
            lin = np.full(n_win, np.iinfo(np.int64).max, dtype=np.int64)
            np.minimum.at(lin, w0, vs)
            for i in np.flatnonzero(w1 > w0):
                lin[w0[i]:w1[i] + 1] = np.minimum(lin[w0[i]:w1[i] + 1], vs[i])
            empty = lin == np.iinfo(np.int64).max
            # htslib fills leading empty windows with the contig's first offset, later ones with the previous
            lin[empty] = 0
            filled = np.maximum.accumulate(np.where(empty, 0, lin))
            lin = np.where(empty, filled, lin)
            lead = np.cumsum(~empty) == 0
            lin[lead] = vs[0]
            body.append(struct.pack("<i", n_win))
            body.append(lin.astype("<u8").tobytes())
            out.extend(body)
        out.append(struct.pack("<Q", 0))
        return b"".join(out)


__all__ = ["BgzfTabixWriter", "bgzf_compress", "BGZF_EOF", "BLOCK_SIZE"]
