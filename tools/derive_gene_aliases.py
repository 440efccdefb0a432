"""Derive ``bigmed_utils/data/genes/gene_symbol_aliases.tsv.gz``: previous and alias gene symbols -> the symbol
the bundled HPO release uses, so that a VCF annotated with an older VEP/HGNC release ("GBA", "CENPJ", "C11orf95")
still finds the gene's diseases.

Source: the NCBI Gene data in Bioconductor's org.Hs.eg.db (Debian package r-bioc-org.hs.eg.db; its
``org.Hs.eg.sqlite`` tables ``genes``, ``gene_info`` and ``alias``). Run on a machine where it is installed::

    apt-get install r-bioc-org.hs.eg.db
    python tools/derive_gene_aliases.py [/usr/lib/R/site-library/org.Hs.eg.db/extdata/org.Hs.eg.sqlite]

Kept rows (why each rule):
- the gene is in the bundled HPO ``genes_to_phenotype`` (joined by NCBI Gene id, so the target is the HPO
  release's own symbol): aliases of genes without a disease change nothing in the ranking;
- the alias (a previous symbol, an alias, or NCBI's own symbol where HPO has a newer one) is not a symbol
  HPO uses: a current symbol always means itself;
- the name belongs to exactly one gene (aliases and NCBI symbols together, pseudogenes not counted): an
  ambiguous name, or one that is another gene's symbol, is left unmapped rather than guessed.
"""

from __future__ import annotations

import gzip
import sqlite3
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DB = "/usr/lib/R/site-library/org.Hs.eg.db/extdata/org.Hs.eg.sqlite"
HPO_G2P = REPO / "bigmed_utils" / "data" / "hpo" / "genes_to_phenotype.txt.gz"
OUT = REPO / "bigmed_utils" / "data" / "genes" / "gene_symbol_aliases.tsv.gz"


def main(db_path: str = DEFAULT_DB) -> int:
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    meta = dict(db.execute("select name, value from metadata"))
    ncbi_symbol = dict(db.execute("select g.gene_id, i.symbol from genes g join gene_info i on g._id = i._id"))
    pseudogenes = {g for g, t in db.execute("select g.gene_id, t.gene_type from genes g join genetype t on g._id = t._id")
                   if t == "pseudo"}
    aliases: dict[str, set[str]] = defaultdict(set)
    for gene_id, alias in db.execute("select g.gene_id, a.alias_symbol from genes g join alias a on g._id = a._id"):
        aliases[alias].add(gene_id)
    for gene_id, symbol in ncbi_symbol.items():  # NCBI 2022 may still use a symbol HPO has since replaced
        aliases[symbol].add(gene_id)
    # a pseudogene sharing a name ("GBA" is also an alias of the GBAP1 pseudogene) carries no coding variant
    # a VEP SYMBOL would name: it does not make the name ambiguous
    aliases = {a: (ids - pseudogenes) or ids for a, ids in aliases.items()}

    hpo_symbol: dict[str, str] = {}
    with gzip.open(HPO_G2P, "rt", encoding="utf-8") as handle:
        header = handle.readline().rstrip("\n").split("\t")
        id_col, sym_col = header.index("ncbi_gene_id"), header.index("gene_symbol")
        for line in handle:
            fields = line.rstrip("\n").split("\t")
            if fields[sym_col] not in ("", "-"):
                hpo_symbol[fields[id_col]] = fields[sym_col]

    hpo_symbols = set(hpo_symbol.values())
    rows = sorted((alias, hpo_symbol[gene_id], gene_id)
                  for alias, ids in aliases.items() if len(ids) == 1
                  for gene_id in ids
                  if gene_id in hpo_symbol and alias not in hpo_symbols)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with open(OUT, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write((f"# Previous/alias gene symbols -> the symbol of the bundled HPO release (2025-01-16), by NCBI Gene id.\n"
                  f"# Derived by tools/derive_gene_aliases.py from org.Hs.eg.db (Bioconductor, Artistic-2.0; "
                  f"NCBI Gene data {meta.get('EGSOURCEDATE')}, public domain).\n"
                  "# Only names of exactly one gene (NCBI aliases and symbols) that are not an HPO gene symbol themselves.\n"
                  "alias\tsymbol\tncbi_gene_id\n").encode())
        gz.write("".join(f"{a}\t{s}\t{i}\n" for a, s, i in rows).encode())
    print(f"{OUT.relative_to(REPO)}: {len(rows)} aliases of {len({s for _, s, _ in rows})} HPO genes "
          f"(NCBI Gene {meta.get('EGSOURCEDATE')})")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
