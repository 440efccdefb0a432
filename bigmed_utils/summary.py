"""``summary.json``: the machine-readable result of every analysis, written through one helper.

Every summary carries ``analysis``, its id key (``case_id``, ``family_id`` or ``patient_id``) and
``bigmed_utils_version``, plus the keys its analysis lists (:data:`bigmed_utils.params.ANALYSES`). The
runner validates it with :func:`validate_summary` before a run counts as done. Variants are written
``chrom:pos:ref:alt`` as in the input VCF.
"""

from __future__ import annotations

import json
import math
import os
from datetime import date, datetime
from pathlib import Path
from typing import Any, Mapping

from ._fs import atomic_write_text
from .errors import AnalysisError
from .params import ID_KEYS, analysis_spec

ENV_OUTPUT_DIR = "BIGMED_OUTPUT_DIR"
SUMMARY_FILE = "summary.json"


def output_dir() -> Path:
    """Folder this run writes into: ``$BIGMED_OUTPUT_DIR`` under ``bigmed run``, else ``./bigmed-output``."""
    folder = Path(os.environ.get(ENV_OUTPUT_DIR) or "bigmed-output")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _jsonable(value: Any) -> Any:
    """Plain JSON values from numpy/pandas scalars, paths, dates; NaN becomes null."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value) if isinstance(value, (set, frozenset)) else value
        return [_jsonable(v) for v in items]
    if isinstance(value, (str, bool)) or value is None:
        return value
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, int):
        return value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "item"):  # numpy scalars
        return _jsonable(value.item())
    if hasattr(value, "to_dict"):  # pandas objects
        return _jsonable(value.to_dict())
    raise TypeError(f"summary value of type {type(value).__name__} is not JSON-serialisable: {value!r}")


def make_summary(analysis: str, results: Mapping[str, Any]) -> dict[str, Any]:
    """The summary dict: ``analysis`` and ``bigmed_utils_version`` first, then ``results`` as plain JSON."""
    from . import __version__

    body = _jsonable(results)
    summary = {"analysis": analysis, "bigmed_utils_version": __version__}
    summary.update({k: v for k, v in body.items() if k not in summary})
    validate_summary(summary, analysis=analysis)
    return summary


def write_summary(analysis: str, results: Mapping[str, Any], *, out_dir: str | Path | None = None) -> Path:
    """Validate and write ``summary.json`` atomically; return its path.

    Parameters
    ----------
    analysis
        The analysis name; its required keys are checked.
    results
        The analysis' results: the id key and the analysis' keys (numpy/pandas values are converted).
    out_dir
        Where to write; default :func:`output_dir`.
    """
    summary = make_summary(analysis, results)
    folder = Path(out_dir) if out_dir is not None else output_dir()
    path = folder / SUMMARY_FILE
    return atomic_write_text(path, json.dumps(summary, indent=2, ensure_ascii=False) + "\n")


def validate_summary(summary: Mapping[str, Any], *, analysis: str) -> None:
    """Raise :class:`AnalysisError` unless ``summary`` has the keys every summary and ``analysis`` need."""
    missing = [k for k in ("analysis", "bigmed_utils_version") if k not in summary]
    if summary.get("analysis") not in (None, analysis):
        raise AnalysisError(f"summary.json: analysis is {summary.get('analysis')!r}, expected {analysis!r}")
    spec = analysis_spec(analysis)
    if spec is not None:
        missing += [k for k in (spec.id_key, *spec.summary_keys) if k not in summary]
    elif not any(k in summary for k in ID_KEYS):
        missing.append(" or ".join(ID_KEYS))
    if missing:
        raise AnalysisError(f"summary.json of {analysis} lacks {', '.join(missing)}")


def read_summary(run_dir: str | Path) -> dict[str, Any]:
    """Read ``summary.json`` of a finished run folder."""
    return json.loads((Path(run_dir) / SUMMARY_FILE).read_text(encoding="utf-8"))
