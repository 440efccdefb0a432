"""A night of real work for ``bigmed batch``: synthetic cases of every clinical area through the real analysis
notebooks, mixed with one invalid parameter file, one case whose notebook fails on its data and one that
times out. The good cases finish with the findings their truth files planted, the index shows every status,
and a rerun skips the finished cases and retries only the transient failure (the timeout).

``tests/test_batch.py`` covers the same contract on a tiny self-test notebook (fast, every branch); this one
shows it holds for the analyses a scheduler actually runs.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from bigmed_utils.batch import run_batch, summary_line
from notebook_factory import write_notebook

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
TIMEOUT_S = 120  # far above a real case here (10-40 s each), far below the slow case's 600 s sleep

pytestmark = pytest.mark.slow


@pytest.fixture()
def night(tmp_path, monkeypatch, demo_data):
    """Parameter files for eight cases and a manifest listing them; returns (manifest, marker, truth)."""
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    for name in ("rare_disease", "sudden_cardiac_death", "colorectal_cancer"):
        shutil.copy(NOTEBOOKS / f"{name}.ipynb", notebooks / f"{name}.ipynb")
    write_notebook(notebooks / "selftest.ipynb")
    monkeypatch.setenv("BIGMED_NOTEBOOKS_DIR", str(notebooks))
    monkeypatch.setenv("BIGMED_DRIVER_MEMORY", "2g")  # two Hail drivers side by side on a small CI machine

    rd, scd, crc = (demo_data / d for d in ("rare_disease", "sudden_cardiac_death", "colorectal_cancer"))
    scd_truth = pd.read_csv(scd / "truth.tsv", sep="\t", comment="#").set_index("family_id")
    crc_truth = json.loads((crc / "truth.json").read_text())
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    marker = tmp_path / "the-slow-case-is-quick-now"

    def params(name: str, values: dict) -> str:
        (incoming / f"{name}.yaml").write_text(yaml.safe_dump(values))
        return f"{name}.yaml"

    crc_common = {"maf": str(crc / "somatic.maf"), "clinical": str(crc / "clinical.csv"), "callable_mb": 35.0}
    braf = crc_truth["demo_patients"]["braf_v600e_msi_high"]
    g12c = crc_truth["demo_patients"]["kras_g12c"]
    rows = [  # the slow case first: it holds one of the two slots while the others share the second
        ("SLOW", "selftest", params("slow", {"case_id": "SLOW", "sleep": 600,
                                             "sleep_unless_exists": str(marker)})),
        ("RD001", "rare_disease", params("RD001", {
            "case_id": "RD001", "vcf": str(rd / "RD001.vcf.gz"), "ped": str(rd / "RD001.ped"),
            "proband": "RD001-P", "phenopacket": str(rd / "RD001.phenopacket.json")})),
        *[(fam, "sudden_cardiac_death", params(fam, {
            "family_id": fam, "proband": scd_truth.loc[fam, "proband"], "conditions": [scd_truth.loc[fam, "condition"]],
            "vcf": str(scd / "cardiac.vcf.gz"),
            "ped": str(scd / "families.ped"), "ecg": str(scd / "ecg.csv"), "echo": str(scd / "echo.csv"),
            "clinical": str(scd / "clinical.csv")})) for fam in ("SCD01", "SCD02")],
        *[(pid, "colorectal_cancer", params(pid, {"patient_id": pid, **crc_common}))
          for pid in (braf, g12c)],
        ("INVALID", "colorectal_cancer", params("invalid", {"patient_id": "CRC0002", **crc_common,
                                                            "callable_mb": 0})),
        ("NO-TUMOUR", "colorectal_cancer", params("no_tumour", {"patient_id": "CRC0003", **crc_common,
                                                                "tumor_sample": "CRC9999-T"})),
    ]
    manifest = tmp_path / "tonight.csv"
    with manifest.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["case_id", "analysis", "params"])
        writer.writerows([case, analysis, f"incoming/{file}"] for case, analysis, file in rows)
    return manifest, marker, {"scd": scd_truth, "braf": braf, "g12c": g12c}


def test_a_night_of_synthetic_cases(night, tmp_path):
    manifest, marker, truth = night
    reports = tmp_path / "reports"
    lines: list[str] = []
    results = run_batch([manifest], out=reports, jobs=2, retries=0, timeout=TIMEOUT_S, echo=lines.append,
                        progress_bar=False)
    print("\n".join(lines))
    status = {r.case_id: r.status for r in results}
    good = ["RD001", "SCD01", "SCD02", truth["braf"], truth["g12c"]]
    assert status == {**{c: "done" for c in good}, "INVALID": "failed", "NO-TUMOUR": "failed", "SLOW": "failed"}
    assert lines[-1].startswith("5 done, 3 failed, 0 skipped")
    by_id = {r.case_id: r for r in results}
    assert not by_id["INVALID"].transient and "callable_mb" in by_id["INVALID"].reason
    assert not by_id["NO-TUMOUR"].transient and "tumour sample 'CRC9999-T' not found" in by_id["NO-TUMOUR"].reason
    assert by_id["SLOW"].transient and "timed out" in by_id["SLOW"].reason.lower()

    # every good case holds its four outputs and the finding its synthetic truth planted
    for analysis, case in [("rare_disease", "RD001"), ("sudden_cardiac_death", "SCD01"),
                           ("sudden_cardiac_death", "SCD02"), *[("colorectal_cancer", c) for c in good[3:]]]:
        folder = reports / analysis / case
        assert {"report.html", "summary.json", "provenance.json", "notebook.ipynb"} <= {p.name for p in folder.iterdir()}
    rd = json.loads((reports / "rare_disease" / "RD001" / "summary.json").read_text())
    assert (rd["candidates"][0]["gene"], rd["candidates"][0]["mode"]) == ("SCN1A", "de_novo")
    for fam in ("SCD01", "SCD02"):
        scd = json.loads((reports / "sudden_cardiac_death" / fam / "summary.json").read_text())
        assert truth["scd"].loc[fam, "gene"] in {f["gene"] for f in scd["findings"]}
    braf = json.loads((reports / "colorectal_cancer" / truth["braf"] / "summary.json").read_text())
    assert braf["msi"]["status"] == "MSI-H" and any("V600E" in a["alteration"] for a in braf["actionable"])
    g12c = json.loads((reports / "colorectal_cancer" / truth["g12c"] / "summary.json").read_text())
    assert any("G12C" in a["alteration"] for a in g12c["actionable"])

    # failures keep their partial notebook or error; nothing half-written anywhere
    assert (reports / "colorectal_cancer" / "INVALID.failed" / "error.txt").is_file()
    assert (reports / "colorectal_cancer" / "NO-TUMOUR.failed" / "notebook.ipynb").is_file()
    assert not list(reports.rglob("*.partial"))
    index = json.loads((reports / "index.json").read_text())["cases"]
    assert {k: v["status"] for k, v in index.items()} == {
        **{f"{a}/{c}": "done" for a, c in [("rare_disease", "RD001"), ("sudden_cardiac_death", "SCD01"),
                                          ("sudden_cardiac_death", "SCD02")]},
        **{f"colorectal_cancer/{c}": "done" for c in good[3:]},
        "colorectal_cancer/INVALID": "failed", "colorectal_cancer/NO-TUMOUR": "failed", "selftest/SLOW": "failed"}
    assert index["rare_disease/RD001"]["headline"].startswith("SCN1A")

    # the next night: finished cases skipped, the two data/parameter errors not retried, the timeout retried
    marker.write_text("quick now\n")
    again = run_batch([manifest], out=reports, jobs=2, retries=0, timeout=TIMEOUT_S, echo=lines.append,
                      progress_bar=False)
    assert {r.case_id: (r.status, r.attempts) for r in again} == {
        **{c: ("skipped", 0) for c in good}, "INVALID": ("failed", 0), "NO-TUMOUR": ("failed", 0),
        "SLOW": ("done", 1)}
    assert summary_line(again) == "1 done, 2 failed, 5 skipped"
