"""``bigmed demo`` reuses earlier cases: the colorectal and cardiac demo reports list similar earlier patients and
families from in-house stores filled with the other synthetic patients and families, and the demo's run index
shows each report's turnaround with the median and 90th percentile."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from bigmed_utils.demo import run_demo
from bigmed_utils.privacy.disclosure import SUPPRESSED

REPO = Path(__file__).resolve().parents[1]
ANALYSES = ("colorectal_cancer", "sudden_cardiac_death")

pytestmark = pytest.mark.slow


@pytest.fixture()
def demo_project(tmp_path, monkeypatch):
    """A project folder with the two notebooks and their demo parameters (the data are generated into it)."""
    for name in ANALYSES:
        (tmp_path / "notebooks").mkdir(exist_ok=True)
        shutil.copy(REPO / "notebooks" / f"{name}.ipynb", tmp_path / "notebooks")
        (tmp_path / "parameters" / name).mkdir(parents=True)
        shutil.copy(REPO / "parameters" / name / "demo.yaml", tmp_path / "parameters" / name)
    monkeypatch.setenv("BIGMED_NOTEBOOKS_DIR", str(tmp_path / "notebooks"))
    monkeypatch.setenv("BIGMED_DRIVER_MEMORY", "2g")
    monkeypatch.setenv("BIGMED_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path


def test_demo_reports_list_similar_patients_and_families_and_the_index_their_turnaround(demo_project):
    out = demo_project / "reports" / "demo"
    lines: list[str] = []
    results = run_demo(out=out, echo=lines.append)
    assert not [r for r in results.values() if isinstance(r, Exception)], lines
    data = demo_project / "data" / "demo"
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
    assert set(index["cases"]) == keys
    t = [index["cases"][k]["turnaround_s"] for k in sorted(keys)]
    assert all(x is not None and x > 0 for x in t)
    assert index["turnaround"]["n"] == 2 and index["turnaround"]["median_s"] == round(sum(t) / 2, 1)
    html = (out / "index.html").read_text()
    assert "Turnaround</strong> (data arrival to report published) over 2 finished case(s): median" in html
    assert "90th percentile" in html
