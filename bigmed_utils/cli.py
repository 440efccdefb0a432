"""The ``bigmed`` command: a thin layer over library functions.

Exit codes: 0 success; 1 an analysis failed; 2 bad parameters, input or usage (nothing ran); 3 a transient
failure (dead kernel, time limit) that may succeed when tried again; 143 stopped by SIGTERM.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .errors import AnalysisError, BigMedError

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_TRANSIENT = 3
EXIT_TERMINATED = 143


def one_line(text: str) -> str:
    """``text`` on one printable line: control characters (newlines from a library's message, or bytes of
    a bad input file) are shown escaped, so that the error stays one line on any terminal or log."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))


def _die(err: BigMedError) -> None:
    click.echo(f"bigmed: error: {one_line(err)}", err=True)
    if err.transient:
        sys.exit(EXIT_TRANSIENT)
    sys.exit(EXIT_FAILED if isinstance(err, AnalysisError) else EXIT_USAGE)


def _sigterm_as_interrupt() -> None:
    """Turn SIGTERM into KeyboardInterrupt so a run moves its partial output to DIR.failed before exiting."""
    import signal

    def handler(signum, frame):  # noqa: ARG001
        raise KeyboardInterrupt("terminated")

    signal.signal(signal.SIGTERM, handler)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="bigmed")
def main() -> None:
    """BigMed research environment: reproducible case reports for rare disease, sudden cardiac death and
    colorectal cancer from parameterised notebooks. Research use only; not a medical device."""


@main.command()
@click.argument("analysis")
@click.option("--params", "params_file", type=click.Path(dir_okay=False), help="YAML parameter file.")
@click.option("-p", "--param", "overrides", multiple=True, metavar="KEY=VALUE", help="Set one parameter (repeatable).")
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Output folder (created on success).")
@click.option("--force", is_flag=True, help="Replace an existing output folder once the new run succeeded.")
@click.option("--keep-previous", is_flag=True, help="With --force: keep the replaced folder as OUT.v<N>.")
@click.option("--cell-timeout", type=int, default=None, help="Seconds any one notebook cell may run.")
@click.option("--pdf", is_flag=True, help="Also write report.pdf (needs headless Chromium).")
def run(analysis: str, params_file: str | None, overrides: tuple[str, ...], out: str, force: bool,
        keep_previous: bool, cell_timeout: int | None, pdf: bool) -> None:
    """Run ANALYSIS (a notebook in notebooks/) into the folder --out.

    Writes notebook.ipynb, report.html, summary.json and provenance.json into OUT, or nothing: a failed
    run leaves OUT.failed/ with the partial notebook and error.txt. Each step is printed to stderr with
    its time ("bigmed: ANALYSIS: [k/N] STEP S s").

    \b
    Example:
      bigmed run rare_disease --params parameters/rare_disease/demo.yaml --out reports/RD001
      bigmed run rare_disease --params case.yaml -p min_gq=30 -p "hpo_terms=[HP:0001250]" --out reports/x
    """
    from .params import parse_overrides
    from .runner import run_analysis

    if not params_file and not overrides:
        raise click.UsageError("give --params FILE or at least one -p key=value")
    _sigterm_as_interrupt()
    try:
        result = run_analysis(
            analysis,
            out=out,
            params_file=params_file,
            params=parse_overrides(overrides),
            force=force,
            keep_previous=keep_previous,
            cell_timeout=cell_timeout,
            pdf=pdf,
            progress=lambda line: click.echo(line, err=True),  # each step with its seconds
        )
    except BigMedError as err:
        _die(err)
    except KeyboardInterrupt:
        click.echo(f"bigmed: error: {analysis}: interrupted; partial output kept in {out}.failed", err=True)
        sys.exit(EXIT_TERMINATED)
    click.echo(f"done: {result.out}/report.html")
    if pdf and not (result.out / "report.pdf").is_file():
        from .pdf import NO_CHROMIUM, find_chromium

        click.echo(f"bigmed: warning: {NO_CHROMIUM if find_chromium() is None else 'PDF not written (see log)'}", err=True)


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--out", default="reports", show_default=True, type=click.Path(file_okay=False),
              help="Reports folder: reports/<analysis>/<case_id>/ plus index.json and index.html.")
@click.option("--jobs", type=int, default=1, show_default=True, help="Cases at once (never more than memory allows).")
@click.option("--retries", type=int, default=1, show_default=True, help="Retries of a transient failure.")
@click.option("--timeout", type=float, default=None, help="Seconds one case may run before it is stopped.")
@click.option("--pdf", is_flag=True, help="Also print report.pdf (needs headless Chromium).")
def batch(paths: tuple[str, ...], out: str, jobs: int, retries: int, timeout: float | None, pdf: bool) -> None:
    """Run many cases: PATHS are parameter files, folders of them (<analysis>/<case>.yaml) or a manifest
    CSV (case_id,analysis,params). Finished cases with unchanged inputs are skipped; exit 1 if any failed.

    \b
    Example (nightly):
      bigmed batch incoming/ --out /srv/bigmed/reports --jobs 2 --retries 1 --timeout 3600
    """
    from .batch import run_batch

    if pdf:
        from .pdf import NO_CHROMIUM, find_chromium

        if find_chromium() is None:
            click.echo(f"bigmed: warning: {NO_CHROMIUM}", err=True)
    try:
        results = run_batch(paths, out=out, jobs=jobs, retries=retries, timeout=timeout, pdf=pdf, echo=click.echo)
    except BigMedError as err:
        _die(err)
    except KeyboardInterrupt:
        click.echo("bigmed: error: batch stopped by a signal; the next run completes the rest", err=True)
        sys.exit(EXIT_TERMINATED)
    if any(r.status == "failed" for r in results):
        sys.exit(EXIT_FAILED)


@main.command()
@click.argument("reports", type=click.Path(file_okay=False, exists=True))
@click.option("--params", "params_paths", multiple=True, type=click.Path(exists=True),
              help="Parameter files, folders or manifests of the cases (needed for pseudonymised cases).")
@click.option("--jobs", type=int, default=1, show_default=True, help="Cases at once (never more than memory allows).")
@click.option("--retries", type=int, default=1, show_default=True, help="Retries of a transient failure.")
@click.option("--timeout", type=float, default=None, help="Seconds one case may run before it is stopped.")
@click.option("--pdf", is_flag=True, help="Also print report.pdf (needs headless Chromium).")
def reanalyse(reports: str, params_paths: tuple[str, ...], jobs: int, retries: int, timeout: float | None,
              pdf: bool) -> None:
    """Rerun finished cases in REPORTS whose inputs are unchanged but whose knowledge changed (analysis code,
    reference data, HPO release, in-house stores); list in REPORTS/reanalysis.json and index.html the cases
    whose top candidate, ACMG class or actionable finding changed, and why. Exit 1 if a rerun failed.

    \b
    Example (nightly, after bigmed batch):
      bigmed reanalyse /srv/bigmed/reports --jobs 2 --timeout 3600
    """
    from .reanalysis import run_reanalysis

    try:
        result = run_reanalysis(reports, params=params_paths, jobs=jobs, retries=retries, timeout=timeout, pdf=pdf,
                                echo=click.echo)
    except BigMedError as err:
        _die(err)
    except KeyboardInterrupt:
        click.echo("bigmed: error: reanalysis stopped by a signal; the next run completes the rest", err=True)
        sys.exit(EXIT_TERMINATED)
    if result.failed:
        sys.exit(EXIT_FAILED)


@main.command()
@click.argument("analysis")
def params(analysis: str) -> None:
    """List the parameters of ANALYSIS with type, default and help text."""
    from .params import describe_params

    try:
        rows = describe_params(analysis)
    except BigMedError as err:
        _die(err)
    width = max(len(r["name"]) for r in rows)
    for r in rows:
        click.echo(f"{r['name']:<{width}}  {r['type']}  [default: {r['default']}]")
        if r["help"]:
            click.echo(f"{'':<{width}}    {r['help']}")


@main.command()
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Folder to write the cohorts into.")
@click.option("--seed", type=int, default=2016, show_default=True, help="Random seed (same seed, same bytes).")
@click.option("--scale", type=click.Choice(["demo", "wgs"]), default="demo", show_default=True)
@click.option("--cases", type=int, default=None, help="Number of rare-disease cases (default: all).")
def synth(out: str, seed: int, scale: str, cases: int | None) -> None:
    """Write synthetic cohorts (with their truth) for teaching, tests and benchmarks."""
    from . import synthetic
    from .progress import report

    try:
        with report("synth"):
            path = synthetic.generate(out, seed=seed, scale=scale, cases=cases)
    except BigMedError as err:
        _die(err)
    click.echo(f"synthetic data written to {path}")


@main.command()
@click.option("--out", default="reports/demo", show_default=True, type=click.Path(file_okay=False),
              help="Folder for the demo reports.")
def demo(out: str) -> None:
    """Generate the demo data (data/demo) and run every analysis on its demo parameters."""
    from .demo import run_demo

    try:
        results = run_demo(out=out, echo=click.echo)
    except BigMedError as err:
        _die(err)
    failed = [name for name, res in results.items() if isinstance(res, Exception)]
    if failed:
        click.echo(f"bigmed: error: demo failed for {', '.join(failed)}", err=True)
        sys.exit(EXIT_FAILED)


@main.command()
@click.option("--port", type=int, default=8888, show_default=True)
@click.option("--notebooks", type=click.Path(file_okay=False, exists=True), default=None,
              help="Folder to open (default: the project's notebooks/).")
def lab(port: int, notebooks: str | None) -> None:
    """Start JupyterLab on the notebooks (127.0.0.1, with a token) using this package's kernel."""
    from .lab import start_lab

    start_lab(notebooks=notebooks, port=port)


@main.group()
def inhouse() -> None:
    """In-house stores of earlier cases: the rare-disease variant database, earlier colorectal-cancer
    patients and earlier cardiac families."""


@inhouse.command("add")
@click.argument("run_dir", type=click.Path(file_okay=False, exists=True))
@click.option("--db", "db_path", required=True, type=click.Path(file_okay=False), help="In-house store folder.")
def inhouse_add(run_dir: str, db_path: str) -> None:
    """Add a finished case (RUN_DIR of bigmed run: rare_disease, colorectal_cancer or sudden_cardiac_death)
    to the in-house store of its area."""
    from .case_store import add_run
    from .progress import report

    try:
        with report("inhouse add"):
            result = add_run(db_path, run_dir)
    except BigMedError as err:
        _die(err)
    click.echo(result.message)


@main.command("export")
@click.argument("run_dir", type=click.Path(file_okay=False, exists=True))
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Airlock folder for the checked bundle.")
@click.option("--threshold", type=int, default=None, help="Largest count to suppress (default 20: counts 1-20 hidden).")
@click.option("--force", is_flag=True, help="Replace an existing bundle.")
def export(run_dir: str, out: str, threshold: int | None, force: bool) -> None:
    """Write a checked bundle of RUN_DIR for the airlock: aggregates, cohort figures, a report without
    individual rows, and MANIFEST.json listing what was removed or suppressed and why."""
    from .privacy import append_audit, export_run, run_audit_fields

    kwargs = {} if threshold is None else {"threshold": threshold}
    try:
        manifest = export_run(run_dir, out=out, force=force, **kwargs)
        append_audit({**run_audit_fields(run_dir, action="export"),
                      "outputs": [f"{manifest['bundle']}/{f['path']}" for f in manifest["files"]]})
    except BigMedError as err:
        _die(err)
    click.echo(f"exported: {Path(out) / manifest['bundle']} ({len(manifest['files'])} files; see MANIFEST.json)")


@main.group()
def audit() -> None:
    """The tamper-evident audit log ($BIGMED_AUDIT_LOG)."""


@audit.command("verify")
@click.option("--log", "log_path", type=click.Path(dir_okay=False), default=None, help="Audit log (default: $BIGMED_AUDIT_LOG).")
@click.option("--key-file", type=click.Path(dir_okay=False), default=None,
              help="Audit key (default: $BIGMED_AUDIT_KEY_FILE, else derived from the pseudonym key).")
@click.option("--old-key-file", "old_key_files", multiple=True, type=click.Path(dir_okay=False),
              help="A retired audit key, to check the records it signed (repeatable).")
def audit_verify(log_path: str | None, key_file: str | None, old_key_files: tuple[str, ...]) -> None:
    """Check the hash chain and HMACs: any edited, removed, reordered or rewritten record is reported; exit 1 if so."""
    from .privacy.audit import audit_key, verify_audit

    try:
        old = [k for k in (audit_key(f) for f in old_key_files) if k is not None]
        res = verify_audit(log_path, key=audit_key(key_file), old_keys=old)
    except BigMedError as err:
        _die(err)
    for problem in res.problems:
        click.echo(f"bigmed: audit: {problem}", err=True)
    for note in res.notes:
        click.echo(f"bigmed: audit: note: {note}", err=True)
    last = f" (last seq {res.last_seq}, mac {res.last_mac})" if res.ok and res.last_mac else ""
    click.echo(f"{res.log_path}: {res.n_records} records, {res.n_signed} signed, "
               f"{'intact' if res.ok else 'TAMPERED'}{last}")
    if not res.ok:
        sys.exit(EXIT_FAILED)


@audit.command("seal")
@click.option("--log", "log_path", type=click.Path(dir_okay=False), default=None, help="Audit log (default: $BIGMED_AUDIT_LOG).")
def audit_seal(log_path: str | None) -> None:
    """Append a record signed with the audit key: it fixes every record before it (e.g. an old unsigned log)."""
    from .privacy.audit import seal_audit

    try:
        rec = seal_audit(log_path=log_path)
    except BigMedError as err:
        _die(err)
    click.echo(f"sealed: seq {rec['seq']} signed with key id {rec['key_id']}")


@audit.command("rotate-key")
@click.option("--log", "log_path", type=click.Path(dir_okay=False), default=None, help="Audit log (default: $BIGMED_AUDIT_LOG).")
@click.option("--new-key-file", required=True, type=click.Path(dir_okay=False), help="The new audit key file.")
def audit_rotate_key(log_path: str | None, new_key_file: str) -> None:
    """Rotate the audit key: a record signed by the current key names the new key's id, then a record signed
    by the new key. Afterwards set BIGMED_AUDIT_KEY_FILE to the new key; keep the old one to verify old records."""
    from .privacy.audit import rotate_audit_key

    try:
        rec = rotate_audit_key(new_key_file, log_path=log_path)
    except BigMedError as err:
        _die(err)
    click.echo(f"rotated: seq {rec['seq']} signed with key id {rec['key_id']} names the next key id "
               f"{rec['next_key_id']}; now set BIGMED_AUDIT_KEY_FILE={new_key_file}")


if __name__ == "__main__":  # pragma: no cover
    main()
