"""Input-derived strings render as text, never as markup, in report.html."""

from __future__ import annotations

import nbformat

from bigmed_utils.privacy.escape import html_text, markdown_text
from bigmed_utils.report import notebook_body

SCRIPT = "<script>alert(1)</script>"


def test_html_text():
    assert html_text(SCRIPT) == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert html_text('a"b\'c&d') == "a&quot;b&#x27;c&amp;d"
    assert html_text(None) == ""
    assert html_text(42) == "42"


def test_markdown_text_escapes_control_characters():
    assert markdown_text(SCRIPT) == r"&lt;script&gt;alert\(1\)&lt;\/script&gt;"
    assert markdown_text("*KCNH2* [x](http://e) $a$ | # h") == r"\*KCNH2\* \[x\]\(http\:\/\/e\) \$a\$ \| \# h"
    assert markdown_text("line1\n# heading") == r"line1 \# heading"


def _notebook(markdown: str, html: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("display(...)")
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={"text/markdown": markdown, "text/plain": "x"}),
        nbformat.v4.new_output("display_data", data={"text/html": html, "text/plain": "x"}),
    ]
    nb.cells.append(cell)
    return nb


def test_script_in_note_and_sample_id_renders_as_text_in_report():
    note = f"Patient has palpitations {SCRIPT}"
    sample = f"S1{SCRIPT}"
    nb = _notebook(f"**Note:** {markdown_text(note)}", f"<p>Sample {html_text(sample)}</p>")
    body = notebook_body(nb)
    assert "<script>alert(1)</script>" not in body
    assert body.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 2  # both shown as text
    # control: without escaping the tag would reach the page
    raw = notebook_body(_notebook(f"**Note:** {note}", f"<p>Sample {sample}</p>"))
    assert "<script>alert(1)</script>" in raw
