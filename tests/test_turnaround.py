"""Turnaround per case in the run index: data arrival (manifest date or newest input) to report published,
with the median and the 90th percentile."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from bigmed_utils.batch import discover_cases, run_batch
from bigmed_utils.errors import ParameterError
from bigmed_utils.turnaround import format_duration, newest_input_time, turnaround_stats
from notebook_factory import write_notebook


def test_median_and_90th_percentile_of_finished_cases():
    cases = {f"a/{i}": {"status": "done", "turnaround_s": s} for i, s in enumerate([60, 120, 180, 240, 3600])}
    cases["a/failed"] = {"status": "failed", "turnaround_s": None}
    cases["a/old"] = {"status": "done"}  # indexed before turnaround was recorded
    # type 7 (linear): the 90th percentile lies at rank 0.9 * (5 - 1) = 3.6, i.e. 240 + 0.6 * (3600 - 240)
    assert turnaround_stats(cases) == {"n": 5, "median_s": 180.0, "p90_s": 2256.0}
    assert turnaround_stats({}) == {"n": 0, "median_s": None, "p90_s": None}


@pytest.mark.parametrize("seconds, text", [(None, ""), (42.4, "42 s"), (840, "14 min"), (3600, "1 h"),
                                           (11_520, "3 h 12 min"), (2 * 86400 + 5 * 3600, "2 d 5 h"), (86400, "1 d")])
def test_durations_read_like_a_person_writes_them(seconds, text):
    assert format_duration(seconds) == text


def test_arrival_is_the_newest_input(tmp_path):
    import os

    old, new = tmp_path / "old.vcf", tmp_path / "params.yaml"
    old.write_text("x")
    new.write_text("y")
    os.utime(old, (1_700_000_000, 1_700_000_000))
    os.utime(new, (1_700_086_400, 1_700_086_400))
    assert newest_input_time(new, {"vcf": str(old)}).timestamp() == 1_700_086_400
    os.utime(old, (1_800_000_000, 1_800_000_000))  # data copied in after the request
    assert newest_input_time(new, {"vcf": str(old), "inhouse_db": str(tmp_path)}).timestamp() == 1_800_000_000


@pytest.fixture()
def manifest(tmp_path, monkeypatch):
    notebooks = write_notebook(tmp_path / "notebooks" / "selftest.ipynb").parent
    monkeypatch.setenv("BIGMED_NOTEBOOKS_DIR", str(notebooks))
    (tmp_path / "in").mkdir()
    for name in ("A", "B", "C"):
        (tmp_path / "in" / f"{name}.yaml").write_text(f"case_id: {name}\nvalue: 2\n")
    return tmp_path


@pytest.mark.slow  # runs bigmed in a subprocess (Hail, kernels) or writes whole cohorts
def test_batch_index_has_each_case_turnaround_with_median_and_90th_percentile(manifest):
    now = datetime.now().astimezone()
    two_days, one_hour = now - timedelta(days=2), now - timedelta(hours=1)
    (manifest / "night.csv").write_text(
        "case_id,analysis,params,arrived\n"
        f"A,selftest,in/A.yaml,{two_days.isoformat(timespec='seconds')}\n"
        f"B,selftest,in/B.yaml,{one_hour.replace(tzinfo=None).isoformat(timespec='minutes')}\n"
        "C,selftest,in/C.yaml,\n")  # no date: its newest input (the parameter file, written just now)
    reports = manifest / "reports"
    run_batch([manifest / "night.csv"], out=reports, echo=lambda s: None, progress_bar=False)
    index = json.loads((reports / "index.json").read_text())
    t = {k.split("/")[1]: v["turnaround_s"] for k, v in index["cases"].items()}
    limit = (datetime.now().astimezone() - now).total_seconds() + 61
    assert 2 * 86400 <= t["A"] <= 2 * 86400 + limit
    assert 3600 - 60 <= t["B"] <= 3600 + limit  # minutes precision in the manifest
    assert 0 <= t["C"] <= limit
    assert index["cases"]["selftest/A"]["arrived"] == two_days.isoformat(timespec="seconds")
    import numpy as np

    values = [t["A"], t["B"], t["C"]]
    assert index["turnaround"] == {"n": 3, "median_s": round(float(np.median(values)), 1),
                                   "p90_s": round(float(np.percentile(values, 90)), 1)}
    page = (reports / "index.html").read_text()
    assert (f"median <strong>{format_duration(index['turnaround']['median_s'])}</strong>, 90th percentile "
            f"<strong>{format_duration(index['turnaround']['p90_s'])}</strong>") in page
    assert "<th>turnaround</th>" in page and "<td>2 d</td>" in page


def test_a_bad_arrival_date_fails_before_anything_runs(manifest):
    (manifest / "bad.csv").write_text("case_id,analysis,params,arrived\nA,selftest,in/A.yaml,30/11/2026\n")
    with pytest.raises(ParameterError, match=r"bad.csv: case A: arrived '30/11/2026' is not an ISO date"):
        discover_cases([manifest / "bad.csv"])
