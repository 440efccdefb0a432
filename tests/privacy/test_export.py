"""Airlock export of a run folder: aggregates only, disclosure control, figures by tag, manifest."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import nbformat
import pytest

from bigmed_utils.privacy.disclosure import SUPPRESSED
from bigmed_utils.privacy.export import ExportError, WITHHELD, aggregate_summary, export_run

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
OTHER_PNG = PNG.replace(b"IDAT", b"IDAT", 1) + b"\x00"


def _notebook(path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    for tags, png in ((["aggregate"], PNG), ([], OTHER_PNG)):
        cell = nbformat.v4.new_code_cell("plot()", metadata={"tags": tags})
        cell.outputs = [nbformat.v4.new_output("display_data", data={"image/png": base64.b64encode(png).decode()})]
        nb.cells.append(cell)
    nbformat.write(nb, str(path))


def _run(folder: Path, summary: dict, params: dict) -> Path:
    folder.mkdir(parents=True)
    (folder / "summary.json").write_text(json.dumps(summary))
    (folder / "provenance.json").write_text(json.dumps({
        "analysis": summary["analysis"], "parameters": params, "inputs": {}, "git_commit": "abc",
        "started": "2026-11-29T10:00:00+00:00", "finished": "2026-11-29T10:05:00+00:00", "host": "lab-01", "user": "anna",
    }))
    (folder / "report.html").write_text("<html>individual rows</html>")
    _notebook(folder / "notebook.ipynb")
    return folder


COHORT = {
    "analysis": "colorectal_cohort", "case_id": "crc_cohort", "bigmed_utils_version": "0.1.0",
    "n_patients": 200,
    "km": {
        "MSI-H": {"n": 3, "events": 2, "median": 14.0, "ci_lower": 9.0, "ci_upper": None},
        "BRAF": {"n": 60, "events": 30, "median": 30.0, "ci_lower": 20.0, "ci_upper": 41.0},
        "other": {"n": 137, "events": 70, "median": 45.0, "ci_lower": 38.0, "ci_upper": 52.0},
    },
    "cox": {"age": {"hr": 1.02, "ci_lower": 1.0, "ci_upper": 1.04, "p": 0.03}},
    "log_rank": {"group": "km_group", "statistic": 9.1, "dof": 2, "p": 0.01,
                 "pairwise": [{"group_a": "BRAF", "group_b": "other", "statistic": 5.0, "p": 0.03}]},
    "patients": [{"patient_id": "P001", "os_months": 3.0}],
    "note": "<script>alert(1)</script>",
    "method": "driver panel from /data/lab/panels/crc.bed",
}


def test_cohort_bundle(tmp_path):
    run = _run(tmp_path / "runs" / "crc_cohort", COHORT, {"case_id": "crc_cohort", "maf": str(tmp_path / "in" / "c.maf")})
    airlock = tmp_path / "airlock"
    manifest = export_run(run, out=airlock)
    bundle = airlock / "crc_cohort"
    assert manifest["bundle"] == "crc_cohort" and manifest["kind"] == "cohort"
    agg = json.loads((bundle / "summary_aggregate.json").read_text())
    # the planted 3 and its complement (the next-smallest group, 60) hidden, with their statistics
    assert agg["km"]["MSI-H"]["n"] == SUPPRESSED and agg["km"]["BRAF"]["n"] == SUPPRESSED
    assert agg["km"]["other"]["n"] == 137 and agg["n_patients"] == 200
    assert agg["km"]["MSI-H"]["median"] == WITHHELD and agg["km"]["BRAF"]["median"] == WITHHELD
    assert agg["km"]["other"]["median"] == 45.0
    assert agg["log_rank"]["pairwise"][0]["p"] == 0.03  # aggregate rows allowed by the analysis rule
    assert "patients" not in agg and agg["n_patients_entries"] == SUPPRESSED  # a list reduced to a count of 1
    assert agg["method"] == "driver panel from crc.bed"
    # figures: only the tagged cell
    assert sorted(p.name for p in (bundle / "figures").iterdir()) == ["figure-1.png"]
    assert (bundle / "figures" / "figure-1.png").read_bytes() == PNG
    removed = {r["item"]: r["reason"] for r in manifest["removed"]}
    assert removed["notebook cell 1 (image/png)"] == "cohort figure from a cell not tagged 'aggregate'"
    assert removed["patients"] == "list of individual-level entries reduced to the count n_patients_entries"  # no number: it may be small
    assert "report.html" in removed and "notebook.ipynb" in removed
    assert {s["item"] for s in manifest["suppressed"]} >= {"km.MSI-H.n", "km.BRAF.n", "km.MSI-H.median"}
    reasons = {s["item"]: s["reason"] for s in manifest["suppressed"]}
    assert reasons["km.BRAF.n"] == (
        "disclosure control: a participant count of 1..20 or a cell from which one could be derived"
    )
    assert reasons["km.BRAF.median"] == "statistic of a group whose participant count is suppressed"
    # manifest lists every file with its sha256
    files = {f["path"]: f["sha256"] for f in manifest["files"]}
    assert set(files) == {"figures/figure-1.png", "report.html", "summary_aggregate.json"}
    for rel, digest in files.items():
        assert hashlib.sha256((bundle / rel).read_bytes()).hexdigest() == digest
    assert json.loads((bundle / "MANIFEST.json").read_text()) == manifest
    # report: escaped, no individual rows, no lab paths, user or host
    report = (bundle / "report.html").read_text()
    assert "<script>" not in report and "&lt;script&gt;alert(1)&lt;/script&gt;" in report
    assert '<img src="figures/figure-1.png"' in report
    for path in bundle.rglob("*"):
        if path.suffix in (".json", ".html"):
            text = path.read_text()
            assert str(tmp_path) not in text and "lab-01" not in text and "anna" not in text and "P001" not in text


def test_individual_bundle_withholds_person_data(tmp_path):
    summary = {
        "analysis": "sudden_cardiac_death", "family_id": "FAM7", "bigmed_utils_version": "0.1.0",
        "proband": "FAM7-II-1", "findings": [{"gene": "KCNH2", "variant": "7:150:A:G"}],
        "qtc": {"FAM7-II-1": {"bazett": 480}}, "hcm_risk_scd": {"risk_5y": 0.04},
        "cascade": [{"relative": "FAM7-III-1"}, {"relative": "FAM7-III-2"}], "segregation": [],
        "n_relatives_tested": 3, "remark": "index case FAM7-II-1 seen in clinic /home/anna/notes.txt",
        "config": "/data/lab/panels/long_qt.txt",
    }
    run = _run(tmp_path / "FAM7", summary, {"family_id": "FAM7", "proband": "FAM7-II-1", "vcf": "/data/lab/FAM7.vcf.gz"})
    manifest = export_run(run, out=tmp_path / "airlock")
    assert manifest["bundle"].startswith("export-") and manifest["kind"] == "individual"
    agg = json.loads((tmp_path / "airlock" / manifest["bundle"] / "summary_aggregate.json").read_text())
    assert agg == {
        "analysis": "sudden_cardiac_death", "family_id": WITHHELD, "bigmed_utils_version": "0.1.0",
        "n_findings": 1, "n_qtc": 1, "n_cascade": 2, "n_segregation": 0,
        "n_relatives_tested": 3,  # a count of one family's records, not of participants: not suppressed
        "remark": WITHHELD, "config": "long_qt.txt",
    }
    removed = {r["item"]: r["reason"] for r in manifest["removed"]}
    assert removed["proband"] == "identifier of a person"
    assert removed["hcm_risk_scd"] == "an individual's risk estimate"
    assert removed["config"] == "absolute path reduced to its file name"
    assert removed["notebook cell 0 (image/png)"] == "figure of an individual analysis (a person's data)"
    assert not (tmp_path / "airlock" / manifest["bundle"] / "figures").exists()
    text = "".join(p.read_text() for p in (tmp_path / "airlock").rglob("*") if p.is_file())
    assert "FAM7" not in text and "/data/lab" not in text


def test_pseudonymised_run_keeps_its_id(tmp_path):
    summary = {"analysis": "rare_disease", "case_id": "PSN-ABCDEFGHIJKL", "bigmed_utils_version": "0.1.0",
               "qc": {"n_variants": 5000, "per_sample": {"PSN-X": 1}}, "phenotypes": ["HP:0001250"], "candidates": []}
    run = _run(tmp_path / "PSN-ABCDEFGHIJKL", summary, {"case_id": "PSN-ABCDEFGHIJKL", "pseudonymise": True})
    manifest = export_run(run, out=tmp_path / "airlock")
    agg = json.loads((tmp_path / "airlock" / "PSN-ABCDEFGHIJKL" / "summary_aggregate.json").read_text())
    assert agg["case_id"] == "PSN-ABCDEFGHIJKL" and agg["qc"] == {"n_variants": 5000}
    assert agg["n_phenotypes"] == 1 and agg["n_candidates"] == 0
    assert manifest["bundle"] == "PSN-ABCDEFGHIJKL"


@pytest.mark.parametrize("name", ["RD001.failed", "RD001.partial"])
def test_refuses_failed_and_partial(tmp_path, name):
    run = _run(tmp_path / name, COHORT, {})
    with pytest.raises(ExportError, match=rf"^cannot export {name}: a {name.split('.')[1]} run folder is not a result$"):
        export_run(run, out=tmp_path / "airlock")
    assert not (tmp_path / "airlock").exists()


def test_refuses_folder_without_summary(tmp_path):
    (tmp_path / "RD001").mkdir()
    with pytest.raises(ExportError, match=r"^cannot export RD001: no summary.json \(not a finished run folder\)$"):
        export_run(tmp_path / "RD001", out=tmp_path / "airlock")


def test_refuses_existing_bundle_without_force(tmp_path):
    run = _run(tmp_path / "crc_cohort", COHORT, {})
    export_run(run, out=tmp_path / "airlock")
    with pytest.raises(ExportError, match=r"^bundle exists: airlock/crc_cohort \(use --force to replace it\)$"):
        export_run(run, out=tmp_path / "airlock")
    export_run(run, out=tmp_path / "airlock", force=True)


def test_refuses_a_cohort_of_20_or_fewer():
    with pytest.raises(ExportError, match=r"^cannot export a cohort of n_patients=12: every statistic would describe 20 or fewer participants$"):
        aggregate_summary({"analysis": "colorectal_cohort", "case_id": "c", "n_patients": 12})


def test_generic_rules_for_an_unknown_analysis():
    summary = {
        "analysis": "new_study", "case_id": "study1", "n_participants": 500,
        "carrier_counts": {"MYH7": 4, "MYBPC3": 40, "TNNT2": 300, "none": 0},
        "yield": {"hcm": {"n_families": 30, "n_solved": 5, "yield": 0.1667}, "lqts": {"n_families": 80, "n_solved": 30, "yield": 0.375}},
        "rows": [{"id": 1}], "label": "ok", "ratio": 0.5,
    }
    agg, removed, suppressed = aggregate_summary(summary)
    assert agg["carrier_counts"] == {"MYH7": SUPPRESSED, "MYBPC3": SUPPRESSED, "TNNT2": 300, "none": 0}
    # n_solved 5 hidden, its complement (30) too; the proportions of those groups are withheld
    assert agg["yield"]["hcm"] == {"n_families": 30, "n_solved": SUPPRESSED, "yield": WITHHELD}
    assert agg["yield"]["lqts"] == {"n_families": 80, "n_solved": SUPPRESSED, "yield": WITHHELD}
    assert agg["n_rows"] == SUPPRESSED  # a count of 1 (of unknown unit: treated as participants)
    assert agg["label"] == "ok" and agg["ratio"] == 0.5
    assert {"item": "rows", "reason": "list of individual-level entries reduced to the count n_rows"} in removed
