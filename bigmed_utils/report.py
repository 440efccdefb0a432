"""``report.html``: the executed notebook as a clinician reads it.

Code hidden, figures embedded, a header with title, case id, date and parameters, and a provenance footer
with a 'research use only' line. The page loads nothing from the network (a template without nbconvert's CDN
scripts for MathJax, require.js, mermaid and widgets), every value that comes from input data is HTML-escaped (Jinja2
autoescape), and parameters show file names, never the lab's absolute paths.
"""

from __future__ import annotations

import re
from datetime import datetime
from importlib import resources
from pathlib import Path, PurePath
from typing import Any, Mapping

import jinja2
import markupsafe
import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor

#: cells with these tags never reach the report (parameter cells and cells marked for removal)
REMOVE_CELL_TAGS = {"parameters", "injected-parameters", "remove-cell", "report-hide"}

_EXTERNAL_SCRIPT = re.compile(r"<script[^>]*\bsrc=\"https?://[^\"]*\"[^>]*>\s*</script>\s*", re.IGNORECASE)


def _env() -> jinja2.Environment:
    folder = resources.files("bigmed_utils").joinpath("templates")
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)), autoescape=True, undefined=jinja2.StrictUndefined
    )


def display_value(value: Any) -> str:
    """A parameter value as the report shows it: absolute paths reduced to their file name."""
    if isinstance(value, (list, tuple)):
        return ", ".join(display_value(v) for v in value)
    if value is None:
        return "—"
    text = str(value)
    if isinstance(value, (str, PurePath)) and text.startswith(("/", "~")):
        return PurePath(text).name
    return text


def notebook_body(notebook: nbformat.NotebookNode) -> str:
    """The notebook as a standalone HTML page without code, prompts and parameter cells."""
    templates = str(resources.files("bigmed_utils").joinpath("templates", "nbconvert"))
    exporter = HTMLExporter(
        template_name="bigmed_report",
        extra_template_basedirs=[templates],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    remover = TagRemovePreprocessor(remove_cell_tags=REMOVE_CELL_TAGS, enabled=True)
    exporter.register_preprocessor(remover, enabled=True)
    nb = nbformat.from_dict(notebook)
    nb.metadata.pop("widgets", None)  # widget state is for JupyterLab; the report is static
    body, _ = exporter.from_notebook_node(nb)
    return _EXTERNAL_SCRIPT.sub("", body)  # belt and braces: any script a newer nbconvert adds


def render_report(
    notebook: nbformat.NotebookNode | str | Path,
    *,
    title: str,
    id_label: str,
    case_id: str,
    params: Mapping[str, Any],
    provenance: Mapping[str, Any],
    hide_paths: tuple[str | Path, ...] = (),
) -> str:
    """Render ``report.html`` from an executed notebook.

    Parameters
    ----------
    notebook
        The executed notebook (node or path).
    title
        Report title (the analysis' title).
    id_label, case_id
        The id key (``case_id``/``family_id``/``patient_id``) and its value.
    params
        Parameters as used (shown in the header table).
    provenance
        The provenance record (shown in the footer).
    hide_paths
        Folders whose absolute paths must not appear (the run folder, input folders); folders of
        input files in ``params`` are hidden too.
    """
    if not isinstance(notebook, nbformat.NotebookNode):
        notebook = nbformat.read(str(notebook), as_version=4)
    env = _env()
    css = resources.files("bigmed_utils").joinpath("templates", "report.css").read_text(encoding="utf-8")
    header = env.get_template("report_header.html.j2").render(
        title=title,
        id_label=id_label.replace("_", " "),
        case_id=case_id,
        date=datetime.now().date().isoformat(),
        version=provenance.get("versions", {}).get("bigmed-utils", ""),
        params=[(k, display_value(v)) for k, v in params.items()],
    )
    footer = env.get_template("report_footer.html.j2").render(
        analysis=provenance.get("analysis", ""),
        started=provenance.get("started", ""),
        finished=provenance.get("finished", ""),
        wall=provenance.get("wall_seconds", ""),
        versions=[(k, v) for k, v in provenance.get("versions", {}).items() if v],
        commit=provenance.get("git_commit") or "unknown",
        manifest=provenance.get("reference_data", {}).get("manifest_sha256", "unknown"),
        inputs=sorted(provenance.get("inputs", {}).items()),
    )
    body = notebook_body(notebook)
    body = re.sub(r"<title>.*?</title>", f"<title>{markupsafe.escape(title)} — {markupsafe.escape(case_id)}</title>", body, count=1, flags=re.DOTALL)
    body = body.replace("</head>", f"<style>{css}</style>\n</head>", 1)
    body = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + header, body, count=1)
    body = body.replace("</body>", footer + "\n</body>", 1)
    return redact_paths(body, [*hide_paths, *_input_folders(params)])


def _input_folders(params: Mapping[str, Any]) -> list[Path]:
    folders = []
    for value in params.values():
        for v in value if isinstance(value, (list, tuple)) else [value]:
            if isinstance(v, (str, PurePath)) and str(v).startswith("/"):
                folders.append(Path(v).parent)
    return folders


def redact_paths(text: str, folders: list[str | Path]) -> str:
    """Remove the lab's absolute folder names from ``text`` (longest first; the home folder too)."""
    prefixes = {str(Path(f)) for f in folders if str(f) not in ("", "/")} | {str(Path.home())}
    for prefix in sorted(prefixes - {"/"}, key=len, reverse=True):
        text = text.replace(prefix + "/", "").replace(prefix, ".")
    return text
