"""The first analysis of a case without importing the whole genome: an htslib pass over the VCF.

A case's analysis needs two small parts of a family VCF: the rows where the proband carries an ALT allele
and that may be rare (the candidate search, :func:`~bigmed_utils.genomics.rare_rows.proband_rare_rows`),
and the family-QC sites (:mod:`bigmed_utils.genomics.qc_sites`). For a whole genome these are about 5 % of
the rows; importing, splitting and writing all of them into Hail is most of a first analysis's time.

:class:`FamilyTables` therefore

1. looks for the family QC and the proband's rare rows in the import cache (a re-analysis: nothing else
   is read);
2. otherwise starts child processes *before* the JVM, so that they overlap its start: one per core, each
   over a contiguous group of contigs (:func:`region_chunks`, from the index; one child without an index).
   Each runs ``bcftools view`` (htslib through ``pysam``, in C), which writes the records that may matter
   to a small bgzipped VCF, and ``bcftools query``, which counts the rows of the funnel ("variants in VCF
   (after split)", "proband carries an ALT allele") that the small VCF no longer holds; the parts (in the
   run's work folder, ``$BIGMED_WORK_DIR``, when there is one) are joined into one VCF in the cache folder;
3. imports the small VCF into Hail and computes and caches the two tables from it, under the same cache
   keys as from a whole-genome import (so either way serves a later re-analysis).

The first pass drops a record only when (conservative; tested to give the same candidates and QC as the
whole import on the demo cases, the hand-made trap trios and the WGS truth):

* it is not a possible QC site (its position is not a multiple of the QC thinning step, or no family member
  carries an ALT allele), **and**
* the proband carries no ALT allele, **or** the record has one ALT allele and some CSQ entry gives it a
  frequency above the ceiling in the first frequency kind the file has (:data:`~bigmed_utils.genomics.csq.AF_KINDS`
  order: the analysis takes ``max_af`` from the first kind with a value, as the maximum over entries, so a
  value above the ceiling there means ``max_af`` is above it). Values are matched by a regular expression
  that recognises only plain and scientific decimals above the ceiling; anything else keeps the record.

The ceiling is :data:`~bigmed_utils.genomics.rare_rows.FAMILY_TABLE_MAX_AF` (5 %, ACMG BA1); an analysis
with a higher ceiling, a VCF with INFO frequency fields, or no cache folder reads the whole VCF as before
(:func:`~bigmed_utils.io.vcf_cache.read_vcf_cached`). The whole-genome import cache is built only by work that
needs every row (cohort work, the in-house database).

Off switch: ``BIGMED_FIRST_PASS=0`` (or ``off``/``false``/``no``) reads the whole VCF through the import cache.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

log = logging.getLogger(__name__)

ENV_FIRST_PASS = "BIGMED_FIRST_PASS"
_OFF = ("0", "off", "false", "no")
#: code whose output the first pass's tables depend on (an edit gives new cache keys)
_CODE = ("io/first_pass.py", "genomics/qc_sites.py")

# --- the drop expression ---------------------------------------------------------------------------------

#: decimals above 0.05 (the only ceiling the expression is built for, see big_value_regex)
_ABOVE_005 = (
    r"0*[1-9][0-9]*([.][0-9]*)?"                      # >= 1
    r"|0*[.]([1-9][0-9]*|0[6-9][0-9]*|05[0-9]*[1-9][0-9]*)"  # 0.06.., 0.1.., 0.050..01
    r"|[1-9]([.][0-9]*)?[eE]-0*1"                      # 1e-1 .. 9.99e-1
    r"|([6-9]([.][0-9]*)?|5[.][0-9]*[1-9][0-9]*)[eE]-0*2"  # 5.0..1e-2 .. 9.99e-2
    r"|[1-9]([.][0-9]*)?[eE][+]?0*[0-9]+"               # >= 1 in scientific notation
)


def _to_posix_basic(ere: str) -> str:
    """An extended regular expression in GNU basic syntax (bcftools compiles ``~`` patterns as POSIX basic
    expressions: groups, alternation, counts and ``?`` are written ``\\(``, ``\\|``, ``\\{``, ``\\?``)."""
    out, in_bracket = [], False
    for i, ch in enumerate(ere):
        if in_bracket:
            out.append(ch)
            if ch == "]" and ere[i - 1] not in "[^":
                in_bracket = False
        elif ch == "[":
            in_bracket = True
            out.append(ch)
        elif ch in "(){}|?+":
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def big_value_regex(column: int, *, max_af: float) -> str:
    """A regular expression (Python/POSIX extended syntax) matching one CSQ entry whose ``column`` holds a
    value above ``max_af`` (bcftools tests each comma-separated entry of the field: any match drops).

    VEP joins co-located values with ``&``; one of them above the ceiling makes the column's value (their
    maximum, as the analysis reads it) above it. Only ``max_af == 0.05`` is supported (the family tables'
    ceiling).
    :func:`drop_expression` passes it to bcftools in basic syntax. The columns before ``column`` are written
    out (``[^|]*[|]`` once per column), not counted (``{26}``): glibc's matcher is several times slower on
    counted repetitions.

    Examples
    --------
    >>> import re
    >>> rx = re.compile(big_value_regex(2, max_af=0.05))
    >>> [bool(rx.search(e)) for e in ("A|x|0.2|y", "A|x|0.05|y", "A|x|1e-05&0.3", "A|x||0.9", "A|x|0.0501")]
    [True, False, True, False, True]
    """
    if abs(max_af - 0.05) > 1e-12:
        raise ValueError(f"the first pass is built for a ceiling of 0.05, not {max_af}")
    return "^" + "[^|]*[|]" * column + f"([^|&]*&)*({_ABOVE_005})(&[^|]*)?([|]|$)"


def drop_expression(
    *, samples: list[str], proband: str, members: list[str], step: int, big_columns: list[int], max_af: float
) -> str:
    """The ``bcftools view -e`` expression of the records the first pass drops (module docstring)."""
    idx = {s: i for i, s in enumerate(samples)}
    not_proband_alt = f'GT[{idx[proband]}]!="alt"'
    no_member_alt = " && ".join(f'GT[{idx[m]}]!="alt"' for m in members if m in idx)
    not_qc = f"(POS%{step}!=0 || ({no_member_alt}))" if step > 1 else f"({no_member_alt})"
    if big_columns:
        big = " || ".join(f'INFO/CSQ~"{_to_posix_basic(big_value_regex(c, max_af=max_af))}"'
                          for c in sorted(set(big_columns)))
        common = f"(N_ALT=1 && ({big}))"
        return f"{not_qc} && ({not_proband_alt} || {common})"
    return f"{not_qc} && {not_proband_alt}"


def frequency_columns(csq_fields: list[str], info_fields: list[str]) -> list[int] | None:
    """CSQ columns of the first frequency kind the file has (the kind ``max_af`` is taken from when any of
    its values is present), or ``None`` when INFO carries frequency fields (not handled: no AF pre-filter)."""
    from ..genomics.csq import AF_KINDS, af_field_kind

    if any(af_field_kind(f) in AF_KINDS for f in info_fields):
        return None
    for kind in AF_KINDS:
        cols = [i for i, name in enumerate(csq_fields) if af_field_kind(name) == kind]
        if cols:
            return cols
    return []


# --- counting the funnel's rows -------------------------------------------------------------------------

def count_rows(query_output: str) -> dict[str, int]:
    """``n_variants`` and ``n_proband_alt`` as Hail counts them after ``split_multi_hts`` (``*`` alleles
    dropped, a genotype with a missing allele read as missing), from ``bcftools query -f '%ALT\\t[%GT]\\n'``
    of the proband."""
    n_variants = n_alt = 0
    for line, n in Counter(query_output.splitlines()).items():
        alt, _, gt = line.partition("\t")
        alleles = alt.split(",")
        called = gt.replace("|", "/").split("/")
        has_missing = any(a == "." for a in called)
        for i, a in enumerate(alleles, start=1):
            if a == "*":
                continue
            n_variants += n
            if not has_missing and str(i) in called:
                n_alt += n
    return {"n_variants": n_variants, "n_proband_alt": n_alt}


def region_chunks(vcf: str | os.PathLike, n: int) -> list[list[str]]:
    """The VCF's contigs in ``n`` contiguous groups of about equal record counts (htslib's index counts),
    for one child process each; ``[[]]`` (one child, the whole file) without an index or with one chunk."""
    p = Path(vcf)
    if n < 2 or not any(p.with_name(p.name + s).is_file() for s in (".tbi", ".csi")):
        return [[]]
    try:
        import pysam.bcftools

        stats = [line.split("\t") for line in str(pysam.bcftools.index("--stats", str(p))).splitlines()]
        counts = [(row[0], int(row[2])) for row in stats if len(row) == 3 and row[2].isdigit() and int(row[2]) > 0]
    except Exception as exc:  # noqa: BLE001 - an index htslib cannot read: one child over the whole file
        log.info("%s: no per-contig counts from the index (%s)", p, str(exc).splitlines()[0][:200] if str(exc) else exc)
        return [[]]
    if any(ch in contig for contig, _ in counts for ch in ":,{}"):
        return [[]]  # a contig name bcftools' -r list would misread (HLA-A*01:01:01:01): one child, no regions
    total = sum(c for _, c in counts)
    chunks: list[list[str]] = [[]]
    done = 0
    for contig, c in counts:
        if chunks[-1] and done >= total * len(chunks) / n and len(chunks) < n:
            chunks.append([])
        chunks[-1].append(contig)
        done += c
    return chunks if chunks[0] else [[]]


def _child_main(argv: list[str]) -> int:
    """``python -m bigmed_utils.io.first_pass VCF PREFIX EXPRESSION PROBAND REGIONS HEADER`` (one child):
    the kept records of the ``REGIONS`` (comma-separated contigs; empty: the whole file) to ``PREFIX.vcf.gz``
    (with the header when ``HEADER`` is ``1``) and their funnel counts to ``PREFIX.json``."""
    import locale

    import pysam.bcftools

    # glibc's regex matcher is several times slower in a UTF-8 locale, which Python sets at start
    locale.setlocale(locale.LC_ALL, "C")
    vcf, prefix, expr, proband, regions, header = argv
    region = ["-r", regions] if regions else []
    outs = {"vcf": Path(f"{prefix}.vcf.gz"), "json": Path(f"{prefix}.json")}
    tmps = {k: v.with_name(f".tmp-{uuid.uuid4().hex[:8]}-{v.name}") for k, v in outs.items()}
    try:
        pysam.bcftools.view(*region, *([] if header == "1" else ["-H"]), "--no-version", "-e", expr, "-Oz", "-o",
                            str(tmps["vcf"]), vcf, catch_stdout=False)
        text = pysam.bcftools.query(*region, "-s", proband, "-f", "%ALT\t[%GT]\n", vcf)
        tmps["json"].write_text(json.dumps(count_rows(text)) + "\n", encoding="utf-8")
        for k in outs:
            os.replace(tmps[k], outs[k])
    finally:
        for t in tmps.values():
            t.unlink(missing_ok=True)
    return 0


def join_parts(parts: list[Path], *, view: Path, count: Path) -> None:
    """Join the children's outputs ``PART.vcf.gz`` (in order; the first holds the header; BGZF files join by
    concatenation) into ``view`` and sum their ``PART.json`` counts into ``count`` (both written atomically)."""
    from .._fs import atomic_write_text

    counts: Counter[str] = Counter()
    for part in parts:
        counts.update(json.loads(Path(f"{part}.json").read_text(encoding="utf-8")))
    tmp = view.with_name(f".tmp-{uuid.uuid4().hex[:8]}-{view.name}")
    try:
        with open(tmp, "wb") as out:
            for part in parts:
                with open(f"{part}.vcf.gz", "rb") as f:
                    shutil.copyfileobj(f, out)
        os.replace(tmp, view)
    finally:
        tmp.unlink(missing_ok=True)
    atomic_write_text(count, json.dumps(dict(counts)) + "\n")


# --- orchestration ----------------------------------------------------------------------------------------

#: first passes started by a pre-flight before Hail, by their arguments (taken over by the analysis)
_EARLY: dict[tuple, "FamilyTables"] = {}


def enabled() -> bool:
    """False when ``$BIGMED_FIRST_PASS`` switches the first pass off."""
    return os.environ.get(ENV_FIRST_PASS, "1").strip().lower() not in _OFF


@dataclass
class FamilyTables:
    """The family QC and the proband's rare rows of one case, from the cache, the first pass or the whole VCF.

    Create with :meth:`start` before Hail starts; then :meth:`family_qc` and :meth:`proband_rare`.
    """

    vcf: Path
    genome_build: str
    min_partitions: int | None
    ped: pd.DataFrame
    family: pd.DataFrame
    proband: str
    ceiling: float
    #: ``"cache"``, ``"first pass"`` or ``"whole VCF"``: where the tables come from
    source: str = "whole VCF"
    _cache: dict[str, str] | None = None
    _step: int = 1
    _children: dict[str, Any] = field(default_factory=dict)
    _outputs: dict[str, Path] = field(default_factory=dict)
    _mt: Any = None

    @property
    def _family_key(self) -> dict[str, Any]:
        return {"family": self.family.astype(str).to_dict("records")}

    def _qc_options(self) -> dict[str, Any]:
        return {**self._family_key, "qc_sites_step": self._step}

    def _rare_options(self) -> dict[str, Any]:
        return {**self._family_key, "proband": self.proband, "max_af": self.ceiling}

    @classmethod
    def start(
        cls, *, vcf: str | os.PathLike, genome_build: str, min_partitions: int | None, ped: pd.DataFrame,
        family: pd.DataFrame, proband: str, ceiling: float, family_qc: bool = True, early: bool = False,
    ) -> "FamilyTables":
        """Find cached tables, else start the first pass's child processes (call before ``init_hail``).

        Parameters
        ----------
        vcf, genome_build, min_partitions
            As :func:`~bigmed_utils.io.vcf_cache.read_vcf_cached`.
        ped, family
            The PED and the proband's family rows of it.
        proband
            The proband's sample id.
        ceiling
            The AF ceiling of the proband's rare rows (at least 5 %).
        family_qc
            Whether the family QC will be asked for (its cached result then counts).
        early
            Called before Hail starts by a pre-flight (``Analysis.check``): the instance is kept, and the
            next call with the same arguments returns it instead of starting the first pass again.
        """
        key = (str(Path(vcf).resolve()), genome_build, min_partitions, proband, ceiling, family_qc,
               family.astype(str).to_json())
        if not early and key in _EARLY:
            return _EARLY.pop(key)
        if early and key in _EARLY:
            return _EARLY[key]
        from .._fs import code_fingerprint
        from ..genomics.rare_rows import FAMILY_TABLE_MAX_AF
        from ..genomics.qc_sites import thinning_step
        from . import vcf_cache

        self = cls(vcf=Path(vcf), genome_build=genome_build, min_partitions=min_partitions, ped=ped,
                   family=family, proband=proband, ceiling=ceiling)
        if early:
            _EARLY[key] = self
        p = self.vcf
        self._step = thinning_step(p)
        folder = vcf_cache.cache_folder(p)
        if folder is None:
            return self
        options = {"genome_build": genome_build, "min_partitions": min_partitions, "parse_csq": False}
        key, sha = vcf_cache.cache_key(p, options=options)
        self._cache = {"folder": str(folder), "key": key, "vcf": str(p.resolve()), "vcf_sha256": sha}
        have_rare = vcf_cache.is_complete(self._derived_path("proband-rare", self._rare_options(), ".mt"))
        have_qc = not family_qc or self._cached_json_ok(self._derived_path("family-qc", self._qc_options(), ".json"))
        if have_rare and have_qc:
            self.source = "cache"
            return self
        if not enabled() or ceiling > FAMILY_TABLE_MAX_AF + 1e-12 or (folder / f"{key}.mt").is_dir():
            return self  # whole VCF: switched off, a higher ceiling, or the whole import is cached already
        from .vcf import read_vcf_header

        header = read_vcf_header(p)
        columns = frequency_columns(header.csq_fields, list(header.info))
        members = [m for m in family["individual_id"] if m in header.samples]
        expr = drop_expression(samples=header.samples, proband=proband, members=members, step=self._step,
                               big_columns=columns or [], max_af=FAMILY_TABLE_MAX_AF)
        tag = code_fingerprint(_CODE, prefix=f"{key}\n{expr}")
        self._outputs = {"view": folder / f"{key}.first-pass-{tag}.vcf.gz",
                         "count": folder / f"{key}.first-pass-{tag}.counts.json"}
        env = {**os.environ, "LC_ALL": "C",
               "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).resolve().parents[2]),
                                                           os.environ.get("PYTHONPATH")]))}
        if not all(out.is_file() for out in self._outputs.values()):
            from ..hail_session import ENV_WORK_DIR, available_cores

            # the parts go to the run's work folder when there is one (``bigmed run`` removes it, also after a
            # kill that gave a child no time to remove its temporary files); only the joined VCF is cached
            parts = Path(os.environ[ENV_WORK_DIR]) / "first-pass" if os.environ.get(ENV_WORK_DIR) else folder
            parts.mkdir(parents=True, exist_ok=True)
            # one child per core, each over a contiguous group of contigs (htslib reads a region from the index)
            for i, regions in enumerate(region_chunks(p, available_cores())):
                prefix = parts / f".{key}.first-pass-{tag}.part{i}"
                self._children[str(prefix)] = subprocess.Popen(
                    [sys.executable, "-m", "bigmed_utils.io.first_pass", str(p), str(prefix), expr, proband,
                     ",".join(regions), "1" if i == 0 else "0"],
                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                )
        self.source = "first pass"
        log.info("%s: first pass started (%d child processes)", p, len(self._children))
        return self

    def _derived_path(self, name: str, options: dict[str, Any], suffix: str) -> Path:
        from ..io import vcf_cache

        code = {"family-qc": ("genomics/qc.py", "genomics/qc_sites.py"),
                "proband-rare": ("genomics/rare_rows.py",)}[name]
        assert self._cache is not None
        return Path(self._cache["folder"]) / (
            f"{self._cache['key']}.{name}-{vcf_cache._derived_key(self._cache, name, options, code)}{suffix}")

    def _cached_json_ok(self, path: Path) -> bool:
        try:
            return json.loads(path.read_text(encoding="utf-8")).get("vcf_sha256") == self._cache["vcf_sha256"]
        except (OSError, ValueError, AttributeError):
            return False

    def _wait(self) -> bool:
        """Wait for the children and join their parts (the first part holds the header; BGZF files join by
        concatenation); False (logged) when one failed."""
        ok = True
        for prefix, child in self._children.items():
            _, err = child.communicate()
            if child.returncode != 0:
                log.warning("%s: first pass (%s) failed, reading the whole VCF: %s", self.vcf, Path(prefix).name,
                            err.decode(errors="replace").strip()[-500:])
                ok = False
        parts = [Path(prefix) for prefix in self._children]
        self._children = {}
        try:
            if ok and parts:
                join_parts(parts, view=self._outputs["view"], count=self._outputs["count"])
        except (OSError, ValueError) as exc:  # a full disk, a truncated part: the whole VCF instead
            log.warning("%s: first pass could not join its parts, reading the whole VCF: %s", self.vcf, exc)
            ok = False
        finally:
            for part in parts:
                _remove_part(part)
        return ok and all(p.is_file() for p in self._outputs.values())

    def rows(self) -> Any:
        """The MatrixTable the tables are computed from: the first pass's records or the whole VCF (cached
        import), with the globals that name the VCF and its cache. Not read for a re-analysis."""
        import hail as hl

        from . import vcf as _vcf
        from . import vcf_cache

        if self._mt is not None:
            return self._mt
        if self.source == "first pass" and self._wait():
            # at least one partition per core (a small bgzip file is otherwise one partition, one core)
            small = self._outputs["view"]
            mt = _vcf.read_vcf(small, genome_build=self.genome_build, parse_csq=False,
                               min_partitions=self.min_partitions or vcf_cache.default_min_partitions(small))
            counts = json.loads(self._outputs["count"].read_text(encoding="utf-8"))
            self._counts = counts
            self._mt = mt.annotate_globals(vcf_path=str(self.vcf), bigmed_cache=hl.struct(**self._cache))
        else:
            if self.source == "first pass":
                self.source = "whole VCF"
            self._mt = vcf_cache.read_vcf_cached(self.vcf, genome_build=self.genome_build,
                                                 min_partitions=self.min_partitions, parse_csq=False)
        return self._mt

    def _carrier(self) -> Any:
        """A MatrixTable holding only the cache globals (for reading the cached tables without the VCF)."""
        import hail as hl

        if self.source != "cache":
            return self.rows()
        return hl.utils.range_matrix_table(0, 0).annotate_globals(
            vcf_path=str(self.vcf), bigmed_cache=hl.struct(**self._cache))

    def family_qc(self) -> Any:
        """:class:`~bigmed_utils.genomics.qc.QcResult` on the family-QC sites, cached beside the import."""
        from ..genomics.qc import QcResult, run_qc
        from ..genomics.qc_sites import informative_sites
        from .vcf_cache import cached_json

        fam_id = self.family["family_id"].iloc[0]
        members = list(self.family["individual_id"])

        def build() -> Any:
            sites = informative_sites(self.rows(), members=members, step=self._step)
            return run_qc(sites, self.ped, family_id=fam_id).to_dict()

        return QcResult.from_dict(cached_json(self._carrier(), name="family-qc", options=self._qc_options(),
                                              code=("genomics/qc.py", "genomics/qc_sites.py"), build=build))

    def proband_rare(self) -> Any:
        """The proband's rare rows (:func:`~bigmed_utils.genomics.rare_rows.proband_rare_rows`), cached."""
        from ..genomics.rare_rows import proband_rare_rows
        from .vcf_cache import cached_derived

        def build(_: Any) -> Any:
            mt = self.rows()
            # the funnel counts the whole VCF, not the first pass's records (None: mt is the whole VCF)
            return proband_rare_rows(mt, self.ped, proband=self.proband, max_af=self.ceiling,
                                     counts=getattr(self, "_counts", None))

        return cached_derived(self._carrier(), name="proband-rare", options=self._rare_options(),
                              code=("genomics/rare_rows.py",), build=build)

    def close(self) -> None:
        """Stop child processes still running (an analysis that failed before reading the rows)."""
        for prefix, child in self._children.items():
            if child.poll() is None:
                child.kill()
                child.wait()
            _remove_part(Path(prefix))
        self._children = {}


def _remove_part(part: Path) -> None:
    """Remove a child's outputs and the temporary files a killed child could not remove itself
    (:func:`_child_main` writes ``.tmp-<id>-<name>`` beside them)."""
    for path in (Path(f"{part}.vcf.gz"), Path(f"{part}.json"), *part.parent.glob(f".tmp-*-{part.name}.*")):
        path.unlink(missing_ok=True)


__all__ = ["ENV_FIRST_PASS", "FamilyTables", "big_value_regex", "count_rows", "drop_expression", "enabled",
           "frequency_columns", "join_parts", "region_chunks"]

if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1:]))
