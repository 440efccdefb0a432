"""Cohort scale: the in-house variant database over 100, 250 and 500 synthetic exomes.

For each cohort size N a database of N earlier exomes is written directly in the layout of
:mod:`bigmed_utils.genomics.inhouse_db` (one version folder: ``calls.ht``, ``variants.ht``, ``cases.json``,
``meta.json``, ``CURRENT``) by one Hail job -- adding 500 cases one at a time would itself cost
O(N^2) -- and then three operations are timed against it:

* **update**: :func:`~bigmed_utils.genomics.inhouse_db.add_case` of one new exome (the demo case RD001: its
  VCF is imported, the proband's calls are merged with the N earlier exomes', the variant counts are
  re-aggregated and a new version is written);
* **lookup**: in-house counts and classes of 50 candidate variants (what the analysis asks per case);
* **similarity**: :func:`~bigmed_utils.genomics.inhouse_db.similar_cases`, the patient-similarity query
  of the new case's phenotypes against all N earlier cases.

Synthetic exomes (no real data): each has ``--calls`` non-reference calls of its proband, half drawn from a
pool of 20,000 common sites shared by everybody and half from 2 million rare sites (each case a different
arithmetic progression through the pool, so a case never lists a site twice), 3-8 HPO terms (terms with gene
annotations in the HPO) and 5 candidate genes. The same seed gives the same cohort.

Run alone: ``.venv/bin/python benchmarks/cohort.py --sizes 100 250 500``; ``benchmarks/run_all.py`` calls
:func:`run_cohort` and writes the table into ``RESULTS.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMON_POOL = 20_000
RARE_POOL = 2_000_000
_CONTIGS = [f"chr{i}" for i in range(1, 23)]


@dataclass
class CohortTiming:
    n_cases: int
    n_calls: int
    build_s: float
    update_s: float
    update_cpu_s: float
    lookup_s: float
    similarity_s: float


def _cpu() -> float:
    """CPU seconds of this process and its children still running (the Spark JVM is a child of Python)."""
    import psutil

    total = 0.0
    me = psutil.Process()
    for p in [me, *me.children(recursive=True)]:
        try:
            c = p.cpu_times()
            total += c.user + c.system
        except psutil.Error:
            pass
    return total


def _phenotype_pool() -> tuple[list[str], list[str]]:
    from bigmed_utils.phenotype.ontology import ontology

    Ontology = ontology()
    terms = sorted(t.id for t in Ontology if t.genes and t.id != "HP:0000001")
    genes = sorted({g.name for t in Ontology if t.genes for g in t.genes})
    return terms, genes


def build_cohort_db(db: Path, *, n_cases: int, calls_per_case: int, seed: int = 2016) -> int:
    """Write an in-house database of ``n_cases`` synthetic exomes (one version); return the number of calls."""
    import hail as hl
    import numpy as np

    rng = np.random.default_rng(seed)
    terms, genes = _phenotype_pool()
    version = db / "v000001"
    if db.exists():
        shutil.rmtree(db)
    version.mkdir(parents=True)

    n = n_cases * calls_per_case
    half = calls_per_case // 2
    t = hl.utils.range_table(n, n_partitions=max(4, n // 500_000))
    idx = hl.int64(t.idx)
    case = idx // calls_per_case
    j = idx % calls_per_case
    # distinct sites per case: an arithmetic progression with a step coprime to the pool size
    common = (case * 7919 + j * 104_729) % COMMON_POOL
    rare = COMMON_POOL + (case * 1_000_003 + j * 7_919_001) % RARE_POOL
    site = hl.if_else(j < half, common, rare)
    contig = hl.literal(_CONTIGS)[hl.int32(site % 22)]
    pos = hl.int32(1_000_000 + (site // 22) * 37)
    t = t.annotate(
        locus=hl.locus(contig, pos, "GRCh38"),
        alleles=hl.literal(["A", "G"]),
        case_id=hl.format("EX%05d", hl.int32(case)),
        # about one call in eight homozygous, more among the common sites
        zygosity=hl.if_else((site * 2_654_435_761) % 8 == 0, "hom", "het"),
        acmg_class=hl.missing(hl.tstr),
        gene=hl.missing(hl.tstr),
    )
    t = t.annotate(variant_id=hl.delimit([t.locus.contig, hl.str(t.locus.position), "A", "G"], ":"))
    calls = t.key_by("locus", "alleles").select("variant_id", "case_id", "zygosity", "acmg_class", "gene")
    calls = calls.checkpoint(str(version / "calls.ht"), overwrite=True)
    from bigmed_utils.genomics.inhouse_db import variant_counts

    variants = variant_counts(calls)
    variants.write(str(version / "variants.ht"), overwrite=True)
    cases = []
    for i in range(n_cases):
        k = int(rng.integers(3, 9))
        cases.append({
            "case_id": f"EX{i:05d}",
            "hpo_terms": sorted(rng.choice(terms, size=k, replace=False).tolist()),
            "excluded_terms": [],
            "candidate_genes": rng.choice(genes, size=5, replace=False).tolist(),
            "headline": "synthetic exome",
            "added": "2026-01-01T00:00:00+00:00",
        })
    (version / "cases.json").write_text(json.dumps(cases, indent=1) + "\n", encoding="utf-8")
    (version / "meta.json").write_text(json.dumps({"genome_build": "GRCh38", "version": "v000001", "cases": n_cases}) + "\n")
    (db / "CURRENT").write_text("v000001\n")
    return n


def new_case_run_dir(folder: Path) -> tuple[Path, list[str], list[str], list[str]]:
    """A finished-run folder for the demo case RD001 (what ``add_case`` reads): summary + provenance."""
    import csv

    demo = ROOT / "data" / "demo" / "rare_disease"
    truth = [r for r in csv.DictReader((l for l in (demo / "truth.tsv").read_text().splitlines() if not l.startswith("#")),
                                       delimiter="\t") if r["case"] == "RD001"][0]
    hpo = truth["hpo_terms"].split(",")
    variants = truth["variants"].split(",")
    folder.mkdir(parents=True, exist_ok=True)
    summary = {
        "analysis": "rare_disease", "case_id": "NEW001", "proband": truth["proband"], "headline": "benchmark case",
        "phenotypes": {"observed": hpo, "excluded": []},
        "candidates": [{"rank": 1, "gene": truth["gene"], "variant": v, "acmg_class": "Likely pathogenic",
                        "genotypes": {truth["proband"]: "0/1"}} for v in variants],
    }
    (folder / "summary.json").write_text(json.dumps(summary))
    (folder / "provenance.json").write_text(json.dumps({"params": {
        "vcf": str(demo / "RD001.vcf.gz"), "proband": truth["proband"], "genome_build": "GRCh38"}}))
    return folder, hpo, [truth["gene"]], variants


def run_cohort(sizes: list[int], *, calls_per_case: int = 8_000, work: Path | None = None) -> list[CohortTiming]:
    """Build each cohort database and time update, lookup and similarity (one Hail session)."""
    from bigmed_utils.demo import ensure_demo_data
    from bigmed_utils.genomics import inhouse_db
    from bigmed_utils.hail_session import init_hail

    ensure_demo_data(echo=lambda line: None)
    own_tmp = work is None
    work = Path(tempfile.mkdtemp(prefix="bigmed-cohort-")) if work is None else work
    try:
        init_hail(work_dir=work / "hail", driver_memory=os.environ.get("BIGMED_DRIVER_MEMORY", "4g"))
        run_dir, hpo, genes, variants = new_case_run_dir(work / "NEW001")
        # 50 variants to look up: the planted one and 49 common sites of the cohort
        query = variants + [f"{_CONTIGS[s % 22]}:{1_000_000 + (s // 22) * 37}:A:G" for s in range(49)]
        out = []
        for n in sizes:
            db = work / f"db{n}"
            t0 = time.perf_counter()
            n_calls = build_cohort_db(db, n_cases=n, calls_per_case=calls_per_case)
            build = time.perf_counter() - t0
            print(f"cohort {n}: built ({n_calls:,} calls) in {build:.1f} s", flush=True)

            t0, c0 = time.perf_counter(), _cpu()
            res = inhouse_db.add_case(db, run_dir)
            update, update_cpu = time.perf_counter() - t0, _cpu() - c0
            assert res.n_cases == n + 1, res.message

            t0 = time.perf_counter()
            hits = inhouse_db.lookup(db, query, exclude_case="NEW001")
            lookup = time.perf_counter() - t0
            assert int(hits["inhouse_count"].iloc[1]) > 0  # the common sites are seen before

            t0 = time.perf_counter()
            sim = inhouse_db.similar_cases(db, hpo, genes, exclude_case="NEW001")
            similarity = time.perf_counter() - t0
            assert len(sim) == min(10, n)
            print(f"cohort {n}: update {update:.1f} s, lookup {lookup:.1f} s, similarity {similarity:.2f} s", flush=True)
            out.append(CohortTiming(n, n_calls, build, update, update_cpu, lookup, similarity))
            shutil.rmtree(db, ignore_errors=True)
        return out
    finally:
        if own_tmp:
            shutil.rmtree(work, ignore_errors=True)


def cohort_table(timings: list[CohortTiming]) -> list[str]:
    """Markdown rows: times and ratios to the smallest cohort (linear growth = the size ratio)."""
    base = timings[0]
    lines = [
        "| exomes | calls in DB | update s | update CPU s | lookup s | similarity s | size ratio | update ratio | lookup ratio | similarity ratio |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for t in timings:
        lines.append(
            f"| {t.n_cases} | {t.n_calls:,} | {t.update_s:.1f} | {t.update_cpu_s:.1f} | {t.lookup_s:.1f} | {t.similarity_s:.2f} | "
            f"{t.n_cases / base.n_cases:.1f} | {t.update_s / base.update_s:.2f} | {t.lookup_s / base.lookup_s:.2f} | "
            f"{t.similarity_s / base.similarity_s:.2f} |"
        )
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 250, 500])
    ap.add_argument("--calls", type=int, default=8_000, help="non-reference calls per synthetic exome")
    ap.add_argument("--json", type=Path, help="also write the timings as JSON here")
    args = ap.parse_args()
    timings = run_cohort(args.sizes, calls_per_case=args.calls)
    print("\n".join(cohort_table(timings)))
    if args.json:
        args.json.write_text(json.dumps([t.__dict__ for t in timings], indent=1))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
