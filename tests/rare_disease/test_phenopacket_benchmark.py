"""Published patients' phenotypes hidden among decoy genes with identical variant evidence: the real ranking
must put the causal gene first in >= 90 % of the cases, on the development half, on the held-out half and on
the whole (benchmarks/phenopacket_decoys.py writes the numbers to benchmarks/RESULTS.md). Top-5 = 100 % is not
reached: each case outside the top 5 is named with its clinical reason in TOP5_MISS_REASONS. The whole bundled
set runs (about 30 s)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow  # ranks 151 published patients among decoys (about 20 s)

from bigmed_utils.rare_disease.phenopacket_benchmark import (N_DECOYS, TOP5_MISS_REASONS, candidate_table,
                                                             decoy_pool, decoys_for, load_cases, rates, run, split)


@pytest.fixture(scope="module")
def cases():
    return load_cases()


@pytest.fixture(scope="module")
def results(cases):
    return run(cases)


def test_bundled_cases_are_151_distinct_genes_from_two_sources_without_wwox(cases):
    genes = [c.gene for c in cases]
    assert len(cases) == 151
    assert len(set(genes)) == len(genes)  # one case per gene
    assert "WWOX" not in genes
    assert all(c.observed for c in cases)
    lirical = [c for c in cases if "/LIRICAL/v2phenopackets/" in c.path]
    folders = [c for c in cases if c.path.startswith(f"notebooks/{c.gene}/phenopackets/")]
    assert (len(lirical), len(folders)) == (94, 57)
    assert sum(bool(c.excluded) for c in folders) >= 40  # the gene folders record excluded findings
    # renamed genes are given their current symbol by NCBI Gene id (GBA -> GBA1, CENPJ -> CPAP)
    assert {"GBA1", "CPAP"} <= set(genes) and not {"GBA", "CENPJ"} & set(genes)


def test_split_is_fixed_by_the_case_id_and_covers_every_case_once(cases):
    dev, held = split(cases, "development"), split(cases, "held-out")
    assert (len(dev), len(held)) == (73, 78)
    assert not {c.id for c in dev} & {c.id for c in held}
    assert next(c for c in cases if c.gene == "CDK5RAP2").half == "development"
    with pytest.raises(ValueError, match="half must be 'development' or 'held-out'"):
        split(cases, "test")


def test_decoys_are_seeded_and_exclude_the_causal_gene(cases):
    pool = decoy_pool()
    first = decoys_for(cases[0], pool)
    assert first == decoys_for(cases[0], pool)  # same draw on every run
    assert len(first) == N_DECOYS and cases[0].gene not in first
    assert first != decoys_for(cases[1], pool)
    assert decoys_for(cases[0], pool, draw=0) == first  # draw 0 is the reference draw
    again = decoys_for(cases[0], pool, draw=1)
    assert again == decoys_for(cases[0], pool, draw=1) and again != first and cases[0].gene not in again
    table = candidate_table(cases[0], [cases[0].gene, *first])
    assert table[["acmg_points", "mode"]].drop_duplicates().shape[0] == 1  # identical variant evidence


def test_causal_gene_first_in_at_least_90_percent_of_each_half(results):
    for half in ("development", "held-out"):
        summary = rates(results[results["half"] == half])
        assert summary["top1"] >= 0.90, (half, summary)
    summary = rates(results)
    print(f"\ntop-1 {summary['top1']:.1%}, top-5 {summary['top5']:.1%} over {summary['n']} cases")
    assert summary["top1"] >= 0.93  # measured 141/151


def test_top5_misses_are_the_three_explained_records(results):
    outside = set(results.loc[results["rank"] > 5, "gene"])
    assert outside <= set(TOP5_MISS_REASONS), outside - set(TOP5_MISS_REASONS)
    assert rates(results)["top5"] >= 148 / 151
