"""Run one analysis notebook with papermill into an output folder that is complete or absent.

``run_analysis`` (behind ``bigmed run``) runs named steps (:data:`STEPS`): it validates the parameters and
checks the input files before any kernel starts, executes ``notebooks/ANALYSIS.ipynb`` in ``DIR.partial/``,
checks ``summary.json``, exports ``report.html``, writes ``provenance.json``; only then is ``DIR.partial``
renamed to ``DIR`` (publish). On failure the partial
notebook and ``error.txt`` are kept in ``DIR.failed/`` and the error names the failing cell. An existing
``DIR`` is replaced only with ``force=True`` (and then only once the new run has succeeded).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
import traceback
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

from . import provenance as prov
from .errors import (
    AnalysisError,
    AnalysisInterruptedError,
    AnalysisTimeoutError,
    BigMedError,
    InputDataError,
    KernelDiedError,
    OutputExistsError,
    ParameterError,
)
from .hail_session import ENV_ONE_CASE, ENV_WORK_DIR
from .knowledge import knowledge_versions
from .kernel import ENV_KERNEL_LOG, LocalKernelManager
from .privacy.audit import append_audit, run_audit_fields
from .privacy.pseudonyms import Pseudonymiser, collect_identifiers, find_identifiers, load_key, pseudonymise_folder
from .params import ID_KEYS, analysis_spec, read_params_file, to_jsonable, validate_params
from .report import render_report
from .summary import ENV_OUTPUT_DIR, SUMMARY_FILE, validate_summary

log = logging.getLogger(__name__)

ENV_NOTEBOOKS_DIR = "BIGMED_NOTEBOOKS_DIR"
NOTEBOOK_FILE = "notebook.ipynb"
REPORT_FILE = "report.html"
ERROR_FILE = "error.txt"
_WORK = ".work"


@dataclass
class RunResult:
    """A finished run: its folder and what it wrote."""

    out: Path
    summary: dict[str, Any]
    provenance: dict[str, Any] = field(repr=False)


def default_notebooks_dir() -> Path:
    """``$BIGMED_NOTEBOOKS_DIR``, else the project's ``notebooks/`` (source checkout), else ``./notebooks``."""
    env = os.environ.get(ENV_NOTEBOOKS_DIR)
    if env:
        return Path(env)
    beside_package = Path(__file__).resolve().parents[1] / "notebooks"
    return beside_package if beside_package.is_dir() else Path("notebooks").resolve()


def available_analyses(notebooks_dir: str | Path | None = None) -> list[str]:
    """Analyses that have a notebook (``notebooks/<analysis>.ipynb``)."""
    folder = Path(notebooks_dir) if notebooks_dir else default_notebooks_dir()
    return sorted(p.stem for p in folder.glob("*.ipynb"))


def notebook_path(analysis: str, notebooks_dir: str | Path | None = None) -> Path:
    """The notebook of ``analysis`` (its registered notebook name, default the id); :class:`ParameterError`
    naming the known ones if there is none."""
    folder = Path(notebooks_dir) if notebooks_dir else default_notebooks_dir()
    spec = analysis_spec(analysis)
    path = folder / f"{spec.notebook if spec else analysis}.ipynb"
    if not path.is_file():
        known = ", ".join(available_analyses(folder)) or "none"
        raise ParameterError(f"unknown analysis '{analysis}': no notebook {path.name} (available: {known})")
    return path


def resolve_params(
    analysis: str,
    *,
    params_file: str | Path | None = None,
    params: Mapping[str, Any] | None = None,
    notebook: Path | None,
) -> dict[str, Any]:
    """Merge a parameter file and overrides and validate them; return plain JSON values.

    Paths in ``params_file`` are relative to its folder, paths in ``params`` to the current folder.
    Analyses without a registered model (a new notebook) are checked against the names in the
    notebook's ``parameters`` cell.
    """
    from_file = read_params_file(params_file) if params_file else {}
    overrides = dict(params or {})
    spec = analysis_spec(analysis)
    if spec is None:
        import papermill

        assert notebook is not None, "an analysis without a model needs its notebook"

        known = set(papermill.inspect_notebook(str(notebook)))
        unknown = [k for k in sorted({*from_file, *overrides}) if k not in known]
        if unknown:
            raise ParameterError(f"{analysis}: unknown parameter '{unknown[0]}' (known: {', '.join(sorted(known))})")
        return {**from_file, **overrides}
    base = Path(params_file).resolve().parent if params_file else Path.cwd()
    merged = {**_absolute_paths(spec.model, from_file, base), **_absolute_paths(spec.model, overrides, Path.cwd())}
    return to_jsonable(validate_params(analysis, merged))


def _absolute_paths(model: type, values: Mapping[str, Any], base: Path) -> dict[str, Any]:
    """Make relative path values absolute against ``base`` (only for fields whose type admits a path)."""
    out = dict(values)
    for name, value in values.items():
        field_info = model.model_fields.get(name)
        if field_info is None or not isinstance(value, str) or not value:
            continue
        if "Path" in repr(field_info.annotation) and not Path(value).expanduser().is_absolute():
            out[name] = str(base / value)
    return out


@contextmanager
def _environment(**values: str) -> Iterator[None]:
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _sibling(out: Path, suffix: str) -> Path:
    return out.with_name(out.name + suffix)


def _fail(out: Path, partial: Path | None, message: str, detail: str) -> Path:
    """Keep what a failed run produced in ``DIR.failed/`` (replacing an older failure) with ``error.txt``."""
    failed = _sibling(out, ".failed")
    if failed.exists():
        shutil.rmtree(failed)
    if partial is not None and partial.exists():
        shutil.rmtree(partial / _WORK / "tmp", ignore_errors=True)
        shutil.rmtree(partial / _WORK / "spark", ignore_errors=True)
        partial.rename(failed)
    else:
        failed.mkdir(parents=True)
    (failed / ERROR_FILE).write_text(message + "\n\n" + detail, encoding="utf-8")
    return failed


FAILURE_FILE = "failure.json"


def _write_failure_record(out: Path, err: BaseException, fingerprint: str | None) -> None:
    """``DIR.failed/failure.json``: the error class, whether a retry may help, and the fingerprint."""
    record = {
        "error": type(err).__name__,
        "message": str(err),
        "transient": bool(getattr(err, "transient", False)),
        "fingerprint": fingerprint,
        "time": prov.now().isoformat(timespec="seconds"),
    }
    (_sibling(out, ".failed") / FAILURE_FILE).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


def _execution_error(analysis: str, err: BaseException) -> AnalysisError:
    """Translate papermill/nbclient exceptions into one line naming the cell and the error."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    if isinstance(err, PapermillExecutionError):
        evalue = str(err.evalue).strip().splitlines()[0] if str(err.evalue).strip() else ""
        return AnalysisError(f"{analysis}: cell {err.exec_count} failed: {err.ename}: {evalue}")
    if isinstance(err, CellTimeoutError):
        return AnalysisTimeoutError(f"{analysis}: a cell ran longer than the time limit ({err})")
    if isinstance(err, DeadKernelError) or "Kernel died" in str(err):
        return KernelDiedError(f"{analysis}: the kernel died (out of memory or killed): {err}")
    return AnalysisError(f"{analysis}: {type(err).__name__}: {err}")


def run_analysis(
    analysis: str,
    *,
    out: str | Path,
    params_file: str | Path | None = None,
    params: Mapping[str, Any] | None = None,
    force: bool = False,
    cell_timeout: int | None = None,
    notebooks_dir: str | Path | None = None,
    kernel_name: str | None = None,
    keep_previous: bool = False,
    pdf: bool = False,
    progress: Callable[[str], None] | None = None,
) -> RunResult:
    """Execute one analysis notebook and write its complete output folder.

    Parameters
    ----------
    analysis
        Notebook name in ``notebooks/`` (``rare_disease``, ``sudden_cardiac_death``, ...).
    out
        Output folder; it appears only when the run succeeded.
    params_file
        YAML parameter file (paths relative to its folder).
    params
        Parameter overrides (paths relative to the current folder).
    force
        Replace an existing ``out`` (after the new run succeeded).
    cell_timeout
        Seconds any one cell may run; ``None`` = no limit.
    notebooks_dir
        Folder of analysis notebooks (default :func:`default_notebooks_dir`).
    kernel_name
        Jupyter kernel; default the notebook's own (``python3`` = this environment).
    keep_previous
        With ``force``: keep the replaced folder as ``DIR.v<N>`` instead of deleting it.
    pdf
        Also print ``report.pdf`` with headless Chromium (skipped with a warning when not installed).
    progress
        Called after each step of :data:`STEPS` with one line ``bigmed: ANALYSIS: [k/N] STEP S s``
        (``bigmed run`` prints it to stderr).

    Returns
    -------
    RunResult

    Raises
    ------
    ParameterError, OutputExistsError
        Before anything runs; ``DIR.failed/error.txt`` says why.
    AnalysisError
        The notebook failed (``KernelDiedError`` and ``AnalysisTimeoutError`` are transient).
    """
    from .io.locks import exclusive, lock_file_for

    out = Path(out).resolve()
    # two runs into the same DIR (two `bigmed demo`, a user and a scheduler) share DIR.partial: the second
    # waits for the first (saying who holds the lock), then finds DIR (and needs --force as usual)
    with exclusive(lock_file_for(out, "run-lock"), what=f"the output folder {out}"):
        if out.exists() and not force:
            raise OutputExistsError(f"output folder exists: {out} (use --force to replace it)")
        run = _Run(analysis=analysis, out=out, params_file=params_file, params=params, cell_timeout=cell_timeout,
                   notebooks_dir=notebooks_dir, kernel_name=kernel_name, keep_previous=keep_previous, pdf=pdf)
        return _run_analysis(run, progress)


@dataclass
class _Run:
    """The state one run's steps share (filled in step by step)."""

    analysis: str
    out: Path
    params_file: str | Path | None
    params: Mapping[str, Any] | None
    cell_timeout: int | None
    notebooks_dir: str | Path | None
    kernel_name: str | None
    keep_previous: bool
    pdf: bool
    started: Any = None
    notebook: Path | None = None
    values: dict[str, Any] = field(default_factory=dict)
    inputs: dict[str, Any] = field(default_factory=dict)
    fingerprint: str | None = None
    knowledge: dict[str, Any] = field(default_factory=dict)
    pseudonymiser: "Pseudonymiser | None" = None
    summary: dict[str, Any] = field(default_factory=dict)
    record: dict[str, Any] = field(default_factory=dict)

    @property
    def partial(self) -> Path:
        return _sibling(self.out, ".partial")


def _validate_parameters(run: _Run) -> None:
    if analysis_spec(run.analysis) is not None:  # bad parameters are named before a missing notebook
        run.values = resolve_params(run.analysis, params_file=run.params_file, params=run.params, notebook=None)
        run.notebook = notebook_path(run.analysis, run.notebooks_dir)
    else:
        run.notebook = notebook_path(run.analysis, run.notebooks_dir)
        run.values = resolve_params(run.analysis, params_file=run.params_file, params=run.params, notebook=run.notebook)


def _check_inputs(run: _Run) -> None:
    from .io.preflight import check_inputs

    check_inputs(run.analysis, run.values)  # a bad input file: one line, exit 2, before the kernel starts
    run.inputs = prov.hash_inputs(run.values)
    run.fingerprint = run_fingerprint(run.analysis, run.values, run.inputs)
    run.knowledge = knowledge_versions(run.analysis, run.values, notebook=run.notebook)  # as the run starts
    run.pseudonymiser = _pseudonymiser(run.values)


def _execute_notebook(run: _Run) -> None:
    import papermill as pm

    partial = run.partial
    if partial.exists():  # left by a run that was killed: never a result
        shutil.rmtree(partial)
    partial.mkdir(parents=True)
    env = {ENV_OUTPUT_DIR: str(partial), ENV_WORK_DIR: str(partial / _WORK),
           ENV_KERNEL_LOG: str(partial / "logs" / "kernel.log"), ENV_ONE_CASE: "1"}
    with _environment(**env):
        pm.execute_notebook(
            str(run.notebook),
            str(partial / NOTEBOOK_FILE),
            parameters=run.values,
            cwd=str(partial),
            kernel_name=run.kernel_name,
            execution_timeout=run.cell_timeout,
            progress_bar=False,
            log_output=False,
            request_save_on_cell_execute=True,
            kernel_manager_class=LocalKernelManager,
            # every output is written by the cells; a graceful shutdown would wait ~2.5 s for the kernel to
            # stop Spark. "immediate" kills the kernel's process group (kernel, Hail JVM, first-pass
            # children), whose temporary files are in the work folder that _tidy_work removes.
            shutdown_kernel="immediate",
        )


def _check_summary(run: _Run) -> None:
    summary_path = run.partial / SUMMARY_FILE
    if not summary_path.is_file():
        raise AnalysisError(f"{run.analysis}: the notebook finished without writing {SUMMARY_FILE}")
    run.summary = json.loads(summary_path.read_text(encoding="utf-8"))
    validate_summary(run.summary, analysis=run.analysis)


def _export_report(run: _Run) -> None:
    partial, values = run.partial, run.values
    run.record = prov.build_provenance(
        analysis=run.analysis,
        params=values,
        inputs=run.inputs,
        started=run.started,
        finished=prov.now(),
        fingerprint=run.fingerprint,
        knowledge=run.knowledge,
        hail={
            "spark_master": values.get("spark_master") or os.environ.get("BIGMED_SPARK_MASTER") or "local",
            "driver_memory": values.get("driver_memory") or os.environ.get("BIGMED_DRIVER_MEMORY"),
        },
    )
    spec = analysis_spec(run.analysis)
    id_key = spec.id_key if spec else next((k for k in ID_KEYS if k in run.summary), ID_KEYS[0])
    html = render_report(
        partial / NOTEBOOK_FILE,
        title=spec.title if spec else run.analysis.replace("_", " ").capitalize(),
        id_label=id_key,
        case_id=str(run.summary.get(id_key, values.get(id_key, ""))),
        params=values,
        provenance=run.record,
        hide_paths=(partial, run.out, run.out.parent, Path.cwd()),
    )
    (partial / REPORT_FILE).write_text(html, encoding="utf-8")
    if run.pdf:
        from .pdf import print_pdf

        print_pdf(partial / REPORT_FILE, partial / "report.pdf")


def _write_provenance(run: _Run) -> None:
    partial = run.partial
    (partial / prov.PROVENANCE_FILE).write_text(json.dumps(run.record, indent=2) + "\n", encoding="utf-8")
    _tidy_work(partial)
    if run.pseudonymiser is not None:
        _pseudonymise_outputs(partial, run.pseudonymiser)
        run.summary = json.loads((partial / SUMMARY_FILE).read_text(encoding="utf-8"))


def _publish_run(run: _Run) -> None:
    _publish(run.partial, run.out, keep_previous=run.keep_previous)
    _audit(run.out, analysis=run.analysis, result="success")


#: the steps of a run, in order: before the notebook (nothing written but DIR.failed on error), the
#: notebook and its outputs (in DIR.partial; DIR.failed on error), then publishing DIR
PREFLIGHT_STEPS: tuple[tuple[str, Callable[[_Run], None]], ...] = (
    ("validate parameters", _validate_parameters),
    ("check inputs", _check_inputs),
)
NOTEBOOK_STEPS: tuple[tuple[str, Callable[[_Run], None]], ...] = (
    ("execute notebook", _execute_notebook),
    ("check summary", _check_summary),
    ("export report", _export_report),
    ("write provenance", _write_provenance),
)
PUBLISH_STEPS: tuple[tuple[str, Callable[[_Run], None]], ...] = (("publish", _publish_run),)
STEPS = tuple(name for name, _ in (*PREFLIGHT_STEPS, *NOTEBOOK_STEPS, *PUBLISH_STEPS))


def _run_steps(run: _Run, steps: tuple[tuple[str, Callable[[_Run], None]], ...],
               progress: Callable[[str], None] | None) -> None:
    """Run ``steps`` in order; after each, ``progress`` gets ``bigmed: ANALYSIS: [k/N] STEP S s``."""
    for name, step in steps:
        began = time.perf_counter()
        step(run)
        if progress is not None:
            k = STEPS.index(name) + 1
            progress(f"bigmed: {run.analysis}: [{k}/{len(STEPS)}] {name} {time.perf_counter() - began:.1f} s")


def _run_analysis(run: _Run, progress: Callable[[str], None] | None) -> RunResult:
    run.started = prov.now()
    try:
        _run_steps(run, PREFLIGHT_STEPS, progress)
    except BigMedError as err:
        # an input file refused by the pre-flight reads as it would from the notebook: "InputDataError: ..."
        first = f"{type(err).__name__}: {err}" if isinstance(err, InputDataError) else str(err)
        failed = _fail(run.out, None, first, "The run stopped before the notebook started.\n")
        _write_failure_record(run.out, err, None)
        _audit(failed, analysis=run.analysis, result="rejected", detail=str(err))
        raise

    try:
        _run_steps(run, NOTEBOOK_STEPS, progress)
    except BaseException as err:  # noqa: BLE001 - every failure, even Ctrl-C, must leave DIR.failed
        translated = err if isinstance(err, BigMedError) else _execution_error(run.analysis, err)
        if isinstance(err, KeyboardInterrupt):
            translated = AnalysisInterruptedError(f"{run.analysis}: interrupted")
        failed = _fail(run.out, run.partial, str(translated), traceback.format_exc())
        _write_failure_record(run.out, translated, run.fingerprint)
        if run.pseudonymiser is not None:
            pseudonymise_folder(failed, run.pseudonymiser)
            translated = type(translated)(run.pseudonymiser.text(str(translated)))
        _audit(failed, analysis=run.analysis, result="failed", detail=str(translated))
        log.info("%s (partial notebook kept in %s)", translated, failed)
        if isinstance(err, (KeyboardInterrupt, SystemExit)):
            raise
        raise translated from None

    _run_steps(run, PUBLISH_STEPS, progress)
    return RunResult(out=run.out, summary=run.summary, provenance=run.record)


def _pseudonymiser(values: Mapping[str, Any]) -> "Pseudonymiser | None":
    """With ``pseudonymise: true``: the pseudonymiser for every id in the parameters and inputs."""
    if not values.get("pseudonymise"):
        return None
    return Pseudonymiser(collect_identifiers(values), key=load_key())


def _pseudonymise_outputs(folder: Path, pseudonymiser: "Pseudonymiser") -> None:
    """Replace every known id in the run's text outputs; refuse to publish if any is left."""
    pseudonymise_folder(folder, pseudonymiser)
    searchable = [i for i in pseudonymiser.mapping if len(i) >= pseudonymiser.min_text_length]
    left = find_identifiers(folder, searchable)
    if left:
        raise AnalysisError(
            f"pseudonymisation incomplete: identifiers remain in {', '.join(sorted(left)[:5])}; nothing published"
        )


def _audit(folder: Path, *, analysis: str, result: str, detail: str | None = None) -> None:
    """Append the run to the tamper-evident audit log (``$BIGMED_AUDIT_LOG``)."""
    append_audit(run_audit_fields(folder, action="run", result=result, detail=detail, analysis=analysis))


def run_fingerprint(analysis: str, params: Mapping[str, Any], inputs: Mapping[str, Any]) -> str:
    """sha256 of what determines a result: analysis, parameters and the checksums of the input files.

    ``bigmed batch`` skips a case whose finished report has the same fingerprint.
    """
    import hashlib

    material = {
        "analysis": analysis,
        "parameters": dict(params),
        "inputs": {k: v["sha256"] for k, v in sorted(inputs.items())},
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True, default=str).encode()).hexdigest()


def _tidy_work(partial: Path) -> None:
    """Keep the Hail log as ``logs/hail.log``; drop the scratch folder."""
    work = partial / _WORK
    hail_log = work / "hail.log"
    if hail_log.is_file():
        (partial / "logs").mkdir(exist_ok=True)
        hail_log.rename(partial / "logs" / "hail.log")
    shutil.rmtree(work, ignore_errors=True)


def previous_versions(out: Path) -> list[Path]:
    """Older versions of a case kept beside it (``DIR.v1``, ``DIR.v2``, ...), oldest first."""
    found = [p for p in out.parent.glob(out.name + ".v*") if p.name[len(out.name) + 2 :].isdigit()]
    return sorted(found, key=lambda p: int(p.name[len(out.name) + 2 :]))


def _publish(partial: Path, out: Path, *, keep_previous: bool = False) -> None:
    """Rename ``DIR.partial`` to ``DIR``; an older ``DIR`` is kept as ``DIR.v<N>`` or removed after the swap."""
    old = None
    if out.exists():
        if keep_previous:
            versions = previous_versions(out)
            n = int(versions[-1].name[len(out.name) + 2 :]) + 1 if versions else 1
            out.rename(_sibling(out, f".v{n}"))
        else:
            old = _sibling(out, f".replaced-{os.getpid()}")
            out.rename(old)
    partial.rename(out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    stale = _sibling(out, ".failed")
    if stale.exists():  # an earlier failure of this case is superseded by this success
        shutil.rmtree(stale)
