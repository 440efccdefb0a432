"""``bigmed demo``, run once for this module in a fresh project folder: offline (in a network namespace with only
the loopback interface, when this machine allows one), every report says research use only, the colorectal and
cardiac reports list similar earlier patients and families from in-house stores filled with the other synthetic
patients and families, and the demo's run index shows each report's turnaround with the median and 90th
percentile. One run serves every test here: the demo is the slowest thing the suite does."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from bigmed_utils.privacy.disclosure import SUPPRESSED

REPO = Path(__file__).resolve().parents[1]
BIGMED = str(Path(sys.executable).with_name("bigmed"))
#: every analysis with a notebook and demo parameters
ANALYSES = tuple(sorted(p.parent.name for p in (REPO / "parameters").glob("*/demo.yaml")
                        if (REPO / "notebooks" / f"{p.parent.name}.ipynb").is_file()))

pytestmark = pytest.mark.slow


def _netns_available() -> bool:
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return False
    res = subprocess.run(["unshare", "-n", "true"], capture_output=True)
    return res.returncode == 0


OFFLINE = _netns_available()


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, Path, subprocess.CompletedProcess]:
    """``(project, reports, completed process)`` of one ``bigmed demo`` in a project folder holding the
    analysis notebooks and their demo parameters (the data and the in-house stores are generated into it)."""
    project = tmp_path_factory.mktemp("demo-project")
    (project / "notebooks").mkdir()
    for name in ANALYSES:
        shutil.copy(REPO / "notebooks" / f"{name}.ipynb", project / "notebooks")
        (project / "parameters" / name).mkdir(parents=True)
        shutil.copy(REPO / "parameters" / name / "demo.yaml", project / "parameters" / name)
    out = project / "reports" / "demo"
    env = {**os.environ, "BIGMED_NOTEBOOKS_DIR": str(project / "notebooks"), "BIGMED_DRIVER_MEMORY": "2g",
           "BIGMED_CACHE_DIR": str(project / "cache"), "BIGMED_AUDIT_LOG": str(project / "audit.jsonl"),
           "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    command = f"{BIGMED} demo --out {out}"
    if OFFLINE:
        # any connection beyond 127.0.0.1 fails in this namespace, and with it the run
        command = ("ip link set lo up && python -c 'import socket; s=socket.socket(); s.settimeout(3);"
                   " assert s.connect_ex((\"192.0.2.1\", 80)) != 0' && " + command)
        args = ["unshare", "-n", "sh", "-c", command]
    else:
        args = ["sh", "-c", command]
    res = subprocess.run(args, env=env, capture_output=True, text=True, timeout=1800)
    return project, out, res


def test_every_analysis_reports_and_says_research_use_only(demo):
    """Every analysis on its demo parameters writes a report that says research use only (network blocked
    when this machine allows it: then the run itself is the offline check)."""
    _, out, res = demo
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    reports = sorted(out.glob("*/report.html"))
    assert [r.parent.name for r in reports] == list(ANALYSES)
    for report in reports:
        assert "Research use only" in report.read_text()


@pytest.mark.skipif(not OFFLINE, reason="needs unshare -n (root or user namespaces) to block the network")
def test_demo_runs_with_every_outbound_connection_blocked(demo):
    """The run above happened in a network namespace with only the loopback interface, and succeeded."""
    _, out, res = demo
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    assert (out / "index.json").is_file()


def test_demo_reports_list_similar_patients_and_families_and_the_index_their_turnaround(demo):
    project, out, res = demo
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    lines = res.stdout.splitlines()
    data = project / "data" / "demo"
    assert sum(line.startswith("adding the other synthetic") for line in lines) == 2

    # colorectal: the demo patient (BRAF V600E, MSI-H, stage IV) against the rest of the synthetic cohort
    crc = json.loads((out / "colorectal_cancer" / "summary.json").read_text())
    pid = crc["patient_id"]
    similar = crc["similar_patients"]
    assert similar["store_version"] == "v000001" and similar["threshold"] == 20
    clinical = pd.read_csv(data / "colorectal_cancer" / "clinical.csv")
    others = clinical[clinical["patient_id"] != pid]
    rows = {tuple(sorted(r["criteria"].items())): r for r in similar["rows"]}
    assert rows[()]["patients"] == len(others)
    assert rows[(("stage", "IV"),)]["patients"] == int((others["stage"] == "IV").sum())
    assert any(r["patients"] == SUPPRESSED for r in similar["rows"])  # the small, most specific groups
    page = (out / "colorectal_cancer" / "report.html").read_text()
    assert "Similar earlier patients" in page and "BRAF V600E, MSI-H" in page and SUPPRESSED in page

    # cardiac: the demo family (MYBPC3, HCM) and the other families screened from the same joint files
    truth = pd.read_csv(data / "sudden_cardiac_death" / "truth.tsv", sep="\t", comment="#")
    scd = json.loads((out / "sudden_cardiac_death" / "summary.json").read_text())
    listed = {r["family"]: r["match"] for r in scd["similar_families"]}
    hcm = set(truth.loc[(truth["condition"] == "hcm") & (truth["family_id"] != scd["family_id"]), "family_id"])
    assert hcm and hcm <= set(listed) and scd["family_id"] not in listed
    assert {listed[f] for f in hcm} == {"same condition"}  # no other family carries MYBPC3
    page = (out / "sudden_cardiac_death" / "report.html").read_text()
    assert "Similar earlier families" in page and all(f in page for f in hcm)

    # the demo's run index: both reports with their turnaround, the median and the 90th percentile
    index = json.loads((out / "index.json").read_text())
    keys = {f"colorectal_cancer/{pid}", f"sudden_cardiac_death/{scd['family_id']}"}
    assert keys <= set(index["cases"]) and len(index["cases"]) == len(ANALYSES)
    t = [c["turnaround_s"] for c in index["cases"].values()]
    assert all(x is not None and x > 0 for x in t)
    assert index["turnaround"]["n"] == len(t) and index["turnaround"]["median_s"] == round(statistics.median(t), 1)
    html = (out / "index.html").read_text()
    assert f"Turnaround</strong> (data arrival to report published) over {len(t)} finished case(s): median" in html
    assert "90th percentile" in html
