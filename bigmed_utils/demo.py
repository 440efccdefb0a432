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
    """Generate the synthetic demo data into ``data`` (default ``data/demo``) unless already complete.

    Several processes may ask at once (two ``bigmed demo``, a test collection and ``bigmed demo``): one
    generates under the lock ``.demo.lock`` beside the folder, in its own unique temporary folder renamed into
    place when complete; the others wait (saying who holds the lock) and then find the data complete.
    """
    from . import synthetic
    from .io.locks import exclusive, lock_file_for, remove_abandoned, replace_folder, unique_sibling

    folder = Path(data) if data else project_root() / "data" / "demo"
    fingerprint = f"seed {DEMO_SEED} generator {generator_fingerprint()}\n"
    if _complete(folder, fingerprint):
        return folder
    with exclusive(lock_file_for(folder), what=f"the demo data {folder}", echo=echo):
        if _complete(folder, fingerprint):  # made by the process we waited for
            return folder
        remove_abandoned(folder, "partial")
        tmp = unique_sibling(folder, "partial")
        echo(f"generating synthetic demo data in {folder} ...")
        try:
            synthetic.generate(tmp, seed=DEMO_SEED, lock=False)  # tmp is ours alone: no lock file beside it
            (tmp / ".complete").write_text(fingerprint)
            replace_folder(tmp, folder)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return folder


def _complete(folder: Path, fingerprint: str) -> bool:
    stamp = folder / ".complete"
    try:
        return stamp.is_file() and stamp.read_text() == fingerprint
    except OSError:  # replaced while we looked
        return False


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
