"""Compound-heterozygous pairs of a WGS trio before and after the consequence gate.

    .venv/bin/python benchmarks/comphet_gate.py data/bench/rare_disease_wgs/WGS001.vcf.gz --json out.json

Reads the trio from the import cache (``read_vcf_cached``, written by ``bigmed run`` or made here), takes the
proband's rare rows once (:func:`~bigmed_utils.genomics.rare_rows.proband_rare_rows`, AF <= 5 %) and runs
the candidate search twice with the default thresholds: without the gate (``consequence_gate=False``) and
with it. Counts the phased compound-het pairs (each pair once), the variants in them and the genes, and
times each search. Hail's de novo caller is skipped (it does not touch the pairing). Prints a Markdown table
(and writes JSON with ``--json``) for ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path


def count_pairs(cands) -> dict[str, int]:
    """Pairs (each once), variants and genes of the compound-het rows of a candidate table."""
    ch = cands[cands["mode"] == "compound_heterozygous"]
    pairs = {tuple(sorted((v, p))) for v, ps in zip(ch["variant_id"], ch["partners"]) for p in ps}
    return {"pairs": len(pairs), "variants": int(ch["variant_id"].nunique()), "genes": int(ch["gene"].nunique())}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("vcf", type=Path)
    ap.add_argument("--ped", type=Path, help="default: the VCF's name with .ped")
    ap.add_argument("--proband", default=None, help="default: <case>-P")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    case = args.vcf.name.split(".")[0]
    ped_path = args.ped or args.vcf.with_name(f"{case}.ped")
    proband = args.proband or f"{case}-P"

    from bigmed_utils.genomics.inheritance import GATE_STEP, find_candidates
    from bigmed_utils.genomics.rare_rows import FAMILY_TABLE_MAX_AF, proband_rare_rows
    from bigmed_utils.hail_session import init_hail
    from bigmed_utils.io.ped import read_ped
    from bigmed_utils.io.vcf_cache import read_vcf_cached

    init_hail()
    ped = read_ped(ped_path)
    mt = read_vcf_cached(args.vcf, parse_csq=False)
    rare = proband_rare_rows(mt, ped, proband=proband, max_af=FAMILY_TABLE_MAX_AF)
    import hail as hl

    truth_file = args.vcf.with_name("truth.tsv")
    planted: set[str] = set()
    if truth_file.is_file():
        import pandas as pd

        truth = pd.read_csv(truth_file, sep="\t", comment="#")
        planted = {v for vs in truth.loc[truth["case"] == case, "variants"] for v in str(vs).split(",")}
    rare = rare.checkpoint(hl.utils.new_temp_file("comphet-bench", "mt"))
    out: dict[str, dict] = {}
    for label, gate in (("without the gate", False), ("with the gate", True)):
        start = time.perf_counter()
        found = find_candidates(rare, ped, proband=proband, consequence_gate=gate, use_hail_de_novo=False)
        seconds = time.perf_counter() - start
        funnel = dict(found.funnel)
        out[label] = {**count_pairs(found.candidates), "seconds": round(seconds, 1),
                      "proband_rare_good": funnel["proband carries ALT with a good genotype"],
                      "after_gate": funnel.get(GATE_STEP),
                      "candidates": funnel["candidates in any mode"],
                      "planted_found": bool(planted) and planted <= set(found.candidates["variant_id"])}
    lines = ["| candidate search | rare variants, good genotype | after the gate | compound-het pairs | "
             "variants in pairs | genes | all candidates | planted variant found | seconds |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for label, r in out.items():
        lines.append(f"| {label} | {r['proband_rare_good']:,} | {r['after_gate'] if r['after_gate'] is not None else '–'} | "
                     f"{r['pairs']:,} | {r['variants']:,} | {r['genes']:,} | {r['candidates']:,} | "
                     f"{'yes' if r['planted_found'] else 'NO'} | {r['seconds']:.1f} |")
    print("\n".join(lines))
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
