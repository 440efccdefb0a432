"""A growing, versioned local store of earlier cases: the colorectal and cardiac counterpart of the rare-disease
in-house database (:mod:`bigmed_utils.genomics.inhouse_db`), with the same layout and guarantees.

Layout of a store folder::

    CURRENT              name of the current version folder (replaced atomically with os.replace)
    v000001/ v000002/    versions; each complete before CURRENT points to it
        cases.json       one record per earlier case (patient or family), keyed by its id
        meta.json        kind (the analysis), version, cases, key
    .lock                held while a version is written (two writers wait for each other)

Adding a case that is already present replaces its record (a re-run does not count twice). Every addition
writes a new version folder and then swaps ``CURRENT``, so a reader sees the old or the new version whole;
the two most recent versions are kept. The store's version is recorded in the provenance of every run that
reads it (:func:`bigmed_utils.knowledge.store_version`), so ``bigmed reanalyse`` sees when it grew.

One store holds one kind of case: ``colorectal_cancer`` (:mod:`bigmed_utils.oncology.similar_patients`) or
``sudden_cardiac_death`` (:mod:`bigmed_utils.cardiac.similar_families`). ``bigmed inhouse add RUN_DIR --db
PATH`` adds a finished run of any area (:func:`add_run`; rare-disease runs go to the Hail in-house database).
"""

from __future__ import annotations

import fcntl
import json
import shutil
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

from ._fs import atomic_write_text
from .errors import InputDataError, ParameterError

CURRENT_FILE = "CURRENT"
#: the id field of each kind's records
KEYS: dict[str, str] = {"colorectal_cancer": "patient_id", "sudden_cardiac_death": "family_id"}


@dataclass
class StoreUpdate:
    """What :func:`add_records` did; ``message`` is one line for the command line."""

    store: Path
    kind: str
    version: str
    added: list[str]
    replaced: list[str]
    n_cases: int

    @property
    def message(self) -> str:
        what = ", ".join(self.added + self.replaced) if len(self.added) + len(self.replaced) <= 3 else \
            f"{len(self.added) + len(self.replaced)} cases"
        verb = "replaced" if self.replaced and not self.added else "added"
        return f"{verb} {what} in {self.store.name}: {self.n_cases} cases, version {self.version}"


def current_version(store: str | Path) -> Path | None:
    """The folder of the current version, or ``None`` for an empty or new store."""
    folder = Path(store)
    pointer = folder / CURRENT_FILE
    if not pointer.is_file():
        return None
    version = folder / pointer.read_text(encoding="utf-8").strip()
    if not (version / "meta.json").is_file():
        raise InputDataError(f"{folder}: store is damaged ({CURRENT_FILE} names a missing version {version.name})")
    return version


def read_meta(store: str | Path) -> dict[str, Any]:
    """``meta.json`` of the current version (``{}`` for an empty store)."""
    version = current_version(store)
    return {} if version is None else json.loads((version / "meta.json").read_text(encoding="utf-8"))


def read_records(store: str | Path, *, kind: str | None = None) -> list[dict[str, Any]]:
    """The records of the current version (``[]`` for an absent or empty store).

    Raises
    ------
    InputDataError
        ``kind`` is given and the store holds another kind of case.
    """
    version = current_version(store)
    if version is None:
        return []
    meta = json.loads((version / "meta.json").read_text(encoding="utf-8"))
    if kind is not None and meta.get("kind") != kind:
        raise InputDataError(f"{store}: the store holds {_kind(meta)} cases, not {kind}")
    return json.loads((version / "cases.json").read_text(encoding="utf-8"))


def _kind(meta: Mapping[str, Any]) -> str:
    """The kind of a store's cases; the rare-disease in-house database (same layout) writes none."""
    return str(meta.get("kind") or "rare_disease")


@contextmanager
def _locked(store: Path) -> Iterator[None]:
    store.mkdir(parents=True, exist_ok=True)
    with open(store / ".lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def add_records(store: str | Path, kind: str, records: Iterable[Mapping[str, Any]], *,
                keep_versions: int = 2) -> StoreUpdate:
    """Add (or replace, by id) ``records`` of ``kind`` and publish them as a new version.

    Raises
    ------
    ParameterError
        An unknown kind, or ``store`` is a file.
    InputDataError
        A record without its id, or the store holds another kind of case.
    """
    if kind not in KEYS:
        raise ParameterError(f"store kind {kind!r} is not one of {', '.join(KEYS)}")
    key = KEYS[kind]
    folder = Path(store)
    if folder.exists() and not folder.is_dir():
        raise ParameterError(f"case store {folder} is a file, not a folder")
    new = [dict(r) for r in records]
    for r in new:
        if not str(r.get(key) or "").strip():
            raise InputDataError(f"{folder}: a {kind} record has no {key}")
    with _locked(folder):
        old = current_version(folder)
        meta = read_meta(folder)
        if meta and meta.get("kind") != kind:
            raise InputDataError(f"{folder}: the store holds {_kind(meta)} cases, not {kind}")
        existing = read_records(folder) if old is not None else []
        ids = {str(r[key]) for r in new}
        kept = [r for r in existing if str(r[key]) not in ids]
        before = {str(r[key]) for r in existing}
        stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
        for r in new:
            r.setdefault("added", stamp)
        cases = sorted(kept + new, key=lambda r: str(r[key]))
        number = int(old.name[1:]) + 1 if old is not None else 1
        version = f"v{number:06d}"
        staging = folder / f".staging-{uuid.uuid4().hex}"
        staging.mkdir()
        (staging / "cases.json").write_text(json.dumps(cases, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        (staging / "meta.json").write_text(json.dumps({"kind": kind, "key": key, "version": version,
                                                       "cases": len(cases)}, indent=1) + "\n", encoding="utf-8")
        staging.rename(folder / version)
        atomic_write_text(folder / CURRENT_FILE, version + "\n")  # the swap
        versions = sorted(p for p in folder.iterdir() if p.is_dir() and p.name.startswith("v") and p.name[1:].isdigit())
        for stale in versions[:-keep_versions]:
            shutil.rmtree(stale, ignore_errors=True)
    order = [str(r[key]) for r in new]
    return StoreUpdate(store=folder, kind=kind, version=version, added=[i for i in order if i not in before],
                       replaced=[i for i in order if i in before], n_cases=len(cases))


def add_run(store: str | Path, run_dir: str | Path) -> Any:
    """Add a finished run folder of ``bigmed run`` to the store of its area.

    A ``rare_disease`` run goes to the Hail in-house database (:func:`bigmed_utils.genomics.inhouse_db.add_case`);
    ``colorectal_cancer`` and ``sudden_cardiac_death`` runs to a case store of that kind. Returns an object
    whose ``message`` is the line to print.
    """
    run = Path(run_dir)
    summary_file = run / "summary.json"
    if not summary_file.is_file():
        raise InputDataError(f"{run}: not a finished run folder (no summary.json)")
    summary = json.loads(summary_file.read_text(encoding="utf-8"))
    analysis = summary.get("analysis")
    if analysis == "rare_disease":
        from .genomics.inhouse_db import add_case

        return add_case(store, run)
    provenance_file = run / "provenance.json"
    params = json.loads(provenance_file.read_text(encoding="utf-8")).get("parameters", {}) \
        if provenance_file.is_file() else {}
    if analysis == "colorectal_cancer":
        from .oncology.similar_patients import record_from_run

        return add_records(store, analysis, [record_from_run(summary, params)])
    if analysis == "sudden_cardiac_death":
        from .cardiac.similar_families import record_from_summary

        return add_records(store, analysis, [record_from_summary(summary)])
    raise InputDataError(f"{summary_file}: analysis {analysis!r} has no in-house store "
                         "(rare_disease, colorectal_cancer and sudden_cardiac_death have)")


__all__ = ["KEYS", "StoreUpdate", "add_records", "add_run", "current_version", "read_meta", "read_records"]
