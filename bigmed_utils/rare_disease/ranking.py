"""Combined ranking of rare-disease candidates: variant evidence (ACMG points) and phenotype match.

Formula (the report quotes :data:`SCORE_FORMULA`)
    ``variant_score = clip((acmg_points - BENIGN_MAX_POINTS) / (PATHOGENIC_MIN_POINTS - BENIGN_MAX_POINTS), 0, 1)``
    maps the ClinGen/Tavtigian points linearly onto 0..1: Benign (<= -7 points, or BA1) is 0, Pathogenic
    (>= 10 points) is 1, so that the class boundaries keep their order (Tavtigian et al. 2020 Hum Mutat
    41:1734, Table 2). ``score = variant_score * phenotype_score``: the two kinds of evidence multiply, as
    genotype and phenotype likelihood ratios do in LIRICAL (Robinson et al. 2020 Am J Hum Genet 107:403), so a
    candidate needs both. A sum would let either alone carry a candidate: with equal weights, a pathogenic de
    novo loss-of-function variant in a gene whose disease does not fit the patient (an incidental finding)
    outranked a homozygous missense of uncertain significance in the gene that fits (the diagnosis) in
    synthetic cases whose competing candidates are planted for this (:mod:`bigmed_utils.synthetic.rare_disease`;
    RD007: TCOF1 against PAH, in ``tests/rare_disease/test_ranking.py``). The phenotype score (0..1) is hpo3's funSimAvg/graphic
    similarity of the patient to the gene's best-matching disease
    (:func:`bigmed_utils.phenotype.similarity.rank_genes`); a gene without any annotated disease scores 0, so
    its candidates follow every candidate with a phenotype match, in order of ACMG points.

    Ties are broken deterministically: higher ACMG points, then higher phenotype score, then lower
    population AF, then gene and variant id in alphabetical order. Ranks are 1, 2, 3... over rows (one
    row per variant and inheritance mode).
"""

from __future__ import annotations

import pandas as pd

from ..genomics.acmg import BENIGN, BENIGN_MAX_POINTS, PATHOGENIC_MIN_POINTS

SCORE_FORMULA = (
    "score = variant score × phenotype score (a candidate needs both), where variant score = "
    f"(ACMG points − ({BENIGN_MAX_POINTS})) / ({PATHOGENIC_MIN_POINTS} − ({BENIGN_MAX_POINTS})) clipped to 0..1 "
    f"(Benign, ≤ {BENIGN_MAX_POINTS} points or BA1 = 0; Pathogenic, ≥ {PATHOGENIC_MIN_POINTS} points = 1) and the "
    "phenotype score is the HPO semantic similarity (0..1) of the patient to the gene's best-matching disease. "
    "Ties: more ACMG points, higher phenotype score, lower population AF, then gene and variant name."
)


def variant_score(points: float, acmg_class: str | None = None) -> float:
    """ACMG points mapped onto 0..1 (Benign boundary 0, Pathogenic boundary 1; BA1/Benign class 0)."""
    if acmg_class == BENIGN and points > BENIGN_MAX_POINTS:  # BA1 forces Benign whatever the points
        return 0.0
    span = PATHOGENIC_MIN_POINTS - BENIGN_MAX_POINTS
    return float(min(1.0, max(0.0, (points - BENIGN_MAX_POINTS) / span)))


def rank_candidates(df: pd.DataFrame) -> pd.DataFrame:
    """Add ``variant_score``, ``score`` and ``rank`` and sort by rank.

    Parameters
    ----------
    df
        Candidates with ``acmg_points``, ``acmg_class``, ``phenotype_score`` (NaN counts as 0),
        ``max_af``, ``gene`` and ``variant_id``.

    Returns
    -------
    pandas.DataFrame
        A sorted copy (best first) with ``rank`` starting at 1.
    """
    out = df.copy()
    if out.empty:
        for col in ("variant_score", "score", "rank"):
            out[col] = pd.Series(dtype=float if col != "rank" else int)
        return out
    pheno = out["phenotype_score"].astype(float).fillna(0.0)
    out["phenotype_score"] = pheno
    out["variant_score"] = [variant_score(p, c) for p, c in zip(out["acmg_points"], out["acmg_class"])]
    out["score"] = (out["variant_score"] * pheno).round(6)
    out["_af"] = out["max_af"].astype(float).fillna(0.0)
    out["_gene"] = out["gene"].fillna("").astype(str)
    out = out.sort_values(
        ["score", "acmg_points", "phenotype_score", "_af", "_gene", "variant_id", "mode"],
        ascending=[False, False, False, True, True, True, True],
        kind="mergesort",
    ).drop(columns=["_af", "_gene"])
    out["rank"] = range(1, len(out) + 1)
    return out.reset_index(drop=True)


def gene_rank(ranked: pd.DataFrame, gene: str) -> int | None:
    """Rank of ``gene`` among the distinct genes of a ranked table (1 = the best row's gene), or ``None``."""
    genes = list(dict.fromkeys(ranked["gene"].dropna().astype(str)))
    return genes.index(gene) + 1 if gene in genes else None


__all__ = ["SCORE_FORMULA", "gene_rank", "rank_candidates", "variant_score"]
