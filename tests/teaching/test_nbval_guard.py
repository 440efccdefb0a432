"""The teaching notebooks' stored outputs guard what students see: nbval fails when a synthetic-data parameter
changes a checked cell, and passes on the data the outputs were stored from.

Both runs use the same harness (a copy of ``03_cardiac_family.ipynb`` with its conftest and sanitize file,
reading ``../../data/demo``), so the failure can only come from the changed parameter. If the
``NBVAL_CHECK_OUTPUT`` markers were dropped or the sanitize file grew to hide the tables, this test fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bigmed_utils.synthetic import DEFAULT_SEED, cardiac

REPO = Path(__file__).resolve().parents[2]
TEACHING = REPO / "notebooks" / "teaching"
NOTEBOOK = "03_cardiac_family.ipynb"  # no Hail: the fastest notebook with a data-driven checked table

pytestmark = pytest.mark.slow


def _demo_copy(demo_data: Path, out: Path) -> Path:
    """``out`` with the demo cohorts, the cardiac one generated afresh by the (possibly patched) generator."""
    out.mkdir()
    for child in demo_data.iterdir():
        if child.name != "sudden_cardiac_death":
            (out / child.name).symlink_to(child)
    cardiac.generate_cardiac(out, seed=DEFAULT_SEED)
    return out


def _nbval(project: Path, data: Path) -> subprocess.CompletedProcess:
    teaching = project / "notebooks" / "teaching"
    teaching.mkdir(parents=True)
    for name in (NOTEBOOK, "conftest.py", "nbval_sanitize.cfg"):
        shutil.copy(TEACHING / name, teaching / name)
    (project / "data").mkdir()
    (project / "data" / "demo").symlink_to(data)
    env = dict(os.environ, BIGMED_DEMO_DIR=str(data), PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--nbval-lax", "-q", "--color=no",
         "--rootdir", str(project), "-c", os.devnull, f"notebooks/teaching/{NOTEBOOK}"],
        cwd=project, env=env, capture_output=True, text=True, timeout=600,
    )


def test_stored_outputs_match_the_demo_data(demo_data, tmp_path):
    result = _nbval(tmp_path / "project", _demo_copy(demo_data, tmp_path / "demo"))
    assert result.returncode == 0, result.stdout[-3000:]


def test_a_changed_generator_parameter_fails_nbval_on_the_checked_table(demo_data, tmp_path, monkeypatch):
    # affected long-QT carriers' mean QTc 10 ms shorter: SCD01's latest-ECG table shows other QT values
    monkeypatch.setitem(cardiac.QTC_LONG_QT_CARRIER_MS, True, cardiac.QTC_LONG_QT_CARRIER_MS[True] - 10)
    result = _nbval(tmp_path / "project", _demo_copy(demo_data, tmp_path / "demo"))
    assert result.returncode == 1, result.stdout[-3000:]
    assert "Cell outputs differ" in result.stdout
    assert 'visits, excluded = bm.qtc_table(ecg[ecg["family_id"] == "SCD01"])' in result.stdout  # the ECG table
    assert "1 failed" in result.stdout  # only the cell that shows the ECGs; the formulas and cascade still match
