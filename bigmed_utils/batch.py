"""``bigmed batch``: turn many cases into case reports, as a nightly scheduler does, and lose nothing.

Each case runs through ``bigmed run`` in its own process (so a dead kernel, a crash or a timeout touches
that case only) into ``reports/<analysis>/<case_id>/``. A case whose finished report has the same inputs
(sha256) and parameters is skipped; changed inputs run again and the previous report is kept beside it
as ``<case_id>.v<N>/``. Transient failures (dead kernel, timeout) are retried; validation errors and
notebook errors are not, and are not retried by the next batch either while their inputs stay the same.
Jobs run in parallel only as far as the machine's memory allows each Hail driver its heap; a lock file
per case keeps two batches from running the same case. ``reports/index.json`` and ``index.html`` are
rewritten atomically after every case.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterable

import psutil

from . import provenance as prov
from .errors import BigMedError, ParameterError
from .hail_session import ENV_DRIVER_MEMORY, default_driver_memory
from .params import ID_KEYS, analysis_spec, read_params_file
from .run_index import RunIndex, _now
from .turnaround import case_arrival, parse_arrival, turnaround_fields

log = logging.getLogger("bigmed.batch")

#: exit codes of ``bigmed run`` (see cli.py)
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_TRANSIENT, EXIT_TERMINATED = 0, 1, 2, 3, 143
#: memory a case needs beyond its Hail driver heap: Python, the Jupyter kernel, JVM off-heap
OVERHEAD_BYTES = 2 * 2**30
BATCH_RECORD = "batch.json"


@dataclass
class Case:
    """One case to run: an analysis, a parameter file and the case id (its output folder name).

    With ``pseudonymise: true`` in the parameter file, ``case_id`` is the case's pseudonym (the one its
    report carries) and ``scrub`` replaces the original ids in what the batch itself writes (failure
    reasons in the index, the log and ``error.txt``).
    """

    analysis: str
    params_file: Path
    case_id: str
    scrub: Callable[[str], str] = field(default=lambda text: text, repr=False, compare=False)
    #: data arrival from a manifest's ``arrived`` column (ISO date), else the newest input's mtime is used
    arrived: str | None = field(default=None, compare=False)

    @property
    def key(self) -> str:
        return f"{self.analysis}/{self.case_id}"


@dataclass
class BatchCaseOutcome:
    analysis: str
    case_id: str
    status: str  # done | failed | skipped
    reason: str = ""
    started: str | None = None
    duration_s: float | None = None
    attempts: int = 0
    report: str | None = None
    headline: str = ""
    transient: bool = False
    arrived: str | None = None  # data arrival (see bigmed_utils.turnaround)
    published: str | None = None  # report folder published
    turnaround_s: float | None = None
    reanalysed: str | None = None  # when bigmed reanalyse last replaced the report


#: the former name (the rare-disease analysis has a ``CaseResult`` of its own)
CaseResult = BatchCaseOutcome

# ---------------------------------------------------------------------------------------------------------
# Finding cases


def discover_cases(paths: Iterable[str | Path]) -> list[Case]:
    """Cases from parameter files, folders of them (``<analysis>/<case>.yaml``), globs or a manifest CSV.

    A parameter file's analysis is the name of its folder (``parameters/rare_disease/RD001.yaml``); a
    manifest CSV has the columns ``case_id, analysis, params`` (params relative to the CSV's folder).
    """
    cases: list[Case] = []
    for raw in paths:
        path = Path(raw)
        if any(ch in str(raw) for ch in "*?[") and not path.exists():
            matched = sorted(Path().glob(str(raw))) if not path.is_absolute() else sorted(Path("/").glob(str(raw)[1:]))
            if not matched:
                raise ParameterError(f"batch: no file matches {raw}")
            cases += discover_cases(matched)
        elif path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml"))
            cases += [_case_from_file(p) for p in files]
        elif path.suffix == ".csv":
            cases += _cases_from_manifest(path)
        elif path.suffix in (".yaml", ".yml"):
            cases.append(_case_from_file(path))
        else:
            raise ParameterError(f"batch: {raw} is not a parameter file, a folder of them or a manifest CSV")
    seen: dict[str, Case] = {}
    for case in cases:
        if case.key in seen and seen[case.key].params_file != case.params_file:
            raise ParameterError(
                f"batch: case {case.key} comes from both {seen[case.key].params_file} and {case.params_file}"
            )
        seen[case.key] = case
    return list(seen.values())


def _case_id(analysis: str, params_file: Path) -> str:
    """The id key's value from the file when it is readable, else the file's stem."""
    spec = analysis_spec(analysis)
    try:
        data = read_params_file(params_file)
    except BigMedError:
        return params_file.stem
    for key in ([spec.id_key] if spec else []) + list(ID_KEYS):
        value = data.get(key)
        if isinstance(value, (str, int)) and str(value).strip():
            return str(value)
    return params_file.stem


def _case_from_file(path: Path) -> Case:
    analysis = path.resolve().parent.name
    return _private(Case(analysis, path.resolve(), _case_id(analysis, path.resolve())))


def _private(case: Case) -> Case:
    """The case under its pseudonym when its parameters ask for pseudonymisation (else unchanged).

    The pseudonym is the one ``bigmed run`` gives the case id (same key, same HMAC), so the folder, the
    index entry and the report agree. Without a key the run itself fails saying so; its folder is then
    named from a digest of the parameter file's path, never from the id.
    """
    from .privacy.pseudonyms import Pseudonymiser, collect_identifiers, load_key

    try:
        data = read_params_file(case.params_file)
    except BigMedError:
        return case
    if data.get("pseudonymise") is not True:
        return case
    # paths in a parameter file are relative to its folder (as bigmed run reads them)
    base = case.params_file.parent
    located = {k: str(base / v) if isinstance(v, str) and v and not Path(v).is_absolute() and (base / v).exists()
               else v for k, v in data.items()}
    private = {case.case_id, case.params_file.stem} | collect_identifiers(located)
    try:
        pseudonymiser = Pseudonymiser(private, key=load_key())
    except BigMedError:
        digest = hashlib.sha256(str(case.params_file).encode()).hexdigest()[:12]
        hidden = f"case-{digest}"

        def scrub(text: str) -> str:
            for ident in sorted(private, key=len, reverse=True):
                text = text.replace(ident, hidden) if len(ident) >= 3 else text
            return text

        return Case(case.analysis, case.params_file, hidden, scrub)
    return Case(case.analysis, case.params_file, pseudonymiser.mapping[case.case_id], pseudonymiser.text)


def _cases_from_manifest(path: Path) -> list[Case]:
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = {"case_id", "analysis", "params"} - set(reader.fieldnames or [])
        if missing:
            raise ParameterError(f"{path}: manifest lacks the column(s) {', '.join(sorted(missing))}")
        rows = list(reader)
    cases = []
    for r in rows:
        if r.get("case_id", "").strip():
            case = _private(Case(r["analysis"].strip(), (path.parent / r["params"].strip()).resolve(), r["case_id"].strip()))
            case.arrived = (r.get("arrived") or "").strip() or None  # optional column: data arrival date
            if case.arrived:
                parse_arrival(case.arrived, where=f"{path}: case {case.case_id}")  # bad dates fail before any run
            cases.append(case)
    return cases


# ---------------------------------------------------------------------------------------------------------
# Deciding what to run


def request_hash(case: Case) -> str:
    """sha256 of what was asked: analysis and the parameter file's bytes (for cases that never validated)."""
    digest = hashlib.sha256(case.analysis.encode())
    try:
        digest.update(case.params_file.read_bytes())
    except OSError:
        digest.update(b"<missing>")
    return digest.hexdigest()


def current_fingerprint(case: Case) -> str | None:
    """The run fingerprint the case would have now, or ``None`` when its parameters do not validate."""
    from .runner import notebook_path, resolve_params, run_fingerprint

    try:
        notebook = None if analysis_spec(case.analysis) else notebook_path(case.analysis)
        values = resolve_params(case.analysis, params_file=case.params_file, notebook=notebook)
        return run_fingerprint(case.analysis, values, prov.hash_inputs(values))
    except BigMedError:
        return None


def plan(case: Case, out: Path) -> tuple[str, str]:
    """``("run", why)`` or ``("skip", why)`` for a case, from its report or its last failure."""
    done = out / prov.PROVENANCE_FILE
    failed = out.with_name(out.name + ".failed") / BATCH_RECORD
    fingerprint = current_fingerprint(case)
    if done.is_file():
        old = json.loads(done.read_text(encoding="utf-8")).get("fingerprint")
        if fingerprint is not None and old == fingerprint:
            return "skip", "report is up to date (same inputs and parameters)"
        if not failed.is_file():
            return "run", "inputs or parameters changed"
    if failed.is_file():
        record = json.loads(failed.read_text(encoding="utf-8"))
        unchanged = record.get("request") == request_hash(case) and record.get("fingerprint") == fingerprint
        if unchanged and not record.get("transient"):
            return "skip-failed", f"failed before with the same inputs: {record.get('reason', '')}"
        return "run", "retrying the earlier failure" if unchanged else "inputs changed since the failure"
    return "run", "new case"


# ---------------------------------------------------------------------------------------------------------
# Memory budget and locks


class MemoryBudget:
    """Admit a job only while the sum of admitted jobs' memory fits the budget (queue otherwise)."""

    def __init__(self, total_bytes: int) -> None:
        self.total = total_bytes
        self.used = 0
        self._cond = threading.Condition()

    def acquire(self, need: int) -> int:
        need = min(need, self.total)  # a job larger than the budget runs alone
        with self._cond:
            self._cond.wait_for(lambda: self.used + need <= self.total)
            self.used += need
        return need

    def release(self, amount: int) -> None:
        with self._cond:
            self.used -= amount
            self._cond.notify_all()


def memory_to_bytes(text: str) -> int:
    units = {"k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}
    return int(text[:-1]) * units[text[-1].lower()]


def job_memory(case: Case) -> int:
    """Driver heap (parameter, env or default) plus :data:`OVERHEAD_BYTES`."""
    try:
        memory = read_params_file(case.params_file).get("driver_memory")
    except BigMedError:
        memory = None
    memory = memory or os.environ.get(ENV_DRIVER_MEMORY) or default_driver_memory()
    try:
        return memory_to_bytes(str(memory)) + OVERHEAD_BYTES
    except (KeyError, ValueError):
        return memory_to_bytes(default_driver_memory()) + OVERHEAD_BYTES


def default_budget() -> int:
    """Memory the batch may hand out: total RAM minus 2 GiB for the system."""
    return max(psutil.virtual_memory().total - 2 * 2**30, 2**30)


class CaseLock:
    """An exclusive, non-blocking lock on one case (``reports/<analysis>/.<case>.lock``); ``holder`` says
    who has it when :meth:`acquire` fails (pid, host, since)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh = None
        self.holder = None

    def acquire(self) -> bool:
        from .io.locks import try_lock

        self._fh, self.holder = try_lock(self.path)
        return self._fh is not None

    def release(self) -> None:
        from .io.locks import release

        release(self._fh)
        self._fh = None


# ---------------------------------------------------------------------------------------------------------
# Running


@dataclass
class BatchOptions:
    jobs: int = 1
    retries: int = 1
    timeout: float | None = None
    pdf: bool = False
    memory_budget: int | None = None
    bigmed: list[str] = field(default_factory=lambda: [sys.executable, "-m", "bigmed_utils.cli"])


class Batch:
    """One batch over ``cases`` into ``reports``; :meth:`run` returns the per-case results."""

    def __init__(self, cases: list[Case], reports: str | Path, options: BatchOptions | None = None) -> None:
        self.cases = cases
        self.reports = Path(reports).resolve()
        self.options = options or BatchOptions()
        self.index = RunIndex(self.reports)
        self.budget = MemoryBudget(self.options.memory_budget or default_budget())
        self._stop = threading.Event()
        self._procs: dict[str, subprocess.Popen] = {}
        self._procs_lock = threading.Lock()

    # -- signals -------------------------------------------------------------------------------------------
    def stop(self, *_: Any) -> None:
        """Stop taking new cases; ask running ones to fail cleanly (their partial output is kept)."""
        self._stop.set()
        with self._procs_lock:
            for proc in self._procs.values():
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)

    # -- one case ------------------------------------------------------------------------------------------
    def plan_case(self, case: Case, out: Path) -> tuple[str, str]:
        """What to do with a case (under its lock): :func:`plan`; ``bigmed reanalyse`` decides otherwise."""
        return plan(case, out)

    def _out(self, case: Case) -> Path:
        return self.reports / case.analysis / case.case_id

    def run_case(self, case: Case) -> BatchCaseOutcome:
        out = self._out(case)
        if self._stop.is_set():
            return BatchCaseOutcome(case.analysis, case.case_id, "skipped", "batch stopped before this case")
        lock = CaseLock(out.with_name(f".{out.name}.lock"))
        if not lock.acquire():
            who = f" ({lock.holder.describe()})" if lock.holder else ""
            return BatchCaseOutcome(case.analysis, case.case_id, "skipped", f"another batch is running this case{who}")
        try:
            decision, why = self.plan_case(case, out)
            if decision == "skip":
                return BatchCaseOutcome(case.analysis, case.case_id, "skipped", why, report=_report_link(self.reports, out))
            if decision == "skip-failed":
                return BatchCaseOutcome(case.analysis, case.case_id, "failed", why, transient=False)
            need = self.budget.acquire(job_memory(case))
            try:
                return self._attempts(case, out, keep_previous=out.exists())
            finally:
                self.budget.release(need)
        finally:
            lock.release()

    def _attempts(self, case: Case, out: Path, *, keep_previous: bool) -> BatchCaseOutcome:
        started = _now()
        t0 = time.monotonic()
        attempts, transient, reason = 0, False, ""
        while attempts <= self.options.retries and not self._stop.is_set():
            attempts += 1
            code, reason = self._launch(case, out, keep_previous=keep_previous)
            if code == EXIT_OK:
                summary = _read_json(out / "summary.json")
                result = BatchCaseOutcome(
                    case.analysis, case.case_id, "done", f"attempt {attempts}" if attempts > 1 else "",
                    started, round(time.monotonic() - t0, 2), attempts, _report_link(self.reports, out),
                    str(summary.get("headline", "")),
                )
                vars(result).update(turnaround_fields(arrived=case_arrival(case), published=prov.now()))
                return result
            # a case cut short by the batch's own stop is retried next run whatever its exit code: a signal
            # can reach the run while it exits or cleans up, and the status is then not one of the above
            transient = (code in (EXIT_TRANSIENT, EXIT_TERMINATED, -signal.SIGTERM, -signal.SIGKILL, "timeout")
                         or self._stop.is_set())
            if not transient:
                break
            log.info("%s: transient failure (%s), %s", case.key, reason,
                     "batch stopping" if self._stop.is_set()
                     else "retrying" if attempts <= self.options.retries else "no retries left")
        self._record_failure(case, out, reason, transient)
        return BatchCaseOutcome(case.analysis, case.case_id, "failed", reason, started,
                          round(time.monotonic() - t0, 2), attempts, transient=transient)

    def _launch(self, case: Case, out: Path, *, keep_previous: bool) -> tuple[int | str, str]:
        cmd = [*self.options.bigmed, "run", case.analysis, "--params", str(case.params_file), "--out", str(out)]
        if keep_previous:
            cmd += ["--force", "--keep-previous"]
        if self.options.pdf:
            cmd.append("--pdf")
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)  # its own process group: kernel and JVM die with it
        with self._procs_lock:
            self._procs[case.key] = proc
        try:
            stdout, stderr = proc.communicate(timeout=self.options.timeout)
            code: int | str = proc.returncode
        except subprocess.TimeoutExpired:
            _terminate(proc)
            stdout, stderr = proc.communicate()
            code = "timeout"
            _mark_timeout(out, self.options.timeout)
        finally:
            with self._procs_lock:
                self._procs.pop(case.key, None)
            _kill_group(proc)
        lines = [l for l in (stderr or "").splitlines() if l.startswith("bigmed: error:")]
        if code == "timeout":
            reason = f"timed out after {self.options.timeout:g} s"
        elif code == EXIT_OK:
            reason = ""
        else:
            reason = lines[-1].removeprefix("bigmed: error: ") if lines else f"exit code {code}"
        return code, case.scrub(reason)

    def _record_failure(self, case: Case, out: Path, reason: str, transient: bool) -> None:
        failed = out.with_name(out.name + ".failed")
        failed.mkdir(parents=True, exist_ok=True)
        if not (failed / "error.txt").exists():
            (failed / "error.txt").write_text(reason + "\n", encoding="utf-8")
        record = {"reason": reason, "transient": transient, "request": request_hash(case),
                  "fingerprint": current_fingerprint(case), "time": _now()}
        (failed / BATCH_RECORD).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")

    # -- the batch -----------------------------------------------------------------------------------------
    def run(self, *, progress: Callable[[BatchCaseOutcome], None] | None = None) -> list[BatchCaseOutcome]:
        self.reports.mkdir(parents=True, exist_ok=True)
        results: list[BatchCaseOutcome] = []

        def one(case: Case) -> BatchCaseOutcome:
            try:
                res = self.run_case(case)
            except Exception as err:  # noqa: BLE001 - a bug for one case must not stop the batch
                log.exception("%s: unexpected error", case.key)
                res = BatchCaseOutcome(case.analysis, case.case_id, "failed", case.scrub(f"batch error: {err}"))
            self.index.update(res)
            log.info("%s: %s%s", case.key, res.status, f" ({res.reason})" if res.reason else "")
            if progress:
                progress(res)
            return res

        with ThreadPoolExecutor(max_workers=max(1, self.options.jobs)) as pool:
            results = list(pool.map(one, self.cases))
        return results


def _terminate(proc: subprocess.Popen, grace: float = 30) -> None:
    """SIGTERM the ``bigmed run`` process (it moves its partial output to .failed), then the group."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass
    _kill_group(proc)


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _mark_timeout(out: Path, timeout: float | None) -> None:
    failed = out.with_name(out.name + ".failed")
    partial = out.with_name(out.name + ".partial")
    if partial.exists() and not failed.exists():  # killed before it could move its own output
        partial.rename(failed)
    failed.mkdir(parents=True, exist_ok=True)
    (failed / "error.txt").write_text(f"timed out after {timeout} s\n", encoding="utf-8")


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _report_link(reports: Path, out: Path) -> str | None:
    report = out / "report.html"
    return str(report.relative_to(reports)) if report.is_file() else None


def summary_line(results: list[BatchCaseOutcome]) -> str:
    """``12 done, 1 failed, 3 skipped``."""
    count = {s: sum(r.status == s for r in results) for s in ("done", "failed", "skipped")}
    return f"{count['done']} done, {count['failed']} failed, {count['skipped']} skipped"


def run_batch(
    paths: Iterable[str | Path],
    *,
    out: str | Path = "reports",
    jobs: int = 1,
    retries: int = 1,
    timeout: float | None = None,
    pdf: bool = False,
    echo: Callable[[str], None] = print,
    progress_bar: bool | None = None,
) -> list[BatchCaseOutcome]:
    """Run every case found in ``paths`` (see :func:`discover_cases`) into ``out``; see the module doc."""
    cases = discover_cases(paths)
    reports = Path(out).resolve()
    (reports / "logs").mkdir(parents=True, exist_ok=True)
    log_file = reports / "logs" / f"batch-{datetime.now():%Y%m%d-%H%M%S}-{os.getpid()}.log"
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    batch = Batch(cases, reports, BatchOptions(jobs=jobs, retries=retries, timeout=timeout, pdf=pdf))
    previous = {sig: signal.signal(sig, batch.stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    from .progress import Progress

    # one line per case with its seconds on stderr (a bar too on a terminal); the summary line goes to echo
    shown = Progress("batch", total=len(cases), stream=sys.stderr, bar=progress_bar)

    def progress(res: BatchCaseOutcome) -> None:
        why = f" ({res.reason})" if res.reason else ""
        shown.finished(f"{res.analysis}/{res.case_id}: {res.status}{why}", res.duration_s or 0.0)

    log.info("batch of %d case(s) into %s (jobs=%d, retries=%d, timeout=%s)", len(cases), reports, jobs, retries, timeout)
    try:
        results = batch.run(progress=progress)
    finally:
        for sig, handler_ in previous.items():
            signal.signal(sig, handler_)
        line = summary_line(results) if "results" in locals() else "batch interrupted"
        log.info(line)
        log.removeHandler(handler)
        handler.close()
    echo(line + f"  (index: {reports / 'index.html'}, log: {log_file})")
    from .privacy.audit import append_audit

    append_audit({
        "action": "batch",
        "inputs": [{"name": c.key, "sha256": prov.sha256_file(c.params_file)} for c in cases if c.params_file.is_file()],
        "outputs": ["index.json", "index.html", str(log_file.relative_to(reports))],
        "result": "stopped" if batch._stop.is_set() else ("failed" if any(r.status == "failed" for r in results) else "success"),
        "detail": line,
    })
    if batch._stop.is_set():
        raise KeyboardInterrupt("batch stopped by a signal")
    return results
