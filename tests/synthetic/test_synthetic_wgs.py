"""The whole-genome-scale trio (here at reduced size: the same code path with fewer sites)."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest

from bigmed_utils.errors import ParameterError
from bigmed_utils.synthetic import generate
from bigmed_utils.synthetic.wgs import WGS_SITES, generate_wgs


def test_wgs_trio_small(tmp_path, hail_session):
    folder = generate_wgs(tmp_path, seed=11, n_sites=150_000)
    truth = pd.read_csv(folder / "truth.tsv", sep="\t", comment="#")
    row = truth.iloc[0]
    assert row["mode"] == "de_novo" and row.case == "WGS001"
    chrom, pos, ref, alt = row.variants.split(":")
    competitors = {tuple(c.split(":")[2:4]) for c in row.competitors.split(",")}  # (chrom, pos)
    assert [c.split(":")[0] for c in row.competitors.split(",")] == ["variant", "phenotype"]
    n, found, contigs = 0, None, set()
    with gzip.open(folder / "WGS001.vcf.gz", "rt") as fh:
        for line in fh:
            if line.startswith("#"):
                if line.startswith("##source="):
                    assert "SYNTHETIC DATA" in line
                continue
            n += 1
            f = line.split("\t", 2)
            contigs.add(f[0])
            if f[0] == chrom and f[1] == pos:
                found = line.rstrip("\n").split("\t")
            competitors.discard((f[0], f[1]))
    assert 120_000 <= n <= 160_000
    assert contigs == {f"chr{i}" for i in range(1, 23)} | {"chrX"}
    assert found is not None and found[3:5] == [ref, alt]
    assert not competitors  # both competing candidates are in the VCF
    assert [x.split(":")[0] for x in found[9:12]] == ["0/1", "0/0", "0/0"]
    hl = hail_session
    mt = hl.import_vcf(str(folder / "WGS001.vcf.gz"), reference_genome="GRCh38", force_bgz=True, min_partitions=4)
    assert mt.count_rows() == n
    # genome-wide SNVs: Ti/Tv about 2.05 (the generator's target), not the 0.5 of random errors
    ti_tv = hl.sample_qc(mt).cols().sample_qc.r_ti_tv.collect()
    assert all(1.95 <= x <= 2.15 for x in ti_tv), ti_tv
    assert (folder / "WGS001.vcf.gz.tbi").is_file() and (folder / "WGS001.ped").is_file()


def test_wgs_default_size_and_parameters(tmp_path):
    assert WGS_SITES == 5_000_000
    with pytest.raises(ParameterError, match="scale"):
        generate(tmp_path, scale="exome")
    with pytest.raises(ParameterError, match="cases"):
        generate(tmp_path, cases=0)
