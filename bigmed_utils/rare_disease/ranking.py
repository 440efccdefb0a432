"""Rank rare-disease candidates by a likelihood-ratio model (LIRICAL: Robinson et al. 2020 Am J Hum Genet
107:403): each candidate's evidence is a phenotype likelihood ratio times a genotype likelihood ratio, turned
into a post-test probability. The report quotes :data:`SCORE_FORMULA`.

Phenotype LR
    From :func:`bigmed_utils.phenotype.likelihood.gene_phenotype_lrs` (columns ``phenotype_log10_lr``,
    ``phenotype_lr_terms``, merged in by :func:`bigmed_utils.phenotype.similarity.rank_genes`): the product
    of one LR per patient term, from the HPO annotation frequencies of the gene's best-fitting disease. A
    gene without an annotated disease has LR 1 (no phenotype evidence either way): it is not scored zero.
    The phenotype enters the ranking only here: if the ACMG criteria contain PP4 (phenotype specific for the
    gene), its points are taken out of the genotype evidence, so that the phenotype counts once.
Genotype LR
    The ACMG/AMP points of the variant (ClinGen SVI / Tavtigian et al. 2020 Hum Mutat 41:1734 point scale)
    without PP4, read as odds of pathogenicity in the Bayesian framework of Tavtigian et al. 2018 Genet Med
    20:1054: ``OddsPath = 350 ^ (points / 8)`` (350 = the odds of one Very strong criterion, 8 points). Points
    are capped at the Pathogenic boundary (10; the scale is calibrated up to posterior 0.99, beyond it more
    criteria do not make the variant more causal for this patient: a project choice) and floored at -8 (a
    stand-alone benign criterion, BA1); a Benign class counts at most -7 points.
    A compound heterozygote is as strong as its weaker side: the pair's points are the lower of the row's
    and its best partner's (both alleles must be pathogenic). A homozygous variant counts once.
    Mode of inheritance: when ``moi_match`` is ``"inconsistent"`` (the gene's diseases have another
    inheritance), the LR is multiplied by 0.1 for a biallelic call (compound het or homozygous in a gene
    with dominant-only diseases: LIRICAL's penalty for more pathogenic alleles than the disease model
    expects) and by 0.05 for a single-allele call in a recessive-only gene (LIRICAL's probability that
    a second allele was missed). ``"consistent"``, ``"unknown"`` or no column: no change.
    Population frequency (PM2/BS1/BA1), consequence (PVS1, BP7) and the consequence gate are already part
    of the points; ``max_af`` breaks ties only, so nothing is counted twice.
Post-test probability
    ``pre-test probability = 0.36 / number of candidate genes`` (0.36: diagnostic yield of exome sequencing
    in children with suspected genetic disease, Clark et al. 2018 npj Genom Med 3:16), ``post-test odds =
    pre-test odds × phenotype LR × genotype LR`` and ``probability = odds / (1 + odds)``, one candidate at a
    time as LIRICAL does. Candidates are ranked by the combined LR (the same order as the probability, with
    no rounding at the top). ``score`` is the post-test probability; ``variant_score`` the variant's
    posterior probability of pathogenicity in Tavtigian's model (prior 0.1).

Ties are broken deterministically: more ACMG points, higher phenotype LR, higher phenotype similarity
(``phenotype_score``, hpo3 semantic similarity: two diseases annotated alike can have equal LRs), lower
population AF, then gene, variant id and mode in alphabetical order. Ranks are 1, 2, 3... over rows (one row per variant and mode).
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from ..genomics.acmg import BENIGN, BENIGN_MAX_POINTS, PATHOGENIC_MIN_POINTS, STAND_ALONE_POINTS

#: OddsPath of one Very strong criterion (Tavtigian et al. 2018 Genet Med 20:1054, prior 0.1, X = 2)
ODDS_PATH_VERY_STRONG = 350.0
#: points of one Very strong criterion (Tavtigian et al. 2020 Hum Mutat 41:1734: 1, 2, 4, 8)
VERY_STRONG_POINTS = 8
#: prior probability of pathogenicity in Tavtigian's framework (for ``variant_score``)
PRIOR_PATHOGENIC = 0.10
#: the points used are clipped to this range (see module docstring)
POINTS_RANGE = (STAND_ALONE_POINTS, PATHOGENIC_MIN_POINTS)
#: diagnostic yield of exome sequencing, children with suspected genetic disease (Clark et al. 2018
#: npj Genom Med 3:16: WES 0.36, 95 % CI 0.33-0.40; WGS 0.41): the pre-test probability shared by the candidates
DIAGNOSTIC_YIELD = 0.36
#: genotype LR factor when the call's inheritance contradicts that of every disease of the gene (LIRICAL
#: GenotypeLikelihoodRatio: HEURISTIC_PATH_ALLELE_COUNT_ABOVE_LAMBDA_D = 0.10, DEFAULT_GLR = 0.05)
MOI_MISMATCH_BIALLELIC_LR = 0.10
MOI_MISMATCH_MONOALLELIC_LR = 0.05
BIALLELIC_MODES = frozenset({"autosomal_recessive", "compound_heterozygous"})

SCORE_FORMULA = (
    "Each candidate is scored like a diagnostic test (LIRICAL, Robinson et al. 2020): combined likelihood ratio "
    "= phenotype LR × genotype LR. The phenotype LR multiplies, over the patient's HPO terms, how much more "
    "often each finding (or its absence, for excluded terms) occurs in the gene's best-fitting disease than "
    "across all diseases (HPO annotation frequencies); a gene with no known disease gets 1 (neutral). "
    "The genotype LR is the variant's odds of pathogenicity from its ACMG/AMP points without PP4, "
    f"{ODDS_PATH_VERY_STRONG:g}^(points/{VERY_STRONG_POINTS}) (Tavtigian et al. 2018), points capped at "
    f"{PATHOGENIC_MIN_POINTS}; a compound heterozygote counts its weaker side; a call whose inheritance "
    f"contradicts the gene's diseases is multiplied by {MOI_MISMATCH_BIALLELIC_LR:g} (two alleles in a dominant "
    f"gene) or {MOI_MISMATCH_MONOALLELIC_LR:g} (one allele in a recessive gene). Post-test probability = "
    f"pre-test odds × combined LR, with a pre-test probability of {DIAGNOSTIC_YIELD:g} (exome diagnostic yield, "
    "Clark et al. 2018) shared among the candidate genes. Ranked by the combined LR; ties: more ACMG points, "
    "higher phenotype LR, higher phenotype similarity, lower population AF, then gene and variant name."
)


def _pp4_points(criteria: Any) -> int:
    """Points of PP4 (phenotype specific for the gene) among a row's ACMG criteria (0 if none)."""
    if not isinstance(criteria, (list, tuple)):
        return 0
    return sum(int(c.get("points", 0)) for c in criteria
               if isinstance(c, dict) and str(c.get("code", "")).upper().startswith("PP4"))


def effective_points(points: float, acmg_class: str | None = None, criteria: Any = None) -> float:
    """The ACMG points the genotype LR uses: without PP4, a Benign class at most -7, clipped to -8..10."""
    value = float(points) - _pp4_points(criteria)
    if acmg_class == BENIGN:
        value = min(value, BENIGN_MAX_POINTS)
    return float(min(POINTS_RANGE[1], max(POINTS_RANGE[0], value)))


def odds_path(points: float) -> float:
    """Tavtigian's odds of pathogenicity for ``points``: ``350 ** (points / 8)``."""
    return ODDS_PATH_VERY_STRONG ** (points / VERY_STRONG_POINTS)


def variant_score(points: float, acmg_class: str | None = None, criteria: Any = None) -> float:
    """Posterior probability of pathogenicity (0..1) of a variant in Tavtigian's model, prior 0.1."""
    odds = odds_path(effective_points(points, acmg_class, criteria)) * PRIOR_PATHOGENIC / (1 - PRIOR_PATHOGENIC)
    return odds / (1 + odds)


def genotype_lr(
    points: float,
    *,
    acmg_class: str | None = None,
    criteria: Any = None,
    mode: str | None = None,
    moi_match: str | None = None,
    partner_points: float | None = None,
) -> tuple[float, str]:
    """The genotype likelihood ratio of one candidate row, and a one-line reason.

    Parameters
    ----------
    points, acmg_class, criteria
        The row's ACMG points, class and criteria (a list of ``{"code", "points"}``; PP4 is removed).
    mode
        Inheritance mode of the call (``compound_heterozygous``, ``autosomal_recessive``, ``de_novo``...).
    moi_match
        ``"consistent"``, ``"inconsistent"`` or ``"unknown"``/``None``: does the call's inheritance fit the
        gene's diseases?
    partner_points
        For a compound heterozygote: the best partner's effective points (``None`` if unknown).
    """
    own = effective_points(points, acmg_class, criteria)
    used = own
    reasons = [f"{own:g} ACMG points" + (" (PP4 not counted)" if _pp4_points(criteria) else "")]
    if mode == "compound_heterozygous" and partner_points is not None and partner_points < own:
        used = partner_points
        reasons.append(f"weaker partner allele {partner_points:g} points")
    lr = odds_path(used)
    if moi_match == "inconsistent":
        factor = MOI_MISMATCH_BIALLELIC_LR if mode in BIALLELIC_MODES else MOI_MISMATCH_MONOALLELIC_LR
        lr *= factor
        reasons.append(f"inheritance does not fit the gene's diseases ×{factor:g}")
    return lr, "; ".join(reasons)


def _partner_points(out: pd.DataFrame, eff: pd.Series) -> list[float | None]:
    """For each compound-het row, the highest effective points among its partner rows (same gene)."""
    if "partners" not in out or not (out["mode"] == "compound_heterozygous").any():
        return [None] * len(out)
    ch = out["mode"] == "compound_heterozygous"
    best: dict[tuple[str, str], float] = {}
    for gene, variant, value in zip(out.loc[ch, "gene"], out.loc[ch, "variant_id"], eff[ch]):
        key = (str(gene), str(variant))
        best[key] = max(best.get(key, value), value)
    result: list[float | None] = []
    for is_ch, gene, partners in zip(ch, out["gene"], out["partners"]):
        values = [best[(str(gene), str(p))] for p in (partners if is_ch and isinstance(partners, (list, tuple)) else [])
                  if (str(gene), str(p)) in best]
        result.append(max(values) if values else None)
    return result


def _column(df: pd.DataFrame, name: str, default: Any) -> pd.Series:
    return df[name] if name in df else pd.Series([default] * len(df), index=df.index, dtype=object)


def _phenotype_log10(df: pd.DataFrame) -> pd.Series:
    """log10 phenotype LR per row: ``phenotype_log10_lr``, else log10 of ``phenotype_lr``, else 0 (neutral)."""
    if "phenotype_log10_lr" in df:
        return pd.to_numeric(df["phenotype_log10_lr"], errors="coerce").fillna(0.0)
    if "phenotype_lr" in df:
        lr = pd.to_numeric(df["phenotype_lr"], errors="coerce")
        return lr.map(lambda v: math.log10(v) if v and v > 0 else 0.0).fillna(0.0)
    return pd.Series(0.0, index=df.index)


def rank_candidates(df: pd.DataFrame, *, diagnostic_yield: float = DIAGNOSTIC_YIELD) -> pd.DataFrame:
    """Add the likelihood ratios, the post-test probability and ``rank``, and sort by rank.

    Parameters
    ----------
    df
        Candidates, one row per (variant, mode): ``variant_id``, ``gene``, ``mode``, ``acmg_points``,
        ``acmg_class``, ``max_af``; optional ``acmg_criteria``, ``moi_match``, ``partners``,
        ``phenotype_log10_lr`` (or ``phenotype_lr``; missing = 1, neutral), ``phenotype_lr_terms``.
    diagnostic_yield
        Pre-test probability that one of the candidate genes is the diagnosis (shared equally).

    Returns
    -------
    pandas.DataFrame
        A sorted copy (best first) with ``phenotype_log10_lr``, ``phenotype_lr``, ``genotype_lr``,
        ``genotype_lr_reason``, ``log10_lr`` (combined), ``pretest_probability``, ``post_test_probability``,
        ``score`` (= post-test probability), ``variant_score`` and ``rank`` starting at 1.
    """
    out = df.copy()
    added = ["phenotype_log10_lr", "phenotype_lr", "genotype_lr", "genotype_lr_reason", "log10_lr",
             "pretest_probability", "post_test_probability", "score", "variant_score", "rank"]
    if out.empty:
        for col in added:
            if col not in out:
                out[col] = pd.Series(dtype=int if col == "rank" else object if col == "genotype_lr_reason" else float)
        return out
    criteria = _column(out, "acmg_criteria", None)
    eff = pd.Series([effective_points(p, c, k) for p, c, k in zip(out["acmg_points"], out["acmg_class"], criteria)],
                    index=out.index)
    partners = _partner_points(out, eff)
    geno = [genotype_lr(p, acmg_class=c, criteria=k, mode=m, moi_match=mm if isinstance(mm, str) else None,
                        partner_points=pp)
            for p, c, k, m, mm, pp in zip(out["acmg_points"], out["acmg_class"], criteria, out["mode"],
                                          _column(out, "moi_match", None), partners)]
    out["phenotype_log10_lr"] = _phenotype_log10(out)
    out["phenotype_lr"] = [10 ** min(300.0, max(-300.0, v)) for v in out["phenotype_log10_lr"]]
    out["genotype_lr"] = [g for g, _ in geno]
    out["genotype_lr_reason"] = [r for _, r in geno]
    out["log10_lr"] = (out["phenotype_log10_lr"] + out["genotype_lr"].map(math.log10)).round(9)
    n_genes = max(1, out["gene"].dropna().astype(str).nunique())
    pretest = min(diagnostic_yield / n_genes, 0.999)
    log_odds = out["log10_lr"] + math.log10(pretest / (1 - pretest))
    out["pretest_probability"] = pretest
    out["post_test_probability"] = [1 / (1 + 10 ** -min(300.0, max(-300.0, v))) for v in log_odds]
    out["score"] = out["post_test_probability"].round(6)
    out["variant_score"] = [round(variant_score(p, c, k), 6)
                            for p, c, k in zip(out["acmg_points"], out["acmg_class"], criteria)]
    out["_af"] = pd.to_numeric(out["max_af"], errors="coerce").fillna(0.0)
    out["_gene"] = out["gene"].fillna("").astype(str)
    out["_sim"] = pd.to_numeric(_column(out, "phenotype_score", 0.0), errors="coerce").fillna(0.0)
    out = out.sort_values(
        ["log10_lr", "acmg_points", "phenotype_log10_lr", "_sim", "_af", "_gene", "variant_id", "mode"],
        ascending=[False, False, False, False, True, True, True, True],
        kind="mergesort",
    ).drop(columns=["_af", "_gene", "_sim"])
    out["rank"] = range(1, len(out) + 1)
    return out.reset_index(drop=True)


def gene_rank(ranked: pd.DataFrame, gene: str) -> int | None:
    """Rank of ``gene`` among the distinct genes of a ranked table (1 = the best row's gene), or ``None``."""
    genes = list(dict.fromkeys(ranked["gene"].dropna().astype(str)))
    return genes.index(gene) + 1 if gene in genes else None


__all__ = [
    "DIAGNOSTIC_YIELD",
    "MOI_MISMATCH_BIALLELIC_LR",
    "MOI_MISMATCH_MONOALLELIC_LR",
    "ODDS_PATH_VERY_STRONG",
    "SCORE_FORMULA",
    "effective_points",
    "gene_rank",
    "genotype_lr",
    "odds_path",
    "rank_candidates",
    "variant_score",
]
