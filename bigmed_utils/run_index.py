"""The run index of a reports folder: ``reports/index.json`` and ``index.html`` list every case with its
status, timing, turnaround, report link and headline. Batches, the demo and re-analysis update it; several
processes may, so every update holds the index lock and rewrites both files atomically.
"""

from __future__ import annotations

import html
import json
import threading
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import provenance as prov
from ._fs import atomic_write_text
from .io.locks import exclusive
from .turnaround import format_duration, turnaround_html, turnaround_stats

if TYPE_CHECKING:
    from .batch import BatchCaseOutcome


class RunIndex:
    """``reports/index.json`` + ``index.html``: every case with status, timing, report link and headline."""

    def __init__(self, reports: Path) -> None:
        self.reports = reports
        self.path = reports / "index.json"
        self._lock = threading.Lock()

    def load(self) -> dict[str, Any]:
        if self.path.is_file():
            return json.loads(self.path.read_text(encoding="utf-8"))
        return {"cases": {}}

    def update(self, result: BatchCaseOutcome) -> None:
        # other batches write the same index: wait for them, saying who holds it
        with self._lock, exclusive(self.reports / ".index.lock", what=f"the run index {self.path}"):
            index = self.load()
            key = f"{result.analysis}/{result.case_id}"
            previous = index["cases"].get(key, {})
            entry = asdict(result)
            if result.status == "skipped" and previous:
                # a skip does not erase what is known about the case's last run
                entry = {**previous, "status": previous.get("status", "done"), "last_checked": _now(),
                         "reason": result.reason}
            index["cases"][key] = entry
            index["updated"] = _now()
            index["turnaround"] = turnaround_stats(index["cases"])
            atomic_write_text(self.path, json.dumps(index, indent=2, sort_keys=True) + "\n")
            atomic_write_text(self.reports / "index.html", render_index_html(index))

    def annotate(self, key: str, value: Any) -> None:
        """Set a top-level entry of the index (e.g. ``reanalysis``) and rewrite both files."""
        with self._lock, exclusive(self.reports / ".index.lock", what=f"the run index {self.path}"):
            index = self.load()
            index[key] = value
            index["updated"] = _now()
            atomic_write_text(self.path, json.dumps(index, indent=2, sort_keys=True) + "\n")
            atomic_write_text(self.reports / "index.html", render_index_html(index))


def render_index_html(index: dict[str, Any]) -> str:
    """A static page listing every case (escaped; links relative to reports/)."""
    from .reanalysis import reanalysis_html

    rows = []
    for key, c in sorted(index["cases"].items()):
        link = f'<a href="{html.escape(c["report"])}">report</a>' if c.get("report") else ""
        rows.append(
            "<tr class='{s}'><td>{a}</td><td>{i}</td><td>{s}</td><td>{st}</td><td>{d}</td><td>{ar}</td><td>{t}</td><td>{l}</td><td>{h}</td><td>{r}</td></tr>".format(
                s=html.escape(c.get("status", "")), a=html.escape(c.get("analysis", "")),
                i=html.escape(c.get("case_id", "")), st=html.escape(str(c.get("started") or "")),
                d="" if c.get("duration_s") is None else f"{c['duration_s']:.1f} s", l=link,
                ar=html.escape(str(c.get("arrived") or "")), t=html.escape(format_duration(c.get("turnaround_s"))),
                h=html.escape(c.get("headline") or ""), r=html.escape(c.get("reason") or ""),
            )
        )
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>BigMed case reports</title><style>"
        "body{font-family:system-ui,sans-serif;margin:2em} table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:2px 8px} tr.failed{background:#fde2e2} tr.done{background:#e6f4e6}"
        "</style></head><body><h1>BigMed case reports</h1>"
        "<p><strong>Research use only. Not a medical device.</strong></p>"
        f"<p>Updated {html.escape(index.get('updated', ''))}</p>" + turnaround_html(index)
        + reanalysis_html(index) + "<table><thead><tr><th>analysis</th><th>case</th>"
        "<th>status</th><th>started</th><th>duration</th><th>data arrived</th><th>turnaround</th><th>report</th>"
        "<th>headline finding</th><th>note</th>"
        "</tr></thead><tbody>" + "".join(rows) + "</tbody></table></body></html>\n"
    )


def _now() -> str:
    return prov.now().isoformat(timespec="seconds")


__all__ = ["RunIndex", "render_index_html"]
