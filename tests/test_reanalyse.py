"""``bigmed reanalyse``: finished cases whose inputs are unchanged but whose knowledge changed are rerun through
the batch machinery, and those whose top candidate, ACMG class or actionable finding changed are reported
with what changed and why; when nothing changed, nothing is rerun and nothing is reported.

Two cases prove it: a self-test notebook whose candidates reuse the classifications of an in-house store of
earlier cases (the mechanism, fast: a planted unsolved case becomes solved when the store grows), and the real
colorectal-cancer notebook with a knowledge-base release that adds a therapy for a planted unsolved patient.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bigmed_utils.batch import run_batch
from bigmed_utils.case_store import add_records
from bigmed_utils.reanalysis import compare_findings, finished_cases, run_reanalysis
from notebook_factory import write_notebook

BIGMED = str(Path(sys.executable).with_name("bigmed"))
REPO = Path(__file__).resolve().parents[1]

# A toy rare-disease analysis: candidates in the order given, a variant classified Pathogenic or Likely
# pathogenic in an earlier case of the in-house store takes that class and ranks first (reuse of the lab's
# earlier classification); everything else is of uncertain significance.
STORE_CELLS = [
    ("parameters", 'case_id = "X"\ninhouse_db = ""\nvariants = []\ninput_file = ""'),
    (None, "from bigmed_utils.case_store import read_records\nfrom bigmed_utils.summary import write_summary"),
    (None, "earlier = {f['variant']: f['acmg_class'] for r in (read_records(inhouse_db) if inhouse_db else [])\n"
           "           for f in r['findings'] if f['acmg_class'] in ('Pathogenic', 'Likely pathogenic')}\n"
           "cands = [{'gene': v.split()[0], 'variant': v.split()[1], 'mode': 'de_novo',\n"
           "          'acmg_class': earlier.get(v.split()[1], 'Uncertain significance')} for v in variants]\n"
           "cands = sorted(cands, key=lambda c: c['acmg_class'] == 'Uncertain significance')\n"
           "for i, c in enumerate(cands, 1):\n    c['rank'] = i"),
    (None, "top = cands[0] if cands else None\n"
           "_ = write_summary('selftest', {'case_id': case_id, 'candidates': cands,\n"
           "    'headline': f\"{top['gene']} {top['variant']} — {top['acmg_class']}\" if top else 'none'})"),
]


def family(fid: str, variant: str, acmg_class: str) -> dict:
    return {"family_id": fid, "proband": f"{fid}-1",
            "findings": [{"gene": "GENE2", "variant": variant, "acmg_class": acmg_class, "condition": "hcm",
                          "familial": True}]}


@pytest.fixture()
def project(tmp_path, monkeypatch):
    notebooks = write_notebook(tmp_path / "notebooks" / "selftest.ipynb", STORE_CELLS).parent
    monkeypatch.setenv("BIGMED_NOTEBOOKS_DIR", str(notebooks))
    params = tmp_path / "incoming" / "selftest"
    params.mkdir(parents=True)
    return tmp_path, params


def _audit_actions() -> list[str]:
    log = Path(os.environ["BIGMED_AUDIT_LOG"])
    return [json.loads(line)["action"] for line in log.read_text().splitlines()] if log.is_file() else []


@pytest.mark.slow  # runs bigmed in a subprocess (Hail, kernels) or writes whole cohorts
def test_a_grown_inhouse_store_solves_a_planted_case_and_is_reported_once(project):
    root, params = project
    store = root / "store"
    add_records(store, "sudden_cardiac_death", [family("F1", "chr9:900:G:A", "Pathogenic")])
    (params / "U1.yaml").write_text(yaml.safe_dump({  # the planted unsolved case: its variant is in GENE2
        "case_id": "U1", "inhouse_db": str(store), "variants": ["GENE1 chr1:100:A:G", "GENE2 chr2:200:C:T"]}))
    (params / "C2.yaml").write_text(yaml.safe_dump({"case_id": "C2", "variants": ["GENE2 chr2:200:C:T"]}))
    data = root / "x3.txt"
    data.write_text("first\n")
    (params / "X3.yaml").write_text(yaml.safe_dump({"case_id": "X3", "inhouse_db": str(store),
                                                    "variants": ["GENE2 chr2:200:C:T"], "input_file": str(data)}))
    reports = root / "reports"
    assert {r.status for r in run_batch([params], out=reports, echo=lambda s: None, progress_bar=False)} == {"done"}
    u1 = reports / "selftest" / "U1"
    assert json.loads((u1 / "summary.json").read_text())["candidates"][0]["gene"] == "GENE1"
    recorded = json.loads((u1 / "provenance.json").read_text())["knowledge"]["stores"]["inhouse_db"]
    assert (recorded["version"], recorded["cases"]) == ("v000001", 1)

    # nothing changed: nothing is rerun and nothing is reported
    lines: list[str] = []
    nothing = run_reanalysis(reports, echo=lines.append)
    assert (nothing.checked, nothing.rerun, nothing.changes) == (3, [], [])
    assert lines[-1].startswith("3 checked, 0 reanalysed, 0 with changed findings, 0 failed")
    assert not (reports / "selftest" / "U1.v1").exists()
    assert "Reanalysis" not in (reports / "index.html").read_text()
    assert json.loads((reports / "reanalysis.json").read_text())["changes"] == []

    # the store grows (an earlier family with the case's GENE2 variant, Pathogenic); X3's input changes too
    add_records(store, "sudden_cardiac_death", [family("F2", "chr2:200:C:T", "Pathogenic")])
    data.write_text("second\n")
    before = json.loads((reports / "index.json").read_text())["cases"]["selftest/U1"]
    audit_before = _audit_actions().count("reanalyse")
    lines.clear()
    res = run_reanalysis(reports, echo=lines.append)
    assert res.rerun == ["selftest/U1"]  # C2 reads no store; X3's inputs changed (that is bigmed batch's job)
    assert {s["case"]: s["reason"] for s in res.skipped} == {
        "selftest/X3": "inputs or parameters changed since the report (that is bigmed batch's job)"}
    [change] = res.changes
    assert change["key"] == "selftest/U1" and change["previous_report"] == "selftest/U1.v1/report.html"
    assert change["findings"] == [
        {"what": "top candidate", "old": "GENE1 chr1:100:A:G (de_novo)", "new": "GENE2 chr2:200:C:T (de_novo)"},
        {"what": "ACMG class of the top candidate", "old": "Uncertain significance", "new": "Pathogenic"},
        {"what": "ACMG class of GENE2 chr2:200:C:T", "old": "Uncertain significance", "new": "Pathogenic"},
    ]
    [why] = change["knowledge"]
    assert why["item"] == "in-house store inhouse_db (store)"
    assert why["old"].startswith("v000001, 1 case(s)") and why["new"].startswith("v000002, 2 case(s)")
    assert "selftest/U1: top candidate: GENE1 chr1:100:A:G (de_novo) -> GENE2 chr2:200:C:T (de_novo); " \
           "ACMG class of the top candidate: Uncertain significance -> Pathogenic" in "\n".join(lines)
    # the previous report is kept as a version; the new one has the new top candidate
    assert json.loads((reports / "selftest" / "U1.v1" / "summary.json").read_text())["candidates"][0]["gene"] == "GENE1"
    assert json.loads((u1 / "summary.json").read_text())["candidates"][0]["gene"] == "GENE2"
    index = json.loads((reports / "index.json").read_text())
    entry = index["cases"]["selftest/U1"]
    assert entry["reanalysed"] and entry["reason"].startswith("reanalysed: knowledge changed: in-house store")
    assert entry["turnaround_s"] == before["turnaround_s"]  # its data did not arrive again
    assert [c["key"] for c in index["reanalysis"]["changes"]] == ["selftest/U1"]
    page = (reports / "index.html").read_text()
    assert "Reanalysis: findings changed by new knowledge" in page
    assert "top candidate: GENE1 chr1:100:A:G (de_novo) &rarr; GENE2 chr2:200:C:T (de_novo)" in page
    assert "in-house store inhouse_db (store): v000001" in page
    assert _audit_actions().count("reanalyse") == audit_before + 1
    assert [f.key for f in finished_cases(reports)] == ["selftest/C2", "selftest/U1", "selftest/X3"]

    # run again (from the command line, as the scheduler does): knowledge is current, nothing to do
    again = subprocess.run([BIGMED, "reanalyse", str(reports)], capture_output=True, text=True, timeout=300,
                           env=os.environ)
    assert again.returncode == 0, again.stderr
    assert "3 checked, 0 reanalysed, 0 with changed findings, 0 failed" in again.stdout
    assert not (reports / "selftest" / "U1.v2").exists()
    assert [c["key"] for c in json.loads((reports / "reanalysis.json").read_text())["changes"]] == ["selftest/U1"]


def test_compare_findings_names_each_kind_of_change():
    old = {"actionable": [], "resistance": [{"alteration": "KRAS G12D", "therapy": "cetuximab", "level": "R1"}]}
    new = {"actionable": [{"alteration": "KRAS G12D", "therapy": "drug X", "level": "4"}], "resistance": old["resistance"]}
    assert compare_findings(old, new) == [{"what": "actionable findings", "old": "none",
                                           "new": "KRAS G12D: drug X (level 4)"}]
    fam = {"findings": [{"gene": "MYH7", "variant": "v1", "acmg_class": "Uncertain significance", "condition": "hcm",
                         "familial": False}]}
    fam2 = {"findings": [{**fam["findings"][0], "acmg_class": "Likely pathogenic", "familial": True}]}
    assert compare_findings(fam, fam2) == [
        {"what": "familial variant for cascade testing", "old": "none", "new": "MYH7 v1 (Likely pathogenic)"},
        {"what": "ACMG class of MYH7 v1 (hcm)", "old": "Uncertain significance", "new": "Likely pathogenic"}]
    assert compare_findings(fam, fam) == []


def _kb_release(folder: Path, version: str) -> str:
    """A copy of the bundled reference data whose actionability knowledge base is a newer release that adds
    a (hypothetical, test-only) level-4 KRAS G12D row; returns the bundled release's declared version."""
    from bigmed_utils._resources import data_dir

    shutil.copytree(data_dir(), folder)
    manifest = yaml.safe_load((folder / "MANIFEST.yaml").read_text())
    [entry] = [f for f in manifest["files"] if f["path"] == "oncology/actionability_kb.tsv"]
    old_version, entry["version"] = str(entry["version"]), version
    (folder / "MANIFEST.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False))
    kb = folder / "oncology" / "actionability_kb.tsv"
    text = kb.read_text().replace(f"# version: {old_version}", f"# version: {version}")
    row = "\t".join(["TEST-G12D-01", "KRAS", "protein", "G12D", "", "4", "sensitive",
                     "KRAS G12D inhibitor (hypothetical test row)", "2026", "tests/test_reanalyse.py"])
    kb.write_text(text.rstrip("\n") + "\n" + row + "\n")
    return old_version


def test_a_knowledge_base_release_makes_an_unsolved_patient_actionable(tmp_path, monkeypatch, demo_data):
    crc = demo_data / "colorectal_cancer"
    truth = json.loads((crc / "truth.json").read_text())["demo_patients"]
    unsolved, control = truth["kras_g12d"], truth["kras_g12c"]
    incoming = tmp_path / "incoming" / "colorectal_cancer"
    incoming.mkdir(parents=True)
    for pid in (unsolved, control):
        (incoming / f"{pid}.yaml").write_text(yaml.safe_dump({
            "patient_id": pid, "maf": str(crc / "somatic.maf"), "clinical": str(crc / "clinical.csv"),
            "callable_mb": 35.0}))
    reports = tmp_path / "reports"
    assert {r.status for r in run_batch([incoming], out=reports, echo=lambda s: None, progress_bar=False)} == {"done"}
    first = json.loads((reports / "colorectal_cancer" / unsolved / "summary.json").read_text())
    assert first["actionable"] == [] and "no level 1-4 therapy match" in first["headline"]

    old_version = _kb_release(tmp_path / "knowledge", "2099.1-test")
    monkeypatch.setenv("BIGMED_DATA_DIR", str(tmp_path / "knowledge"))
    res = run_reanalysis(reports, echo=lambda s: None)
    assert sorted(res.rerun) == sorted(f"colorectal_cancer/{p}" for p in (unsolved, control))
    [change] = res.changes  # the control patient (KRAS G12C) was rerun; its findings did not change
    assert change["key"] == f"colorectal_cancer/{unsolved}"
    assert change["findings"] == [{"what": "actionable findings", "old": "none",
                                   "new": "KRAS G12D: KRAS G12D inhibitor (hypothetical test row) (level 4)"}]
    [why] = change["knowledge"]
    assert why["item"] == "reference data oncology/actionability_kb.tsv"
    assert why["old"].startswith(f"version {old_version} (sha256 ") and why["new"].startswith("version 2099.1-test")
    assert [u["key"] for u in res.unchanged] == [f"colorectal_cancer/{control}"]
    prov = json.loads((reports / "colorectal_cancer" / unsolved / "provenance.json").read_text())
    assert prov["knowledge"]["data"]["oncology/actionability_kb.tsv"]["version"] == "2099.1-test"
    assert "level 4" in (reports / "index.html").read_text()
    assert run_reanalysis(reports, echo=lambda s: None).rerun == []  # knowledge is current now


def test_the_reanalysis_cron_example_parses(tmp_path, monkeypatch):
    from bigmed_utils.cli import main

    monkeypatch.chdir(tmp_path)  # the command's folders exist where it runs
    (tmp_path / "reports").mkdir()
    (tmp_path / "incoming").mkdir()
    [entry] = [l for l in (REPO / "schedule" / "bigmed-reanalyse.crontab").read_text().splitlines()
               if l.strip() and not l.startswith("#") and "=" not in l.split()[0]]
    fields = entry.split(None, 5)
    assert [int(fields[0]), int(fields[1])] == [30, 5] and fields[2:5] == ["*", "*", "*"]
    words = fields[5].split()
    args = words[words.index(".venv/bin/bigmed") + 1: words.index(">>")]
    assert args[0] == "reanalyse"
    ctx = main.commands["reanalyse"].make_context("reanalyse", args[1:])
    assert (ctx.params["reports"], ctx.params["params_paths"], ctx.params["jobs"]) == ("reports", ("incoming",), 2)


def test_cases_that_cannot_be_reanalysed_say_why(tmp_path):
    from bigmed_utils.reanalysis import Finished, _params_case, assess

    old = Finished("selftest", "OLD", tmp_path, {"parameters": {"case_id": "OLD"}}, {})
    assert assess(old, _params_case(old, tmp_path)).reason == (
        "the report records no knowledge versions (made before they were recorded)")
    private = Finished("selftest", "PSN-1", tmp_path, {"knowledge": {"code": {}}, "parameters": {"pseudonymise": True}}, {})
    assert _params_case(private, tmp_path) is None
    assert assess(private, None).reason == (
        "pseudonymised: its parameters hold pseudonyms; give its parameter file (--params)")
