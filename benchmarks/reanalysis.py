"""Re-analysis inside a running session: what a researcher waits for after changing HPO terms or thresholds.

In JupyterLab the kernel and the Hail JVM are already up, so a re-analysis costs only ``analyse_case``. This
script starts Hail, analyses the case once with the first parameter file (the researcher's first look; its
VCF is already cached by step (b) of ``run_all.py``), then times ``analyse_case`` with the changed
parameters, and writes the seconds of both and the per-step timings as JSON. The first is the cold case
(Hail compiles its pipelines on first use); the second is the re-analysis in a warm session.
Usage: ``python benchmarks/reanalysis.py FIRST.yaml CHANGED.yaml --json OUT``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("first", type=Path)
    ap.add_argument("params", type=Path)
    ap.add_argument("--json", type=Path, required=True)
    args = ap.parse_args()

    from bigmed_utils.hail_session import init_hail
    from bigmed_utils.params import read_params_file, validate_params
    from bigmed_utils.rare_disease.analysis import analyse_case

    first = validate_params("rare_disease", read_params_file(args.first))
    params = validate_params("rare_disease", read_params_file(args.params))
    t0 = time.perf_counter()
    init_hail()
    startup = time.perf_counter() - t0
    t1 = time.perf_counter()
    cold = analyse_case(first)
    cold_s = time.perf_counter() - t1
    t2 = time.perf_counter()
    result = analyse_case(params)
    seconds = time.perf_counter() - t2
    top = result.top.iloc[0] if len(result.top) else None
    args.json.write_text(json.dumps({
        "hail_startup_s": round(startup, 2), "first_analysis_s": round(cold_s, 2), "first_steps": cold.timings,
        "analysis_s": round(seconds, 2), "steps": result.timings,
        "top": f"{top['gene']} {top['variant']}" if top is not None else "none",
    }, indent=1) + "\n")


if __name__ == "__main__":
    main()
