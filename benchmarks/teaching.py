"""Wall time of each teaching notebook executed from scratch (a new kernel and, where used, a new Hail session).

The budget is 2 minutes per notebook on 2 cores. Each notebook runs from a copy of
``notebooks/teaching/`` whose ``../../data/demo`` is the demo data, with ``jupyter nbconvert --execute``, as
a student's "Run All" does. The Hail notebooks (01, 02) are timed twice: importing the demo VCF (a fresh
checkout) and reading ``RD001.mt`` as written by ``binder/postBuild`` (Binder).

Run from the project root: ``.venv/bin/python benchmarks/teaching.py [--json FILE]``; ``make bench`` runs it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import measure  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TEACHING = ROOT / "notebooks" / "teaching"
NOTEBOOKS = ["00_start_here", "01_hail_basics", "02_find_the_diagnosis", "03_cardiac_family",
             "04_colorectal_cohort", "solutions"]
HAIL_NOTEBOOKS = {"01_hail_basics", "02_find_the_diagnosis"}
BUDGET_S = 120

WRITE_MT = """
import sys
from bigmed_utils.hail_session import init_hail
from bigmed_utils.io.vcf import read_vcf
init_hail(work_dir=sys.argv[2], driver_memory="2g")
read_vcf(sys.argv[1] + "/RD001.vcf.gz").write(sys.argv[1] + "/RD001.mt", overwrite=True)
"""


def _project(tmp: Path, demo: Path, *, with_mt: bool) -> Path:
    """A copy of the teaching folder reading ``demo`` (with or without ``RD001.mt``) as ``../../data/demo``."""
    project = tmp / ("binder" if with_mt else "fresh")
    shutil.copytree(TEACHING, project / "notebooks" / "teaching",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    data = project / "data" / "demo"
    data.mkdir(parents=True)
    for child in demo.iterdir():
        if child.name != "rare_disease":
            (data / child.name).symlink_to(child)
    (data / "rare_disease").mkdir()
    for f in (demo / "rare_disease").iterdir():
        if not f.name.endswith((".mt", ".bigmed-cache")):
            (data / "rare_disease" / f.name).symlink_to(f)
    if with_mt:
        subprocess.run([str(BIN / "python"), "-c", WRITE_MT, str(data / "rare_disease"), str(tmp / "hail-tmp")],
                       check=True, capture_output=True)
    return project


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", type=Path, help="write the timings here")
    args = ap.parse_args()
    from bigmed_utils.demo import ensure_demo_data

    demo = ensure_demo_data()
    rows = []
    with tempfile.TemporaryDirectory(prefix="bigmed-teaching-bench-") as tmpdir:
        tmp = Path(tmpdir)
        projects = {False: _project(tmp, demo, with_mt=False), True: _project(tmp, demo, with_mt=True)}
        for name in NOTEBOOKS:
            for with_mt in ([False, True] if name in HAIL_NOTEBOOKS else [False]):
                folder = projects[with_mt] / "notebooks" / "teaching"
                env = dict(os.environ, BIGMED_DEMO_DIR=str(projects[with_mt] / "data" / "demo"))
                m = measure(name, [str(BIN / "jupyter"), "nbconvert", "--to", "notebook", "--execute",
                                   "--ExecutePreprocessor.timeout=600", "--output", f"{name}.executed",
                                   f"{name}.ipynb"], env=env, cwd=folder)
                if m.returncode != 0:
                    print(m.stderr[-3000:], file=sys.stderr)
                    raise SystemExit(f"{name} failed to execute")
                rows.append({"notebook": name, "data": "RD001.mt (Binder)" if with_mt else "demo VCF",
                             "wall_s": round(m.wall_s, 1), "cpu_s": round(m.cpu_s, 1),
                             "peak_rss_mb": round(m.peak_rss_mb), "within_budget": m.wall_s <= BUDGET_S})
                print(f"{name:24s} {rows[-1]['data']:18s} {m.wall_s:6.1f} s wall  {m.cpu_s:6.1f} s CPU  "
                      f"{m.peak_rss_mb:5.0f} MB", flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    over = [r["notebook"] for r in rows if not r["within_budget"]]
    print(f"all within {BUDGET_S} s" if not over else f"over {BUDGET_S} s: {', '.join(over)}")


if __name__ == "__main__":
    main()
