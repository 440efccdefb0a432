"""ConText-style assertion of concept mentions in one sentence: negated, uncertain, hypothetical, or said of a
relative (experiencer) rather than of the patient.

Algorithm: ConText (Harkema, Dowling, Thornblade & Chapman 2009 J Biomed Inform 42:839), which extends NegEx
(Chapman et al. 2001 J Biomed Inform 34:301):

* **cues** (trigger phrases) are found on the words that are *not* part of a concept mention: a cue word
  inside a matched HPO phrase belongs to the phrase ("Absent speech" is a finding, not a negation of
  "speech"). At each word the longest cue wins, so a **pseudo-cue** ("no increase", "not only", "no longer",
  "not ruled out") consumes its words and negates nothing.
* each cue has a category (negated, uncertain, hypothetical, family) and a direction: **forward** ("no
  seizures"), **backward** ("seizures were ruled out"), or decided by context for words used both ways
  ("absent", "ruled out": forward when a word other than a preposition follows, else backward).
* the **scope** of a cue runs towards the mention and stops at a **terminator**: "but", "however",
  "although", "except", "apart from", "yet", "whereas", "which", "with" (not for relatives: "mother with
  seizures"), and, for relatives, a word naming the patient ("he", "she", "the patient"); at sentence
  punctuation (the caller splits sentences at ``. ; ! ?``) and at a comma, **unless** the comma continues a
  list of findings (the next word, after "and"/"or", starts another mention: "no seizures, ataxia or
  nystagmus" negates all three, "no fever, the child is hypotonic" only fever).

Rule set: written for this project after the categories of medspaCy's ConText rules (Eyre et al. 2021 AMIA Annu
Symp Proc 2021:438; github.com/medspacy/medspacy, MIT licence) and NegEx's trigger lists, kept small and
clinical (no copy of either file).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import product
from typing import Sequence

NEGATED, UNCERTAIN, HYPOTHETICAL, FAMILY, PSEUDO = "negated", "uncertain", "hypothetical", "family", "pseudo"
FORWARD, BACKWARD, AUTO = "forward", "backward", "auto"

#: words as the HPO phrase dictionary splits them (``text_to_hpo``), and the punctuation that matters for scope
_TOKEN_RE = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*|[,:/()]")
#: prepositions after which an "auto" cue looks backwards ("ruled out by echocardiography")
_PREPOSITIONS = frozenset({"by", "in", "on", "at", "from", "for", "since", "during", "after", "before", "on"})
_LIST_JOINERS = frozenset({"and", "or", "nor"})

#: words that end a cue's scope, per category (ConText terminators)
TERMINATORS: dict[str, frozenset[str]] = {
    NEGATED: frozenset({"but", "however", "although", "though", "except", "apart", "aside", "yet", "whereas",
                        "which", "who", "nevertheless", "with", "while"}),
    FAMILY: frozenset({"but", "however", "although", "though", "except", "yet", "whereas", "while", "patient",
                       "proband", "he", "she", "child", "boy", "girl", "infant", "index", "himself", "herself"}),
}
TERMINATORS[UNCERTAIN] = TERMINATORS[NEGATED]
TERMINATORS[HYPOTHETICAL] = TERMINATORS[NEGATED]

RELATIVES = ("mother", "father", "parent", "parents", "sister", "sisters", "brother", "brothers", "sibling",
             "siblings", "sib", "sibs", "son", "sons", "daughter", "daughters", "aunt", "aunts", "uncle", "uncles",
             "cousin", "cousins", "grandmother", "grandfather", "grandparent", "grandparents", "niece", "nephew",
             "twin", "relative", "relatives", "half-brother", "half-sister", "mom", "dad")


@dataclass(frozen=True)
class Rule:
    """A trigger phrase (lower-case words and punctuation), its category and direction."""

    phrase: tuple[str, ...]
    category: str
    direction: str


def _rules(category: str, direction: str, phrases: Sequence[str]) -> list[Rule]:
    return [Rule(tuple(_TOKEN_RE.findall(p)), category, direction) for p in phrases]


def _family_rules() -> list[Rule]:
    out = _rules(FAMILY, FORWARD, ["family history of", "family history", "family hx", "fhx", "fh of",
                                   "history in the family of", "familial history of"])
    out += _rules(FAMILY, BACKWARD, ["in the family", "runs in the family", "in family members", "in relatives"])
    for side, rel in product(("", "maternal ", "paternal "), RELATIVES):
        out += _rules(FAMILY, FORWARD, [f"{side}{rel}", f"{side}{rel}'s"])
        for det in ("his", "her", "their", "the", "a", "one", "both"):
            out += _rules(FAMILY, BACKWARD, [f"in {det} {side}{rel}", f"of {det} {side}{rel}"])
    return out


RULES: tuple[Rule, ...] = tuple(
    _rules(NEGATED, FORWARD, [
        "no", "not", "denies", "denied", "deny", "denying", "without", "absence of", "negative for", "free of",
        "never", "no evidence of", "no signs of", "no sign of", "no history of", "no symptoms of", "nor",
        "neither", "lacks", "lack of", "lacking", "did not have", "does not have", "has no", "rules out"])
    + _rules(NEGATED, AUTO, ["absent", "ruled out", "negative", "excluded"])
    + _rules(NEGATED, BACKWARD, [
        "is absent", "are absent", "was absent", "were absent", "not seen", "not observed", "not present",
        "not detected", "not found", "not noted", "not evident", "not identified", "was ruled out",
        "were ruled out", "has been ruled out", "have been ruled out", "was excluded", "were excluded",
        "has been excluded", "have been excluded", "is negative", "was negative", "were negative", "none"])
    + _rules(UNCERTAIN, FORWARD, [
        "possible", "possibly", "probable", "probably", "suspected", "suspect", "suspicion of", "questionable",
        "question of", "concern for", "concerning for", "rule out", "r / o", "to exclude", "evaluate for",
        "evaluation for", "may have", "might have", "could be", "differential diagnosis"])
    + _rules(UNCERTAIN, BACKWARD, [
        "not ruled out", "not been ruled out", "cannot be ruled out", "can not be ruled out",
        "could not be ruled out", "not excluded", "not been excluded", "cannot be excluded",
        "can not be excluded", "could not be excluded", "is suspected", "was suspected", "is possible",
        "unlikely", "is questionable"])
    + _rules(HYPOTHETICAL, FORWARD, [
        "if", "should", "in case of", "in case", "watch for", "monitor for", "monitoring for", "return if",
        "come back if", "at risk of", "at risk for", "risk of", "to prevent", "prevention of", "counselled about",
        "counseled about", "screening for", "screen for"])
    + _rules(PSEUDO, FORWARD, [
        "no increase", "no change", "no significant change", "no interval change", "not only", "not just",
        "not necessarily", "not certain whether", "not certain if", "without difficulty", "no longer",
        "no further", "not cause", "gram negative", "not drain", "whether or not"])
    + _family_rules()
)


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int

    @property
    def is_word(self) -> bool:
        return self.text[0].isalnum()


def tokenize(sentence: str) -> list[Token]:
    """Lower-case words (with hyphens and possessives) and the punctuation that matters for scope."""
    text = sentence.lower().replace("\u2019", "'")  # same length: offsets stay valid
    return [Token(m.group(0), m.start(), m.end()) for m in _TOKEN_RE.finditer(text)]


@dataclass(frozen=True)
class Cue:
    rule: Rule
    first: int  # token index of the first word
    last: int  # token index after the last word
    direction: str  # forward or backward (auto resolved)


def _rule_index() -> dict[str, list[Rule]]:
    index: dict[str, list[Rule]] = {}
    for rule in RULES:
        index.setdefault(rule.phrase[0], []).append(rule)
    for rules in index.values():
        rules.sort(key=lambda r: -len(r.phrase))
    return index


_INDEX = _rule_index()


def find_cues(tokens: Sequence[Token], covered: set[int]) -> list[Cue]:
    """Cues on tokens not covered by mentions; the longest rule at each position wins and consumes its tokens."""
    words = [t.text for t in tokens]
    cues: list[Cue] = []
    i = 0
    while i < len(tokens):
        if i in covered:
            i += 1
            continue
        for rule in _INDEX.get(words[i], ()):
            n = len(rule.phrase)
            if tuple(words[i:i + n]) == rule.phrase and not covered.intersection(range(i, i + n)):
                direction = rule.direction
                if direction == AUTO:
                    nxt = tokens[i + n] if i + n < len(tokens) else None
                    forward = nxt is not None and nxt.is_word and nxt.text not in _PREPOSITIONS
                    direction = FORWARD if forward else BACKWARD
                cues.append(Cue(rule, i, i + n, direction))
                i += n
                break
        else:
            i += 1
    return cues


@dataclass
class Assertion:
    """What the cues say about one mention."""

    negated: bool = False
    uncertain: bool = False
    hypothetical: bool = False
    relative: str | None = None  # the relative's words ("mother", "family history") if said of family
    cues: list[str] = field(default_factory=list)


def _in_scope(cue: Cue, span: tuple[int, int], tokens: Sequence[Token], starts: set[int]) -> bool:
    """Whether the mention ``span`` lies in the cue's scope (no terminator or list-ending comma in between)."""
    first, last = span
    if cue.direction == FORWARD and cue.last <= first:
        between = range(cue.last, first)
    elif cue.direction == BACKWARD and last <= cue.first:
        between = range(last, cue.first)
    else:
        return False
    stop = TERMINATORS.get(cue.rule.category, frozenset())
    for k in between:
        text = tokens[k].text
        if text in stop:
            return False
        if text == ",":
            j = k + 1
            while j < len(tokens) and tokens[j].text in _LIST_JOINERS:
                j += 1
            if j not in starts:  # the comma does not continue a list of findings
                return False
    return True


def assert_mentions(tokens: Sequence[Token], spans: Sequence[tuple[int, int]]) -> list[Assertion]:
    """The assertion of each mention ``(first token, last token + 1)`` of one sentence."""
    covered = {k for first, last in spans for k in range(first, last)}
    starts = {first for first, _ in spans}
    cues = find_cues(tokens, covered)
    out = []
    for span in spans:
        a = Assertion()
        for cue in cues:
            if cue.rule.category == PSEUDO or not _in_scope(cue, span, tokens, starts):
                continue
            a.cues.append(" ".join(cue.rule.phrase))
            if cue.rule.category == NEGATED:
                a.negated = True
            elif cue.rule.category == UNCERTAIN:
                a.uncertain = True
            elif cue.rule.category == HYPOTHETICAL:
                a.hypothetical = True
            elif cue.rule.category == FAMILY and a.relative is None:
                words = [w for w in cue.rule.phrase if w not in {"in", "of", "his", "her", "their", "the", "a",
                                                                   "one", "both"}]
                a.relative = " ".join(words).replace("'s", "")
        out.append(a)
    return out


__all__ = ["AUTO", "Assertion", "BACKWARD", "Cue", "FAMILY", "FORWARD", "HYPOTHETICAL", "NEGATED", "PSEUDO",
           "RELATIVES", "RULES", "Rule", "TERMINATORS", "Token", "UNCERTAIN", "assert_mentions", "find_cues",
           "tokenize"]
