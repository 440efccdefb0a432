"""``bigmed reanalyse REPORTS_DIR``: look again at finished cases when what the lab knows has changed.

A finished case (a folder with ``provenance.json`` and ``summary.json`` under the reports folder: the batch
layout ``reports/<analysis>/<case_id>/`` or the demo's ``reports/demo/<analysis>/``) is rerun when

* its inputs and parameters are unchanged (the run fingerprint of :func:`bigmed_utils.runner.run_fingerprint`
  over the sha256 of its input files equals the recorded one; a case with changed inputs is ``bigmed
  batch``'s job), and
* its knowledge changed: an item of the ``knowledge`` entry of its provenance (analysis code, bundled
  reference data such as the HPO files, gene panels and the actionability knowledge base, the HPO release,
  the in-house stores of earlier cases; :mod:`bigmed_utils.knowledge`) differs from the current one.

Reruns go through the machinery of ``bigmed batch`` (:class:`bigmed_utils.batch.Batch`): each case in its own
``bigmed run`` process under the case's lock, transient failures retried, the previous report kept as
``<case>.v<N>/``, the run index updated, an audit record written. The decision is taken again under the lock,
so two reanalyses never rerun a case twice and a second reanalysis finds nothing to do.

After the reruns, the previous and the new ``summary.json`` are compared: the top candidate and its ACMG class
(rare disease), the leading and familial variant and the classes of the reported variants (cardiac), the
actionable and resistance findings (colorectal cancer). Cases where any of these changed are listed in
``reports/reanalysis.json`` and in a section of ``index.html``, with what changed (old -> new) and why (which
knowledge item changed, old -> new). When no knowledge changed, nothing is rerun and nothing is reported.

The rerun uses the parameters recorded in the provenance, unless parameter files are given (``--params``,
as for ``bigmed batch``); a pseudonymised case's provenance holds pseudonyms, so it needs its parameter file.
"""

from __future__ import annotations

import html
import json
import logging
import os
import re
import signal
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import yaml

from . import provenance as prov
from ._fs import atomic_write_text
from .batch import (Batch, BatchOptions, Case, BatchCaseOutcome, _now, _read_json,
                    _report_link, discover_cases)
from .errors import BigMedError, ParameterError
from .knowledge import diff_knowledge, knowledge_versions

log = logging.getLogger("bigmed.reanalysis")

REANALYSIS_FILE = "reanalysis.json"
PARAMS_DIR = ".reanalysis"
#: how many earlier changes reanalysis.json and the index keep (newest first)
MAX_CHANGES = 500
#: rare-disease candidates (and cardiac findings) whose ACMG class is compared
TOP_COMPARED = 10
_SKIP_DIR = re.compile(r"(\.v\d+|\.failed|\.partial|\.replaced-\d+)$")


# ---------------------------------------------------------------------------------------------------------
# finished cases


@dataclass
class Finished:
    """A finished case found under the reports folder."""

    analysis: str
    case_id: str
    folder: Path
    provenance: dict[str, Any] = field(repr=False)
    summary: dict[str, Any] = field(repr=False)

    @property
    def key(self) -> str:
        return f"{self.analysis}/{self.case_id}"


def finished_cases(reports: str | Path) -> list[Finished]:
    """Every complete report folder under ``reports`` (older versions, failures and partial runs left out)."""
    from .params import ID_KEYS, analysis_spec

    root = Path(reports)
    found = []
    for record in sorted(root.rglob(prov.PROVENANCE_FILE)):
        folder = record.parent
        rel = folder.relative_to(root).parts
        if any(p.startswith(".") or _SKIP_DIR.search(p) for p in rel) or not (folder / "summary.json").is_file():
            continue
        provenance, summary = _read_json(record), _read_json(folder / "summary.json")
        analysis = str(provenance.get("analysis") or summary.get("analysis") or "")
        if not analysis:
            continue
        spec = analysis_spec(analysis)
        keys = ([spec.id_key] if spec else []) + list(ID_KEYS)
        case_id = next((str(summary[k]) for k in keys if summary.get(k)), folder.name)
        found.append(Finished(analysis, case_id, folder, provenance, summary))
    return found


def _params_case(f: Finished, reports: Path) -> Case | None:
    """A :class:`Case` whose parameter file holds the parameters recorded in the provenance (``None`` for
    a pseudonymised case: its recorded parameters hold pseudonyms)."""
    values = f.provenance.get("parameters")
    if not isinstance(values, dict) or values.get("pseudonymise"):
        return None
    path = reports / PARAMS_DIR / "params" / f.analysis / f"{f.case_id}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(values, sort_keys=True)
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        atomic_write_text(path, text)
    return Case(f.analysis, path, f.case_id)


@dataclass
class Assessment:
    decision: str  # rerun | current | skip
    reason: str
    knowledge: list[dict[str, str]] = field(default_factory=list)


def assess(f: Finished, case: Case | None) -> Assessment:
    """Whether a finished case should be rerun: inputs unchanged and knowledge changed (see the module doc)."""
    from .runner import notebook_path, resolve_params, run_fingerprint

    recorded = f.provenance.get("knowledge")
    if not recorded:
        return Assessment("skip", "the report records no knowledge versions (made before they were recorded)")
    if case is None:
        return Assessment("skip", "pseudonymised: its parameters hold pseudonyms; give its parameter file (--params)")
    try:
        notebook = notebook_path(case.analysis)
        values = resolve_params(case.analysis, params_file=case.params_file,
                                notebook=None if _registered(case.analysis) else notebook)
        fingerprint = run_fingerprint(case.analysis, values, prov.hash_inputs(values))
    except BigMedError as err:
        return Assessment("skip", f"cannot be rerun as recorded: {err}")
    if fingerprint != f.provenance.get("fingerprint"):
        return Assessment("skip", "inputs or parameters changed since the report (that is bigmed batch's job)")
    diffs = diff_knowledge(recorded, knowledge_versions(case.analysis, values, notebook=notebook))
    if not diffs:
        return Assessment("current", "knowledge unchanged")
    return Assessment("rerun", "knowledge changed: " + "; ".join(d["item"] for d in diffs), diffs)


def _registered(analysis: str) -> bool:
    from .params import analysis_spec

    return analysis_spec(analysis) is not None


# ---------------------------------------------------------------------------------------------------------
# what changed in the findings


def _rd_items(summary: Mapping[str, Any]) -> dict[str, str]:
    cands = list(summary.get("candidates") or [])
    top = cands[0] if cands else None
    items = {"top candidate": "none" if top is None else
             f"{top.get('gene')} {top.get('variant')} ({top.get('mode', '')})".replace(" ()", "")}
    if top is not None:
        items["ACMG class of the top candidate"] = str(top.get("acmg_class"))
        classes = top.get("inhouse_classes") or []
        items["in-house classifications of the top candidate"] = ", ".join(classes) or "none"
    for c in cands[:TOP_COMPARED]:
        items[f"ACMG class of {c.get('gene')} {c.get('variant')}"] = str(c.get("acmg_class"))
    return items


def _cardiac_items(summary: Mapping[str, Any]) -> dict[str, str]:
    findings = list(summary.get("findings") or [])
    familial = [f for f in findings if f.get("familial")]
    lead = (familial or findings or [None])[0]
    items = {"leading finding": "none" if lead is None else f"{lead.get('gene')} {lead.get('variant')}",
             "familial variant for cascade testing": "none" if not familial else
             f"{familial[0].get('gene')} {familial[0].get('variant')} ({familial[0].get('acmg_class')})"}
    for f in findings[:TOP_COMPARED]:
        items[f"ACMG class of {f.get('gene')} {f.get('variant')} ({f.get('condition')})"] = str(f.get("acmg_class"))
    return items


def _therapy_list(rows: Iterable[Mapping[str, Any]]) -> str:
    text = sorted({f"{r.get('alteration')}: {r.get('therapy')} (level {r.get('level')})" for r in rows})
    return "; ".join(text) or "none"


def finding_items(summary: Mapping[str, Any]) -> dict[str, str]:
    """The findings a reanalysis compares, by the shape of the summary (``candidates``: rare disease,
    ``findings``: cardiac, ``actionable``: colorectal cancer; otherwise the headline)."""
    if "candidates" in summary:
        return _rd_items(summary)
    if "findings" in summary:
        return _cardiac_items(summary)
    if "actionable" in summary:
        return {"actionable findings": _therapy_list(summary.get("actionable") or []),
                "resistance findings": _therapy_list(summary.get("resistance") or [])}
    return {"headline": str(summary.get("headline", ""))}


def compare_findings(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[dict[str, str]]:
    """``[{"what", "old", "new"}]`` for the compared findings that differ (a per-variant ACMG class only
    when the variant is reported in both)."""
    before, after = finding_items(old), finding_items(new)
    out = []
    for key in list(dict.fromkeys([*before, *after])):
        per_variant = key.startswith("ACMG class of ") and key not in ("ACMG class of the top candidate",)
        if per_variant and (key not in before or key not in after):
            continue
        if before.get(key, "none") != after.get(key, "none"):
            out.append({"what": key, "old": before.get(key, "none"), "new": after.get(key, "none")})
    return out


# ---------------------------------------------------------------------------------------------------------
# the reanalysis batch


class ReanalysisBatch(Batch):
    """A :class:`Batch` over finished cases that reruns a case only while its knowledge is out of date."""

    def __init__(self, finished: list[Finished], cases: list[Case], reports: Path, options: BatchOptions) -> None:
        super().__init__(cases, reports, options)
        self.finished = {f.key: f for f in finished}
        self.assessments: dict[str, Assessment] = {}
        self.previous: dict[str, dict[str, Any]] = {}

    def _out(self, case: Case) -> Path:
        return self.finished[case.key].folder

    def plan_case(self, case: Case, out: Path) -> tuple[str, str]:
        f = self.finished[case.key]
        fresh = Finished(f.analysis, f.case_id, out, _read_json(out / prov.PROVENANCE_FILE),
                         _read_json(out / "summary.json"))  # another reanalysis may have rerun it meanwhile
        a = assess(fresh, case)
        self.assessments[case.key] = a
        if a.decision != "rerun":
            return "skip", a.reason
        self.previous[case.key] = fresh.summary
        return "run", a.reason

    def run_case(self, case: Case) -> BatchCaseOutcome:
        res = super().run_case(case)
        if res.status == "failed":  # the previous report stands: the index keeps it, with the reason
            self.assessments.setdefault(case.key, Assessment("skip", res.reason))
            self.assessments[case.key].decision = "failed"
            return BatchCaseOutcome(case.analysis, case.case_id, "skipped", f"reanalysis failed: {res.reason}; "
                              "the previous report stands", report=_report_link(self.reports, self._out(case)))
        return res

    def _attempts(self, case: Case, out: Path, *, keep_previous: bool) -> BatchCaseOutcome:
        res = super()._attempts(case, out, keep_previous=keep_previous)
        if res.status == "done":
            first = self.index.load().get("cases", {}).get(case.key, {})
            res.arrived, res.published, res.turnaround_s = (first.get("arrived"), first.get("published"),
                                                            first.get("turnaround_s"))
            res.reanalysed = _now()
            res.reason = "reanalysed: " + self.assessments[case.key].reason
        return res


@dataclass
class ReanalysisResult:
    """What a reanalysis did: cases checked, rerun, changed (with what and why), skipped and failed."""

    checked: int
    rerun: list[str]
    changes: list[dict[str, Any]]
    unchanged: list[dict[str, Any]]
    skipped: list[dict[str, str]]
    failed: list[dict[str, str]]

    @property
    def line(self) -> str:
        return (f"{self.checked} checked, {len(self.rerun)} reanalysed, {len(self.changes)} with changed findings, "
                f"{len(self.failed)} failed")


def _change_record(key: str, f: Finished, batch: ReanalysisBatch, reports: Path) -> dict[str, Any] | None:
    from .runner import previous_versions

    new = _read_json(f.folder / "summary.json")
    findings = compare_findings(batch.previous.get(key, {}), new)
    versions = previous_versions(f.folder)
    return {
        "key": key, "analysis": f.analysis, "case_id": f.case_id, "time": _now(),
        "report": _report_link(reports, f.folder),
        "previous_report": _report_link(reports, versions[-1]) if versions else None,
        "findings": findings, "knowledge": batch.assessments[key].knowledge,
    }


def run_reanalysis(
    reports: str | Path,
    *,
    params: Iterable[str | Path] = (),
    jobs: int = 1,
    retries: int = 1,
    timeout: float | None = None,
    pdf: bool = False,
    echo: Callable[[str], None] = print,
) -> ReanalysisResult:
    """Rerun the finished cases of ``reports`` whose knowledge changed; report those whose findings changed.

    Parameters
    ----------
    reports
        The reports folder of ``bigmed batch`` (or of ``bigmed demo``).
    params
        Parameter files, folders of them or manifests (as for ``bigmed batch``): the rerun of a case found
        there uses its file (needed for pseudonymised cases); other cases use their recorded parameters.
    jobs, retries, timeout, pdf
        As for ``bigmed batch``.

    Returns
    -------
    ReanalysisResult
        Also written to ``reports/reanalysis.json``; changed cases are added to the index page.
    """
    root = Path(reports).resolve()
    if not root.is_dir():
        raise ParameterError(f"reanalyse: reports folder not found: {reports}")
    finished = finished_cases(root)
    given = {c.key: c for c in discover_cases(params)} if params else {}
    to_run, skipped, failed = [], [], []
    for f in finished:
        case = given.get(f.key) or _params_case(f, root)
        a = assess(f, case)
        if a.decision == "rerun":
            to_run.append(case)
        elif a.decision == "skip":
            skipped.append({"case": f.key, "reason": a.reason})
    changes, unchanged, rerun = [], [], []
    stopped = False
    if to_run:
        (root / "logs").mkdir(parents=True, exist_ok=True)
        log_file = root / "logs" / f"reanalyse-{datetime.now():%Y%m%d-%H%M%S}-{os.getpid()}.log"
        handler = logging.FileHandler(log_file, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        for lg in (log, logging.getLogger("bigmed.batch")):
            lg.addHandler(handler)
            lg.setLevel(logging.INFO)
        batch = ReanalysisBatch(finished, to_run, root, BatchOptions(jobs=jobs, retries=retries, timeout=timeout, pdf=pdf))
        previous = {sig: signal.signal(sig, batch.stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            results = batch.run(progress=lambda r: echo(f"{r.analysis}/{r.case_id}: "
                                                        f"{'reanalysed' if r.status == 'done' else r.reason}"))
        finally:
            for sig, h in previous.items():
                signal.signal(sig, h)
            for lg in (log, logging.getLogger("bigmed.batch")):
                lg.removeHandler(handler)
            handler.close()
        stopped = batch._stop.is_set()
        by_key = {f.key: f for f in finished}
        for r in results:
            key = f"{r.analysis}/{r.case_id}"
            a = batch.assessments.get(key)
            if r.status == "done":
                rerun.append(key)
                rec = _change_record(key, by_key[key], batch, root)
                (changes if rec["findings"] else unchanged).append(rec)
            elif a is not None and a.decision == "failed":
                failed.append({"case": key, "reason": r.reason})
    result = ReanalysisResult(len(finished), rerun, changes, unchanged, skipped, failed)
    _write_record(root, result)
    for c in changes:
        what = "; ".join(f"{x['what']}: {x['old']} -> {x['new']}" for x in c["findings"])
        why = "; ".join(f"{x['item']}: {x['old']} -> {x['new']}" for x in c["knowledge"])
        echo(f"{c['key']}: {what} (because {why})")
    echo(result.line + f"  (see {root / REANALYSIS_FILE})")
    from .privacy.audit import append_audit

    append_audit({
        "action": "reanalyse",
        "inputs": [{"name": f.key, "sha256": prov.sha256_file(f.folder / prov.PROVENANCE_FILE)}
                   for f in finished if (f.folder / prov.PROVENANCE_FILE).is_file()],
        "outputs": [REANALYSIS_FILE, "index.json", "index.html"] if rerun else [REANALYSIS_FILE],
        "result": "stopped" if stopped else ("failed" if failed else "success"),
        "detail": result.line,
    })
    if stopped:
        raise KeyboardInterrupt("reanalysis stopped by a signal")
    return result


def _write_record(root: Path, result: ReanalysisResult) -> None:
    """``reanalysis.json`` (the last run and every change so far, newest first) and the index section."""
    from .batch import RunIndex

    path = root / REANALYSIS_FILE
    earlier = _read_json(path).get("changes") or []
    changes = (result.changes + earlier)[:MAX_CHANGES]
    record = {
        "updated": _now(),
        "last_run": {"time": _now(), "checked": result.checked, "reanalysed": result.rerun,
                     "changed": [c["key"] for c in result.changes], "unchanged": result.unchanged,
                     "skipped": result.skipped, "failed": result.failed},
        "changes": changes,
    }
    atomic_write_text(path, json.dumps(record, indent=2) + "\n")
    if result.changes:
        RunIndex(root).annotate("reanalysis", {"updated": _now(), "changes": changes})


def _arrow(rows: Iterable[Mapping[str, str]], name: str) -> str:
    return "<br>".join(f"{html.escape(r[name])}: {html.escape(r['old'])} &rarr; {html.escape(r['new'])}" for r in rows)


def reanalysis_html(index: Mapping[str, Any]) -> str:
    """The index page's section of cases whose findings changed at a reanalysis (empty when none did)."""
    changes = (index.get("reanalysis") or {}).get("changes") or []
    if not changes:
        return ""
    rows = []
    for c in changes:
        link = f'<a href="{html.escape(c["report"])}">report</a>' if c.get("report") else ""
        prev = f'<a href="{html.escape(c["previous_report"])}">previous</a>' if c.get("previous_report") else ""
        rows.append(f"<tr><td>{html.escape(c.get('time', ''))}</td><td>{html.escape(c['key'])}</td>"
                    f"<td>{_arrow(c['findings'], 'what')}</td><td>{_arrow(c['knowledge'], 'item')}</td>"
                    f"<td>{link} {prev}</td></tr>")
    return ("<h2>Reanalysis: findings changed by new knowledge</h2><p>Finished cases rerun by <code>bigmed "
            "reanalyse</code> because what the lab knows changed (inputs unchanged), whose top candidate, ACMG "
            "class or actionable finding changed.</p><table class='reanalysis'><thead><tr><th>when</th><th>case</th>"
            "<th>what changed</th><th>why (knowledge)</th><th>reports</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table><h2>Cases</h2>")


__all__ = [
    "REANALYSIS_FILE",
    "Assessment",
    "Finished",
    "ReanalysisResult",
    "assess",
    "compare_findings",
    "finding_items",
    "finished_cases",
    "reanalysis_html",
    "run_reanalysis",
]
