"""The HPO ontology and disease annotations of hpo3 (``import pyhpo``), built once from the bundled HPO release
(:func:`bigmed_utils.phenotype.ontology.ontology`)."""

from __future__ import annotations

from functools import lru_cache

PHENOTYPIC_ABNORMALITY = "HP:0000118"
#: inheritance terms (children of HP:0000005 "Mode of inheritance")
INHERITANCE = {"AD": "HP:0000006", "AR": "HP:0000007", "XLR": "HP:0001419"}


@lru_cache(maxsize=1)
def ontology():
    """The hpo3 ``Ontology`` singleton, built on first use from the bundled HPO release."""
    from ..phenotype.ontology import ontology as bundled

    return bundled()


def hpo_version() -> str:
    return str(ontology().version())


def term(hpo_id: str | int):
    return ontology().get_hpo_object(hpo_id)


def hp_id(i: int) -> str:
    return f"HP:{int(i):07d}"


@lru_cache(maxsize=None)
def disease(omim_id: int):
    for d in ontology().omim_diseases:
        if d.id == omim_id:
            return d
    raise KeyError(omim_id)


@lru_cache(maxsize=None)
def disease_terms(omim_id: int) -> tuple[str, ...]:
    """The disease's phenotypic-abnormality terms (no inheritance/modifier terms), sorted by id."""
    root = term(PHENOTYPIC_ABNORMALITY)
    out = []
    for i in sorted(disease(omim_id).hpo):
        t = term(int(i))
        if t.child_of(root):
            out.append(t.id)
    return tuple(out)


def disease_inheritance(omim_id: int) -> set[str]:
    return {hp_id(i) for i in disease(omim_id).hpo} & set(INHERITANCE.values())


@lru_cache(maxsize=1)
def annotated_genes() -> frozenset[str]:
    """Symbols of every gene with HPO annotations in hpo3."""
    return frozenset(g.name for g in ontology().genes)


@lru_cache(maxsize=None)
def gene_terms(symbol: str) -> frozenset[str]:
    for g in ontology().genes:
        if g.name == symbol:
            return frozenset(hp_id(i) for i in g.hpo)
    return frozenset()


def related(a: str, b: str) -> bool:
    """True when a == b or one is an ancestor of the other."""
    ta, tb = term(a), term(b)
    return a == b or ta.child_of(tb) or tb.child_of(ta)
