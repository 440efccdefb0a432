"""Import a (VEP-annotated) VCF into Hail: checked, split to bi-allelic rows, CSQ parsed.

What :func:`read_vcf` accepts and does
    * plain text, plain gzip and BGZF (bgzip) files, told apart by their magic bytes, not their name
      (Hail needs ``force_bgz`` for a BGZF file called ``.gz`` and ``force`` for plain gzip);
    * contigs with or without ``chr``: recoded to the build's names (GRCh38 ``chr1``, GRCh37 ``1``), while
      ``variant_id`` keeps the name written in the file;
    * a header whose ``##contig`` length for chromosome 1 contradicts ``genome_build`` is refused (a
      GRCh37 file read as GRCh38 would silently give wrong coordinates);
    * FORMAT layouts that change per row, half-missing genotypes (``0/.``, read as missing), a lone ``.``,
      undeclared FORMAT keys (Hail ignores them with a warning: Scout's ``cancer_test.vcf.gz`` loads, the
      undeclared Mutect keys are dropped) and records on contigs outside the reference (skipped);
    * an INFO/FORMAT field whose values contradict its declared type (Scout's ``CADD``, declared Integer,
      holds decimals) is re-read as String with a :class:`RetypedFieldWarning` (the header line is rewritten
      on import with Hail's ``find_replace``); the names are kept in the global ``retyped_fields``.
      GT/AD/DP/GQ/PL/CSQ are never retyped: a bad value there is an error. Every import in the package
      (this function, the import cache, the in-house database) goes through :func:`hail_import_vcf` and
      :func:`run_retyping`, so every path reads such a file the same way;
    * ``hl.split_multi_hts`` recomputes GQ from PL on every row; the VCF's GQ is kept where nothing was split;
    * multi-allelic records are split with ``hl.split_multi_hts`` (the split alleles are minimally
      represented; spanning-deletion ``*`` alleles are dropped), then the VEP ``CSQ`` field is parsed by
      :func:`bigmed_utils.genomics.csq.annotate_csq` (one row per variant, the chosen gene, ``genes`` lists
      all genes hit).

The result is checkpointed (written once to Hail's temporary folder) so that parse errors surface here,
with the file name, and later steps run on a fast native MatrixTable.

Errors: every problem with the input is an :class:`~bigmed_utils.errors.InputDataError` whose one line
names the file (and the sample or line when known).
"""

from __future__ import annotations

import gzip
import logging
import os
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, TypeVar

from ..errors import BigMedError, InputDataError, ParameterError
from ..genomics.csq import annotate_csq, parse_csq_format

log = logging.getLogger(__name__)
T = TypeVar("T")

GENOME_BUILDS = ("GRCh37", "GRCh38")

#: the 28-byte empty BGZF block every complete bgzip file ends with (SAM/BAM spec v1, section 4.1.2)
BGZF_EOF = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")

#: length of chromosome 1 per build (GRCh37: 249,250,621; GRCh38: 248,956,422; NCBI assembly reports)
CHR1_LENGTH = {"GRCh37": 249_250_621, "GRCh38": 248_956_422}

_CONTIGS = [str(i) for i in range(1, 23)] + ["X", "Y"]
#: contig recodings applied on import, per build (the other naming style to the build's)
CONTIG_RECODING = {
    "GRCh38": {**{c: f"chr{c}" for c in _CONTIGS}, "MT": "chrM", "M": "chrM"},
    "GRCh37": {**{f"chr{c}": c for c in _CONTIGS}, "chrM": "MT", "chrMT": "MT"},
}

#: entry fields that ``hl.split_multi_hts`` requires in a fixed type, with the conversion we apply
_HTS_NUMERIC = {"GQ", "DP"}


@dataclass
class VcfHeader:
    """What :func:`read_vcf_header` learns from the header and the first record."""

    samples: list[str]
    info: dict[str, dict[str, str]] = field(default_factory=dict)
    format: dict[str, dict[str, str]] = field(default_factory=dict)
    contig_lengths: dict[str, int] = field(default_factory=dict)
    first_contig: str | None = None
    compression: str = "plain"  # plain | gzip | bgzf

    @property
    def csq_fields(self) -> list[str]:
        desc = self.info.get("CSQ", {}).get("Description", "")
        return parse_csq_format(desc)


def detect_compression(path: str | os.PathLike) -> str:
    """``"bgzf"``, ``"gzip"`` or ``"plain"`` from the first bytes (BGZF: gzip with a ``BC`` extra field)."""
    with open(path, "rb") as fh:
        head = fh.read(18)
    if head[:2] != b"\x1f\x8b":
        return "plain"
    if len(head) >= 14 and head[3] & 4 and head[12:14] == b"BC":
        return "bgzf"
    return "gzip"


def check_bgzf_complete(path: str | os.PathLike) -> None:
    """Raise :class:`InputDataError` when a BGZF file lacks its end-of-file marker block (truncated)."""
    size = os.path.getsize(path)
    with open(path, "rb") as fh:
        fh.seek(max(0, size - len(BGZF_EOF)))
        tail = fh.read()
    if tail != BGZF_EOF:
        raise InputDataError(f"{path}: truncated bgzip file (the BGZF end-of-file marker is missing)")


_META_RE = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|[^,>]*)')


def _parse_meta(line: str) -> dict[str, str]:
    inner = line.split("=<", 1)[1].rstrip().rstrip(">")
    return {k: v.strip('"') for k, v in _META_RE.findall(inner)}


def read_vcf_header(path: str | os.PathLike) -> VcfHeader:
    """Read the header lines, the sample names and the first record's contig (no Hail needed)."""
    p = Path(path)
    comp = detect_compression(p)
    opener = gzip.open if comp != "plain" else open
    hdr = VcfHeader(samples=[], compression=comp)
    try:
        with opener(p, "rt", encoding="utf-8", errors="replace") as fh:  # type: ignore[operator]
            saw_chrom = False
            for line in fh:
                if line.startswith("##"):
                    if line.startswith("##INFO=<"):
                        meta = _parse_meta(line)
                        hdr.info[meta.get("ID", "")] = meta
                    elif line.startswith("##FORMAT=<"):
                        meta = _parse_meta(line)
                        hdr.format[meta.get("ID", "")] = meta
                    elif line.startswith("##contig=<"):
                        meta = _parse_meta(line)
                        if meta.get("length", "").isdigit():
                            hdr.contig_lengths[meta.get("ID", "")] = int(meta["length"])
                    continue
                if line.startswith("#CHROM"):
                    cols = line.rstrip("\n\r").split("\t")
                    hdr.samples = cols[9:]
                    saw_chrom = True
                    continue
                if saw_chrom and line.strip():
                    hdr.first_contig = line.split("\t", 1)[0]
                    break
                if not saw_chrom:
                    break
    except (OSError, EOFError, UnicodeDecodeError, gzip.BadGzipFile) as exc:
        raise InputDataError(f"{p}: cannot read VCF header ({exc})") from None
    if not saw_chrom:
        raise InputDataError(f"{p}: not a VCF file (no '#CHROM' header line before the first record)")
    return hdr


def _uses_chr(header: VcfHeader) -> bool | None:
    if header.first_contig is not None:
        return header.first_contig.startswith("chr")
    if header.contig_lengths:
        return next(iter(header.contig_lengths)).startswith("chr")
    return None


def _check_build(header: VcfHeader, path: Path, genome_build: str) -> None:
    for name in ("1", "chr1"):
        length = header.contig_lengths.get(name)
        if length is None:
            continue
        for build, chr1 in CHR1_LENGTH.items():
            if length == chr1 and build != genome_build:
                raise InputDataError(
                    f"{path}: header declares contig {name} of length {length} ({build}), "
                    f"but genome_build is {genome_build}"
                )


def _hail_error_line(exc: BaseException) -> str:
    """A one-line summary of a Hail/Spark parse error (the offending line number when Hail names it)."""
    text = str(exc)
    m = re.search(r"offending line\s*[:#]?\s*(\d+)", text)
    summary = ""
    for line in text.splitlines():
        line = line.strip()
        if line.startswith(("is.hail", "Hail version", "Error summary:")) or not line:
            if line.startswith("Error summary:"):
                summary = line.removeprefix("Error summary:").strip()
            continue
        if not summary:
            summary = line
    summary = summary[:200]
    rec = re.search(r"^([^\t\n#]+)\t(\d+)\t", text, re.MULTILINE)
    where = f"record {rec.group(1)}:{rec.group(2)}: " if rec else (f"line {m.group(1)}: " if m else "")
    return where + summary


def check_vcf(path: str | os.PathLike, *, genome_build: str = "GRCh38", csq_required: bool = True) -> VcfHeader:
    """The checks :func:`read_vcf` makes before Hail starts (no Hail needed; also the runner's pre-flight).

    Raises
    ------
    ParameterError
        ``genome_build`` is not GRCh37/GRCh38.
    InputDataError
        File missing or empty, a truncated bgzip file, not a VCF, no VEP CSQ (when ``csq_required``; a file
        with only bcftools ``BCSQ`` is refused too: the analyses need VEP's fields such as MAX_AF and
        CANONICAL), a CSQ header without its field list, or a ``##contig`` length of another build.
    """
    if genome_build not in GENOME_BUILDS:
        raise ParameterError(f"genome_build: {genome_build!r} is not one of {', '.join(GENOME_BUILDS)}")
    p = Path(path)
    if not p.is_file():
        raise InputDataError(f"VCF file not found: {p}")
    if p.stat().st_size == 0:
        raise InputDataError(f"{p}: empty file")
    comp = detect_compression(p)
    if comp == "bgzf":
        check_bgzf_complete(p)
    header = read_vcf_header(p)
    if csq_required and "CSQ" not in header.info:
        extra = " (it has bcftools BCSQ instead)" if "BCSQ" in header.info else ""
        raise InputDataError(
            f"{p}: no VEP CSQ annotation (INFO/CSQ is not declared in the header){extra}; annotate with VEP first"
        )
    if "CSQ" in header.info and not header.csq_fields and csq_required:
        raise InputDataError(f"{p}: the INFO/CSQ header line has no 'Format: ...' list of VEP fields")
    _check_build(header, p, genome_build)
    return header


def read_vcf(
    path: str | os.PathLike,
    *,
    genome_build: str = "GRCh38",
    min_partitions: int | None = None,
    csq_required: bool = True,
    checkpoint: bool = True,
    parse_csq: bool = True,
    write_to: str | os.PathLike | None = None,
) -> Any:
    """Import a VCF into a split, CSQ-annotated Hail MatrixTable.

    Parameters
    ----------
    path
        VCF file: plain text, gzip or bgzip (detected from the bytes).
    genome_build
        ``"GRCh38"`` (default) or ``"GRCh37"``.
    min_partitions
        Passed to ``hl.import_vcf`` (a bgzipped VCF is otherwise one partition).
    csq_required
        Refuse a VCF whose header declares no VEP ``CSQ`` INFO field (default). With ``False`` such a VCF
        loads and every consequence annotation is missing.
    checkpoint
        Write the result once to Hail's temporary folder (surfaces parse errors here; later steps fast).
    parse_csq
        Parse the CSQ field now (default). With ``False`` the rows keep ``info.CSQ`` as strings and lack
        the annotation fields until :func:`annotate_vcf_csq`: parsing is most of the import's cost, and an
        analysis that first filters on genotypes and on :func:`~bigmed_utils.genomics.csq.may_be_rare`
        parses only the rows it keeps.
    write_to
        Write the result to this MatrixTable folder (instead of a checkpoint) and return it read back: the
        import cache's write. Parsing happens during that write, so a field whose values contradict its
        declared type is retyped there too (:func:`run_retyping`).

    Returns
    -------
    hail.MatrixTable
        Entry fields as in the file (GQ/DP cast to int32 when a caller wrote them as floats); row fields
        ``variant_id`` (``chrom:pos:ref:alt`` with the contig as written in the file), ``filters``, ``qual``,
        ``a_index``, ``was_split``, ``vcf_alleles`` (the record's alleles before splitting), the CSQ annotation of
        :func:`~bigmed_utils.genomics.csq.annotate_csq`; globals ``vcf_path``, ``genome_build``,
        ``csq_fields``, ``csq_parsed``.

    Raises
    ------
    InputDataError
        File missing, not a VCF, a truncated bgzip file, no CSQ (when ``csq_required``), a build mismatch
        in the header, or a record Hail cannot parse.
    """
    import hail as hl

    p = Path(path)
    header = check_vcf(p, genome_build=genome_build, csq_required=csq_required)
    csq_fields = header.csq_fields

    def attempt(retyped: list[str]) -> Any:
        mt = _import_and_annotate(
            p, header=header, genome_build=genome_build, min_partitions=min_partitions, csq_fields=csq_fields,
            retyped=retyped, parse_csq=parse_csq,
        )
        if write_to is not None:
            mt.write(str(write_to), overwrite=True)
            return hl.read_matrix_table(str(write_to))
        if checkpoint:
            return mt.checkpoint(hl.utils.new_temp_file("bigmed_vcf", "mt"))
        return mt  # lazy: a parse error (or a retyping) surfaces where the caller first reads the rows

    return run_retyping(p, attempt, header=header)


#: Hail's message when a value does not parse as the header's declared type
_PARSE_FIELD_RE = re.compile(r"error while parsing (?:info|format) field '([^']+)'", re.IGNORECASE)
#: fields whose declared type downstream code relies on: a bad value there is an error, not retyped
_NEVER_RETYPE = {"GT", "AD", "DP", "GQ", "PL", "CSQ"}
#: at most this many fields are retyped before the file is refused (each retyping re-reads the file)
MAX_RETYPED = 20


class RetypedFieldWarning(UserWarning):
    """An INFO/FORMAT field's values contradict its declared type: the field is read as text."""


def run_retyping(path: str | os.PathLike, attempt: Callable[[list[str]], T], *, header: VcfHeader | None = None) -> T:
    """Run ``attempt(retyped)`` (a Hail import and whatever materialises it) until no field is mistyped.

    Every VCF import of the package goes through here (:func:`read_vcf`, the import cache, the in-house
    database), so that a header whose declared type its values contradict (Scout's ``CADD``: Integer, values
    ``2.444``) is read the same way on every path: the field is added to ``retyped`` (read as String by
    :func:`hail_import_vcf`), with a warning naming the file and the field, and ``attempt`` runs again.
    Hail names the field of an INFO error; for a FORMAT error it quotes the record, whose values are then
    checked against the header here (:func:`mistyped_in_record`). GT/AD/DP/GQ/PL/CSQ are never retyped: a
    bad value there is an error. Any other Hail parse error becomes one :class:`InputDataError` line naming
    the file (and the record when Hail says it).
    """
    p = Path(path)
    retyped: list[str] = []
    while True:
        try:
            return attempt(list(retyped))
        except BigMedError:
            raise
        except Exception as exc:  # Hail/Spark raise FatalError, HailException, Py4JJavaError...
            if not type(exc).__module__.startswith(("hail", "py4j", "pyspark")):
                raise
            new = [f for f in _mistyped_fields(str(exc), p, header) if f not in retyped]
            if new and len(retyped) + len(new) <= MAX_RETYPED:
                for field_name in new:
                    msg = f"{p}: field {field_name} does not match its declared type; read as text (String)"
                    log.warning(msg)
                    warnings.warn(msg, RetypedFieldWarning, stacklevel=2)
                retyped.extend(new)
                continue
            raise InputDataError(f"{p}: Hail could not read the VCF: {_hail_error_line(exc)}") from None


_INT_RE = re.compile(r"[+-]?\d+")


def _value_fits(value: str, vcf_type: str) -> bool:
    """Whether one VCF value (a list element) parses as its declared ``Type`` (missing ``.`` always does)."""
    if value in (".", ""):
        return True
    if vcf_type == "Integer":
        return bool(_INT_RE.fullmatch(value)) and -(2**31) <= int(value) < 2**31
    if vcf_type == "Float":
        try:
            float(value)
        except ValueError:
            return False
        return True
    if vcf_type == "Character":
        return len(value) == 1
    return True


def mistyped_in_record(line: str, header: VcfHeader) -> list[str]:
    """INFO and FORMAT keys of one VCF record whose values contradict the header's declared type.

    GT/AD/DP/GQ/PL/CSQ are never listed: downstream code relies on their types, so a bad value there stays
    an error.
    """
    cols = line.rstrip("\n\r").split("\t")
    bad: list[str] = []
    if len(cols) > 7:
        for item in cols[7].split(";"):
            key, eq, value = item.partition("=")
            meta = header.info.get(key)
            if eq and meta and key not in bad and not all(_value_fits(v, meta.get("Type", "String")) for v in value.split(",")):
                bad.append(key)
    if len(cols) > 9:
        keys = cols[8].split(":")
        for sample in cols[9:]:
            for key, value in zip(keys, sample.split(":")):
                meta = header.format.get(key)
                if meta and key not in bad and not all(_value_fits(v, meta.get("Type", "String")) for v in value.split(",")):
                    bad.append(key)
    return [k for k in bad if k not in _NEVER_RETYPE]


def _mistyped_fields(text: str, path: Path, header: VcfHeader | None) -> list[str]:
    """Fields to read as text after Hail's parse error ``text``: the field Hail names (INFO), else the
    mistyped fields of the offending record Hail quotes (FORMAT errors name no field)."""
    named = _PARSE_FIELD_RE.search(text)
    if named and named.group(1) not in _NEVER_RETYPE:
        return [named.group(1)]
    m = re.search(r"error while parsing line\s*\n([^\n]*\t[^\n]*)", text)
    if m is None:
        return []
    if header is None:
        header = read_vcf_header(path)
    return mistyped_in_record(m.group(1), header)


def hail_import_vcf(
    path: str | os.PathLike,
    *,
    genome_build: str,
    retyped: Iterable[str] = (),
    min_partitions: int | None = None,
    header: VcfHeader | None = None,
) -> Any:
    """The package's one ``hl.import_vcf`` call (run it through :func:`run_retyping`).

    Compression from the bytes (``force_bgz`` / ``force``), contigs recoded to the build's names, missing
    array elements allowed, records on contigs outside the reference skipped, and the ``retyped`` fields'
    header lines rewritten to ``Type=String`` (Hail's ``find_replace``).
    """
    import hail as hl

    p = Path(path)
    comp = header.compression if header is not None else detect_compression(p)
    kwargs: dict[str, Any] = {}
    if comp == "bgzf":
        kwargs["force_bgz"] = True
    elif comp == "gzip":
        kwargs["force"] = True
    retyped = list(retyped)
    if retyped:
        ids = "|".join(re.escape(x) for x in retyped)
        kwargs["find_replace"] = (
            f"^(##(?:INFO|FORMAT)=<ID=(?:{ids}),Number=[^,]+,Type=)(?:Integer|Float|Character)", "$1String"
        )
    return hl.import_vcf(
        str(p),
        reference_genome=genome_build,
        contig_recoding=CONTIG_RECODING[genome_build],
        array_elements_required=False,
        skip_invalid_loci=True,
        min_partitions=min_partitions,
        **kwargs,
    )


def variant_id_expr(mt: Any, header: VcfHeader, genome_build: str) -> Any:
    """``chrom:pos:ref:alt`` with the contig as written in the file (undoing the import's recoding)."""
    import hail as hl

    contig = mt.locus.contig
    file_chr = _uses_chr(header)
    if file_chr is not None and file_chr != (genome_build == "GRCh38"):
        back = {v: k for k, v in CONTIG_RECODING[genome_build].items() if k not in ("M", "chrMT")}
        contig = hl.literal(back).get(contig, contig)
    return hl.delimit([contig, hl.str(mt.locus.position), mt.alleles[0], mt.alleles[1]], ":")


def _import_and_annotate(
    p: Path,
    *,
    header: VcfHeader,
    genome_build: str,
    min_partitions: int | None,
    csq_fields: list[str],
    retyped: list[str],
    parse_csq: bool = True,
) -> Any:
    import hail as hl

    mt = hail_import_vcf(p, genome_build=genome_build, retyped=retyped, min_partitions=min_partitions, header=header)
    mt = _coerce_hts_types(mt)
    mt = mt.annotate_rows(vcf_alleles=mt.alleles)  # VEP allele notation needs the original alleles
    keep_gq = "GQ" in mt.entry
    if keep_gq:
        mt = mt.annotate_entries(_vcf_GQ=mt.GQ)
    mt = hl.split_multi_hts(mt)
    if keep_gq:
        # split_multi_hts recomputes GQ from PL on every row, bi-allelic ones too (Hail 0.2.139): keep the
        # caller's GQ where nothing was split, so that a GQ filter sees what the VCF says
        mt = mt.annotate_entries(GQ=hl.if_else(mt.was_split, mt.GQ, mt._vcf_GQ)).drop("_vcf_GQ")
    if parse_csq:
        mt = annotate_csq(mt, fields=csq_fields, info_fields={k: mt.info[k].dtype for k in mt.info})
    mt = mt.annotate_rows(variant_id=variant_id_expr(mt, header, genome_build))
    return mt.annotate_globals(
        vcf_path=str(p),
        genome_build=genome_build,
        csq_fields=hl.literal(csq_fields, hl.tarray(hl.tstr)),
        retyped_fields=hl.literal(retyped, hl.tarray(hl.tstr)),
        csq_parsed=parse_csq,
    )


def annotate_vcf_csq(mt: Any) -> Any:
    """The CSQ annotation of :func:`read_vcf` for a table read with ``parse_csq=False`` (else unchanged).

    Examples
    --------
    >>> mt = read_vcf(path, parse_csq=False)  # doctest: +SKIP
    >>> mt = mt.filter_rows(may_be_rare(mt, fields=hl.eval(mt.csq_fields), max_af=0.01))  # doctest: +SKIP
    >>> mt = annotate_vcf_csq(mt)  # doctest: +SKIP
    """
    import hail as hl

    if "csq_parsed" not in mt.globals or hl.eval(mt.csq_parsed):
        return mt
    mt = annotate_csq(mt, fields=list(hl.eval(mt.csq_fields)), info_fields={k: mt.info[k].dtype for k in mt.info})
    return mt.annotate_globals(csq_parsed=True)


def _coerce_hts_types(mt: Any) -> Any:
    """Cast GQ/DP written as floats (VarDict, freebayes) to int32 so that ``split_multi_hts`` accepts them."""
    import hail as hl

    fixes = {}
    for name in _HTS_NUMERIC:
        if name in mt.entry and mt.entry[name].dtype in (hl.tfloat64, hl.tfloat32):
            fixes[name] = hl.int32(hl.floor(mt.entry[name] + 0.5))
    expected = {"AD": hl.tarray(hl.tint32), "PL": hl.tarray(hl.tint32), "PGT": hl.tcall, "PID": hl.tstr}
    drop = [k for k, t in expected.items() if k in mt.entry and mt.entry[k].dtype != t]
    if fixes:
        mt = mt.annotate_entries(**fixes)
    if drop:
        log.warning("dropping entry fields of unexpected type: %s", drop)
        mt = mt.drop(*drop)
    return mt


def vcf_samples(mt: Any) -> list[str]:
    """Sample ids of a MatrixTable (small: one per column)."""
    return list(mt.s.collect())


def require_samples(
    mt: Any,
    samples: Iterable[str],
    *,
    vcf_path: str | os.PathLike,
    ped_path: str | os.PathLike | None = None,
    proband: str | None = None,
) -> None:
    """Check that the proband and every PED sample are columns of the VCF.

    Raises
    ------
    InputDataError
        ``"<vcf>: proband 'X' is not a sample of the VCF (samples: A, B)"`` or
        ``"<ped>: samples 'X', 'Y' of the PED are absent from the VCF <vcf>"``.
    """
    have = set(vcf_samples(mt))
    if proband is not None and proband not in have:
        listed = ", ".join(sorted(have)[:10])
        raise InputDataError(f"{vcf_path}: proband {proband!r} is not a sample of the VCF (samples: {listed})")
    missing = [s for s in samples if s not in have]
    if missing:
        names = ", ".join(repr(s) for s in missing)
        raise InputDataError(f"{ped_path or 'PED'}: samples {names} of the PED are absent from the VCF {vcf_path}")


__all__ = [
    "annotate_vcf_csq",
    "check_vcf",
    "read_vcf",
    "read_vcf_header",
    "require_samples",
    "vcf_samples",
    "detect_compression",
    "check_bgzf_complete",
    "VcfHeader",
    "BGZF_EOF",
    "CONTIG_RECODING",
    "hail_import_vcf",
    "run_retyping",
    "mistyped_in_record",
    "RetypedFieldWarning",
    "variant_id_expr",
]
