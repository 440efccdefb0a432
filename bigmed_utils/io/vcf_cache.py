"""Import a VCF once: a Hail MatrixTable cached beside the VCF, keyed by the checksum of its bytes.

A whole-genome trio takes tens of seconds to import, split and CSQ-parse; reading the same rows back from a
written MatrixTable takes a few seconds. :func:`read_vcf_cached` imports with
:func:`bigmed_utils.io.vcf.read_vcf` the first time and writes the result to::

    <vcf>.bigmed-cache/<key>.mt          key = first 16 hex digits of sha256(VCF bytes, index bytes, options)

Guarantees
    * a changed VCF (or ``.tbi``/``.csi`` index, or import option, or reader code) gives a new key, so a
      stale cache is never read; caches of an earlier version of the same VCF are removed;
    * the cache is written under a temporary name in the same folder and renamed when complete; a folder
      without Hail's ``_SUCCESS`` marker and metadata, or one that Hail cannot read, is ignored (and removed)
      and the VCF is imported again;
    * a folder beside the VCF that cannot be written (read-only data folder) falls back to
      ``$BIGMED_WORK_DIR/vcf-cache``; when that is unset too, the VCF is read without a cache (logged);
    * partitions: enough for every core (see :func:`default_min_partitions`), so the cached table keeps
      every core busy in later analyses.

Hashing costs about 1 s per 300 MB (sha256 of the bgzipped bytes); far less than an import.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import shutil
import time
import uuid
from pathlib import Path
from typing import Any, Callable

from .._fs import atomic_write_text, code_fingerprint, sha256_file
from . import vcf as _vcf

log = logging.getLogger(__name__)

CACHE_SUFFIX = ".bigmed-cache"
#: fallback cache folder under ``$BIGMED_WORK_DIR`` when the VCF's folder is read-only
FALLBACK_SUBDIR = "vcf-cache"
#: bump when the layout of a cached table changes in a way the reader code hash would not show
CACHE_FORMAT = 1
#: a temporary folder older than this is an abandoned write (a killed process) and is removed
_STALE_TMP_SECONDS = 6 * 3600
_SIDE_CAR = "bigmed-cache.json"
#: code whose output the cache stores: a change here must not serve tables written by the old code
_READER_MODULES = ("io/vcf.py", "genomics/csq.py")


def default_min_partitions(path: str | os.PathLike, *, cores: int | None = None) -> int:
    """Import partitions from the file size and the cores: every core busy, about 32 MiB per partition.

    ``max(cores, ceil(size / 32 MiB))`` for small files and at least ``max(8, 4 x cores)`` from 64 MiB
    (four partitions per core balance the uneven chromosome sizes), at most 512. ``cores`` defaults to
    Spark's default parallelism when Hail is running (all executor cores on a cluster), else the local cores.
    """
    if cores is None:
        cores = _spark_cores()
    size = Path(path).stat().st_size
    n = max(cores, math.ceil(size / (32 * 2**20)))
    if size >= 64 * 2**20:
        n = max(n, 8, 4 * cores)
    return int(min(512, n))


def _spark_cores() -> int:
    try:
        import hail as hl

        if hl.utils.java.Env._hc is not None:
            return max(1, int(hl.spark_context().defaultParallelism))
    except Exception:  # noqa: BLE001 - no running session: fall back to the local cores
        pass
    from ..hail_session import available_cores

    return available_cores()


def _reader_fingerprint() -> str:
    return code_fingerprint(_READER_MODULES)


def _index_of(vcf: Path) -> Path | None:
    for suffix in (".tbi", ".csi"):
        idx = vcf.with_name(vcf.name + suffix)
        if idx.is_file():
            return idx
    return None


def cache_key(path: str | os.PathLike, *, options: dict[str, Any]) -> tuple[str, str]:
    """``(key, vcf_sha256)``: the 16-hex-digit cache key and the VCF's own checksum.

    The key covers the VCF bytes, its index bytes (if any), the import ``options``, the reader code and
    :data:`CACHE_FORMAT`.
    """
    p = Path(path)
    vcf_sha = sha256_file(p)
    h = hashlib.sha256()
    h.update(f"bigmed-vcf-cache/{CACHE_FORMAT}\n".encode())
    h.update(vcf_sha.encode())
    idx = _index_of(p)
    h.update((sha256_file(idx) if idx else "no-index").encode())
    h.update(json.dumps(options, sort_keys=True, default=str).encode())
    h.update(_reader_fingerprint().encode())
    return h.hexdigest()[:16], vcf_sha


def is_complete(mt_path: str | os.PathLike) -> bool:
    """True when a MatrixTable folder was fully written (Hail's ``_SUCCESS`` and metadata present)."""
    p = Path(mt_path)
    return (
        (p / "_SUCCESS").is_file()
        and (p / "metadata.json.gz").is_file()
        and all((p / part / "_SUCCESS").is_file() for part in ("rows", "cols", "entries", "globals"))
    )


def _writable_dir(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    if not os.access(folder, os.W_OK | os.X_OK):
        return False
    probe = folder / f".probe-{uuid.uuid4().hex}"
    try:
        probe.touch()
        probe.unlink()
    except OSError:
        return False
    return True


def cache_folder(path: str | os.PathLike, *, cache_dir: str | os.PathLike | None = None) -> Path | None:
    """Where the cache of ``path`` lives: ``cache_dir``, else ``$BIGMED_CACHE_DIR``, else
    ``<vcf>.bigmed-cache`` beside the VCF, else the fallback under ``$BIGMED_WORK_DIR``.

    ``$BIGMED_CACHE_DIR`` keeps raw-data folders untouched (a secure lab's read-only or audited mounts); one
    folder serves every VCF (caches are keyed by checksum and tidied per VCF path). Returns ``None`` when no
    writable folder is available (then the VCF is read without a cache).
    """
    p = Path(path).resolve()
    if cache_dir is None and os.environ.get("BIGMED_CACHE_DIR"):
        cache_dir = os.environ["BIGMED_CACHE_DIR"]
    candidates = [Path(cache_dir)] if cache_dir is not None else [p.with_name(p.name + CACHE_SUFFIX)]
    work = os.environ.get("BIGMED_WORK_DIR")
    if work:
        candidates.append(Path(work) / FALLBACK_SUBDIR / (p.name + CACHE_SUFFIX))
    for i, folder in enumerate(candidates):
        if _writable_dir(folder):
            if i > 0:
                log.info("%s: cache folder %s is not writable; caching in %s", p, candidates[0], folder)
            return folder
    log.warning("%s: no writable cache folder (%s; $BIGMED_WORK_DIR unset or read-only): reading without a cache",
                p, candidates[0])
    return None


def _tidy(folder: Path, *, keep: str, vcf: Path, vcf_sha: str) -> None:
    """Remove abandoned temporary writes and caches of an earlier version of the same VCF.

    Only caches whose record names this VCF's path are candidates: a ``cache_dir`` shared by several VCFs
    keeps the others' caches.
    """
    now = time.time()
    for entry in folder.iterdir():
        try:
            if entry.name.startswith(".tmp-") and now - entry.stat().st_mtime > _STALE_TMP_SECONDS:
                _remove(entry)
            elif entry.suffix in (".mt", ".json") and entry.name != keep and not entry.name.startswith(keep[:-3]):
                record = entry / _SIDE_CAR if entry.suffix == ".mt" else entry
                meta = json.loads(record.read_text(encoding="utf-8"))
                if meta.get("vcf") == str(vcf.resolve()) and meta.get("vcf_sha256") != vcf_sha:
                    log.info("removing the cache of an earlier version of the VCF: %s", entry)
                    _remove(entry)
        except (OSError, ValueError):
            continue


def read_vcf_cached(
    path: str | os.PathLike,
    *,
    genome_build: str = "GRCh38",
    min_partitions: int | None = None,
    cache_dir: str | os.PathLike | None = None,
    **read_vcf_kwargs: Any,
) -> Any:
    """:func:`~bigmed_utils.io.vcf.read_vcf`, imported once and read from a cached MatrixTable afterwards.

    Parameters
    ----------
    path
        VCF file (plain, gzip or bgzip), local or on a mounted file system.
    genome_build
        ``"GRCh38"`` (default) or ``"GRCh37"``; part of the cache key.
    min_partitions
        Partitions of the import; default :func:`default_min_partitions` (from the file size and the
        cores). An explicit value is part of the cache key; the default is not (partitions do not change
        the rows).
    cache_dir
        Folder for the cache instead of ``<vcf>.bigmed-cache`` (e.g. fast local disk); default
        ``$BIGMED_CACHE_DIR`` when set (see :func:`cache_folder`).
    **read_vcf_kwargs
        Other :func:`~bigmed_utils.io.vcf.read_vcf` options (``csq_required``); part of the cache key.
        ``checkpoint`` is ignored: the cache is the checkpoint.

    Returns
    -------
    hail.MatrixTable
        The same rows, entries and globals as :func:`~bigmed_utils.io.vcf.read_vcf` (global ``vcf_path`` is
        ``path`` as given).

    Raises
    ------
    InputDataError, ParameterError
        As :func:`~bigmed_utils.io.vcf.read_vcf` (checked on the first import; a cache exists only for a
        VCF that imported cleanly).
    """
    import hail as hl

    read_vcf_kwargs.pop("checkpoint", None)
    p = Path(path)
    if genome_build not in _vcf.GENOME_BUILDS or not p.is_file() or p.stat().st_size == 0:
        # let read_vcf raise its one-line error
        return _vcf.read_vcf(p, genome_build=genome_build, min_partitions=min_partitions, **read_vcf_kwargs)
    partitions = min_partitions or default_min_partitions(p)
    folder = cache_folder(p, cache_dir=cache_dir)
    if folder is None:
        return _vcf.read_vcf(p, genome_build=genome_build, min_partitions=partitions, **read_vcf_kwargs)

    options = {"genome_build": genome_build, "min_partitions": min_partitions, **read_vcf_kwargs}
    t0 = time.perf_counter()
    key, vcf_sha = cache_key(p, options=options)
    target = folder / f"{key}.mt"
    log.info("%s: sha256 %s, cache key %s (%.1f s)", p, vcf_sha[:16], key, time.perf_counter() - t0)

    cached = _read_cached(target, what=str(p))
    if cached is not None:
        return _with_cache_globals(cached, p, folder, key, vcf_sha)

    # read_vcf writes the table itself, so that a field retyped during that write (its values contradict the
    # header's type) is handled as on every other import path
    _write_atomically(
        lambda tmp: _vcf.read_vcf(p, genome_build=genome_build, min_partitions=partitions, write_to=tmp,
                                  **read_vcf_kwargs),
        target, {
        "vcf": str(p.resolve()), "vcf_sha256": vcf_sha, "vcf_size": p.stat().st_size, "options": options,
        "min_partitions": partitions,
    })
    _tidy(folder, keep=target.name, vcf=p, vcf_sha=vcf_sha)
    log.info("%s: imported and cached in %s", p, target)
    return _with_cache_globals(hl.read_matrix_table(str(target)), p, folder, key, vcf_sha)


def _read_cached(target: Path, *, what: str) -> Any:
    """The MatrixTable at ``target`` when it was written completely and Hail reads it, else ``None``.

    A folder that is incomplete or cannot be read is removed: a damaged cache is rebuilt, never trusted.
    """
    import hail as hl

    if not target.exists():
        return None
    if is_complete(target):
        try:
            mt = hl.read_matrix_table(str(target))
            log.info("%s: read from the cache %s", what, target)
            return mt
        except Exception as exc:  # noqa: BLE001 - see the docstring
            if not type(exc).__module__.startswith(("hail", "py4j", "pyspark")):
                raise
            log.warning("%s: cache %s cannot be read (%s); computing again", what, target, str(exc).splitlines()[0][:200])
    else:
        log.warning("%s: cache %s is incomplete (no _SUCCESS/metadata); computing again", what, target)
    _remove(target)
    return None


def _write_atomically(write: Callable[[str], Any], target: Path, record: dict[str, Any]) -> None:
    """``write(tmp)`` a MatrixTable and its side-car ``record`` under a unique temporary name beside
    ``target``, then rename.

    The rename is atomic on one file system, so ``target`` exists only when complete; when a concurrent
    writer finished first, its table is kept and this one dropped.
    """
    tmp = target.with_name(f".tmp-{target.stem}-{uuid.uuid4().hex[:8]}.mt")
    try:
        write(str(tmp))
        (tmp / _SIDE_CAR).write_text(json.dumps(
            {**record, "written": time.strftime("%Y-%m-%dT%H:%M:%S%z")}, indent=1, default=str
        ) + "\n", encoding="utf-8")
        try:
            os.rename(tmp, target)
        except OSError:
            if not is_complete(target):  # not a concurrent writer that finished first
                raise
            _remove(tmp)
    except Exception:
        _remove(tmp)
        raise


def _with_cache_globals(mt: Any, vcf: Path, folder: Path, key: str, vcf_sha: str) -> Any:
    """``vcf_path`` as given, and where the cache lives (for :func:`cached_derived`)."""
    import hail as hl

    return mt.annotate_globals(
        vcf_path=str(vcf),
        bigmed_cache=hl.struct(folder=str(folder), key=key, vcf=str(vcf.resolve()), vcf_sha256=vcf_sha),
    )


def _cache_of(mt: Any) -> dict[str, str] | None:
    import hail as hl

    if "bigmed_cache" not in mt.globals:
        return None
    return dict(hl.eval(mt.bigmed_cache))


def _derived_key(cache: dict[str, str], name: str, options: dict[str, Any], code: tuple[str, ...]) -> str:
    prefix = f"{cache['key']}\n{name}\n" + json.dumps(options, sort_keys=True, default=str)
    return code_fingerprint(code, prefix=prefix)


def cached_derived(
    mt: Any, *, name: str, options: dict[str, Any], build: Callable[[Any], Any], code: tuple[str, ...] = ()
) -> Any:
    """A MatrixTable computed from a cached VCF import, written once beside the import and read afterwards.

    For work that does not depend on an analysis's thresholds (a family's rare rows, say): a re-analysis
    reads the small result instead of passing over every row again.

    Parameters
    ----------
    mt
        From :func:`read_vcf_cached`. A table without a cache (read-only folder) is passed to ``build``
        and the result returned uncached.
    name
        What the table is (part of the file name and the key).
    options
        Everything ``build`` depends on besides the VCF (samples, ceilings...); part of the key.
    build
        ``build(mt) -> MatrixTable``.
    code
        Package modules (``"genomics/rare_rows.py"``) whose code ``build`` runs: an edit gives a new key.

    Returns
    -------
    hail.MatrixTable
        Read from ``<cache folder>/<vcf key>.<name>-<key>.mt``, with the globals of ``mt`` that say
        where the VCF and its cache are.
    """
    import hail as hl

    cache = _cache_of(mt)
    if cache is None:
        return build(mt)
    folder = Path(cache["folder"])
    target = folder / f"{cache['key']}.{name}-{_derived_key(cache, name, options, code)}.mt"
    out = _read_cached(target, what=f"{cache['vcf']} ({name})")
    if out is None:
        _write_atomically(lambda tmp: build(mt).write(tmp, overwrite=True), target, {
            "vcf": cache["vcf"], "vcf_sha256": cache["vcf_sha256"], "derived_from": cache["key"], "name": name,
            "options": options,
        })
        log.info("%s: %s cached in %s", cache["vcf"], name, target.name)
        out = hl.read_matrix_table(str(target))
    return out.annotate_globals(vcf_path=hl.eval(mt.vcf_path), bigmed_cache=hl.struct(**cache))


def cached_json(
    mt: Any, *, name: str, options: dict[str, Any], build: Callable[[], Any], code: tuple[str, ...] = ()
) -> Any:
    """Like :func:`cached_derived` for a small JSON-serialisable result (``build() -> dict/list``)."""
    cache = _cache_of(mt)
    if cache is None:
        return build()
    folder = Path(cache["folder"])
    target = folder / f"{cache['key']}.{name}-{_derived_key(cache, name, options, code)}.json"
    try:
        record = json.loads(target.read_text(encoding="utf-8"))
        if record.get("vcf_sha256") == cache["vcf_sha256"]:
            log.info("%s: %s read from the cache %s", cache["vcf"], name, target.name)
            return record["value"]
    except (OSError, ValueError, KeyError):
        pass
    value = build()
    atomic_write_text(target, json.dumps({"vcf": cache["vcf"], "vcf_sha256": cache["vcf_sha256"], "name": name,
                                          "options": options, "value": value}) + "\n")
    log.info("%s: %s cached in %s", cache["vcf"], name, target.name)
    return value


def _remove(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
    if path.exists() and not path.is_dir():
        path.unlink(missing_ok=True)


#: this module's public name for the file checksum (one implementation: :func:`bigmed_utils._fs.sha256_file`)
file_sha256 = sha256_file


__all__ = ["cache_folder", "cache_key", "cached_derived", "cached_json", "default_min_partitions", "file_sha256", "is_complete", "read_vcf_cached"]
