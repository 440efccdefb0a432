"""Small notebooks built in tests to exercise the runner without any clinical logic."""

from __future__ import annotations

from pathlib import Path

import nbformat

SELFTEST_CELLS = [
    ("parameters", 'case_id = "demo"\nfail = False\nvalue = 1\ninput_file = ""\nsleep = 0\nsleep_unless_exists = ""\nnote = ""\npseudonymise = False'),
    (None, "import bigmed_utils as bm\nfrom bigmed_utils.summary import write_summary"),
    (None, "import os, time\nif sleep and not (sleep_unless_exists and os.path.exists(sleep_unless_exists)):\n    time.sleep(sleep)"),
    (None, 'if fail:\n    raise ValueError("planted failure in the analysis cell")\nresult = value * 2'),
    (None, "import matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.plot([1, 2], [3, 4])\nplt.show()"),
    (None, 'from IPython.display import Markdown\nMarkdown(f"**Finding:** value doubled is {result} for case {bm.markdown_text(case_id)}. Note: {bm.markdown_text(note)}")'),
    (None, '_ = write_summary("selftest", {"case_id": case_id, "result": result, "headline": f"result {result}"})'),
]


def write_notebook(path: Path, cells=SELFTEST_CELLS) -> Path:
    """Write a notebook whose first code cell is tagged ``parameters``."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for tag, source in cells:
        cell = nbformat.v4.new_code_cell(source)
        if tag:
            cell.metadata["tags"] = [tag]
        nb.cells.append(cell)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path
