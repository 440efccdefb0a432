"""Where the time of a VCF import goes: Hail stages timed one by one on a VCF (or a region of it).

Each stage writes its result (``write`` forces the whole computation; a ``count`` alone may be optimised
away) and is timed separately::

    .venv/bin/python benchmarks/profile_import.py data/bench/rare_disease_wgs/WGS001.vcf.gz --region chr2

Stages: (1) ``hl.import_vcf`` parse only (count), (2) import + write, (3) import + ``split_multi_hts`` + write,
(4) import + CSQ parse (:func:`~bigmed_utils.genomics.csq.annotate_csq`) + write, (5) the whole
:func:`~bigmed_utils.io.vcf.read_vcf` + write (what the cache stores), (6) reading the written table back
and the first filter of the analysis (proband carries ALT with GQ >= 20), (7) what the analysis caches now:
import + split with the CSQ strings left unparsed + write, (8) from that table, the proband's rare rows
(:func:`~bigmed_utils.genomics.rare_rows.proband_rare_rows`: ALT carried, cheap AF pre-filter, CSQ
parse of the survivors) + write.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    import shutil

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("vcf", type=Path)
    ap.add_argument("--region", help="bcftools region to profile (e.g. chr2), extracted first")
    ap.add_argument("--proband", default="WGS001-P")
    ap.add_argument("--partitions", type=int, default=None)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bigmed-profile-"))
    try:
        _profile(args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _profile(args: argparse.Namespace, tmp: Path) -> None:
    vcf = args.vcf
    if args.region:
        sub = tmp / f"{args.region}.vcf.gz"
        subprocess.run(["bcftools", "view", "-r", args.region, str(vcf), "-Oz", "-o", str(sub)], check=True)
        vcf = sub

    from bigmed_utils.genomics.csq import annotate_csq
    from bigmed_utils.hail_session import init_hail
    from bigmed_utils.io.vcf import CONTIG_RECODING, read_vcf, read_vcf_header
    from bigmed_utils.io.vcf_cache import default_min_partitions

    hl = init_hail(work_dir=tmp / "hail")
    parts = args.partitions or default_min_partitions(vcf)
    fields = read_vcf_header(vcf).csq_fields
    times: dict[str, float] = {}

    def imported():
        return hl.import_vcf(str(vcf), reference_genome="GRCh38", contig_recoding=CONTIG_RECODING["GRCh38"],
                             array_elements_required=False, skip_invalid_loci=True, force_bgz=True,
                             min_partitions=parts)

    def timed(name, fn):
        t0 = time.perf_counter()
        out = fn()
        times[name] = round(time.perf_counter() - t0, 2)
        print(f"{name}: {times[name]:.1f} s  {out if out is not None else ''}", flush=True)

    def write(mt, name):
        mt.write(str(tmp / f"{name}.mt"), overwrite=True)

    timed("1 import_vcf, count rows", lambda: imported().count_rows())
    timed("2 import + write", lambda: write(imported(), "raw"))
    timed("3 import + split_multi_hts + write", lambda: write(hl.split_multi_hts(imported()), "split"))

    def csq_only():
        mt = imported()
        info_types = {k: mt.info[k].dtype for k in mt.info}
        mt = mt.annotate_rows(vcf_alleles=mt.alleles, a_index=1)  # first ALT: the CSQ cost of a bi-allelic file
        write(annotate_csq(mt, fields=fields, info_fields=info_types), "csq")

    timed("4 import + CSQ parse + write (no split)", csq_only)
    timed("5 read_vcf (import, split, CSQ) + write", lambda: write(read_vcf(vcf, min_partitions=parts, checkpoint=False), "full"))

    def from_cache():
        mt = hl.read_matrix_table(str(tmp / "full.mt"))
        mt = mt.filter_rows(hl.agg.any((mt.s == args.proband) & hl.or_else(mt.GT.is_non_ref() & (mt.GQ >= 20), False)))
        return mt.count_rows()

    timed("6 read cached table + proband ALT/GQ filter (count)", from_cache)

    timed("7 read_vcf, CSQ left unparsed, + write (what the cache stores)",
          lambda: write(read_vcf(vcf, min_partitions=parts, checkpoint=False, parse_csq=False), "lazy"))

    def rare_rows():
        import pandas as pd

        from bigmed_utils.genomics.rare_rows import FAMILY_TABLE_MAX_AF, proband_rare_rows

        mt = hl.read_matrix_table(str(tmp / "lazy.mt"))
        ped = pd.DataFrame({"family_id": "F", "individual_id": [args.proband], "paternal_id": [None],
                            "maternal_id": [None], "sex": [0], "phenotype": [2]})
        rare = proband_rare_rows(mt, ped, proband=args.proband, max_af=FAMILY_TABLE_MAX_AF)
        write(rare, "rare")
        return hl.read_matrix_table(str(tmp / "rare.mt")).count_rows()

    timed("8 from 7: the proband's rare rows (ALT, cheap AF pre-filter, CSQ parse of the rest, AF <= 5 %) + write",
          rare_rows)
    n = hl.read_matrix_table(str(tmp / "full.mt")).count_rows()
    print(f"rows after split: {n}, partitions: {parts}")
    if args.json:
        args.json.write_text(json.dumps({"vcf": str(vcf), "rows": n, "partitions": parts, "seconds": times}, indent=1))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
