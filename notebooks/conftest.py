"""nbval runs every analysis notebook on the synthetic demo data (its parameters cell's defaults).

The kernels start when nbval sets up each notebook, before fixtures run, so the environment is prepared in
a collection hook: demo data generated once into data/demo/, outputs and Hail scratch in a temporary folder.
"""

from __future__ import annotations

import os
import tempfile


def pytest_collection_finish(session):
    if not any(str(item.fspath).endswith(".ipynb") for item in session.items):
        return
    from bigmed_utils.demo import ensure_demo_data

    ensure_demo_data()
    scratch = tempfile.mkdtemp(prefix="bigmed-nbval-")
    os.environ["BIGMED_OUTPUT_DIR"] = os.path.join(scratch, "output")
    os.environ["BIGMED_WORK_DIR"] = os.path.join(scratch, "work")
    os.environ.setdefault("BIGMED_DRIVER_MEMORY", "3g")
