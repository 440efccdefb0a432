"""Protein-change (HGVS p.) normalisation: one- and three-letter forms compare equal.

``p.V600E``, ``p.Val600Glu``, ``V600E``, ``ENSP00000288602.6:p.Val600Glu`` and ``p.(Val600Glu)`` all
normalise to ``V600E``. Stop codons (``Ter``, ``*``, ``X``) become ``*``. Amino-acid codes follow the
HGVS recommendations (den Dunnen et al., Hum Mutat 2016;37:564-9, https://varnomen.hgvs.org/).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

#: IUPAC/HGVS three-letter amino-acid codes
THREE_TO_ONE: dict[str, str] = {
    "Ala": "A", "Arg": "R", "Asn": "N", "Asp": "D", "Cys": "C", "Gln": "Q", "Glu": "E", "Gly": "G",
    "His": "H", "Ile": "I", "Leu": "L", "Lys": "K", "Met": "M", "Phe": "F", "Pro": "P", "Ser": "S",
    "Thr": "T", "Trp": "W", "Tyr": "Y", "Val": "V", "Sec": "U", "Pyl": "O", "Ter": "*", "Xaa": "X",
}
_THREE_RE = re.compile("|".join(THREE_TO_ONE))
# first amino acid (or stop) + position: the affected codon of substitutions, deletions, frameshifts
_POS_RE = re.compile(r"^([A-Z*])(\d+)")
_SUBST_RE = re.compile(r"^([A-Z*])(\d+)([A-Z*=])$")


@dataclass(frozen=True)
class ProteinChange:
    """A parsed protein change: ``ref`` amino acid, ``position`` (codon), ``alt`` (None unless a
    substitution) and the normalised one-letter text ``short`` (no ``p.``)."""

    short: str
    ref: str | None
    position: int | None
    alt: str | None

    @property
    def is_substitution(self) -> bool:
        return self.alt is not None


def normalise_hgvsp(value: object) -> str | None:
    """One-letter protein change without ``p.``, or ``None`` for a missing/empty value.

    Examples
    --------
    >>> normalise_hgvsp("p.Val600Glu"), normalise_hgvsp("p.V600E"), normalise_hgvsp("V600E")
    ('V600E', 'V600E', 'V600E')
    >>> normalise_hgvsp("ENSP00000256078.4:p.Gly12Cys")
    'G12C'
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    text = str(value).strip()
    if not text or text in {".", "-", "NA"}:
        return None
    if ":" in text:  # transcript/protein accession prefix
        text = text.split(":", 1)[1]
    if text.startswith("p."):
        text = text[2:]
    text = text.strip("()")
    if re.search(r"[A-Z][a-z]{2}", text):  # three-letter form
        text = _THREE_RE.sub(lambda m: THREE_TO_ONE[m.group(0)], text)
    if text.endswith("X") and _SUBST_RE.match(text[:-1] + "*"):
        text = text[:-1] + "*"  # older nonsense notation, e.g. R213X
    return text or None


def parse_hgvsp(value: object) -> ProteinChange | None:
    """Parse a protein change (any accepted spelling) into a :class:`ProteinChange`."""
    short = normalise_hgvsp(value)
    if short is None:
        return None
    m = _SUBST_RE.match(short)
    if m:
        return ProteinChange(short, m.group(1), int(m.group(2)), m.group(3))
    m = _POS_RE.match(short)
    if m:
        return ProteinChange(short, m.group(1), int(m.group(2)), None)
    return ProteinChange(short, None, None, None)


def same_protein_change(a: object, b: object) -> bool:
    """Whether two protein changes are the same after normalisation (``p.V600E`` == ``p.Val600Glu``)."""
    na, nb = normalise_hgvsp(a), normalise_hgvsp(b)
    return na is not None and na == nb


__all__ = ["ProteinChange", "normalise_hgvsp", "parse_hgvsp", "same_protein_change", "THREE_TO_ONE"]
