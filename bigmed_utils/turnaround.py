"""Turnaround per case: from the arrival of its data to the publication of its report.

*Arrival* is the date a manifest CSV gives in its ``arrived`` column (``bigmed batch manifest.csv``; an ISO
date ``2026-11-30`` or date-time ``2026-11-30T08:15``, local time when no zone is written), else the
modification time of the case's newest input: its parameter file and every file its parameters name
(:func:`bigmed_utils.provenance.input_files`; a case is complete when its last piece arrived). *Published* is
the moment the complete report folder appeared. The run index (``reports/index.json`` and ``index.html``)
lists both per case, with the median and the 90th percentile over the finished cases.

Percentiles are numpy's default (linear interpolation between order statistics, Hyndman & Fan 1996 type 7).
A case reanalysed because knowledge changed (``bigmed reanalyse``) keeps the turnaround of its first report:
its data did not arrive again.
"""

from __future__ import annotations

import html
import os
from datetime import datetime
from pathlib import Path
from typing import Any, Mapping

MANIFEST_COLUMN = "arrived"


def parse_arrival(text: str, *, where: str = "manifest") -> datetime:
    """An ISO date or date-time as an aware datetime (local time zone when none is written).

    Raises
    ------
    ParameterError
        Not an ISO date, naming ``where``.
    """
    from .errors import ParameterError

    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ParameterError(f"{where}: {MANIFEST_COLUMN} {text!r} is not an ISO date (2026-11-30 or "
                             "2026-11-30T08:15)") from None
    return value.astimezone() if value.tzinfo is None else value


def newest_input_time(params_file: str | Path | None, values: Mapping[str, Any] | None) -> datetime | None:
    """Modification time of the newest of the parameter file and the files the parameters name."""
    from .provenance import input_files

    paths = list(input_files(values or {}).values())
    if params_file is not None:
        paths.append(str(params_file))
    times = []
    for p in paths:
        try:
            times.append(os.stat(p).st_mtime)
        except OSError:
            continue
    return datetime.fromtimestamp(max(times)).astimezone() if times else None


def turnaround_fields(*, arrived: datetime | None, published: datetime) -> dict[str, Any]:
    """``arrived``, ``published`` (ISO, seconds) and ``turnaround_s`` for an index entry."""
    return {
        "arrived": None if arrived is None else arrived.isoformat(timespec="seconds"),
        "published": published.isoformat(timespec="seconds"),
        "turnaround_s": None if arrived is None else round(max((published - arrived).total_seconds(), 0.0), 1),
    }


def case_arrival(case: Any) -> datetime | None:
    """Arrival of a batch case: its manifest date, else its newest input (``None`` if nothing is readable)."""
    if getattr(case, "arrived", None):
        return parse_arrival(case.arrived, where=str(case.params_file))
    from .errors import BigMedError
    from .params import analysis_spec
    from .runner import notebook_path, resolve_params

    try:
        notebook = None if analysis_spec(case.analysis) else notebook_path(case.analysis)
        values = resolve_params(case.analysis, params_file=case.params_file, notebook=notebook)
    except BigMedError:
        values = None
    return newest_input_time(case.params_file, values)


def turnaround_stats(cases: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """``{"n", "median_s", "p90_s"}`` over the finished cases that have a turnaround (``None`` if none)."""
    import numpy as np

    values = [float(c["turnaround_s"]) for c in cases.values()
              if c.get("status") == "done" and c.get("turnaround_s") is not None]
    if not values:
        return {"n": 0, "median_s": None, "p90_s": None}
    return {"n": len(values), "median_s": round(float(np.percentile(values, 50)), 1),
            "p90_s": round(float(np.percentile(values, 90)), 1)}


def format_duration(seconds: float | None) -> str:
    """``45 s``, ``14 min``, ``3 h 12 min``, ``2 d 5 h`` (empty for ``None``)."""
    if seconds is None:
        return ""
    s = float(seconds)
    if s < 60:
        return f"{s:.0f} s"
    minutes = s / 60
    if minutes < 60:
        return f"{minutes:.0f} min"
    hours, mins = divmod(int(round(minutes)), 60)
    if hours < 24:
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def turnaround_html(index: Mapping[str, Any]) -> str:
    """The index page's paragraph: median and 90th percentile turnaround over the finished cases."""
    stats = index.get("turnaround") or {}
    if not stats.get("n"):
        return "<p class='turnaround'>Turnaround (data arrival to report): no finished case yet.</p>"
    return ("<p class='turnaround'><strong>Turnaround</strong> (data arrival to report published) over "
            f"{stats['n']} finished case(s): median <strong>{html.escape(format_duration(stats['median_s']))}"
            f"</strong>, 90th percentile <strong>{html.escape(format_duration(stats['p90_s']))}</strong>.</p>")


__all__ = [
    "MANIFEST_COLUMN",
    "case_arrival",
    "format_duration",
    "newest_input_time",
    "parse_arrival",
    "turnaround_fields",
    "turnaround_html",
    "turnaround_stats",
]
