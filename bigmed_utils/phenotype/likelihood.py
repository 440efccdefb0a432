"""Phenotype likelihood ratios in the manner of LIRICAL (Robinson et al. 2020 Am J Hum Genet 107:403).

For a patient with observed HPO terms and explicitly excluded terms, and a disease ``D`` with its HPO
annotations (bundled ``phenotype.hpoa``, one HPO release with the ontology), every patient term gets a
likelihood ratio ``LR = P(finding | D) / P(finding | not D)``; the disease's phenotype LR is their product
(the terms are treated as independent, as LIRICAL does). A gene's phenotype LR is that of its
best-fitting disease.

Frequencies
    ``P(term | D)`` is the annotation's frequency: a ratio ``n/m`` (pooled over the annotation's lines), a
    percentage, or an HPO frequency term, taken at the middle of the range its definition states (HPO
    "Frequency" sub-ontology, HP:0040279: Obligate 100 %, Very frequent 80-99 %, Frequent 30-79 %,
    Occasional 5-29 %, Very rare 1-4 %). An annotation without a frequency counts as 1.0, as in LIRICAL
    (``DEFAULT_TERM_FREQUENCY``). ``NOT`` annotations (and frequency 0) mark a feature as absent in D.
Background
    ``P(term | not D)`` is the term's background frequency: over all OMIM diseases, the mean frequency of
    the term, a disease counting with the highest frequency of any of its annotations at or below the term
    (annotations propagate to all ancestors), floored at 1/10,000 (LIRICAL).
Observed term ``q`` (first rule that applies; constants from LIRICAL ``PhenotypeLikelihoodRatio``)
    1. D is annotated NOT to ``q`` or to an ancestor of it: LR = 1/1000.
    2. D is annotated to ``q``: LR = f(q | D) / background(q).
    3. D is annotated to a descendant of ``q`` (the patient's term is more general): the descendant's
       frequency (the highest) / background(q).
    4. ``q`` is a direct child of a term annotated to D (the patient's term is more specific): the
       parent's frequency shared among its children, f / n_children, not below a small false-positive
       probability that grows with how common ``q`` is (from 1/500 to 1/10 of its background) / background(q).
    5. otherwise the nearest ancestor ``a`` of ``q`` that is also an ancestor of a D annotation (below
       "Phenotypic abnormality") gives f(a) / background(a), where f(a) is the annotation's frequency divided
       by 10 per edge between the annotation and ``a`` (the penalty of an ancestor match), and the LR is
       not below 1/100;
    6. no such ancestor: LR = 1/100 (LIRICAL's false-positive probability for an unexplained finding).
Excluded term ``q``
    D annotated NOT to ``q`` (or ``q`` is an ancestor of such a term): LR = 1000; D not annotated to ``q``
    or a descendant: LR = 1 / (1 - background(q)); D annotated with frequency f: LR =
    max(1/100, 1 - f) / (1 - background(q)) (a feature a disease always has, excluded, weighs 1/100).

Patient terms
    Only the most specific observed terms are scored: an observed term that is an ancestor of another
    observed term is dropped (it adds no information and, multiplied in as an independent finding, would
    count the same feature twice, against the independence LIRICAL assumes; HPO curation practice is to
    annotate with the most specific term, and the phenopacket-store QC (pyphetools) flags such redundant
    ancestors). Excluded terms that are ancestors of an observed term are contradicted by it and dropped.
Diseases of a gene
    The gene's OMIM diseases with phenotype annotations in the bundled ``genes_to_phenotype`` links (LIRICAL's
    default corpus: Robinson et al. 2020 score OMIM diseases, Orphanet only as an option); a gene with no
    annotated OMIM disease is scored with its Orphanet diseases instead, so it is not left without phenotype
    evidence. The background frequencies come from the same OMIM corpus, so the LRs compared between genes
    share one denominator. Orphanet entries are not mixed with OMIM entries for one gene: they annotate
    disease groups and contiguous-gene syndromes (e.g. Williams syndrome, linked to every gene of 7q11.23)
    with frequencies on another scale, and the best of both let a richly annotated group outscore the gene's
    own disorder.

Genes with no annotated disease have no phenotype evidence either way: LR = 1 (neutral), so their
candidates rank by the genotype alone (:mod:`bigmed_utils.rare_disease.ranking`).
"""

from __future__ import annotations

import math
from collections import defaultdict, deque
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Sequence

import pandas as pd

from .._resources import data_path
from .ontology import PHENOTYPIC_ABNORMALITY, _alt_id_map, derived_table, ontology, term_name, validate_terms

#: P(term | disease) at the middle of the range in the definition of each HPO frequency term
#: (hp.obo: "Present in 80% to 99% of the cases." and so on; tests/phenotype checks against hp.obo)
FREQUENCY_TERMS: dict[str, float] = {
    "HP:0040280": 1.0,  # Obligate, 100 %
    "HP:0040281": (0.80 + 0.99) / 2,  # Very frequent, 80-99 %
    "HP:0040282": (0.30 + 0.79) / 2,  # Frequent, 30-79 %
    "HP:0040283": (0.05 + 0.29) / 2,  # Occasional, 5-29 %
    "HP:0040284": (0.01 + 0.04) / 2,  # Very rare, 1-4 %
    "HP:0040285": 0.0,  # Excluded, 0 %
}

# LIRICAL constants (Robinson et al. 2020; lirical-core PhenotypeLikelihoodRatio / InducedDiseaseGraph)
#: frequency of an annotation that states none
DEFAULT_TERM_FREQUENCY = 1.0
#: lowest background frequency of a term
MIN_BACKGROUND_FREQUENCY = 1.0 / 10000
#: LR of an observed finding the disease is annotated NOT to have
OBSERVED_BUT_EXCLUDED_IN_DISEASE_LR = 1.0 / 1000
#: LR of an excluded finding the disease is annotated NOT to have
EXCLUDED_IN_PATIENT_AND_DISEASE_LR = 1000.0
#: probability of an unexplained finding (no common ancestor below "Phenotypic abnormality")
NO_MATCH_LR = 0.01
#: lowest probability that a feature of the disease goes unobserved
FALSE_NEGATIVE_PROBABILITY = 0.01
#: an ancestor's frequency is the annotation's frequency divided by this per edge
ANCESTOR_DECAY_PER_EDGE = 10.0
#: range of the false-positive penalty for a term below a disease term (1:500 .. 1:10 of its background)
FALSE_POSITIVE_PENALTY_RANGE = (0.002, 0.10)

#: diseases whose annotations define the background frequencies (LIRICAL's default corpus)
BACKGROUND_DATABASES = ("OMIM",)


@dataclass(frozen=True)
class TermLR:
    """The likelihood ratio of one patient term for one disease, with how it was matched."""

    hpo_id: str
    status: str  # "observed" or "excluded"
    lr: float
    match: str  # exact, query_ancestor, query_child, common_ancestor, no_match, excluded_in_disease...
    disease_term: str | None = None


# --------------------------------------------------------------------------------------------------------
# ontology graph (plain ints, built once from hpo3)


@lru_cache(maxsize=1)
def _graph() -> tuple[dict[int, tuple[int, ...]], dict[int, int]]:
    """term -> parents, and term -> number of direct children, for every term in hpo3."""
    parents: dict[int, tuple[int, ...]] = {}
    n_children: dict[int, int] = defaultdict(int)
    for t in ontology():
        ids = tuple(int(p) for p in t.parent_ids())
        parents[int(t)] = ids
        for p in ids:
            n_children[p] += 1
    return parents, dict(n_children)


def _int(hpo_id: str) -> int:
    return int(hpo_id.split(":")[1])


def _hp(i: int) -> str:
    return f"HP:{i:07d}"


@lru_cache(maxsize=None)
def ancestors(term: int) -> frozenset[int]:
    """All ancestors of ``term`` including itself (ints)."""
    parents = _graph()[0].get(term, ())
    out = {term}
    for p in parents:
        out |= ancestors(p)
    return frozenset(out)


def _distances_up(term: int) -> dict[int, int]:
    """Shortest number of edges from ``term`` to each of its strict ancestors."""
    parents = _graph()[0]
    dist: dict[int, int] = {}
    queue = deque([(term, 0)])
    while queue:
        t, d = queue.popleft()
        for p in parents.get(t, ()):
            if p not in dist:
                dist[p] = d + 1
                queue.append((p, d + 1))
    return dist


# --------------------------------------------------------------------------------------------------------
# annotations


@dataclass(frozen=True)
class DiseaseAnnotation:
    """A disease's phenotypic-abnormality annotations: term -> frequency, and terms annotated NOT."""

    disease_id: str
    name: str
    present: dict[int, float]
    absent: frozenset[int]


#: the modules whose code computes the derived HPO tables of this module (their cache key)
_DERIVED_CODE = ("phenotype/likelihood.py", "phenotype/ontology.py")


@lru_cache(maxsize=1)
def disease_annotations() -> dict[str, DiseaseAnnotation]:
    """All diseases of the bundled ``phenotype.hpoa`` with their phenotype annotations (computed once per
    release and kept beside the unpacked HPO files: :func:`~bigmed_utils.phenotype.ontology.derived_table`).

    Several lines of one (disease, term) (different publications) are combined: counts ``n/m`` are pooled
    when every line has one, otherwise the stated frequencies are averaged; no stated frequency gives 1.0.
    """
    rows = derived_table("disease-annotations", _disease_annotation_rows, code=_DERIVED_CODE)
    return {d: DiseaseAnnotation(d, name, {t: f for t, f in present}, frozenset(absent))
            for d, name, present, absent in rows}


def _disease_annotation_rows() -> list[list]:
    """:func:`disease_annotations` as JSON rows ``[id, name, [[term, frequency], ...], [absent term, ...]]``."""
    table = pd.read_csv(
        data_path("hpo", "phenotype.hpoa.gz"), sep="\t", comment="#", dtype=str, keep_default_na=False,
        usecols=["database_id", "disease_name", "qualifier", "hpo_id", "frequency", "aspect"],
    )
    table = table[table["aspect"] == "P"]
    known = _graph()[0]
    unknown = ~table["hpo_id"].map(lambda t: _int(t) in known)
    if unknown.any():  # an alternative id: map it to its primary term
        alt = _alt_id_map()
        table.loc[unknown, "hpo_id"] = table.loc[unknown, "hpo_id"].map(lambda t: alt.get(t, t))
    table["term"] = table["hpo_id"].map(_int)
    root = _int(PHENOTYPIC_ABNORMALITY)
    phenotypic = {t for t in table["term"].unique() if t in known and root in ancestors(t)}
    table = table[table["term"].isin(phenotypic)]
    names = dict(zip(table["database_id"], table["disease_name"]))

    freq = table["frequency"].str.strip()
    ratio = freq.str.extract(r"^(\d+)\s*/\s*(\d+)$").astype(float)
    ratio.loc[ratio[1] <= 0] = float("nan")
    pct = freq.str.extract(r"^(\d+(?:\.\d+)?)\s*%$")[0].astype(float) / 100
    table = table.assign(
        n=ratio[0], m=ratio[1],
        value=(ratio[0] / ratio[1]).fillna(pct.clip(0, 1)).fillna(freq.map(FREQUENCY_TERMS)),
    )
    negated = table[table["qualifier"] == "NOT"]
    groups = table[table["qualifier"] != "NOT"].groupby(["database_id", "term"], sort=True).agg(
        lines=("frequency", "size"), ratios=("n", "count"), n=("n", "sum"), m=("m", "sum"), mean=("value", "mean"))
    pooled = groups["n"] / groups["m"]
    groups["f"] = pooled.where(groups["ratios"] == groups["lines"], groups["mean"]).fillna(DEFAULT_TERM_FREQUENCY)

    present: dict[str, dict[int, float]] = defaultdict(dict)
    absent: dict[str, set[int]] = defaultdict(set)
    for (disease, term), f in groups["f"].items():
        if f > 0:
            present[disease][int(term)] = float(f)
        else:  # frequency 0 (0/n or "Excluded"): the feature is absent in the disease
            absent[disease].add(int(term))
    for disease, term in zip(negated["database_id"], negated["term"]):
        absent[disease].add(int(term))
    return [[d, names[d], [[t, f] for t, f in present.get(d, {}).items()], sorted(absent.get(d, ()))]
            for d in sorted(names)]


@lru_cache(maxsize=1)
def background_frequencies() -> dict[int, float]:
    """Term -> background frequency over the OMIM diseases (before the 1/10,000 floor)."""
    return {t: v for t, v in derived_table("background-frequencies", _background_rows, code=_DERIVED_CODE)}


def _background_rows() -> list[list]:
    """:func:`background_frequencies` as JSON rows ``[term, frequency]``."""
    total: dict[int, float] = defaultdict(float)
    diseases = [a for d, a in disease_annotations().items() if d.split(":")[0] in BACKGROUND_DATABASES]
    for ann in diseases:
        best: dict[int, float] = {}
        for term, freq in ann.present.items():
            for anc in ancestors(term):
                if best.get(anc, -1.0) < freq:
                    best[anc] = freq
        for anc, freq in best.items():
            total[anc] += freq
    n = len(diseases)
    return [[t, v / n] for t, v in total.items()]


def background(term: int) -> float:
    """Background frequency of ``term`` with LIRICAL's floor of 1/10,000."""
    return max(background_frequencies().get(term, 0.0), MIN_BACKGROUND_FREQUENCY)


@dataclass(frozen=True)
class _DiseaseGraph:
    """What the LR rules need of one disease, precomputed: annotations propagated up the ontology."""

    ann: DiseaseAnnotation
    #: strict ancestor of an annotation -> highest frequency among the annotations below it
    below: dict[int, float]
    #: ancestor (below Phenotypic abnormality) -> highest annotation frequency / 10 per edge
    induced: dict[int, float]
    #: ancestors (inclusive) of the terms annotated NOT
    absent_closure: frozenset[int]


@lru_cache(maxsize=4096)
def _disease_graph(disease_id: str) -> _DiseaseGraph:
    ann = disease_annotations()[disease_id]
    root = _int(PHENOTYPIC_ABNORMALITY)
    below: dict[int, float] = {}
    induced: dict[int, float] = {}
    for term, freq in ann.present.items():
        for anc, dist in _distances_up(term).items():
            if below.get(anc, -1.0) < freq:
                below[anc] = freq
            if anc != root and root in ancestors(anc):  # LIRICAL stops at "Phenotypic abnormality"
                adjusted = freq / ANCESTOR_DECAY_PER_EDGE**dist
                if induced.get(anc, -1.0) < adjusted:
                    induced[anc] = adjusted
    closure: set[int] = set()
    for term in ann.absent:
        closure |= ancestors(term)
    return _DiseaseGraph(ann, below, induced, frozenset(closure))


# --------------------------------------------------------------------------------------------------------
# the LR rules


def _false_positive_probability(term: int) -> float:
    """LIRICAL's probability of a finding below a disease term that the annotation does not explain."""
    f = background_frequencies().get(term, NO_MATCH_LR)
    low, high = FALSE_POSITIVE_PENALTY_RANGE
    penalty = low + (f - NO_MATCH_LR) * (high - low) / (high - NO_MATCH_LR)
    return max(0.0, penalty * f)


def observed_term_lr(term: int, graph: _DiseaseGraph) -> TermLR:
    """LR of an observed patient term for one disease (rules 1-6 of the module docstring)."""
    hpo_id = _hp(term)
    ann = graph.ann
    if ancestors(term) & ann.absent:
        return TermLR(hpo_id, "observed", OBSERVED_BUT_EXCLUDED_IN_DISEASE_LR, "excluded_in_disease")
    bg = background(term)
    if term in ann.present:
        return TermLR(hpo_id, "observed", ann.present[term] / bg, "exact", hpo_id)
    if term in graph.below:
        return TermLR(hpo_id, "observed", graph.below[term] / bg, "query_ancestor_of_disease_term")
    n_children = _graph()[1]
    best, best_term = 0.0, None
    for parent in sorted(_graph()[0].get(term, ())):
        if parent in ann.present and n_children.get(parent, 0):
            f = ann.present[parent] / n_children[parent]
            if f > best:
                best, best_term = f, parent
    if best_term is not None:
        lr = max(best, _false_positive_probability(term)) / bg
        return TermLR(hpo_id, "observed", lr, "query_child_of_disease_term", _hp(best_term))
    # nearest common ancestor (breadth-first upwards; at equal distance the best-supported one)
    parents = _graph()[0]
    level, seen = [term], {term}
    while level:
        hits = [(graph.induced[t] / background(t), t) for t in level if t in graph.induced]
        if hits:
            lr, anc = max(hits)
            return TermLR(hpo_id, "observed", max(NO_MATCH_LR, lr), "common_ancestor", _hp(anc))
        nxt = []
        for t in level:
            for p in parents.get(t, ()):
                if p not in seen:
                    seen.add(p)
                    nxt.append(p)
        level = sorted(nxt)
    return TermLR(hpo_id, "observed", NO_MATCH_LR, "no_match")


def excluded_term_lr(term: int, graph: _DiseaseGraph) -> TermLR:
    """LR of a term explicitly excluded in the patient, for one disease."""
    hpo_id = _hp(term)
    if term in graph.absent_closure:
        return TermLR(hpo_id, "excluded", EXCLUDED_IN_PATIENT_AND_DISEASE_LR, "excluded_in_both")
    bg = background(term)
    if bg > 0.99:
        return TermLR(hpo_id, "excluded", 1.0, "uninformative")
    freq = max(graph.ann.present.get(term, 0.0), graph.below.get(term, 0.0))
    if freq == 0.0:
        return TermLR(hpo_id, "excluded", 1.0 / (1.0 - bg), "excluded_not_in_disease")
    return TermLR(hpo_id, "excluded", max(FALSE_NEGATIVE_PROBABILITY, 1.0 - freq) / (1.0 - bg),
                  "excluded_but_in_disease", hpo_id)


def disease_lr(observed: Sequence[str], excluded: Sequence[str], disease_id: str) -> tuple[float, list[TermLR]]:
    """log10 of the phenotype LR of one disease, and the per-term LRs (current primary HPO ids expected)."""
    graph = _disease_graph(disease_id)
    terms = [observed_term_lr(_int(t), graph) for t in observed]
    terms += [excluded_term_lr(_int(t), graph) for t in excluded]
    return sum(math.log10(t.lr) for t in terms), terms


# --------------------------------------------------------------------------------------------------------
# genes


def _gene_diseases(symbol: str) -> list[str]:
    """The diseases the gene is scored with: its annotated OMIM diseases, else its annotated Orphanet diseases.

    OMIM first, as LIRICAL's default disease corpus (Robinson et al. 2020), which is also the corpus of the
    background frequencies; Orphanet only for a gene without an annotated OMIM disease (see module
    docstring). The gene's LR is that of its best-fitting disease.
    """
    from .genes import hpo_symbol, is_gene_symbol
    from .similarity import gene_disease_links

    if not is_gene_symbol(symbol):
        return []
    annotated = disease_annotations()
    linked = [d for d in gene_disease_links().get(hpo_symbol(symbol), ()) if d in annotated and annotated[d].present]
    omim = [d for d in linked if d.split(":")[0] in BACKGROUND_DATABASES]
    return omim or linked


def most_specific(terms: Sequence[str]) -> list[str]:
    """``terms`` without those that are an ancestor of another term of the list (order kept, duplicates dropped)."""
    unique = list(dict.fromkeys(terms))
    ints = {t: _int(t) for t in unique}
    return [t for t in unique if not any(o != t and ints[t] in ancestors(ints[o]) for o in unique)]


def _explain(terms: list[TermLR], n: int = 5) -> list[dict]:
    """The ``n`` terms that move the LR most (largest |log10 LR|), for the report."""
    ranked = sorted(terms, key=lambda t: (-abs(math.log10(t.lr)), t.hpo_id, t.status))[:n]
    return [
        {"hpo_id": t.hpo_id, "name": term_name(t.hpo_id), "status": t.status, "lr": float(f"{t.lr:.4g}"),
         "match": t.match, "disease_term": t.disease_term}
        for t in ranked
    ]


def terms_text(explanation: Iterable[dict]) -> str:
    """One line for a report: ``Seizure ×120; Microcephaly (excluded) ×0.2``."""
    parts = []
    for t in explanation:
        label = t["name"] or t["hpo_id"]
        if t["status"] == "excluded":
            label += " (excluded)"
        parts.append(f"{label} ×{t['lr']:.3g}")
    return "; ".join(parts)


def gene_phenotype_lrs(
    hpo_terms: Sequence[str],
    genes: Iterable[str],
    *,
    excluded: Sequence[str] = (),
    source: str = "parameter hpo_terms",
) -> pd.DataFrame:
    """The phenotype likelihood ratio of each gene: that of its best-fitting disease.

    Parameters
    ----------
    hpo_terms
        The patient's observed HPO ids (validated; alternative and obsolete ids are mapped).
    genes
        Gene symbols (HGNC).
    excluded
        HPO ids explicitly absent in the patient.
    source
        Named in the error if an id is malformed or unknown.

    Returns
    -------
    pandas.DataFrame
        One row per gene (input order): ``gene``, ``phenotype_log10_lr``, ``phenotype_lr``,
        ``lr_disease_id``, ``lr_disease_name`` (the best-fitting disease; ``None`` for a gene without an
        annotated disease, whose LR is 1), ``phenotype_lr_terms`` (the five terms that move the LR most:
        dicts with ``hpo_id``, ``name``, ``status``, ``lr``, ``match``, ``disease_term``).
    """
    observed = validate_terms(list(hpo_terms), source=source)
    excl = validate_terms(list(excluded), source=f"{source} (excluded)") if excluded else []
    phenotypic = {t for t in observed + excl if _int(PHENOTYPIC_ABNORMALITY) in ancestors(_int(t))}
    observed = most_specific([t for t in observed if t in phenotypic])
    # an excluded term that is an ancestor of an observed one is contradicted by it: not used
    excl = [t for t in excl if t in phenotypic and not any(_int(t) in ancestors(_int(o)) for o in observed)]
    annotated = disease_annotations()
    rows = []
    for symbol in dict.fromkeys(g for g in genes if isinstance(g, str) and g):
        best: tuple[float, str, list[TermLR]] | None = None
        for disease_id in _gene_diseases(symbol):
            log_lr, terms = disease_lr(observed, excl, disease_id)
            if best is None or log_lr > best[0] or (log_lr == best[0] and disease_id < best[1]):
                best = (log_lr, disease_id, terms)
        if best is None:
            rows.append({"gene": symbol, "phenotype_log10_lr": 0.0, "phenotype_lr": 1.0, "lr_disease_id": None,
                         "lr_disease_name": None, "phenotype_lr_terms": []})
            continue
        log_lr, disease_id, terms = best
        rows.append({"gene": symbol, "phenotype_log10_lr": round(log_lr, 6),
                     "phenotype_lr": float(f"{10 ** min(max(log_lr, -300.0), 300.0):.6g}"),
                     "lr_disease_id": disease_id, "lr_disease_name": annotated[disease_id].name,
                     "phenotype_lr_terms": _explain(terms)})
    columns = ["gene", "phenotype_log10_lr", "phenotype_lr", "lr_disease_id", "lr_disease_name", "phenotype_lr_terms"]
    return pd.DataFrame(rows, columns=columns)


__all__ = [
    "BACKGROUND_DATABASES",
    "DEFAULT_TERM_FREQUENCY",
    "EXCLUDED_IN_PATIENT_AND_DISEASE_LR",
    "FREQUENCY_TERMS",
    "MIN_BACKGROUND_FREQUENCY",
    "NO_MATCH_LR",
    "OBSERVED_BUT_EXCLUDED_IN_DISEASE_LR",
    "TermLR",
    "ancestors",
    "background",
    "background_frequencies",
    "disease_annotations",
    "disease_lr",
    "excluded_term_lr",
    "gene_phenotype_lrs",
    "most_specific",
    "observed_term_lr",
    "terms_text",
]
