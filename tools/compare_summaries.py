#!/usr/bin/env python
"""Behaviour preservation for refactors: every demo ``summary.json`` before and after, key by key.

    python tools/compare_summaries.py capture BASELINE     # run the cases, store normalised summaries
    python tools/compare_summaries.py compare BASELINE     # run them again, print every difference
    python tools/compare_summaries.py diff BASELINE OTHER  # compare two captured folders (no runs)

The cases are every analysis on its demo parameters (what ``bigmed demo`` runs, with its in-house stores)
plus one more case per area from ``parameters/<analysis>/`` (EXTRA_CASES). Summaries are normalised before
they are stored or compared: run-specific keys (versions, times, durations, host, user: DROPPED_KEY) are
dropped, and absolute paths inside strings become placeholders (<repo>, <out>, <tmp>); everything else is
kept exactly. ``compare`` and ``diff`` exit 1 on any difference, 0 when none. See docs/developing.md.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Iterator

REPO = Path(__file__).resolve().parents[1]
#: one more case per area beside its demo.yaml (another inheritance pattern / referral than the demo's)
EXTRA_CASES = {
    "rare_disease": "RD003.yaml",  # compound heterozygous CEP290 (the demo, RD001, is de novo SCN1A)
    "sudden_cardiac_death": "SCD01.yaml",  # long QT referral (the demo, SCD02, is hypertrophic cardiomyopathy)
}
#: keys dropped at any depth: they change from run to run or with the installed versions, not with behaviour
DROPPED_KEY = re.compile(
    r"^(bigmed_utils_version|versions?|[a-z_]*_version|host|hostname|user|username|timestamp|time|times"
    r"|started|finished|started_at|finished_at|created|created_at|generated_at|duration|duration_s"
    r"|durations|elapsed|elapsed_s|seconds|wall_s|runtime_s)$"
)
MANIFEST = "MANIFEST.json"


# ---------------------------------------------------------------------------------------------- normalise
def normalise(value: Any, *, roots: dict[str, str | Path] | None = None) -> Any:
    """``value`` (a parsed summary) without DROPPED_KEY keys and with ``roots`` folders as placeholders.

    ``roots`` maps a placeholder (``"<out>"``) to a folder; every occurrence of the folder's absolute path in
    a string is replaced (longest folder first, so a folder inside another keeps its own placeholder).
    """
    pairs = sorted(((str(Path(p)), name) for name, p in (roots or {}).items()), key=lambda t: -len(t[0]))

    def walk(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: walk(x) for k, x in v.items() if not DROPPED_KEY.match(str(k))}
        if isinstance(v, list):
            return [walk(x) for x in v]
        if isinstance(v, str):
            for path, name in pairs:
                v = v.replace(path, name)
            return v
        return v

    return walk(value)


def flatten(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """``(dotted key, leaf value)`` pairs: ``candidates[0].gene``; empty dicts and lists are leaves."""
    if isinstance(value, dict) and value:
        for k, v in value.items():
            yield from flatten(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(value, list) and value:
        for i, v in enumerate(value):
            yield from flatten(v, f"{prefix}[{i}]")
    else:
        yield prefix, value


def _same(a: Any, b: Any, rtol: float) -> bool:
    if type(a) is not type(b):  # 1 and 1.0, True and 1 differ in JSON
        return False
    if isinstance(a, float) and rtol > 0:
        return math.isclose(a, b, rel_tol=rtol, abs_tol=0.0)
    return a == b


def diff(before: Any, after: Any, *, rtol: float = 0.0) -> list[str]:
    """One line per differing key: ``key: before -> after``, ``key: missing`` or ``key: added``.

    Leaves are compared exactly (``rtol`` > 0 allows a relative difference between floats).
    """
    a, b = dict(flatten(before)), dict(flatten(after))
    lines = []
    for key in list(a) + [k for k in b if k not in a]:
        if key not in b:
            lines.append(f"{key}: missing (was {json.dumps(a[key])})")
        elif key not in a:
            lines.append(f"{key}: added ({json.dumps(b[key])})")
        elif not _same(a[key], b[key], rtol):
            lines.append(f"{key}: {json.dumps(a[key])} -> {json.dumps(b[key])}")
    return lines


def diff_folders(baseline: Path, other: Path, *, rtol: float = 0.0, limit: int = 40) -> tuple[int, list[str]]:
    """Compare every ``*.json`` summary of ``baseline`` with ``other``: (number of differences, report)."""
    names = sorted(p.name for p in baseline.glob("*.json") if p.name != MANIFEST)
    extra = sorted(p.name for p in other.glob("*.json") if p.name != MANIFEST and p.name not in names)
    total, report = 0, []
    for name in names:
        if not (other / name).is_file():
            total += 1
            report.append(f"{name}: no summary (the run failed or the case is gone)")
            continue
        lines = diff(json.loads((baseline / name).read_text()), json.loads((other / name).read_text()), rtol=rtol)
        total += len(lines)
        report.append(f"{name}: {'identical' if not lines else f'{len(lines)} difference(s)'}")
        report += [f"  {line}" for line in lines[:limit]]
        if len(lines) > limit:
            report.append(f"  ... and {len(lines) - limit} more")
    for name in extra:
        total += 1
        report.append(f"{name}: not in the baseline")
    return total, report


# ------------------------------------------------------------------------------------------------- runs
def extra_cases() -> dict[str, tuple[str, Path]]:
    """``{label: (analysis, parameter file)}`` of EXTRA_CASES (the demo runs through ``run_demo``)."""
    found = {}
    for analysis, file in EXTRA_CASES.items():
        path = REPO / "parameters" / analysis / file
        if path.is_file():
            found[f"{analysis}-{path.stem}"] = (analysis, path)
    return found


def run_cases(out: Path, extras: dict[str, tuple[str, Path]], *, echo=print) -> dict[str, Any]:
    """Run the demo (as ``bigmed demo``, with its in-house stores) and ``extras`` into ``out/<label>``."""
    from bigmed_utils.demo import run_demo
    from bigmed_utils.runner import run_analysis

    results: dict[str, Any] = dict(run_demo(out=out, echo=echo))
    for label, (analysis, path) in extras.items():
        echo(f"running {label} ...")
        try:
            results[label] = run_analysis(analysis, params_file=path, out=out / label, force=True)
        except Exception as err:  # noqa: BLE001 - a failing case is reported, the others still run
            results[label] = err
            echo(f"  FAILED: {err}")
    return results


def collect(out: Path, results: dict[str, Any], dest: Path) -> list[str]:
    """Write each run's normalised summary to ``dest/<label>.json``; return the labels that failed."""
    dest.mkdir(parents=True, exist_ok=True)
    roots = {"<out>": out.resolve(), "<repo>": REPO, "<tmp>": Path(tempfile.gettempdir()).resolve()}
    failed = []
    for label, result in sorted(results.items()):
        summary = out / label / "summary.json"
        if isinstance(result, BaseException) or not summary.is_file():
            failed.append(label)
            continue
        data = normalise(json.loads(summary.read_text()), roots=roots)
        (dest / f"{label}.json").write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    return failed


def _fingerprint() -> str:
    from bigmed_utils.demo import generator_fingerprint

    return generator_fingerprint()


def _manifest(labels: list[str], extras: dict[str, tuple[str, Path]]) -> dict[str, Any]:
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip()
    return {"summaries": labels,
            "extra_cases": {k: [a, str(p.relative_to(REPO))] for k, (a, p) in extras.items() if k in labels},
            "generator_fingerprint": _fingerprint(), "git_commit": commit or None}


# -------------------------------------------------------------------------------------------------- cli
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="compare_summaries.py", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    cap = sub.add_parser("capture", help="run every case and store its normalised summary in BASELINE")
    cap.add_argument("baseline", type=Path)
    cmp_ = sub.add_parser("compare", help="run every case again and compare with BASELINE (exit 1 if any differ)")
    cmp_.add_argument("baseline", type=Path)
    dif = sub.add_parser("diff", help="compare two captured folders without running anything")
    dif.add_argument("baseline", type=Path)
    dif.add_argument("other", type=Path)
    for p in (cap, cmp_):
        p.add_argument("--work", type=Path, help="keep the run folders here (default: a temporary folder)")
    cap.add_argument("--demo-only", action="store_true", help="only the demo parameters, no extra cases")
    for p in (cmp_, dif):
        p.add_argument("--rtol", type=float, default=0.0, help="relative tolerance for floats (default exact)")
    args = parser.parse_args(argv)

    if args.command == "diff":
        total, report = diff_folders(args.baseline, args.other, rtol=args.rtol)
        print("\n".join(report))
        print(f"{total} difference(s)")
        return 1 if total else 0

    if args.command == "capture" and args.baseline.exists() and any(args.baseline.iterdir()):
        print(f"{args.baseline} exists and is not empty: choose a new folder", file=sys.stderr)
        return 2
    if args.command == "compare" and not (args.baseline / MANIFEST).is_file():
        print(f"{args.baseline}: no {MANIFEST}; capture a baseline first", file=sys.stderr)
        return 2
    if args.command == "capture":
        extras = {} if args.demo_only else extra_cases()
    else:  # the baseline's cases, by their parameter files
        manifest = json.loads((args.baseline / MANIFEST).read_text())
        extras = {k: (a, REPO / p) for k, (a, p) in manifest["extra_cases"].items()}
    work = (args.work or Path(tempfile.mkdtemp(prefix="bigmed-compare-"))).resolve()
    try:
        results = run_cases(work, extras)
        if args.command == "capture":
            failed = collect(work, results, args.baseline)
            labels = sorted(set(results) - set(failed))
            (args.baseline / MANIFEST).write_text(json.dumps(_manifest(labels, extras), indent=1) + "\n")
            print(f"captured {len(labels)} summaries into {args.baseline}")
            if failed:
                print(f"FAILED (not captured): {', '.join(failed)}", file=sys.stderr)
            return 1 if failed else 0
        current = work / "_normalised"
        collect(work, results, current)
        if manifest.get("generator_fingerprint") != _fingerprint():
            print("note: the synthetic-data generators changed since the baseline: the inputs differ too")
        total, report = diff_folders(args.baseline, current, rtol=args.rtol)
        print("\n".join(report))
        print(f"{total} difference(s) against {args.baseline} (baseline commit {manifest.get('git_commit')})")
        return 1 if total else 0
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
