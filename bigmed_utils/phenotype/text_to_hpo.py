"""Offline extraction of HPO terms from a free-text clinical note, with negation.

Method (dictionary look-up, no network, no model):

1. The dictionary holds, for every current term under *Phenotypic abnormality* (HP:0000118), its hpo3
   name, and its name and **EXACT** synonyms from the bundled ``hp.obo`` (BROAD/NARROW/RELATED synonyms
   are too loose for automatic coding). Obsolete obo terms are mapped to their replacement in hpo3.
   Abbreviation synonyms and phrases shorter than four characters are left out: in free text "ASD" or
   "ID" are ambiguous.
2. The note is split into sentences (``. ; ! ?`` and line breaks) and words (case-insensitive). At each
   word the **longest** dictionary phrase starting there wins, and matching resumes after it.
3. A match is **excluded** (negated) when a negation cue precedes it in the same sentence and no scope
   terminator ("but", "however", "although", "except", "apart from") lies between cue and match
   (a NegEx-style forward scope, Chapman et al. 2001 J Biomed Inform 34:301). Cues: no, not, denies,
   denied, without, absence of, absent, negative for, free of, never, ruled out, rules out. A few
   post-cues after the term in the same sentence also negate it: "absent", "not seen", "not observed",
   "not present", "ruled out", "was excluded", "were excluded".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from .ontology import obo_terms, phenotypic_abnormality_ids, resolve_term, term_name

_WORD_RE = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
_SENTENCE_RE = re.compile(r"[^.;!?\n]+")
_MAX_PHRASE_WORDS = 12
_MIN_PHRASE_CHARS = 4

#: negation cues before a term (multi-word cues are matched as word sequences)
PRE_NEGATION_CUES: tuple[tuple[str, ...], ...] = (
    ("no",), ("not",), ("denies",), ("denied",), ("deny",), ("without",), ("absence", "of"), ("absent",),
    ("negative", "for"), ("free", "of"), ("never",), ("ruled", "out"), ("rules", "out"), ("nor",),
)
#: cues after a term that negate it
POST_NEGATION_CUES: tuple[tuple[str, ...], ...] = (
    ("absent",), ("not", "seen"), ("not", "observed"), ("not", "present"), ("ruled", "out"),
    ("was", "excluded"), ("were", "excluded"), ("is", "absent"), ("are", "absent"),
)
#: words that end the scope of a preceding negation cue
SCOPE_TERMINATORS: frozenset[str] = frozenset({"but", "however", "although", "though", "except", "apart", "yet"})


def _normalise(text: str) -> tuple[str, ...]:
    return tuple(_WORD_RE.findall(text.lower()))


@lru_cache(maxsize=1)
def phrase_dictionary() -> dict[tuple[str, ...], str]:
    """Normalised phrase (tuple of lower-case words) -> current HPO id (built once, about 2 s)."""
    allowed = phenotypic_abnormality_ids()
    phrases: dict[tuple[str, ...], str] = {}

    def add(text: str, hpo_id: str) -> None:
        words = _normalise(text)
        if not words or len(" ".join(words)) < _MIN_PHRASE_CHARS or len(words) > _MAX_PHRASE_WORDS:
            return
        # the first writer wins: hpo3 names are added first, so they beat a clashing obo synonym
        phrases.setdefault(words, hpo_id)

    for hpo_id in sorted(allowed):
        add(term_name(hpo_id), hpo_id)
    for obo in obo_terms().values():
        target = obo.id
        if target not in allowed:
            try:
                target = resolve_term(obo.id, source="bundled hp.obo")
            except Exception:  # a term hpo3 no longer has and that has no replacement: skip it
                continue
            if target not in allowed:
                continue
        add(obo.name, target)
        for text, scope, syn_type in obo.synonyms:
            if scope == "EXACT" and syn_type != "abbreviation":
                add(text, target)
    return phrases


@dataclass(frozen=True)
class TextMatch:
    """One term found in the text."""

    hpo_id: str
    name: str
    excluded: bool
    matched_text: str
    start: int
    end: int


def _starts_with(words: list[str], index: int, cue: tuple[str, ...]) -> bool:
    return tuple(words[index : index + len(cue)]) == cue


def _extract_sentence(sentence: str, offset: int, phrases: dict[tuple[str, ...], str]) -> list[TextMatch]:
    tokens = [(m.group(0), m.start(), m.end()) for m in _WORD_RE.finditer(sentence.lower())]
    words = [t[0] for t in tokens]
    matches: list[tuple[int, int, str]] = []  # (first word, last word + 1, id)
    i = 0
    while i < len(words):
        for length in range(min(_MAX_PHRASE_WORDS, len(words) - i), 0, -1):
            hpo_id = phrases.get(tuple(words[i : i + length]))
            if hpo_id is not None:
                matches.append((i, i + length, hpo_id))
                i += length
                break
        else:
            i += 1
    found: list[TextMatch] = []
    for first, last, hpo_id in matches:
        negated = False
        # forward scope: the nearest cue before the match, with no terminator in between
        for j in range(first - 1, -1, -1):
            if words[j] in SCOPE_TERMINATORS:
                break
            if any(_starts_with(words, j, cue) and j + len(cue) <= first for cue in PRE_NEGATION_CUES):
                negated = True
                break
        if not negated:
            for j in range(last, len(words)):
                if words[j] in SCOPE_TERMINATORS:
                    break
                if any(_starts_with(words, j, cue) for cue in POST_NEGATION_CUES):
                    negated = True
                    break
        start, end = offset + tokens[first][1], offset + tokens[last - 1][2]
        found.append(TextMatch(hpo_id, term_name(hpo_id), negated, "", start, end))
    return found


def extract_hpo(text: str) -> pd.DataFrame:
    """Find HPO terms in a clinical note.

    Parameters
    ----------
    text
        Free text in English, e.g. ``"Global developmental delay and seizures. No microcephaly."``.

    Returns
    -------
    pandas.DataFrame
        One row per mention, in text order, with columns ``hpo_id``, ``name`` (hpo3 label), ``excluded``
        (bool: negated in the text), ``matched_text`` (the words as written), ``start``, ``end``
        (character offsets in ``text``).
    """
    phrases = phrase_dictionary()
    rows: list[TextMatch] = []
    for sentence in _SENTENCE_RE.finditer(text or ""):
        for match in _extract_sentence(sentence.group(0), sentence.start(), phrases):
            rows.append(
                TextMatch(match.hpo_id, match.name, match.excluded, text[match.start : match.end], match.start, match.end)
            )
    columns = ["hpo_id", "name", "excluded", "matched_text", "start", "end"]
    return pd.DataFrame([r.__dict__ for r in rows], columns=columns).astype({"excluded": bool})


def terms_from_text(text: str) -> tuple[list[str], list[str]]:
    """The distinct observed and excluded HPO ids of a note (a term both affirmed and negated counts as
    observed: an affirmation is the stronger statement in a clinical note)."""
    table = extract_hpo(text)
    observed = list(dict.fromkeys(table.loc[~table["excluded"], "hpo_id"]))
    excluded = [i for i in dict.fromkeys(table.loc[table["excluded"], "hpo_id"]) if i not in observed]
    return observed, excluded


__all__ = ["extract_hpo", "phrase_dictionary", "terms_from_text", "TextMatch"]
