"""The knowledge a result depends on, recorded in every run's ``provenance.json`` (key ``knowledge``).

A case's inputs (its VCF, PED, MAF, clinical files) do not change after it arrived; what the lab knows does:
the analysis code, the bundled reference data (HPO, gene panels, the ACMG gene lists, the actionability
knowledge base), the HPO release inside the hpo3 wheel and the in-house stores of earlier cases. This module
records the version of each, so that ``bigmed reanalyse`` can find finished cases whose knowledge changed
and say which item changed (old -> new).

Everything is read, never hard-coded: the data files and their declared versions come from the data
manifest (``MANIFEST.yaml`` of :func:`bigmed_utils._resources.data_dir`, with the sha256 of each file, so
an edit that forgot to bump the version is still seen); a store's version from its ``CURRENT`` pointer and
``meta.json`` (the layout of :mod:`bigmed_utils.genomics.inhouse_db` and :mod:`bigmed_utils.case_store`).

Which files and code an analysis uses is listed per analysis (:data:`DATA_SCOPES`, :data:`CODE_SCOPES`);
an analysis not listed (a new notebook) depends on all of them.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from ._fs import sha256_file

#: parameters naming a store of earlier cases: knowledge, not input (their files are not hashed as inputs)
STORE_PARAMS: tuple[str, ...] = ("inhouse_db",)

#: reference-data folders (prefixes of MANIFEST paths) each analysis reads
DATA_SCOPES: dict[str, tuple[str, ...]] = {
    "rare_disease": ("hpo/", "acmg/"),
    "sudden_cardiac_death": ("cardiac/", "acmg/"),
    "colorectal_cancer": ("oncology/",),
    "colorectal_cohort": ("oncology/",),
}

#: package modules whose code shapes each analysis' results (besides :data:`COMMON_CODE` and the notebook)
CODE_SCOPES: dict[str, tuple[str, ...]] = {
    "rare_disease": ("genomics", "phenotype", "rare_disease", "io"),
    "sudden_cardiac_death": ("cardiac", "genomics", "io"),
    "colorectal_cancer": ("oncology", "io"),
    "colorectal_cohort": ("oncology", "io"),
}
COMMON_CODE: tuple[str, ...] = ("params.py", "summary.py", "_resources.py", "case_store.py", "contract")

#: analyses whose results depend on the HPO release carried by the hpo3 wheel
USES_HPO: frozenset[str] = frozenset({"rare_disease"})


def _package_dir() -> Path:
    return Path(__file__).resolve().parent


def code_fingerprint(analysis: str, *, notebook: str | Path | None = None) -> dict[str, Any]:
    """sha256 over the analysis' modules (relative path + bytes, sorted) and its notebook."""
    root = _package_dir()
    scope = CODE_SCOPES.get(analysis)
    if scope is None:
        files = sorted(root.rglob("*.py"))
    else:
        # the analysis' own package (its contract and display modules) shapes its results too
        files = sorted({f for part in (*scope, analysis, *COMMON_CODE) for f in
                        ([root / part] if part.endswith(".py") else (root / part).rglob("*.py")) if f.is_file()})
    digest = hashlib.sha256()
    for f in files:
        digest.update(str(f.relative_to(root)).encode() + b"\0" + f.read_bytes() + b"\0")
    n = len(files)
    if notebook is not None and Path(notebook).is_file():
        digest.update(b"notebook\0" + Path(notebook).read_bytes())
        n += 1
    return {"sha256": digest.hexdigest(), "files": n}


@lru_cache(maxsize=64)
def _file_sha(path: str, mtime_ns: int, size: int) -> str:  # noqa: ARG001 - the cache key
    return sha256_file(path)


def data_versions(analysis: str) -> dict[str, dict[str, Any]]:
    """``{manifest path: {"version", "sha256"}}`` of the reference files the analysis reads."""
    import yaml

    from ._resources import data_dir

    folder = data_dir()
    manifest = yaml.safe_load((folder / "MANIFEST.yaml").read_text(encoding="utf-8")) or {}
    prefixes = DATA_SCOPES.get(analysis)
    out: dict[str, dict[str, Any]] = {}
    for entry in manifest.get("files") or []:
        rel = str(entry.get("path", ""))
        if not rel or (prefixes is not None and not rel.startswith(prefixes)):
            continue
        path = folder / rel
        sha = None
        if path.is_file():
            st = path.stat()
            sha = _file_sha(str(path), st.st_mtime_ns, st.st_size)
        out[rel] = {"version": None if entry.get("version") is None else str(entry.get("version")), "sha256": sha}
    return out


@lru_cache(maxsize=1)
def hpo_release() -> dict[str, Any]:
    """The HPO release the analyses use (the bundled one, loaded into hpo3) and hpo3's version."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        package = version("hpo3")
    except PackageNotFoundError:
        return {"release": None, "hpo3": None}
    # the bundled release (its files are checked against it by the tests); the analyses' own processes
    # refuse an hpo3 that holds another one (phenotype.ontology.ontology). Loading the ontology here only to
    # read its version cost the runner's pre-flight ~0.9 s on every run.
    from .phenotype.ontology import HPO_RELEASE

    return {"release": HPO_RELEASE, "hpo3": package}


def store_version(path: str | Path | None) -> dict[str, Any]:
    """Version of a store of earlier cases: ``{"name", "version", "cases", "sha256", "kind"}``.

    Reads ``CURRENT`` and the version's ``meta.json`` (and hashes its ``cases.json``); an absent or empty
    store is ``{"name", "version": None, "cases": 0}``.
    """
    if path is None:
        return {"name": None, "version": None, "cases": 0}
    folder = Path(path)
    info: dict[str, Any] = {"name": folder.name, "version": None, "cases": 0, "sha256": None, "kind": None}
    pointer = folder / "CURRENT"
    if not pointer.is_file():
        return info
    current = folder / pointer.read_text(encoding="utf-8").strip()
    meta_file = current / "meta.json"
    if not meta_file.is_file():
        return {**info, "version": f"damaged ({current.name})"}
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    cases = current / "cases.json"
    info.update(version=str(meta.get("version") or current.name), cases=int(meta.get("cases") or 0),
                sha256=sha256_file(cases) if cases.is_file() else sha256_file(meta_file),
                kind=meta.get("kind") or "rare_disease")
    return info


def knowledge_versions(analysis: str, params: Mapping[str, Any], *, notebook: str | Path | None = None) -> dict[str, Any]:
    """The ``knowledge`` entry of ``provenance.json`` for a run of ``analysis`` with ``params``.

    Returns
    -------
    dict
        ``bigmed_utils`` (package version), ``code`` (:func:`code_fingerprint`), ``data``
        (:func:`data_versions`), ``hpo`` (:func:`hpo_release`, for analyses in :data:`USES_HPO`) and
        ``stores`` (``{parameter: store_version(...)}`` for every store parameter that is set).
    """
    from . import __version__

    out: dict[str, Any] = {
        "bigmed_utils": __version__,
        "code": code_fingerprint(analysis, notebook=notebook),
        "data": data_versions(analysis),
    }
    if analysis in USES_HPO or analysis not in DATA_SCOPES:
        try:
            out["hpo"] = hpo_release()
        except Exception:  # noqa: BLE001 - an unreadable ontology must not stop a run from recording the rest
            out["hpo"] = {"release": None, "hpo3": None}
    out["stores"] = {k: store_version(params.get(k)) for k in STORE_PARAMS if params.get(k)}
    return out


def _short(sha: Any) -> str:
    return str(sha)[:12] if sha else "missing"


def knowledge_items(knowledge: Mapping[str, Any]) -> dict[str, str]:
    """``{item: readable value}``: one line per knowledge item, the form diffs and reports show."""
    items: dict[str, str] = {}
    if "bigmed_utils" in knowledge:
        items["bigmed_utils version"] = str(knowledge["bigmed_utils"])
    code = knowledge.get("code") or {}
    if code:
        items["analysis code"] = f"sha256 {_short(code.get('sha256'))} ({code.get('files')} files)"
    for rel, f in sorted((knowledge.get("data") or {}).items()):
        items[f"reference data {rel}"] = f"version {f.get('version')} (sha256 {_short(f.get('sha256'))})"
    hpo = knowledge.get("hpo")
    if hpo:
        items["HPO release"] = f"{hpo.get('release')} (hpo3 {hpo.get('hpo3')})"
    for param, s in sorted((knowledge.get("stores") or {}).items()):
        label = f"in-house store {param}" + (f" ({s['name']})" if s.get("name") else "")
        items[label] = ("empty" if not s.get("version")
                        else f"{s['version']}, {s.get('cases', 0)} case(s) (sha256 {_short(s.get('sha256'))})")
    return items


def diff_knowledge(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> list[dict[str, str]]:
    """The knowledge items that differ: ``[{"item", "old", "new"}]`` (``"none"`` where an item is absent)."""
    before, after = knowledge_items(old or {}), knowledge_items(new)
    return [{"item": k, "old": before.get(k, "none"), "new": after.get(k, "none")}
            for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)]


__all__ = [
    "CODE_SCOPES",
    "DATA_SCOPES",
    "STORE_PARAMS",
    "code_fingerprint",
    "data_versions",
    "diff_knowledge",
    "hpo_release",
    "knowledge_items",
    "knowledge_versions",
    "store_version",
]
