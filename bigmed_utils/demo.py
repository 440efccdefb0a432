"""``make demo`` / ``bigmed demo``: synthetic demo data, then every analysis on its demo parameters.

The demo parameter files (``parameters/<analysis>/demo.yaml``) point at ``data/demo/`` of the project,
so the data are generated there (once; a half-written folder is never mistaken for a complete one).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable

from .runner import available_analyses, default_notebooks_dir, run_analysis

DEMO_SEED = 2016


def project_root() -> Path:
    """The project folder holding ``notebooks/`` and ``parameters/``."""
    return default_notebooks_dir().resolve().parent


def ensure_demo_data(data: str | Path | None = None, *, echo: Callable[[str], None] = print) -> Path:
    """Generate the synthetic demo data into ``data`` (default ``data/demo``) unless already complete."""
    from . import synthetic

    folder = Path(data) if data else project_root() / "data" / "demo"
    stamp = folder / ".complete"
    fingerprint = f"seed {DEMO_SEED} generator {generator_fingerprint()}\n"
    if stamp.is_file() and stamp.read_text() == fingerprint:
        return folder
    tmp = folder.with_name(folder.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    echo(f"generating synthetic demo data in {folder} ...")
    synthetic.generate(tmp, seed=DEMO_SEED)
    (tmp / ".complete").write_text(fingerprint)
    if folder.exists():
        shutil.rmtree(folder)
    tmp.rename(folder)
    return folder


def generator_fingerprint() -> str:
    """sha256 of the synthetic generators' source: demo data made by older code is made again."""
    import hashlib

    from . import synthetic

    digest = hashlib.sha256()
    for path in sorted(Path(synthetic.__file__).parent.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def demo_parameter_files() -> dict[str, Path]:
    """``{analysis: parameters/<analysis>/demo.yaml}`` for every analysis that has a notebook."""
    params_dir = project_root() / "parameters"
    return {
        name: params_dir / name / "demo.yaml"
        for name in available_analyses()
        if (params_dir / name / "demo.yaml").is_file()
    }


def run_demo(*, out: str | Path = "reports/demo", echo: Callable[[str], None] = print) -> dict[str, object]:
    """Run every analysis on its demo parameters into ``out/<analysis>``; return results or exceptions."""
    from .demo_reuse import ensure_demo_stores, index_demo_run

    data = ensure_demo_data(echo=echo)
    files = demo_parameter_files()
    ensure_demo_stores(data, analyses=files, echo=echo)  # earlier patients and families for the reports
    results: dict[str, object] = {}
    for name, params_file in files.items():
        echo(f"running {name} ...")
        try:
            res = run_analysis(name, params_file=params_file, out=Path(out) / name, force=True)
            results[name] = res
            echo(f"  report: {res.out / 'report.html'}")
        except Exception as err:  # noqa: BLE001 - one failing demo must not hide the others
            results[name] = err
            echo(f"  FAILED: {err}")
        index_demo_run(out, name, params_file, results[name])  # index.html with turnaround
    if not results:
        echo("no analysis notebook with demo parameters yet")
    return results
