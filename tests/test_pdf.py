"""``--pdf``: ``report.pdf`` beside ``report.html``, printed by headless Chromium when it is installed; without
Chromium the run still succeeds and says, in one line, why there is no PDF and how to get it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bigmed_utils.batch import run_batch
from bigmed_utils.pdf import NO_CHROMIUM, find_chromium
from notebook_factory import write_notebook

BIGMED = str(Path(sys.executable).with_name("bigmed"))
needs_chromium = pytest.mark.skipif(find_chromium() is None, reason="Chromium not installed "
                                    "(Debian: apt-get install chromium)")


@pytest.fixture()
def notebooks(tmp_path, monkeypatch) -> Path:
    folder = write_notebook(tmp_path / "notebooks" / "selftest.ipynb").parent
    monkeypatch.setenv("BIGMED_NOTEBOOKS_DIR", str(folder))
    return folder


def _is_pdf(path: Path) -> bool:
    data = path.read_bytes()
    return data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:] and len(data) > 5_000


@pytest.mark.slow  # runs bigmed in a subprocess (Hail, kernels) or writes whole cohorts
def test_without_chromium_the_run_succeeds_and_says_why(notebooks, tmp_path):
    bin_dir = tmp_path / "bin"  # a PATH with the environment's own tools and Java, but no browser
    bin_dir.mkdir()
    (bin_dir / "java").symlink_to(shutil.which("java"))
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{bin_dir}")
    out = tmp_path / "case"
    res = subprocess.run([BIGMED, "run", "selftest", "-p", "value=2", "--out", str(out), "--pdf"],
                         capture_output=True, text=True, env=env, timeout=300)
    assert res.returncode == 0, res.stderr
    assert res.stderr.strip().splitlines()[-1] == f"bigmed: warning: {NO_CHROMIUM}"
    assert (out / "report.html").is_file() and not (out / "report.pdf").exists()


@needs_chromium
def test_run_prints_report_pdf_beside_report_html(notebooks, tmp_path):
    out = tmp_path / "case"
    res = subprocess.run([BIGMED, "run", "selftest", "-p", "value=2", "--out", str(out), "--pdf"],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    assert "warning" not in res.stderr
    assert _is_pdf(out / "report.pdf")


@needs_chromium
def test_batch_pdf_for_every_finished_case(notebooks, tmp_path):
    incoming = tmp_path / "incoming" / "selftest"
    incoming.mkdir(parents=True)
    for i in (1, 2):
        (incoming / f"c{i}.yaml").write_text(f"case_id: P{i}\nvalue: {i}\n")
    results = run_batch([incoming], out=tmp_path / "reports", pdf=True, echo=lambda _: None, progress_bar=False)
    assert [r.status for r in results] == ["done", "done"]
    for case in ("P1", "P2"):
        assert _is_pdf(tmp_path / "reports" / "selftest" / case / "report.pdf")
