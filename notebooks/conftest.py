"""nbval runs every analysis notebook on the synthetic demo data (its parameters cell's defaults).

nbval's cells are plain pytest items, not functions: they take no fixtures, and each notebook's kernel starts
in ``IPyNbFile.setup`` when its first cell is set up. So the environment is prepared in
``pytest_runtest_setup`` just before the first notebook cell that actually runs (its kernel inherits the
environment): demo data generated once into data/demo/, outputs and Hail scratch in a temporary folder.
``pytest --collect-only`` and runs that deselect every notebook never reach it, so they write nothing.

Every cell executes a notebook in a kernel, so every notebook item is marked ``slow`` (``pytest -m "not
slow"`` skips them all).
"""

from __future__ import annotations

import os
import tempfile

import pytest

_prepared = False


def _is_notebook_item(item) -> bool:
    return str(item.fspath).endswith(".ipynb")


def pytest_collection_modifyitems(items):
    for item in items:
        if _is_notebook_item(item):
            item.add_marker(pytest.mark.slow)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Before the first notebook cell is set up (and its kernel started): demo data and scratch folders."""
    global _prepared
    if _prepared or not _is_notebook_item(item):
        return
    from bigmed_utils.demo import ensure_demo_data

    ensure_demo_data()
    scratch = tempfile.mkdtemp(prefix="bigmed-nbval-")
    os.environ["BIGMED_OUTPUT_DIR"] = os.path.join(scratch, "output")
    os.environ["BIGMED_WORK_DIR"] = os.path.join(scratch, "work")
    os.environ.setdefault("BIGMED_DRIVER_MEMORY", "3g")
    _prepared = True
