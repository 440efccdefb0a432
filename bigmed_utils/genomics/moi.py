"""Mode of inheritance of a gene's diseases, and whether a candidate's inheritance mode fits it.

A compound heterozygote in a gene known only for dominant disorders, or a heterozygous de novo variant in
a gene known only for recessive ones, is a weaker candidate than its variant evidence suggests: Exomiser
scores a gene's diseases only when their inheritance mode is compatible with the variant's (Smedley et al.
2015 Nat Protoc 10:2004, "inheritance mode compatibility"), and LIRICAL's genotype likelihood ratio depends
on the disease's mode of inheritance (Robinson et al. 2020 Am J Hum Genet 107:403). Here a candidate keeps
its place in the table and gets two columns:

``gene_moi``
    the modes of the gene's diseases, as codes of :data:`MOI_LABELS` (``["AD", "AR"]``), from the HPO
    inheritance annotations of the bundled ``genes_to_phenotype`` file (the "Mode of inheritance"
    sub-ontology, HP:0000005, classified through the HPO hierarchy).
``moi_match``
    ``"consistent"`` when the candidate's mode fits one of them (:data:`MODE_FITS`), ``"inconsistent"``
    when the gene has annotated modes and none fits, ``"unknown"`` when the gene has no disease with an
    annotated Mendelian mode (or is not in the HPO annotations at all).

Choices: semidominant inheritance (HP:0032113) fits dominant and recessive modes; "Sporadic"
(HP:0003745), "Typically de novo" (HP:0025352) and "Typified by somatic mosaicism" (HP:0001442) fit a de
novo variant; unspecified "X-linked inheritance" (HP:0001417) fits every X-linked mode; a de novo variant
on chrX outside the PARs is judged as X-linked (hemizygous male: X-linked recessive or dominant;
heterozygous female: X-linked dominant).
"""

from __future__ import annotations

import gzip
import re
from functools import lru_cache
from typing import Any, Iterable

import pandas as pd

from .._resources import data_path
from ..phenotype.genes import hpo_symbol, is_gene_symbol

#: code -> (HPO term, label) of the inheritance classes a gene can carry
MOI_TERMS = {
    "AD": ("HP:0000006", "autosomal dominant"),
    "AR": ("HP:0000007", "autosomal recessive"),
    "XLD": ("HP:0001423", "X-linked dominant"),
    "XLR": ("HP:0001419", "X-linked recessive"),
    "XL": ("HP:0001417", "X-linked"),
    "SD": ("HP:0032113", "semidominant"),
    "MT": ("HP:0001427", "mitochondrial"),
    "YL": ("HP:0001450", "Y-linked"),
    "PAR": ("HP:0034339", "pseudoautosomal"),
    "DN": ("HP:0003745", "sporadic / de novo"),
}
MOI_LABELS = {code: label for code, (_, label) in MOI_TERMS.items()}
#: further terms that mark a disease as arising de novo (code ``DN``)
DE_NOVO_TERMS = ("HP:0025352", "HP:0001442")  # Typically de novo; Typified by somatic mosaicism
#: the root of the inheritance sub-ontology
MODE_OF_INHERITANCE = "HP:0000005"

#: candidate mode -> the gene inheritance codes it fits (chrX de novo: see :func:`moi_match`)
MODE_FITS = {
    "de_novo": frozenset({"AD", "SD", "DN", "PAR"}),
    "autosomal_dominant": frozenset({"AD", "SD", "PAR"}),
    "autosomal_recessive": frozenset({"AR", "SD", "PAR"}),
    "compound_heterozygous": frozenset({"AR", "SD", "PAR"}),
    "x_linked": frozenset({"XLR", "XLD", "XL"}),
    "x_linked_dominant": frozenset({"XLD", "XL"}),
}
_X_DE_NOVO_FITS = {"male": frozenset({"XLR", "XLD", "XL", "DN"}), "female": frozenset({"XLD", "XL", "DN"})}
#: the informative classes: a gene with none of them has ``moi_match`` "unknown"
MENDELIAN_CODES = frozenset(MOI_TERMS)


@lru_cache(maxsize=None)
def _classify_term(term_id: str) -> str | None:
    """The :data:`MOI_TERMS` code of an HPO term (itself or an ancestor), or ``None``."""
    from ..phenotype.ontology import ontology

    if term_id in DE_NOVO_TERMS:
        return "DN"
    onto = ontology()
    try:
        term = onto.hpo(int(term_id.split(":")[1]))
    except (KeyError, ValueError, RuntimeError, IndexError):
        return None
    # most specific first: XLD/XLR before the generic X-linked class
    for code in ("XLD", "XLR", "AD", "AR", "SD", "MT", "YL", "DN", "XL", "PAR"):
        root_id = MOI_TERMS[code][0]
        root = onto.hpo(int(root_id.split(":")[1]))
        if term.id == root.id or term.child_of(root):
            return code
    return None


@lru_cache(maxsize=1)
def gene_inheritance_table() -> dict[str, frozenset[str]]:
    """Gene symbol -> inheritance codes of its diseases, from the bundled HPO gene annotations (computed once
    per release: :func:`~bigmed_utils.phenotype.ontology.derived_table`)."""
    from ..phenotype.ontology import derived_table

    table = derived_table("gene-inheritance", _gene_inheritance_rows, code=("genomics/moi.py", "phenotype/genes.py"))
    return {gene: frozenset(codes) for gene, codes in table.items()}


def _gene_inheritance_rows() -> dict[str, list[str]]:
    from ..phenotype.ontology import ontology

    onto = ontology()
    root = onto.hpo(int(MODE_OF_INHERITANCE.split(":")[1]))
    inheritance: dict[str, bool] = {}
    out: dict[str, set[str]] = {}
    with gzip.open(data_path("hpo", "genes_to_phenotype.txt.gz"), "rt", encoding="utf-8") as handle:
        header = handle.readline().rstrip("\n").split("\t")
        gene_col, term_col = header.index("gene_symbol"), header.index("hpo_id")
        for line in handle:
            fields = line.rstrip("\n").split("\t")
            term_id = fields[term_col]
            if term_id not in inheritance:
                try:
                    t = onto.hpo(int(term_id.split(":")[1]))
                    inheritance[term_id] = t.child_of(root)
                except (KeyError, ValueError, RuntimeError, IndexError):
                    inheritance[term_id] = False
            if not inheritance[term_id]:
                continue
            code = _classify_term(term_id)
            if code is not None and is_gene_symbol(fields[gene_col]):
                out.setdefault(fields[gene_col], set()).add(code)
    return {gene: sorted(codes) for gene, codes in out.items()}


def gene_moi(gene: Any) -> list[str]:
    """Sorted inheritance codes of ``gene``'s diseases (empty when none is annotated).

    The unspecified "X-linked inheritance" (``XL``) is dropped when a disease of the gene is annotated as
    X-linked recessive or dominant: the specific term says more (DMD: ``["XLR"]``, not ``["XL", "XLR"]``).
    """
    if not is_gene_symbol(gene):
        return []
    codes = set(gene_inheritance_table().get(hpo_symbol(gene), frozenset()))
    if codes & {"XLR", "XLD"}:
        codes.discard("XL")
    return sorted(codes)


_CONTIG_X = re.compile(r"^(chr)?X$", re.IGNORECASE)


def moi_match(mode: str, codes: Iterable[str], *, on_x: bool = False, proband_sex: str | None = None) -> str:
    """``"consistent"``, ``"inconsistent"`` or ``"unknown"`` for a candidate of ``mode`` in a gene with ``codes``.

    Parameters
    ----------
    mode
        The candidate's inheritance mode (:data:`bigmed_utils.genomics.acmg.MODES`).
    codes
        The gene's inheritance codes (:func:`gene_moi`).
    on_x
        The variant lies on chrX outside the pseudoautosomal regions (a de novo variant there is judged
        as X-linked).
    proband_sex
        ``"male"`` or ``"female"`` (for a de novo variant on chrX).

    Examples
    --------
    >>> moi_match("compound_heterozygous", ["AD"])
    'inconsistent'
    >>> moi_match("de_novo", ["AD", "AR"])
    'consistent'
    >>> moi_match("autosomal_recessive", [])
    'unknown'
    """
    known = set(codes) & MENDELIAN_CODES
    if not known:
        return "unknown"
    if mode == "de_novo" and on_x:
        fits = _X_DE_NOVO_FITS["male" if proband_sex == "male" else "female"]
    else:
        fits = MODE_FITS.get(mode, frozenset())
    return "consistent" if known & fits else "inconsistent"


def annotate_moi(cands: pd.DataFrame, *, proband_sex: str | None, genome_build: str = "GRCh38") -> pd.DataFrame:
    """Add ``gene_moi`` (list of codes) and ``moi_match`` to a candidate table (``gene``, ``mode``, ``variant_id``).

    A variant is on chrX when its ``variant_id`` contig is ``X``/``chrX`` and it lies outside the
    pseudoautosomal regions of ``genome_build`` (:data:`PAR_X`).
    """
    out = cands.copy()
    if out.empty:
        out["gene_moi"] = pd.Series(dtype=object)
        out["moi_match"] = pd.Series(dtype=object)
        return out
    out["gene_moi"] = [gene_moi(g) for g in out["gene"]]
    on_x = [_on_x_nonpar(v, genome_build) for v in out["variant_id"]]
    out["moi_match"] = [moi_match(m, codes, on_x=x, proband_sex=proband_sex)
                        for m, codes, x in zip(out["mode"], out["gene_moi"], on_x)]
    return out


#: chrX pseudoautosomal regions (1-based, inclusive) as Hail's reference genomes define them
PAR_X = {"GRCh38": ((10_001, 2_781_479), (155_701_383, 156_030_895)),
         "GRCh37": ((60_001, 2_699_520), (154_931_044, 155_260_560))}


def _on_x_nonpar(variant_id: Any, genome_build: str = "GRCh38") -> bool:
    parts = str(variant_id).split(":")
    if len(parts) < 2 or not _CONTIG_X.match(parts[0]) or not parts[1].isdigit():
        return False
    pos = int(parts[1])
    return not any(lo <= pos <= hi for lo, hi in PAR_X.get(genome_build, PAR_X["GRCh38"]))


def moi_text(codes: Iterable[str]) -> str:
    """Readable list of inheritance codes (``"autosomal dominant, autosomal recessive"``; ``"—"`` if none)."""
    names = [MOI_LABELS.get(c, c) for c in codes]
    return ", ".join(names) if names else "—"


__all__ = [
    "MODE_FITS",
    "MOI_LABELS",
    "MOI_TERMS",
    "PAR_X",
    "annotate_moi",
    "gene_inheritance_table",
    "gene_moi",
    "moi_match",
    "moi_text",
]
