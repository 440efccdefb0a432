"""Published patients' phenotypes hidden among decoy genes with identical variant evidence: the real ranking
must put the causal gene first in >= 90 % of the cases (benchmarks/phenopacket_decoys.py writes the numbers
to benchmarks/RESULTS.md). The whole bundled set runs (about 40 s)."""

from __future__ import annotations

import pytest

from bigmed_utils.rare_disease.phenopacket_benchmark import (N_DECOYS, candidate_table, decoy_pool, decoys_for,
                                                             load_cases, rates, run)

#: top-5 misses, each explained in benchmarks/RESULTS.md: CPAP (primary microcephaly 6: the patient's delay,
#: EEG abnormality and absent speech fit five decoy neurodevelopmental disorders annotated with more of these
#: terms) and CDK5RAP2 (primary microcephaly 3: the published record lists short stature, asthma, sleep apnoea
#: and delays but no microcephaly)
KNOWN_TOP5_MISSES = {"CPAP", "CDK5RAP2"}


@pytest.fixture(scope="module")
def cases():
    return load_cases()


@pytest.fixture(scope="module")
def results(cases):
    return run(cases)


def test_bundled_cases_are_many_genes_without_wwox(cases):
    genes = [c.gene for c in cases]
    assert len(cases) >= 60
    assert len(set(genes)) == len(genes)  # one case per gene
    assert "WWOX" not in genes
    assert all(c.observed for c in cases)
    # renamed genes are given their current symbol by NCBI Gene id (GBA -> GBA1, CENPJ -> CPAP)
    assert {"GBA1", "CPAP"} <= set(genes) and not {"GBA", "CENPJ"} & set(genes)


def test_decoys_are_seeded_and_exclude_the_causal_gene(cases):
    pool = decoy_pool()
    first = decoys_for(cases[0], pool)
    assert first == decoys_for(cases[0], pool)  # same draw on every run
    assert len(first) == N_DECOYS and cases[0].gene not in first
    assert first != decoys_for(cases[1], pool)
    table = candidate_table(cases[0], [cases[0].gene, *first])
    assert table[["acmg_points", "mode"]].drop_duplicates().shape[0] == 1  # identical variant evidence


def test_causal_gene_ranks_first_in_at_least_90_percent(results):
    summary = rates(results)
    misses = results.loc[results["rank"] > 1, ["gene", "rank", "best_decoy"]].to_dict("records")
    print(f"\ntop-1 {summary['top1']:.1%}, top-5 {summary['top5']:.1%} over {summary['n']} cases; not first: {misses}")
    assert summary["top1"] >= 0.90
    assert set(results.loc[results["rank"] > 5, "gene"]) <= KNOWN_TOP5_MISSES
    assert summary["top5"] >= 0.95
