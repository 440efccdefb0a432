"""Gene symbols as the bundled HPO release names them.

A VCF annotated with an older VEP/HGNC release names some genes by a previous symbol (``GBA`` for ``GBA1``,
``CENPJ`` for ``CPAP``, ``WHSC1`` for ``NSD2``); looked up as written, such a gene would have no disease and its
phenotype evidence would be lost. :func:`hpo_symbol` maps a previous or alias symbol to the symbol of the
bundled HPO release through ``data/genes/gene_symbol_aliases.tsv.gz`` (NCBI Gene via org.Hs.eg.db; see
``tools/derive_gene_aliases.py`` for the rules: names of exactly one gene only, never a current symbol).

HPO's gene annotations also carry rows whose ``gene_symbol`` is ``-``: regulatory regions with an NCBI Gene
id but no gene symbol (WHCR, H19-ICR, ZRS, HBB-LCR). ``-`` is also what VEP writes for a consequence without
a gene, so it must never be looked up as a gene (:func:`is_gene_symbol`).

Examples
--------
>>> hpo_symbol("GBA")
'GBA1'
>>> hpo_symbol("GBA1")
'GBA1'
>>> is_gene_symbol("-")
False
"""

from __future__ import annotations

import gzip
from functools import lru_cache
from typing import Any

from .._resources import data_path

#: what annotation files write when there is no gene symbol
NO_SYMBOL = frozenset({"", "-", "."})


def is_gene_symbol(value: Any) -> bool:
    """True for a gene symbol; False for a missing value or a placeholder (``-``, ``.``, empty)."""
    return isinstance(value, str) and value.strip() not in NO_SYMBOL


@lru_cache(maxsize=1)
def symbol_aliases() -> dict[str, str]:
    """Previous/alias symbol -> HPO release symbol, from the bundled alias table."""
    aliases: dict[str, str] = {}
    with gzip.open(data_path("genes", "gene_symbol_aliases.tsv.gz"), "rt", encoding="utf-8") as handle:
        rows = (line.rstrip("\n").split("\t") for line in handle if not line.startswith("#"))
        next(rows)  # header
        for alias, symbol, _ncbi_id in rows:
            aliases[alias] = symbol
    return aliases


def hpo_symbol(symbol: str) -> str:
    """The symbol the bundled HPO release uses for ``symbol``: itself, or the current symbol of a previous one.

    Parameters
    ----------
    symbol
        A gene symbol as an annotation names it (VEP ``SYMBOL``, a gene panel, a phenopacket).

    Returns
    -------
    str
        ``symbol`` unchanged when it is a current symbol, unknown, or an ambiguous alias.
    """
    return symbol_aliases().get(symbol, symbol)


__all__ = ["NO_SYMBOL", "hpo_symbol", "is_gene_symbol", "symbol_aliases"]
