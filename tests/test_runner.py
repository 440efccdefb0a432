"""The runner's contract: a complete output folder or none, DIR.failed with the partial notebook and the
error, parameters checked before any kernel starts, nothing overwritten without force."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from bigmed_utils.errors import AnalysisError, OutputExistsError, ParameterError
from bigmed_utils.runner import run_analysis
from notebook_factory import write_notebook


@pytest.fixture(scope="module")
def notebooks(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("notebooks")
    write_notebook(folder / "selftest.ipynb")
    return folder


@pytest.fixture(scope="module")
def good_run(notebooks, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("runs")
    data = tmp / "input.txt"
    data.write_text("some input\n")
    out = tmp / "out"
    result = run_analysis(
        "selftest", out=out, params={"case_id": "CASE-7", "value": 21, "input_file": str(data)}, notebooks_dir=notebooks
    )
    return result, data


def test_success_writes_the_four_outputs(good_run):
    result, _ = good_run
    names = sorted(p.name for p in result.out.iterdir())
    for expected in ("notebook.ipynb", "report.html", "summary.json", "provenance.json"):
        assert expected in names
    assert not result.out.with_name("out.partial").exists()
    summary = json.loads((result.out / "summary.json").read_text())
    assert summary["result"] == 42
    assert summary["case_id"] == "CASE-7"
    assert summary["analysis"] == "selftest"
    assert summary["bigmed_utils_version"]


def test_provenance_records_input_checksums_and_versions(good_run):
    result, data = good_run
    import hashlib

    record = json.loads((result.out / "provenance.json").read_text())
    assert record["inputs"]["input_file"]["sha256"] == hashlib.sha256(data.read_bytes()).hexdigest()
    assert record["versions"]["hail"] == "0.2.139"
    assert record["versions"]["python"].startswith("3.11")
    assert record["parameters"]["value"] == 21
    assert record["wall_seconds"] > 0
    assert record["reference_data"]["manifest_sha256"]


def test_report_is_readable_and_self_contained(good_run):
    result, data = good_run
    html = (result.out / "report.html").read_text()
    assert "CASE-7" in html
    assert "Research use only" in html
    assert "value doubled is 42" in html
    assert "data:image/png;base64" in html  # the figure is embedded
    assert "raise ValueError" not in html  # code is hidden
    assert "https://cdnjs" not in html  # nothing loads from the network
    assert str(data.parent) not in html  # no absolute paths of the file system
    assert data.name in html


def test_notebook_failure_leaves_failed_folder_and_names_the_cell(notebooks, tmp_path):
    out = tmp_path / "case"
    with pytest.raises(AnalysisError) as err:
        run_analysis("selftest", out=out, params={"fail": True}, notebooks_dir=notebooks)
    assert str(err.value) == "selftest: cell 5 failed: ValueError: planted failure in the analysis cell"
    assert not out.exists()
    assert not (tmp_path / "case.partial").exists()
    failed = tmp_path / "case.failed"
    assert (failed / "error.txt").read_text().startswith(str(err.value))
    nb = nbformat.read(str(failed / "notebook.ipynb"), as_version=4)
    assert any(o.get("ename") == "ValueError" for c in nb.cells for o in c.get("outputs", []))


def test_unknown_parameter_fails_before_the_kernel(notebooks, tmp_path):
    out = tmp_path / "case"
    with pytest.raises(ParameterError, match="unknown parameter 'colour'"):
        run_analysis("selftest", out=out, params={"colour": "red"}, notebooks_dir=notebooks)
    assert not out.exists()
    assert "unknown parameter 'colour'" in (tmp_path / "case.failed" / "error.txt").read_text()


def test_registered_analysis_names_the_bad_parameter(tmp_path):
    yaml_file = tmp_path / "case.yaml"
    yaml_file.write_text("case_id: X1\nvcf: missing.vcf.gz\nped: missing.ped\nproband: P\nhpo_terms: [HP:0001250]\n")
    with pytest.raises(ParameterError) as err:
        run_analysis("rare_disease", out=tmp_path / "out", params_file=yaml_file)
    assert str(err.value) == (
        "rare_disease: parameter 'vcf': file not found: " + str(tmp_path / "missing.vcf.gz")
        + "; parameter 'ped': file not found: " + str(tmp_path / "missing.ped")
    )


def test_existing_output_is_kept_without_force(good_run, notebooks):
    result, _ = good_run
    before = (result.out / "summary.json").read_text()
    with pytest.raises(OutputExistsError):
        run_analysis("selftest", out=result.out, params={"value": 1}, notebooks_dir=notebooks)
    assert (result.out / "summary.json").read_text() == before


def test_force_replaces_only_after_success(notebooks, tmp_path):
    out = tmp_path / "case"
    run_analysis("selftest", out=out, params={"value": 1}, notebooks_dir=notebooks)
    with pytest.raises(AnalysisError):
        run_analysis("selftest", out=out, params={"fail": True}, notebooks_dir=notebooks, force=True)
    assert json.loads((out / "summary.json").read_text())["result"] == 2  # the earlier result survives
    run_analysis("selftest", out=out, params={"value": 5}, notebooks_dir=notebooks, force=True)
    assert json.loads((out / "summary.json").read_text())["result"] == 10
    assert not (tmp_path / "case.failed").exists()  # superseded by the success


def _bigmed(*args: str, env_extra: dict[str, str]) -> subprocess.CompletedProcess:
    env = {**os.environ, **env_extra}
    exe = Path(sys.executable).with_name("bigmed")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, env=env, timeout=300)


def test_cli_failure_is_one_line_and_non_zero(notebooks, tmp_path):
    res = _bigmed("run", "selftest", "-p", "fail=true", "--out", str(tmp_path / "o"),
                  env_extra={"BIGMED_NOTEBOOKS_DIR": str(notebooks)})
    assert res.returncode == 1
    *steps, error = res.stderr.strip().splitlines()
    assert error == "bigmed: error: selftest: cell 5 failed: ValueError: planted failure in the analysis cell"
    # the steps that finished before the failing one, each with its time
    assert [re.sub(r" [0-9.]+ s$", "", s) for s in steps] == [
        "bigmed: selftest: [1/7] validate parameters", "bigmed: selftest: [2/7] check inputs"]


def test_cli_bad_parameter_exit_code_2(notebooks, tmp_path):
    res = _bigmed("run", "selftest", "-p", "colour=red", "--out", str(tmp_path / "o"),
                  env_extra={"BIGMED_NOTEBOOKS_DIR": str(notebooks)})
    assert res.returncode == 2
    assert "unknown parameter 'colour'" in res.stderr
    assert "Traceback" not in res.stderr


def test_cli_unknown_analysis_lists_the_known(notebooks, tmp_path):
    res = _bigmed("run", "nosuch", "-p", "a=1", "--out", str(tmp_path / "o"),
                  env_extra={"BIGMED_NOTEBOOKS_DIR": str(notebooks)})
    assert res.returncode == 2
    assert res.stderr.strip() == "bigmed: error: unknown analysis 'nosuch': no notebook nosuch.ipynb (available: selftest)"


def test_the_kernel_is_killed_after_its_last_cell(tmp_path):
    """After the last cell the runner kills the kernel (jupyter_client signals its process group: the Hail
    JVM too) instead of a graceful shutdown that waits ~2.5 s for Hail to stop Spark; every output is written
    by then. The kernel's exit handlers therefore never run (with a graceful shutdown they do). The kernel
    knows that it serves one case ($BIGMED_ONE_CASE: a bounded analysis may start Hail's JVM with C1 only)."""
    from notebook_factory import SELFTEST_CELLS

    record = ("import atexit, os\n"
              "atexit.register(lambda path=note: open(path, 'w').close())\n"
              "open('kernel.pid', 'w').write(str(os.getpid()))\n"
              "open('one-case', 'w').write(os.environ.get('BIGMED_ONE_CASE', 'unset'))")
    folder = tmp_path / "notebooks"
    write_notebook(folder / "selftest.ipynb", cells=[*SELFTEST_CELLS[:2], (None, record), *SELFTEST_CELLS[2:]])
    out, marker = tmp_path / "out", tmp_path / "exit-handlers-ran"
    run_analysis("selftest", out=out, params={"case_id": "K1", "note": str(marker)}, notebooks_dir=folder)
    stat = Path(f"/proc/{int((out / 'kernel.pid').read_text())}/stat")
    for _ in range(300):  # once the kernel process is gone its exit handlers have run, or never will
        if not stat.exists() or stat.read_text().split(") ")[1].startswith("Z"):
            break
        time.sleep(0.1)
    else:
        raise AssertionError("the kernel is still running")
    assert not marker.exists()
    assert (out / "one-case").read_text() == "1"
