"""The demo's reuse of earlier cases: in-house stores built from the synthetic cohorts, and a run index.

``bigmed demo`` reports one patient or family per area. So that its colorectal and cardiac reports show
similar earlier patients and families, the other synthetic patients and families are put into in-house
stores first (``data/demo/inhouse/<analysis>/``, the folders the demo parameter files name): the colorectal
store from the cohort's MAF and clinical table, the cardiac store from one screening pass over every family of
the joint files (:func:`bigmed_utils.cardiac.analysis.cohort_overview`). A store is rebuilt only when the demo
data or the code that builds it changed. The demo's reports folder gets the run index of ``bigmed batch``
(``index.json``/``index.html``) with each report's turnaround.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any, Callable, Iterable

#: analyses whose demo parameters name an in-house store, and the folder under the demo data
STORE_FOLDERS = {"colorectal_cancer": "inhouse/colorectal_cancer", "sudden_cardiac_death": "inhouse/sudden_cardiac_death"}
STAMP = ".demo-built"


def _builder_fingerprint(data: Path) -> str:
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256((data / ".complete").read_bytes() if (data / ".complete").is_file() else b"")
    for rel in ("case_store.py", "oncology/similar_patients.py", "cardiac/similar_families.py", "demo_reuse.py"):
        digest.update((root / rel).read_bytes())
    return digest.hexdigest()[:16] + "\n"


def _build(analysis: str, data: Path, target: Path) -> Any:
    if analysis == "colorectal_cancer":
        import json

        from .oncology.similar_patients import build_store_from_cohort

        crc = data / "colorectal_cancer"
        truth = json.loads((crc / "truth.json").read_text(encoding="utf-8"))
        return build_store_from_cohort(target, maf=crc / "somatic.maf", clinical=crc / "clinical.csv",
                                       callable_mb=float(truth.get("callable_mb", 35.0)))
    import hail as hl

    from .cardiac.similar_families import build_store_from_cohort
    from .hail_session import init_hail

    started_here = hl.utils.java.Env._hc is None
    init_hail()
    try:
        return build_store_from_cohort(target, source=data / "sudden_cardiac_death")
    finally:
        if started_here:  # the demo's reports run in their own kernels: free this JVM's memory
            hl.stop()


def ensure_demo_stores(data: str | Path, *, analyses: Iterable[str] = tuple(STORE_FOLDERS),
                       echo: Callable[[str], None] = print) -> dict[str, Path]:
    """Build the in-house stores of the demo (``data/inhouse/<analysis>``) unless already built from the same
    data and code; returns ``{analysis: store folder}``."""
    data = Path(data)
    fingerprint = _builder_fingerprint(data)
    out = {}
    for analysis in analyses:
        if analysis not in STORE_FOLDERS:
            continue
        target = data / STORE_FOLDERS[analysis]
        out[analysis] = target
        if (target / STAMP).is_file() and (target / STAMP).read_text() == fingerprint:
            continue
        echo(f"adding the other synthetic {'patients' if analysis == 'colorectal_cancer' else 'families'} "
             f"to the in-house store {target} ...")
        tmp = target.with_name(target.name + ".partial")
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            _build(analysis, data, tmp)
        except Exception as err:  # noqa: BLE001 - the demo reports still run, saying the store is empty
            echo(f"  could not build the in-house store of {analysis}: {err}")
            shutil.rmtree(tmp, ignore_errors=True)
            continue
        (tmp / STAMP).write_text(fingerprint)
        if target.exists():
            shutil.rmtree(target)
        tmp.rename(target)
    return out


def index_demo_run(reports: str | Path, analysis: str, params_file: Path, result: Any) -> None:
    """Add one demo run (a :class:`~bigmed_utils.runner.RunResult` or the exception it raised) to the demo
    reports' run index, with its turnaround (data arrival = the newest input; published = now)."""
    from . import provenance as prov
    from .batch import BatchCaseOutcome, RunIndex
    from .params import ID_KEYS, analysis_spec
    from .turnaround import newest_input_time, turnaround_fields

    index = RunIndex(Path(reports).resolve())
    Path(reports).mkdir(parents=True, exist_ok=True)
    if isinstance(result, BaseException):
        index.update(BatchCaseOutcome(analysis, analysis, "failed", str(result)))
        return
    spec = analysis_spec(analysis)
    keys = ([spec.id_key] if spec else []) + list(ID_KEYS)
    case_id = next((str(result.summary[k]) for k in keys if result.summary.get(k)), analysis)
    record = result.provenance
    entry = BatchCaseOutcome(analysis, case_id, "done", started=record.get("started"),
                       duration_s=record.get("wall_seconds"), attempts=1,
                       report=str((result.out / "report.html").relative_to(Path(reports).resolve())),
                       headline=str(result.summary.get("headline", "")))
    arrived = newest_input_time(params_file, record.get("parameters") or {})
    vars(entry).update(turnaround_fields(arrived=arrived, published=prov.now()))
    index.update(entry)


__all__ = ["STORE_FOLDERS", "ensure_demo_stores", "index_demo_run"]
