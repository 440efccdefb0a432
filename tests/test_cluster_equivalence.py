"""Past one machine: the rare-disease analysis gives the same summary.json in local mode and on a Spark
standalone cluster of two workers on 127.0.0.1 (both through ``bigmed run``, each in its own process)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from spark_cluster import standalone_cluster

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "parameters" / "rare_disease" / "demo.yaml"
BIGMED = Path(sys.executable).parent / "bigmed"
#: keys that may differ between two runs of the same analysis (none are expected; listed for clarity)
VOLATILE_KEYS: set[str] = {"timings"}


def _private_case(folder: Path) -> Path:
    """The demo case's files copied to ``folder`` with a parameter file: each mode imports its own VCF
    (the import cache beside a shared VCF would otherwise let the cluster run skip the import)."""
    import yaml

    folder.mkdir(parents=True)
    params = yaml.safe_load(DEMO.read_text())
    for key in ("vcf", "ped", "phenopacket", "clinical_note"):
        if params.get(key):
            src = (DEMO.parent / params[key]).resolve()
            for f in [src, src.with_name(src.name + ".tbi")]:
                if f.is_file():
                    shutil.copy(f, folder / f.name)
            params[key] = str(folder / src.name)
    path = folder / "params.yaml"
    path.write_text(yaml.safe_dump(params))
    return path


def _run(out: Path, *extra: str, env: dict[str, str]) -> dict:
    params = _private_case(out.with_name(out.name + "-input"))
    res = subprocess.run(
        [str(BIGMED), "run", "rare_disease", "--params", str(params), "-p", "driver_memory=2g", *extra, "--out", str(out)],
        capture_output=True, text=True, timeout=1200, env=env, cwd=REPO,
    )
    assert res.returncode == 0, f"bigmed run {' '.join(extra)} failed:\n{res.stdout[-2000:]}\n{res.stderr[-4000:]}"
    return json.loads((out / "summary.json").read_text())


@pytest.mark.spark_cluster
@pytest.mark.slow
def test_rare_disease_summary_identical_local_and_two_worker_cluster(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("BIGMED_SPARK_MASTER", "BIGMED_DRIVER_MEMORY")}
    # the demo parameters point at data/demo/...: generate it when absent (as `make demo` does)
    from bigmed_utils.demo import ensure_demo_data

    ensure_demo_data(echo=lambda line: None)
    local = _run(tmp_path / "local", env=env)

    spark = tmp_path / "spark"
    with standalone_cluster(spark, workers=2, cores=1, memory="2g") as master:
        cluster = _run(tmp_path / "cluster", "-p", f"spark_master={master}", env=env)
        provenance = json.loads((tmp_path / "cluster" / "provenance.json").read_text())

    # each run read its own copy of the VCF through the first pass (the cluster run imported the small VCF
    # on the cluster) and cached the proband's rare rows and those that pass the consequence gate beside it;
    # the whole VCF was never imported
    folder = tmp_path / "cluster-input"
    cached = sorted(p.name for p in folder.glob("*.bigmed-cache/*.mt"))
    assert len(cached) == 2, cached
    assert re.fullmatch(r"[0-9a-f]{16}\.gated-[0-9a-f]{16}\.mt", cached[0]), cached
    assert re.fullmatch(r"[0-9a-f]{16}\.proband-rare-[0-9a-f]{16}\.mt", cached[1]), cached
    assert list(folder.glob(f"*.bigmed-cache/{cached[0][:16]}.first-pass-*.vcf.gz")), cached
    # the cluster run really ran on the cluster, on both workers
    assert provenance["hail"]["spark_master"] == master
    for i in (0, 1):
        log = (spark / "logs" / f"worker{i}.log").read_text(errors="replace")
        assert "Asked to launch executor" in log, f"worker {i} ran no executor"

    # the planted truth is found, so the comparison is not of two empty answers
    assert local["candidates"] and local["candidates"][0]["gene"] == "SCN1A"
    for key in ("candidates", "qc", "phenotypes", "funnel", "headline"):
        assert cluster[key] == local[key], key
    strip = lambda s: {k: v for k, v in s.items() if k not in VOLATILE_KEYS}  # noqa: E731
    assert strip(cluster) == strip(local)
