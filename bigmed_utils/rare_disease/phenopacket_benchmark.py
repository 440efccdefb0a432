"""Published patients hidden among decoy genes: does the ranking put the causal gene first?

Each case is a published patient from phenopacket-store (github.com/monarch-initiative/phenopacket-store,
BSD-3-Clause, Copyright (c) 2022 Monarch Initiative): the observed and excluded HPO terms and the causal gene, as curated from the publication. The
case's candidate table holds the causal gene and ``n_decoys`` decoy genes drawn at random (seeded by the case
id, so the draw is the same on every run) from the genes with an annotated OMIM disease; **every gene carries
a candidate with the same variant evidence** (the mode of the patient's genotype, the same ACMG points), so
only the phenotype can separate them. The table goes through the real ranking: the phenotype ranking of
:func:`bigmed_utils.phenotype.similarity.rank_genes` merged as the analysis merges it, then
:func:`bigmed_utils.rare_disease.ranking.rank_candidates`. Reported: the causal gene's rank per case and the
top-1 / top-5 rates.

The cases are stored as a compact extract (``benchmarks/data/phenopacket_store_cases.jsonl.gz``: id, source
path and commit, gene (NCBI Gene or HGNC id), disease, zygosity, observed and excluded term ids); see the
LICENSE file beside it for the selection rule (151 cases, one per gene: the LIRICAL validation cohort
``notebooks/LIRICAL/v2phenopackets`` and the per-gene folders ``notebooks/<GENE>/phenopackets``).

Development and held-out halves: :func:`split` assigns every case by the parity of the CRC-32 of its id, so
the halves are fixed, independent of gene and result. Model errors are studied on the development half only;
the held-out half measures how that generalises. Both and the whole are reported.
"""

from __future__ import annotations

import gzip
import json
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from .._resources import data_path

#: the bundled extract of phenopacket-store cases
CASES_FILE = Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "phenopacket_store_cases.jsonl.gz"
#: decoy genes per case
N_DECOYS = 40
#: the variant evidence every candidate carries (Likely pathogenic, 6 points: PS2_Moderate-like evidence)
BENCHMARK_POINTS = 6
#: the cases whose causal gene is not within the top 5, with the clinical reason (each read from the published
#: record; asserted by tests/rare_disease/test_phenopacket_benchmark.py and written to benchmarks/RESULTS.md)
TOP5_MISS_REASONS = {
    "CDK5RAP2": "primary microcephaly 3 (OMIM:604804), but the published record lists short stature, delayed "
                "skeletal maturation, sleep apnoea, asthma and developmental delays and no microcephaly, the "
                "cardinal feature; the remaining findings are generic",
    "CPAP": "primary microcephaly 6 (OMIM:608393): microcephaly with severe intellectual disability, absent speech, "
            "delays and an EEG abnormality, findings that neurodevelopmental disorders of several decoy genes "
            "are annotated with as well; nothing in the record is specific to primary microcephaly",
    "GLRA1": "hereditary hyperekplexia 1 (OMIM:149400), but the record codes hypertonia, dyskinesia, pneumothorax, a "
             "CNS abnormality and renal pelvis dilatation and not the exaggerated startle response (HP:0002267) "
             "that defines the disease",
}
_MODE_OF = {"het": "de_novo", "hom": "autosomal_recessive", "comphet": "compound_heterozygous",
            "hemi": "x_linked"}


@dataclass(frozen=True)
class Case:
    """One published patient: observed/excluded HPO ids and the causal gene."""

    id: str
    gene: str
    disease: str
    zygosity: str
    observed: tuple[str, ...]
    excluded: tuple[str, ...]
    path: str = ""
    commit: str = ""
    ncbi_gene: str = ""

    @property
    def half(self) -> str:
        """``"development"`` or ``"held-out"``: CRC-32 of the case id, even = development (see :func:`split`)."""
        return "development" if zlib.crc32(self.id.encode("utf-8")) % 2 == 0 else "held-out"


@lru_cache(maxsize=1)
def _symbols_by_ncbi_id() -> dict[str, str]:
    """NCBI Gene id (``NCBIGene:2629``) -> gene symbol in the bundled HPO release."""
    table = pd.read_csv(data_path("hpo", "genes_to_phenotype.txt.gz"), sep="\t", usecols=["ncbi_gene_id", "gene_symbol"],
                        dtype=str).drop_duplicates()
    return {f"NCBIGene:{i}": s for i, s in zip(table["ncbi_gene_id"], table["gene_symbol"])}


def load_cases(path: Path = CASES_FILE) -> list[Case]:
    """The bundled cases, in file order, with the causal gene's current symbol.

    Older publications name renamed genes (GBA, now GBA1; CENPJ, now CPAP): the symbol is taken from the
    bundled HPO gene annotations by the case's NCBI Gene id, as a VEP annotation would name the gene today.
    """
    symbols = _symbols_by_ncbi_id()
    cases = []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                r = json.loads(line)
                gene = symbols.get(r.get("ncbi_gene", ""), r["gene"])
                cases.append(Case(r["id"], gene, r["disease"], r.get("zygosity", "het"), tuple(r["observed"]),
                                  tuple(r.get("excluded", ())), r.get("path", ""), r.get("commit", ""),
                                  r.get("ncbi_gene", "")))
    return cases


def split(cases: Sequence[Case], half: str) -> list[Case]:
    """The cases of one half: ``"development"`` (model errors may be studied) or ``"held-out"`` (never studied).

    The split is a deterministic hash of the case id (CRC-32 parity), independent of gene, source folder
    and result, so neither half is chosen by how well the ranking does on it.
    """
    if half not in ("development", "held-out"):
        raise ValueError(f"half must be 'development' or 'held-out', not {half!r}")
    return [c for c in cases if c.half == half]


def decoy_pool() -> list[str]:
    """Genes with at least one OMIM disease carrying phenotype annotations (sorted)."""
    from ..phenotype.likelihood import disease_annotations
    from ..phenotype.similarity import gene_disease_links

    annotated = disease_annotations()
    return sorted(g for g, ds in gene_disease_links().items()
                  if any(d.startswith("OMIM:") and d in annotated and annotated[d].present for d in ds))


def decoys_for(case: Case, pool: Sequence[str], n: int = N_DECOYS, *, draw: int = 0) -> list[str]:
    """``n`` decoy genes for ``case``: a draw seeded by the case id (CRC-32) and the draw number, never the
    causal gene. Draw 0 is the benchmark's reference draw; further draws show how much a rate owes to luck."""
    seed = zlib.crc32(case.id.encode("utf-8"))
    rng = np.random.default_rng(seed if draw == 0 else [seed, draw])
    candidates = [g for g in pool if g != case.gene]
    return sorted(rng.choice(candidates, size=min(n, len(candidates)), replace=False).tolist())


def candidate_table(case: Case, genes: Iterable[str]) -> pd.DataFrame:
    """One candidate per gene (two sides for a compound het), all with the same variant evidence."""
    mode = _MODE_OF.get(case.zygosity, "de_novo")
    rows = []
    for i, gene in enumerate(genes):
        base = {"gene": gene, "mode": mode, "acmg_points": BENCHMARK_POINTS, "acmg_class": "Likely pathogenic",
                "acmg_criteria": [], "max_af": 0.0, "consequence": "missense_variant"}
        if mode == "compound_heterozygous":
            a, b = f"chr1:{1000 * i + 1}:A:G", f"chr1:{1000 * i + 2}:C:T"
            rows += [{**base, "variant_id": a, "partners": [b]}, {**base, "variant_id": b, "partners": [a]}]
        else:
            rows.append({**base, "variant_id": f"chr1:{1000 * i + 1}:A:G", "partners": []})
    return pd.DataFrame(rows)


def rank_case(case: Case, decoys: Sequence[str]) -> tuple[int | None, pd.DataFrame]:
    """The causal gene's rank among the case's genes, and the ranked table."""
    from ..phenotype.similarity import rank_genes
    from .ranking import gene_rank, rank_candidates

    genes = [case.gene, *decoys]
    pheno = rank_genes(list(case.observed), genes, excluded=list(case.excluded), source=case.id)
    ranked = rank_candidates(candidate_table(case, genes).merge(pheno, on="gene", how="left"))
    return gene_rank(ranked, case.gene), ranked


def run(cases: Sequence[Case], *, n_decoys: int = N_DECOYS, draws: int = 1) -> pd.DataFrame:
    """Rank every case against ``draws`` decoy draws; one row per case and draw with ``rank``, the best decoy
    and the LRs."""
    pool = decoy_pool()
    rows = []
    for draw, case in ((d, c) for d in range(draws) for c in cases):
        decoys = decoys_for(case, pool, n_decoys, draw=draw)
        rank, ranked = rank_case(case, decoys)
        by_gene = ranked.drop_duplicates("gene").set_index("gene")
        best_decoy = next(g for g in by_gene.index if g != case.gene)
        rows.append({"draw": draw, "case": case.id, "half": case.half, "source": _source(case.path), "gene": case.gene, "disease": case.disease, "mode": ranked["mode"].iloc[0],
                     "n_observed": len(case.observed), "n_excluded": len(case.excluded), "n_genes": len(by_gene),
                     "rank": rank, "causal_log10_lr": by_gene.at[case.gene, "log10_lr"],
                     "causal_best_disease": by_gene.at[case.gene, "best_disease_id"],
                     "best_decoy": best_decoy, "best_decoy_log10_lr": by_gene.at[best_decoy, "log10_lr"],
                     "causal_post_test_probability": by_gene.at[case.gene, "post_test_probability"]})
    return pd.DataFrame(rows)


def _source(path: str) -> str:
    """``LIRICAL`` for notebooks/LIRICAL/v2phenopackets, else ``gene folder``."""
    return "LIRICAL" if "/LIRICAL/" in path else "gene folder"


def rates(results: pd.DataFrame) -> dict[str, float]:
    """Top-1 and top-5 rates (0..1) of the causal gene, and the number of cases."""
    n = len(results)
    return {"n": n, "top1": float((results["rank"] == 1).sum() / n), "top5": float((results["rank"] <= 5).sum() / n)}


__all__ = ["BENCHMARK_POINTS", "CASES_FILE", "Case", "N_DECOYS", "TOP5_MISS_REASONS", "candidate_table", "decoy_pool", "decoys_for",
           "load_cases", "rank_case", "rates", "run", "split"]
