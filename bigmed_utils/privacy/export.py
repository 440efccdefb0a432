"""The airlock export: a checked bundle of aggregate results from one finished run folder.

``export_run(RUN_DIR, out=AIRLOCK)`` writes ``AIRLOCK/<bundle>/`` with

* ``summary_aggregate.json``: the run's ``summary.json`` without individual-level content (rules below);
* ``figures/figure-N.png``: images from notebook cells tagged ``aggregate`` (cohort analyses only);
* ``report.html``: a small page regenerated from the aggregate summary (every value HTML-escaped) and the
  exported figures, nothing else from the notebook;
* ``MANIFEST.json``: every file written (sha256, bytes), every item removed or suppressed and why, and the
  rules applied.

Nothing in the bundle carries an absolute path of the lab's file system, the user or the host.

Rules for the summary
---------------------
*Individual analyses* (``rare_disease``, ``sudden_cardiac_death``, ``colorectal_cancer``: one case, family
or patient) keep only what describes the run, not the person's records: per-analysis rules
(:data:`ANALYSIS_RULES`) reduce candidate, finding, driver, QTc and cascade lists to counts and drop
person identifiers (``proband``) and personal risk estimates; the id (``case_id``/``family_id``/
``patient_id``) is withheld unless the run was pseudonymised; any string containing the id, the proband
or a sample named in the parameters is withheld. Counts here are of variants or records of one person,
not of participants, and are not suppressed.

*Cohort analyses* (``colorectal_cohort`` and every analysis not registered as individual) follow the
All of Us dissemination rule (:mod:`bigmed_utils.privacy.disclosure`): participant counts ``1..threshold``
are suppressed, with complementary suppression among sibling groups (their sum, the cohort size, is known),
and the statistics (medians, proportions, intervals) of a group whose count is hidden are withheld too.
A count is an integer under a key ``n``, ``n_*``, ``*_n``, ``count``, ``*_count``, ``events``,
``patients``, ``families``, ``carriers`` ..., or any integer inside a dict whose own name says counts
(``counts``, ``n_by_*``, ``*yield*``). A cohort whose size (``n_patients``, ``n_families``,
``n_participants``) is itself 1..threshold is refused.

Generic rules, for keys no analysis rule names: lists (of records or of values) are reduced to a count
``n_<key>`` (a cohort's list of per-patient rows is individual data), dicts are walked, scalars kept,
strings that look like absolute paths are reduced to their file name.

Figures
-------
A figure of an individual analysis shows that person's data (a pedigree, an ECG, a lollipop of their
variants): none is exported. A cohort figure is exported only from a cell tagged ``aggregate`` (or
``export-figure``), which is the notebook author's statement that the plot was drawn from suppressed data
(:func:`~bigmed_utils.privacy.disclosure.suppress_plot_data`); untagged images are listed as removed.
"""

from __future__ import annotations

import base64
import html
import json
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Mapping

from .._fs import sha256_bytes
from ..errors import InputDataError, ParameterError
from .disclosure import ALL_OF_US_THRESHOLD, SUPPRESSED, suppress_counts
from .pseudonyms import collect_identifiers

__all__ = [
    "ANALYSIS_RULES",
    "INDIVIDUAL_ANALYSES",
    "ExportError",
    "aggregate_summary",
    "export_run",
]

INDIVIDUAL_ANALYSES = frozenset({"rare_disease", "sudden_cardiac_death", "colorectal_cancer"})
FIGURE_TAGS = frozenset({"aggregate", "export-figure"})
WITHHELD = "withheld"
MANIFEST_FILE = "MANIFEST.json"
SUMMARY_FILE = "summary_aggregate.json"
REPORT_FILE = "report.html"

#: key -> (action, reason); actions: "count" (list/dict -> number of entries), "drop", "numbers" (keep only
#: the dict's own numeric scalars), "keep" (walk generically, lists of aggregate rows allowed).
ANALYSIS_RULES: dict[str, dict[str, tuple[str, str]]] = {
    "rare_disease": {
        "candidates": ("count", "per-variant candidate records of one case"),
        "phenotypes": ("count", "the patient's phenotype terms"),
        "qc": ("numbers", "per-sample QC details of one family"),
    },
    "sudden_cardiac_death": {
        "proband": ("drop", "identifier of a person"),
        "findings": ("count", "per-variant findings of one family"),
        "qtc": ("count", "per-person ECG measurements"),
        "cascade": ("count", "per-relative cascade screening plan"),
        "segregation": ("count", "per-variant segregation in one family"),
        "hcm_risk_scd": ("drop", "an individual's risk estimate"),
    },
    "colorectal_cancer": {
        "drivers": ("count", "one patient's driver mutations"),
        "actionable": ("count", "one patient's actionable alterations"),
        "resistance": ("count", "one patient's resistance markers"),
    },
    "colorectal_cohort": {
        "log_rank": ("keep", ""),  # overall and pairwise tests between groups: aggregate rows
        "cox": ("keep", ""),  # hazard ratios per covariate
    },
}

_COUNT_KEY = re.compile(
    r"^(n|count|events|patients|families|cases|carriers|participants|people|persons|individuals)$"
    r"|^n_|_n$|_count$|^count_|^num_|^number_",
    re.IGNORECASE,
)
_COUNT_DICT = re.compile(r"count|^n_|yield", re.IGNORECASE)
_COHORT_SIZE_KEYS = ("n_patients", "n_participants", "n_families", "n_individuals")
_TOTAL_CHILD = {"all", "total", "overall"}
_ID_PARAMS = ("case_id", "family_id", "patient_id", "proband", "tumor_sample", "sample", "samples")
_SUPPRESS_REASON = "disclosure control: a participant count of 1..{t} or a cell from which one could be derived"
#: the folder part of an absolute path inside text ("see /data/lab/x.vcf" -> "see x.vcf"); not URLs
_EMBEDDED_DIRS = re.compile(r"(?<![\w:/.~-])(?:~/(?:[^\s/]+/)*|/(?:[^\s/]+/)+)")
_WITHHELD_STAT = "statistic of a group whose participant count is suppressed"


class ExportError(ParameterError):
    """The run folder cannot be exported (not a finished run, or the bundle would not be safe)."""


# ---------------------------------------------------------------------------------------------------------
# The summary


def _count_key(key: str, taken: Iterable[str]) -> str:
    """``n_<key>``, or ``n_<key>_entries`` when the summary has an ``n_<key>`` of its own."""
    name = f"n_{key}"
    return name if name not in set(taken) else f"{name}_entries"


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class _Aggregator:
    def __init__(self, *, analysis: str, threshold: int, identifiers: Iterable[str], cohort: bool) -> None:
        self.analysis = analysis
        self.threshold = threshold
        self.cohort = cohort
        self.removed: list[dict[str, str]] = []
        self.suppressed: list[dict[str, str]] = []
        # whole identifiers (not inside a longer run of letters/digits); ids under 3 characters (PED member
        # numbers) would withhold every string holding that digit and are left to the run's pseudonymisation
        ids = sorted({str(i) for i in identifiers if i is not None and len(str(i).strip()) >= 3}, key=len, reverse=True)
        alternatives = "|".join(re.escape(i) for i in ids)
        self._id_re = re.compile(rf"(?<![^\W_])(?:{alternatives})(?![^\W_])") if ids else None

    # -- generic walk --------------------------------------------------------------------------------------

    def string(self, value: str, path: str) -> str:
        if self._id_re is not None and self._id_re.search(value):
            self.removed.append({"item": path, "reason": "contains an identifier of a person or sample"})
            return WITHHELD
        if re.match(r"^(/|~|[A-Za-z]:\\)", value):
            self.removed.append({"item": path, "reason": "absolute path reduced to its file name"})
            return re.split(r"[\\/]", value.rstrip("/\\"))[-1]
        reduced = _EMBEDDED_DIRS.sub("", value)
        if reduced != value:
            self.removed.append({"item": path, "reason": "folders of absolute paths in the text removed"})
        return reduced

    def walk(self, value: Any, path: str, *, lists_allowed: bool = False) -> Any:
        if isinstance(value, Mapping):
            out: dict[str, Any] = {}
            for key, item in value.items():
                key = str(key)
                safe_key = self.string(key, f"{path}.{key}" if path else key) if self._id_re else key
                sub = f"{path}.{safe_key}" if path else safe_key
                if isinstance(item, list) and not lists_allowed:
                    name = _count_key(safe_key, map(str, value))
                    self.removed.append({"item": sub, "reason": f"list of individual-level entries reduced to the count {name}"})
                    out[name] = len(item)
                else:
                    out[safe_key] = self.walk(item, sub, lists_allowed=lists_allowed)
            return out
        if isinstance(value, list):
            return [self.walk(v, f"{path}[{i}]", lists_allowed=lists_allowed) for i, v in enumerate(value)]
        if isinstance(value, str):
            return self.string(value, path)
        return value

    # -- disclosure control on the walked tree (cohort analyses) ------------------------------------------

    def protect(self, node: Any, path: str, *, name: str = "") -> None:
        if not isinstance(node, dict):
            return
        # sets of sibling counts first, while they are still numbers; then each child; then this dict
        self._groups(node, path)
        if _COUNT_DICT.search(name or ""):
            self._counts_dict(node, path)
        for key, child in node.items():
            self.protect(child, f"{path}.{key}" if path else key, name=key)
        hidden_here = False
        for key, value in list(node.items()):
            if _COUNT_KEY.search(key) and _is_int(value) and 1 <= value <= self.threshold:
                node[key] = SUPPRESSED
                self._note(f"{path}.{key}" if path else key)
                hidden_here = True
            elif value == SUPPRESSED and _COUNT_KEY.search(key):
                hidden_here = True
        if hidden_here and path:  # a group's statistics; the summary's own top-level values are not a group
            self._withhold_stats(node, path)

    def _note(self, item: str, reason: str | None = None) -> None:
        self.suppressed.append({"item": item, "reason": reason or _SUPPRESS_REASON.format(t=self.threshold)})

    def _withhold_stats(self, node: dict, path: str) -> None:
        for key, value in list(node.items()):
            if _is_number(value) and not (_COUNT_KEY.search(key) and _is_int(value)):
                node[key] = WITHHELD
                self._note(f"{path}.{key}" if path else key, _WITHHELD_STAT)

    def _counts_dict(self, node: dict, path: str) -> None:
        """A dict named like counts: its integer values are one set of counts with a known total."""
        import pandas as pd

        keys = [k for k, v in node.items() if _is_int(v) and k.lower() not in _TOTAL_CHILD]
        if not keys:
            return
        res = suppress_counts(pd.Series({k: node[k] for k in keys}, dtype="int64"), threshold=self.threshold)
        for label, _col, _why in res.suppressed:
            if label in node:
                node[label] = SUPPRESSED
                self._note(f"{path}.{label}" if path else str(label))

    def _groups(self, node: dict, path: str) -> None:
        """Sibling dicts with the same count key (groups of a cohort): suppress across them."""
        import pandas as pd

        children = {k: v for k, v in node.items() if isinstance(v, dict) and k.lower() not in _TOTAL_CHILD}
        if len(children) < 2:
            return
        count_keys = sorted({ck for v in children.values() for ck, cv in v.items() if _COUNT_KEY.search(ck) and _is_int(cv)})
        for ck in count_keys:
            members = {k: v[ck] for k, v in children.items() if _is_int(v.get(ck))}
            if len(members) < 2 or not any(1 <= n <= self.threshold for n in members.values()):
                continue
            res = suppress_counts(pd.Series(members, dtype="int64"), threshold=self.threshold)
            for label, _col, _why in res.suppressed:
                if label in children:
                    children[label][ck] = SUPPRESSED
                    self._note(f"{path}.{label}.{ck}" if path else f"{label}.{ck}")


def aggregate_summary(
    summary: Mapping[str, Any],
    *,
    threshold: int = ALL_OF_US_THRESHOLD,
    identifiers: Iterable[str] = (),
    pseudonymised: bool = False,
) -> tuple[dict[str, Any], list[dict[str, str]], list[dict[str, str]]]:
    """The summary as it may leave the lab, and what was removed and suppressed.

    Parameters
    ----------
    summary
        A run's ``summary.json``.
    threshold
        Largest participant count to hide (All of Us: 20).
    identifiers
        Person and sample ids (from the run's parameters) whose appearance in any string withholds it;
        ignored when ``pseudonymised`` (they are pseudonyms already).
    pseudonymised
        The run replaced ids by pseudonyms (``pseudonymise: true``): the id key is kept.

    Returns
    -------
    (dict, list, list)
        The aggregate summary, ``removed`` and ``suppressed`` as ``[{"item", "reason"}]`` (``item`` is a
        dotted key path).

    Raises
    ------
    ExportError
        A cohort whose size is itself a count in ``1..threshold``.
    """
    analysis = str(summary.get("analysis") or "unknown")
    cohort = analysis not in INDIVIDUAL_ANALYSES
    id_key = next((k for k in ("case_id", "family_id", "patient_id") if k in summary), None)
    ids = set() if pseudonymised else {str(i) for i in identifiers if i}
    if not cohort and not pseudonymised:
        ids |= {str(summary[k]) for k in ("case_id", "family_id", "patient_id", "proband") if isinstance(summary.get(k), str)}
    agg = _Aggregator(analysis=analysis, threshold=threshold, identifiers=ids, cohort=cohort)
    rules = ANALYSIS_RULES.get(analysis, {})
    out: dict[str, Any] = {}
    for key, value in summary.items():
        if key in ("analysis", "bigmed_utils_version"):
            out[key] = value
            continue
        if key == id_key:
            if cohort or pseudonymised:
                out[key] = value
            else:
                out[key] = WITHHELD
                agg.removed.append({"item": key, "reason": "identifier of the case, family or patient (run not pseudonymised)"})
            continue
        action, reason = rules.get(key, ("generic", ""))
        if action == "drop":
            agg.removed.append({"item": key, "reason": reason})
        elif action == "count":
            if isinstance(value, (list, dict)):
                name = _count_key(key, summary)
                out[name] = len(value)
                agg.removed.append({"item": key, "reason": f"{reason}: reduced to the count {name}"})
            elif _is_number(value):
                out[key] = value
            else:
                agg.removed.append({"item": key, "reason": reason})
        elif action == "numbers":
            if isinstance(value, Mapping):
                out[key] = {str(k): v for k, v in value.items() if _is_number(v) or isinstance(v, bool)}
                dropped = [str(k) for k, v in value.items() if not (_is_number(v) or isinstance(v, bool))]
                if dropped:
                    agg.removed.append({"item": key, "reason": f"{reason}: kept only its numbers (dropped {', '.join(dropped)})"})
            elif _is_number(value):
                out[key] = value
            else:
                agg.removed.append({"item": key, "reason": reason})
        elif isinstance(value, list) and action != "keep":
            name = _count_key(key, summary)
            out[name] = len(value)
            agg.removed.append({"item": key, "reason": f"list of individual-level entries reduced to the count {name}"})
        else:
            out[key] = agg.walk(value, key, lists_allowed=action == "keep")
    if cohort:
        for size_key in _COHORT_SIZE_KEYS:
            size = summary.get(size_key)
            if _is_int(size) and 1 <= size <= threshold:
                raise ExportError(
                    f"cannot export a cohort of {size_key}={size}: every statistic would describe "
                    f"{threshold} or fewer participants"
                )
        agg.protect(out, "")
    return out, agg.removed, agg.suppressed


# ---------------------------------------------------------------------------------------------------------
# Figures and report


def _notebook_figures(notebook: Mapping[str, Any], *, cohort: bool) -> tuple[list[tuple[int, bytes]], list[dict[str, str]]]:
    """PNG images allowed out (cell index, bytes) and the removed ones."""
    allowed: list[tuple[int, bytes]] = []
    removed: list[dict[str, str]] = []
    for index, cell in enumerate(notebook.get("cells", [])):
        tags = set((cell.get("metadata") or {}).get("tags") or [])
        for output in cell.get("outputs") or []:
            data = output.get("data") or {}
            images = [m for m in data if m.startswith("image/")]
            for mime in images:
                item = f"notebook cell {index} ({mime})"
                if mime != "image/png":
                    removed.append({"item": item, "reason": "only PNG figures are exported"})
                elif not cohort:
                    removed.append({"item": item, "reason": "figure of an individual analysis (a person's data)"})
                elif not tags & FIGURE_TAGS:
                    removed.append({"item": item, "reason": "cohort figure from a cell not tagged 'aggregate'"})
                else:
                    payload = data[mime]
                    payload = "".join(payload) if isinstance(payload, list) else payload
                    allowed.append((index, base64.b64decode(payload)))
    return allowed, removed


def _html_value(value: Any) -> str:
    if isinstance(value, Mapping):
        rows = "".join(
            f"<tr><th>{html.escape(str(k))}</th><td>{_html_value(v)}</td></tr>" for k, v in value.items()
        )
        return f"<table>{rows}</table>"
    if isinstance(value, list):
        return "<ul>" + "".join(f"<li>{_html_value(v)}</li>" for v in value) + "</ul>"
    if value is None:
        return "—"
    if isinstance(value, float):
        return html.escape(f"{value:.4g}")
    return html.escape(str(value))


_CSS = (
    "body{font-family:sans-serif;max-width:60em;margin:2em auto;color:#222}"
    "table{border-collapse:collapse;margin:.3em 0}th,td{border:1px solid #ccc;padding:.2em .5em;"
    "text-align:left;vertical-align:top}th{background:#f4f4f4}img{max-width:100%}"
    ".note{color:#555;font-size:.9em}"
)


def _report(aggregate: Mapping[str, Any], *, bundle: str, figures: list[str], threshold: int) -> str:
    title = f"{aggregate.get('analysis', 'analysis')} — {bundle} (aggregate export)"
    imgs = "".join(
        f'<figure><img src="{html.escape(f, quote=True)}" alt="figure {i}"><figcaption>Figure {i}</figcaption></figure>'
        for i, f in enumerate(figures, start=1)
    )
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>"
        f"<p class=\"note\">Aggregate results checked for export. Participant counts from 1 to {threshold} and "
        f"cells from which one could be derived show '{SUPPRESSED}' (All of Us Data and Statistics "
        "Dissemination Policy); individual-level records are removed (see MANIFEST.json). "
        "Research use only; not for clinical decisions.</p>"
        f"<h2>Results</h2>{_html_value(aggregate)}"
        + (f"<h2>Figures</h2>{imgs}" if imgs else "")
        + "</body></html>\n"
    )


# ---------------------------------------------------------------------------------------------------------
# The bundle


def _check_run_dir(run_dir: Path) -> None:
    name = run_dir.name
    for suffix in (".failed", ".partial"):
        if name.endswith(suffix):
            raise ExportError(f"cannot export {name}: a {suffix[1:]} run folder is not a result")
    if ".replaced-" in name:
        raise ExportError(f"cannot export {name}: a run folder being replaced is not a result")
    if not run_dir.is_dir():
        raise ExportError(f"cannot export {run_dir}: run folder not found")
    if not (run_dir / "summary.json").is_file():
        raise ExportError(f"cannot export {name}: no summary.json (not a finished run folder)")
    if (run_dir / "error.txt").exists():
        raise ExportError(f"cannot export {name}: it holds error.txt (a failed run)")


def _parameter_identifiers(params: Mapping[str, Any]) -> set[str]:
    out: set[str] = set()
    for key in _ID_PARAMS:
        value = params.get(key)
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, str) and v.strip():
                out.add(v)
    return out


def export_run(
    run_dir: str | Path,
    *,
    out: str | Path,
    threshold: int = ALL_OF_US_THRESHOLD,
    force: bool = False,
) -> dict[str, Any]:
    """Write the airlock bundle of a finished run folder into ``out/<bundle>/`` and return its manifest.

    Parameters
    ----------
    run_dir
        A folder written by ``bigmed run`` (with ``summary.json``; not ``.failed``/``.partial``).
    out
        The airlock folder; the bundle is ``out/<run folder name>/`` (``out/export-<hash>/`` when the
        folder name contains an identifier that is withheld).
    threshold
        Largest participant count to hide (default 20, the All of Us policy: counts 1 to 20).
    force
        Replace an existing bundle of the same name.

    Returns
    -------
    dict
        The manifest as written to ``MANIFEST.json`` (``bundle`` is the bundle's folder name).

    Raises
    ------
    ExportError
        Not a finished run folder, a bundle exists already (without ``force``), a cohort too small to
        export, or an absolute lab path found in a file about to be written.
    """
    run_dir = Path(run_dir).resolve()
    _check_run_dir(run_dir)
    try:
        summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    except ValueError as err:
        raise InputDataError(f"{run_dir.name}/summary.json: not valid JSON ({err})") from None
    provenance: dict[str, Any] = {}
    if (run_dir / "provenance.json").is_file():
        provenance = json.loads((run_dir / "provenance.json").read_text(encoding="utf-8"))
    params = provenance.get("parameters") or {}
    pseudonymised = bool(params.get("pseudonymise"))
    analysis = str(summary.get("analysis") or provenance.get("analysis") or "unknown")
    cohort = analysis not in INDIVIDUAL_ANALYSES
    identifiers = set() if cohort else _parameter_identifiers(params) | collect_identifiers(params)
    aggregate, removed, suppressed = aggregate_summary(
        summary, threshold=threshold, identifiers=identifiers, pseudonymised=pseudonymised
    )

    withheld_ids = set() if pseudonymised or cohort else identifiers | {
        str(summary[k]) for k in ("case_id", "family_id", "patient_id") if isinstance(summary.get(k), str)
    }
    bundle = run_dir.name
    if any(len(i) >= 3 and i in bundle for i in withheld_ids):
        bundle = "export-" + sha256_bytes(run_dir.name.encode())[:12]
        removed.append({"item": "run folder name", "reason": "contains an identifier: bundle named by its hash"})
    target = Path(out).resolve() / bundle
    if target.exists() and not force:
        raise ExportError(f"bundle exists: {Path(out).name}/{bundle} (use --force to replace it)")

    notebook: dict[str, Any] = {}
    if (run_dir / "notebook.ipynb").is_file():
        notebook = json.loads((run_dir / "notebook.ipynb").read_text(encoding="utf-8"))
    figures, fig_removed = _notebook_figures(notebook, cohort=cohort)
    removed += fig_removed
    for name in sorted(p.name for p in run_dir.iterdir()):
        if name not in ("summary.json",):
            removed.append({"item": name, "reason": "run file not exported (individual-level or lab-internal)"})

    files: dict[str, bytes] = {}
    figure_names = []
    for n, (_cell, png) in enumerate(figures, start=1):
        figure_names.append(f"figures/figure-{n}.png")
        files[figure_names[-1]] = png
    files[SUMMARY_FILE] = (json.dumps(aggregate, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    files[REPORT_FILE] = _report(aggregate, bundle=bundle, figures=figure_names, threshold=threshold).encode("utf-8")

    manifest: dict[str, Any] = {
        "bundle": bundle,
        "analysis": analysis,
        "kind": "cohort" if cohort else "individual",
        "exported": datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "threshold": threshold,
        "rules": {
            "disclosure": f"participant counts 1..{threshold} suppressed with complementary suppression "
            "(All of Us Data and Statistics Dissemination Policy)" if cohort else
            "individual analysis: records reduced to counts, identifiers withheld",
            "figures": "PNG images of cells tagged 'aggregate' (cohort analyses only)",
        },
        "source": {
            "summary_sha256": sha256_bytes((run_dir / "summary.json").read_bytes()),
            "bigmed_utils_version": summary.get("bigmed_utils_version"),
            "git_commit": provenance.get("git_commit"),
            "started": provenance.get("started"),
            "finished": provenance.get("finished"),
        },
        "files": [{"path": p, "sha256": sha256_bytes(b), "bytes": len(b)} for p, b in sorted(files.items())],
        "removed": removed,
        "suppressed": suppressed,
    }
    files[MANIFEST_FILE] = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    _check_no_lab_paths(files, run_dir=run_dir, params=params, out=Path(out).resolve())

    if target.exists():
        import shutil

        shutil.rmtree(target)
    for rel, data in files.items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return manifest


def _check_no_lab_paths(files: Mapping[str, bytes], *, run_dir: Path, params: Mapping[str, Any], out: Path) -> None:
    """Refuse a bundle whose text files name a folder of the lab (run folder, inputs, home, airlock)."""
    folders = {str(run_dir), str(run_dir.parent), str(Path.home()), str(out)}
    for value in params.values():
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, str) and v.startswith("/"):
                folders.add(str(Path(v).parent))
    folders = {f for f in folders if f not in ("/", "")}
    for rel, data in files.items():
        if rel.endswith(".png"):
            continue
        text = data.decode("utf-8", errors="replace")
        for folder in sorted(folders, key=len, reverse=True):
            if folder in text:
                raise ExportError(f"bundle file {rel} would contain the lab path {folder}; nothing was written")
