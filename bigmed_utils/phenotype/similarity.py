"""Phenotype similarity with hpo3: rank candidate genes by how well their diseases match the patient, and
find earlier patients with similar phenotypes.

Score (documented contract, used by the rare-disease ranking):

* term-set similarity = hpo3 ``HPOSet.similarity(other, kind="omim", method="graphic",
  combine="funSimAvg")``. *graphic* (Pesquita et al. 2007: information content of the shared ancestors
  over that of all ancestors of the two terms) lies in [0, 1], and *funSimAvg* (the mean of the two
  directional best-match averages, Schlicker et al. 2006) keeps it in [0, 1]; so no rescaling is needed
  and scores are comparable between patients.
* a gene's diseases are its OMIM and Orphanet diseases in the bundled HPO annotation file
  ``data/hpo/genes_to_phenotype.txt.gz`` (hpo3 knows these links but does not expose them); each disease's
  phenotype set comes from hpo3. Genes with no linked disease in hpo3 are compared with the gene's own
  phenotype set (the union over its diseases), flagged by an empty ``best_disease_id``.
* excluded terms: a disease annotated to an excluded term (or to a descendant of it) conflicts with the
  patient; its similarity is multiplied by ``1 - excluded_weight * n_conflicts / (n_observed + n_conflicts)``
  (``excluded_weight`` default 0.1, a project heuristic). The weight is deliberately mild: disease
  annotations pool many patients without frequencies in hpo3, so a single patient often lacks many of
  "their" features. The real WWOX phenopacket excludes 16 terms and all 16 are annotated to its own
  diagnosis, DEE28 (the curators recorded the disease features they checked); a full proportional
  penalty ranked the correct gene last of five epilepsy genes, weight 0.1 keeps it first.
* ``phenotype_score`` = the best (maximum) disease score of the gene, in [0, 1]; 0 for genes hpo3 does not
  know.

:func:`rank_genes` also gives each gene its phenotype likelihood ratio
(:func:`bigmed_utils.phenotype.likelihood.gene_phenotype_lrs`, LIRICAL-style), which the rare-disease ranking
uses; the gene's ``best_disease_id`` is then the disease with the highest LR, and genes are sorted by LR.
The similarity stays as a descriptive 0..1 score (and the ACMG PP4 threshold).
"""

from __future__ import annotations

import gzip
from collections import defaultdict
from functools import lru_cache
from typing import Iterable, Mapping, Sequence

import pandas as pd

from .._resources import data_path
from .genes import hpo_symbol, is_gene_symbol
from .ontology import derived_table, ontology, term, validate_terms

#: similarity settings shared by every score of this module (see module docstring)
SIMILARITY_KIND = "omim"
SIMILARITY_METHOD = "graphic"
SIMILARITY_COMBINE = "funSimAvg"


@lru_cache(maxsize=1)
def gene_disease_links() -> dict[str, tuple[str, ...]]:
    """Gene symbol -> disease ids (``OMIM:...``/``ORPHA:...``) from the bundled HPO annotation file (computed
    once per release: :func:`~bigmed_utils.phenotype.ontology.derived_table`)."""
    links = derived_table("gene-disease-links", _gene_disease_links,
                          code=("phenotype/similarity.py", "phenotype/genes.py"))
    return {gene: tuple(ids) for gene, ids in links.items()}


def _gene_disease_links() -> dict[str, list[str]]:
    links: dict[str, set[str]] = defaultdict(set)
    with gzip.open(data_path("hpo", "genes_to_phenotype.txt.gz"), "rt", encoding="utf-8") as handle:
        header = handle.readline().rstrip("\n").split("\t")
        gene_col, disease_col = header.index("gene_symbol"), header.index("disease_id")
        for line in handle:
            fields = line.rstrip("\n").split("\t")
            if is_gene_symbol(fields[gene_col]):  # "-": regulatory regions without a symbol (see .genes)
                links[fields[gene_col]].add(fields[disease_col])
    return {gene: sorted(ids) for gene, ids in links.items()}


def _disease(disease_id: str):
    """The hpo3 disease object for ``OMIM:n``/``ORPHA:n``, or ``None``."""
    from pyhpo import Omim, Orpha

    prefix, _, number = disease_id.partition(":")
    cls = {"OMIM": Omim, "ORPHA": Orpha}.get(prefix)
    if cls is None or not number.isdigit():
        return None
    try:
        found = cls.get(int(number))
    except (RuntimeError, KeyError, ValueError):
        return None
    return found if len(found.hpo) else None


def _gene(symbol: str):
    from pyhpo import Gene

    try:
        return Gene.get(symbol)
    except (RuntimeError, KeyError, ValueError):
        return None


def _hposet(ids: Iterable[str]):
    from pyhpo import HPOSet

    return HPOSet.from_queries(list(ids))


def _conflicts(disease_terms: set[int], excluded_terms: list) -> int:
    """How many excluded patient terms the disease is annotated to (itself or a descendant)."""
    count = 0
    for excl in excluded_terms:
        if int(excl) in disease_terms or any(term_obj.child_of(excl) for term_obj in _terms_of(disease_terms)):
            count += 1
    return count


def _terms_of(term_ints: set[int]) -> list:
    onto = ontology()
    return [onto.hpo(i) for i in term_ints]


def rank_genes(
    hpo_terms: Sequence[str],
    genes: Iterable[str],
    *,
    excluded: Sequence[str] = (),
    excluded_weight: float = 0.1,
    source: str = "parameter hpo_terms",
) -> pd.DataFrame:
    """Score each gene by the best match between the patient's phenotypes and the gene's diseases.

    Parameters
    ----------
    hpo_terms
        The patient's observed HPO ids (validated; obsolete and alternative ids are mapped).
    genes
        Gene symbols (HGNC) to score, e.g. the genes of the candidate variants.
    excluded
        HPO ids explicitly absent in the patient; diseases annotated to them are down-weighted.
    excluded_weight
        Strength of that down-weighting, 0 (ignore excluded terms) to 1 (see module docstring).
    source
        Named in the error if an id is malformed or unknown.

    Returns
    -------
    pandas.DataFrame
        Columns ``gene``, ``phenotype_score`` (0..1, see module docstring), ``best_disease_id``,
        ``best_disease_name`` (the disease with the highest likelihood ratio, else the most similar one),
        ``n_diseases`` (diseases compared), ``phenotype_log10_lr``, ``phenotype_lr`` and
        ``phenotype_lr_terms`` (:func:`~bigmed_utils.phenotype.likelihood.gene_phenotype_lrs`); sorted by
        likelihood ratio, then similarity, best first, ties by gene.
    """
    observed = validate_terms(list(hpo_terms), source=source)
    excluded_ids = validate_terms(list(excluded), source=f"{source} (excluded)") if excluded else []
    patient = _hposet(observed) if observed else None
    excluded_terms = [term(i) for i in excluded_ids]
    links = gene_disease_links()

    symbols = list(dict.fromkeys(g for g in genes if isinstance(g, str) and g))
    # collect all (gene, disease, set) comparisons first and score them in one batch call
    plan: list[tuple[str, str, str, object]] = []
    for symbol in symbols:
        # looked up by the HPO release's symbol (a previous symbol from an older annotation maps to it),
        # reported under the symbol the input used
        key = hpo_symbol(symbol) if is_gene_symbol(symbol) else None
        diseases = [(d, _disease(d)) for d in links.get(key, ())] if key else []
        diseases = [(d, obj) for d, obj in diseases if obj is not None]
        if diseases:
            for disease_id, obj in diseases:
                plan.append((symbol, disease_id, obj.name, obj))
        else:
            gene_obj = _gene(key) if key else None
            if gene_obj is not None and len(gene_obj.hpo):
                plan.append((symbol, "", "", gene_obj))

    scores: list[float] = []
    if patient is not None and plan:
        from pyhpo import helper

        comparisons = [(patient, obj.hpo_set()) for _, _, _, obj in plan]
        scores = list(
            helper.batch_set_similarity(comparisons, kind=SIMILARITY_KIND, method=SIMILARITY_METHOD, combine=SIMILARITY_COMBINE)
        )
    else:
        scores = [0.0] * len(plan)

    best: dict[str, tuple[float, str, str, int]] = {}
    for (symbol, disease_id, name, obj), score in zip(plan, scores):
        if excluded_terms:
            n_conf = _conflicts(set(obj.hpo), excluded_terms)
            if n_conf:
                score = score * (1.0 - excluded_weight * n_conf / (len(observed) + n_conf))
        n = best.get(symbol, (0.0, "", "", 0))[3] + 1
        current = best.get(symbol)
        if current is None or score > current[0]:
            best[symbol] = (float(score), disease_id, name, n)
        else:
            best[symbol] = (current[0], current[1], current[2], n)

    rows = []
    for symbol in symbols:
        score, disease_id, name, n = best.get(symbol, (0.0, "", "", 0))
        rows.append(
            {
                "gene": symbol,
                "phenotype_score": round(score, 6),
                "best_disease_id": disease_id or None,
                "best_disease_name": name or None,
                "n_diseases": n if disease_id else 0,
            }
        )
    table = pd.DataFrame(rows, columns=["gene", "phenotype_score", "best_disease_id", "best_disease_name", "n_diseases"])
    from .likelihood import gene_phenotype_lrs

    lrs = gene_phenotype_lrs(observed, symbols, excluded=excluded_ids, source=source)
    table = table.merge(lrs, on="gene", how="left")
    has_lr = table["lr_disease_id"].notna()
    table.loc[has_lr, "best_disease_id"] = table.loc[has_lr, "lr_disease_id"]
    table.loc[has_lr, "best_disease_name"] = table.loc[has_lr, "lr_disease_name"]
    table = table.drop(columns=["lr_disease_id", "lr_disease_name"])
    return table.sort_values(["phenotype_log10_lr", "phenotype_score", "gene"], ascending=[False, False, True],
                             ignore_index=True)


def set_similarity(terms_a: Sequence[str], terms_b: Sequence[str], *, source: str = "HPO terms") -> float:
    """Similarity (0..1) of two HPO term sets with the module's settings."""
    a = validate_terms(list(terms_a), source=source)
    b = validate_terms(list(terms_b), source=source)
    if not a or not b:
        return 0.0
    return float(_hposet(a).similarity(_hposet(b), kind=SIMILARITY_KIND, method=SIMILARITY_METHOD, combine=SIMILARITY_COMBINE))


def similar_patients(
    query_terms: Sequence[str],
    others: Mapping[str, Sequence[str]],
    *,
    min_score: float = 0.0,
    source: str = "in-house phenotypes",
) -> pd.DataFrame:
    """Rank earlier patients by phenotype similarity to the query patient.

    Parameters
    ----------
    query_terms
        The current patient's observed HPO ids.
    others
        Earlier patients: ``{patient_or_case_id: [HPO ids]}``.
    min_score
        Drop patients scoring below this.

    Returns
    -------
    pandas.DataFrame
        Columns ``patient_id``, ``similarity`` (0..1), ``n_terms``; best first, ties by id.
    """
    query = validate_terms(list(query_terms), source="query phenotypes")
    ids, sets = [], []
    for patient_id, terms in others.items():
        valid = validate_terms(list(terms), source=f"{source} of {patient_id}")
        if valid:
            ids.append(str(patient_id))
            sets.append(valid)
    scores: list[float] = [0.0] * len(ids)
    if query and ids:
        from pyhpo import helper

        patient = _hposet(query)
        scores = list(
            helper.batch_set_similarity(
                [(patient, _hposet(s)) for s in sets], kind=SIMILARITY_KIND, method=SIMILARITY_METHOD, combine=SIMILARITY_COMBINE
            )
        )
    table = pd.DataFrame(
        {"patient_id": ids, "similarity": [round(float(s), 6) for s in scores], "n_terms": [len(s) for s in sets]},
        columns=["patient_id", "similarity", "n_terms"],
    )
    table = table[table["similarity"] >= min_score]
    return table.sort_values(["similarity", "patient_id"], ascending=[False, True], ignore_index=True)


__all__ = [
    "SIMILARITY_COMBINE",
    "SIMILARITY_KIND",
    "SIMILARITY_METHOD",
    "gene_disease_links",
    "rank_genes",
    "set_similarity",
    "similar_patients",
]
