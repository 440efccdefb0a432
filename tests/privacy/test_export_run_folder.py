"""Export of a folder written by the real runner (one kernel start): shapes as `bigmed run` leaves them."""

from __future__ import annotations

import json
import re

from bigmed_utils.privacy.audit import append_audit, run_audit_fields, verify_audit
from bigmed_utils.privacy.disclosure import SUPPRESSED
from bigmed_utils.privacy.export import export_run
from bigmed_utils.runner import run_analysis
from notebook_factory import write_notebook

CELLS = [
    ("parameters", 'case_id = "cohort_x"\nnote = ""'),
    (None, "import matplotlib.pyplot as plt"),
    ("aggregate", "fig, ax = plt.subplots()\nax.bar(['a', 'b'], [40, 50])\nplt.show()"),
    (None, "fig, ax = plt.subplots()\nax.plot([1, 2], [3, 4])\nplt.show()"),
    (None, 'from bigmed_utils.summary import write_summary\n'
           '_ = write_summary("cohortselftest", {"case_id": case_id, "n_participants": 120, "note": note,\n'
           '    "groups": {"a": {"n": 4, "mean_age": 61.5}, "b": {"n": 50, "mean_age": 58.0}, "c": {"n": 66, "mean_age": 57.1}},\n'
           '    "rows": [{"person": "P1"}, {"person": "P2"}]})'),
]


def test_export_of_a_runner_folder(tmp_path):
    notebooks = tmp_path / "notebooks"
    write_notebook(notebooks / "cohortselftest.ipynb", CELLS)
    run = run_analysis(
        "cohortselftest", out=tmp_path / "runs" / "cohort_x",
        params={"note": "<script>alert(1)</script>"}, notebooks_dir=notebooks,
    ).out
    manifest = export_run(run, out=tmp_path / "airlock")
    bundle = tmp_path / "airlock" / "cohort_x"
    agg = json.loads((bundle / "summary_aggregate.json").read_text())
    assert agg["groups"]["a"] == {"n": SUPPRESSED, "mean_age": "withheld"}
    assert agg["groups"]["b"] == {"n": SUPPRESSED, "mean_age": "withheld"}  # the complement of the 4
    assert agg["groups"]["c"] == {"n": 66, "mean_age": 57.1}
    assert agg["n_rows"] == SUPPRESSED  # a list of 2 per-person rows, reduced to a count of 2
    assert [f["path"] for f in manifest["files"]] == ["figures/figure-1.png", "report.html", "summary_aggregate.json"]
    assert any(r["reason"] == "cohort figure from a cell not tagged 'aggregate'" for r in manifest["removed"])
    text = "".join(p.read_text() for p in bundle.rglob("*") if p.suffix in (".json", ".html"))
    assert str(tmp_path) not in text
    # no suppressed number leaks through the manifest's reasons (the 4 and the 2 rows)
    reasons = [r["reason"] for r in manifest["removed"] + manifest["suppressed"]]
    assert {n for r in reasons for n in re.findall(r"\d+", r)} <= {"1", "20"}  # only the rule's 1..20
    report = (bundle / "report.html").read_text()
    assert "<script>alert" not in report and "&lt;script&gt;alert(1)&lt;/script&gt;" in report
    # the audit record the CLI appends for this export
    log = tmp_path / "audit.jsonl"
    append_audit(run_audit_fields(run, action="run"), log_path=log)
    append_audit({**run_audit_fields(run, action="export"), "outputs": [f"cohort_x/{f['path']}" for f in manifest["files"]]}, log_path=log)
    assert verify_audit(log).ok and verify_audit(log).n_records == 2
