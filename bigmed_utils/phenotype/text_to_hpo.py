"""Offline extraction of HPO terms from a free-text clinical note, with ConText-style assertion.

Method (dictionary look-up, no network, no model):

1. The dictionary holds, for every current term under *Phenotypic abnormality* (HP:0000118), its hpo3
   name, and its name and **EXACT** synonyms from the bundled ``hp.obo`` (BROAD/NARROW/RELATED synonyms
   are too loose for automatic coding). Obsolete obo terms are mapped to their replacement in hpo3.
   Abbreviation synonyms and phrases shorter than four characters are left out: in free text "ASD" or
   "ID" are ambiguous.
2. The note is split into sentences (``. ; ! ?`` and line breaks) and words (case-insensitive). At each
   word the **longest** dictionary phrase starting there wins, and matching resumes after it; a phrase does
   not run across punctuation.
3. Each mention is asserted by :mod:`bigmed_utils.phenotype.context` (ConText, Harkema et al. 2009): negated
   (excluded), uncertain ("possible", "rule out"), hypothetical ("if seizures occur"), or said of a relative
   ("mother has seizures", "family history of", "epilepsy in his brother"). Cue words inside a matched
   phrase belong to the phrase; scopes stop at terminators and at commas that end a list of findings.

What each function returns:

* :func:`extract_hpo`: the **patient's** mentions, observed or excluded (uncertain and hypothetical
  mentions are not phenotypes of the patient and are left out; relatives' findings too);
* :func:`family_history`: the relatives' mentions, kept apart (term, relative, present or absent);
* :func:`analyse_note`: every mention with its full assertion, for review;
* :func:`terms_from_text`: the patient's distinct observed and excluded ids, where an affirmation wins over a
  negation of the same term and an excluded term that is an ancestor of an observed one is dropped ("no
  seizures ... focal seizures since age 2": the patient has a seizure disorder).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from .context import assert_mentions, tokenize
from .ontology import obo_terms, phenotypic_abnormality_ids, resolve_term, term_name

_WORD_RE = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
_SENTENCE_RE = re.compile(r"[^.;!?\n]+")
_MAX_PHRASE_WORDS = 12
_MIN_PHRASE_CHARS = 4

#: columns of :func:`extract_hpo` (unchanged contract)
COLUMNS = ["hpo_id", "name", "excluded", "matched_text", "start", "end"]
#: columns of :func:`analyse_note`
NOTE_COLUMNS = ["hpo_id", "name", "status", "excluded", "uncertain", "hypothetical", "relative", "cues",
                "matched_text", "start", "end"]


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
class Mention:
    """One HPO term found in a note, with its assertion."""

    hpo_id: str
    matched_text: str
    start: int
    end: int
    excluded: bool
    uncertain: bool
    hypothetical: bool
    relative: str | None
    cues: tuple[str, ...]

    @property
    def status(self) -> str:
        """``family``, ``hypothetical``, ``uncertain``, ``excluded`` or ``observed`` (first that applies)."""
        if self.relative is not None:
            return "family"
        if self.hypothetical:
            return "hypothetical"
        if self.uncertain:
            return "uncertain"
        return "excluded" if self.excluded else "observed"


def _match_sentence(tokens, phrases: dict[tuple[str, ...], str]) -> list[tuple[int, int, str]]:
    """Longest dictionary phrases over consecutive word tokens: ``(first, last + 1, hpo_id)``."""
    matches: list[tuple[int, int, str]] = []
    i = 0
    while i < len(tokens):
        if not tokens[i].is_word:
            i += 1
            continue
        run = i
        while run < len(tokens) and run - i < _MAX_PHRASE_WORDS and tokens[run].is_word:
            run += 1
        for length in range(run - i, 0, -1):
            hpo_id = phrases.get(tuple(t.text for t in tokens[i:i + length]))
            if hpo_id is not None:
                matches.append((i, i + length, hpo_id))
                i += length
                break
        else:
            i += 1
    return matches


def mentions(text: str) -> list[Mention]:
    """Every HPO mention of ``text`` in order, asserted sentence by sentence."""
    phrases = phrase_dictionary()
    out: list[Mention] = []
    for sentence in _SENTENCE_RE.finditer(text or ""):
        tokens = tokenize(sentence.group(0))
        found = _match_sentence(tokens, phrases)
        if not found:
            continue
        assertions = assert_mentions(tokens, [(first, last) for first, last, _ in found])
        for (first, last, hpo_id), a in zip(found, assertions):
            start = sentence.start() + tokens[first].start
            end = sentence.start() + tokens[last - 1].end
            out.append(Mention(hpo_id, text[start:end], start, end, a.negated, a.uncertain, a.hypothetical,
                               a.relative, tuple(a.cues)))
    return out


def analyse_note(text: str) -> pd.DataFrame:
    """Every mention with its assertion: columns :data:`NOTE_COLUMNS` (``status`` is ``observed``,
    ``excluded``, ``uncertain``, ``hypothetical`` or ``family``; ``cues`` the trigger phrases in scope)."""
    rows = [{"hpo_id": m.hpo_id, "name": term_name(m.hpo_id), "status": m.status, "excluded": m.excluded,
             "uncertain": m.uncertain, "hypothetical": m.hypothetical, "relative": m.relative,
             "cues": "; ".join(m.cues), "matched_text": m.matched_text, "start": m.start, "end": m.end}
            for m in mentions(text)]
    return pd.DataFrame(rows, columns=NOTE_COLUMNS)


def extract_hpo(text: str) -> pd.DataFrame:
    """The patient's phenotype mentions in a clinical note.

    Parameters
    ----------
    text
        Free text in English, e.g. ``"Global developmental delay and seizures. No microcephaly."``.

    Returns
    -------
    pandas.DataFrame
        One row per mention of the patient's observed or excluded findings, in text order, with columns
        ``hpo_id``, ``name`` (hpo3 label), ``excluded`` (bool: negated in the text), ``matched_text`` (the
        words as written), ``start``, ``end`` (character offsets in ``text``). Uncertain and hypothetical
        mentions and relatives' findings are not the patient's phenotypes and are left out (see
        :func:`analyse_note`, :func:`family_history`).
    """
    rows = [{"hpo_id": m.hpo_id, "name": term_name(m.hpo_id), "excluded": m.excluded,
             "matched_text": m.matched_text, "start": m.start, "end": m.end}
            for m in mentions(text) if m.status in ("observed", "excluded")]
    return pd.DataFrame(rows, columns=COLUMNS).astype({"excluded": bool})


def family_history(text: str) -> pd.DataFrame:
    """Findings a note attributes to relatives, kept apart from the patient's.

    Returns
    -------
    pandas.DataFrame
        Columns ``hpo_id``, ``name``, ``relative`` (e.g. ``"mother"``, ``"maternal uncle"``,
        ``"family history"``), ``excluded`` (the relative does not have it), ``matched_text``, ``start``, ``end``.
    """
    rows = [{"hpo_id": m.hpo_id, "name": term_name(m.hpo_id), "relative": m.relative, "excluded": m.excluded,
             "matched_text": m.matched_text, "start": m.start, "end": m.end}
            for m in mentions(text) if m.status == "family"]
    columns = ["hpo_id", "name", "relative", "excluded", "matched_text", "start", "end"]
    return pd.DataFrame(rows, columns=columns).astype({"excluded": bool})


def terms_from_text(text: str) -> tuple[list[str], list[str]]:
    """The patient's distinct observed and excluded HPO ids of a note.

    A term both affirmed and negated counts as observed (an affirmation is the stronger statement in a
    clinical note), and an excluded term that is an ancestor of an observed term is dropped: "no seizures"
    next to "focal clonic seizures" does not exclude seizures.
    """
    from .ontology import term

    table = extract_hpo(text)
    observed = list(dict.fromkeys(table.loc[~table["excluded"], "hpo_id"]))
    observed_terms = [term(t) for t in observed]
    excluded = []
    for hpo_id in dict.fromkeys(table.loc[table["excluded"], "hpo_id"]):
        candidate = term(hpo_id)
        if hpo_id in observed or any(o is not None and candidate is not None and o.child_of(candidate)
                                     for o in observed_terms):
            continue
        excluded.append(hpo_id)
    return observed, excluded


__all__ = ["COLUMNS", "Mention", "NOTE_COLUMNS", "analyse_note", "extract_hpo", "family_history", "mentions",
           "phrase_dictionary", "terms_from_text"]
