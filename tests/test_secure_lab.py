"""The secure lab's guarantees on real runs: pseudonyms only in every output, input strings escaped in
reports, a tamper-evident audit trail that `bigmed audit verify` checks, and no network beyond loopback."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from bigmed_utils.errors import ParameterError
from bigmed_utils.privacy import find_identifiers
from bigmed_utils.runner import run_analysis
from notebook_factory import write_notebook

BIGMED = str(Path(sys.executable).with_name("bigmed"))
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def notebooks(tmp_path_factory) -> Path:
    return write_notebook(tmp_path_factory.mktemp("nb") / "selftest.ipynb").parent


@pytest.fixture()
def key_file(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "keys" / "pseudonym.key"
    path.parent.mkdir()
    path.write_text(secrets.token_hex(32))
    path.chmod(0o600)
    monkeypatch.setenv("BIGMED_PSEUDONYM_KEY_FILE", str(path))
    return path


def test_pseudonymised_run_carries_no_original_id(notebooks, tmp_path, key_file):
    ped = tmp_path / "FAMX.ped"
    ped.write_text("FAMX\tFAMX-P\tFAMX-F\tFAMX-M\t1\t2\nFAMX\tFAMX-F\t0\t0\t1\t1\nFAMX\tFAMX-M\t0\t0\t2\t1\n")
    out = tmp_path / "out"
    res = run_analysis("selftest", out=out, notebooks_dir=notebooks,
                       params={"case_id": "FAMX-P", "input_file": str(ped), "pseudonymise": True})
    assert res.summary["case_id"].startswith("PSN-")
    originals = ["FAMX-P", "FAMX-F", "FAMX-M", "FAMX"]
    assert find_identifiers(out, originals) == {}
    assert "value doubled is 2 for case PSN-" in (out / "report.html").read_text()


@pytest.mark.slow  # runs bigmed in a subprocess (Hail, kernels) or writes whole cohorts
def test_pseudonymised_batch_carries_no_original_id(notebooks, tmp_path, key_file, monkeypatch):
    """Folders, index.json/html, the batch log, error.txt and the console lines of a nightly batch."""
    from bigmed_utils.batch import discover_cases, run_batch
    from bigmed_utils.privacy import pseudonym
    from bigmed_utils.privacy.pseudonyms import load_key

    monkeypatch.setenv("BIGMED_NOTEBOOKS_DIR", str(notebooks))
    incoming = tmp_path / "incoming" / "selftest"
    incoming.mkdir(parents=True)
    cases = {"FAMY": "value: 3\n", "FAMZ": "fail: true\n", "FAMW": "colour: red\n"}
    for fam, extra in cases.items():
        ped = tmp_path / f"{fam}.ped"
        ped.write_text(f"{fam}\t{fam}-P\t{fam}-F\t{fam}-M\t1\t2\n{fam}\t{fam}-F\t0\t0\t1\t1\n"
                       f"{fam}\t{fam}-M\t0\t0\t2\t1\n")
        (incoming / f"{fam}-P.yaml").write_text(f"case_id: {fam}-P\ninput_file: {ped}\npseudonymise: true\n{extra}")
    # ids read from a PED named relative to the parameter file (as bigmed run reads paths of a rare-disease
    # parameter file) are scrubbed from what the batch itself writes
    relative = tmp_path / "elsewhere" / "rare_disease" / "FAMY-P.yaml"
    relative.parent.mkdir(parents=True)
    relative.write_text("case_id: FAMY-P\nped: ../../FAMY.ped\npseudonymise: true\n")
    [famy] = discover_cases([relative])
    assert famy.case_id == pseudonym("FAMY-P", key=load_key())
    assert "FAMY-F" not in famy.scrub("father FAMY-F failed") and "PSN-" in famy.scrub("FAMY-F")
    printed: list[str] = []
    results = run_batch([incoming], out=tmp_path / "reports", retries=0, echo=printed.append, progress_bar=False)
    key = load_key()
    status = {r.case_id: r.status for r in results}
    assert status == {pseudonym("FAMY-P", key=key): "done", pseudonym("FAMZ-P", key=key): "failed",
                      pseudonym("FAMW-P", key=key): "failed"}
    reports = tmp_path / "reports"
    names = sorted(p.name for p in (reports / "selftest").iterdir() if not p.name.startswith("."))
    assert names == sorted([pseudonym("FAMY-P", key=key), pseudonym("FAMZ-P", key=key) + ".failed",
                            pseudonym("FAMW-P", key=key) + ".failed"])
    index = json.loads((reports / "index.json").read_text())
    assert index["cases"][f"selftest/{pseudonym('FAMY-P', key=key)}"]["headline"] == "result 6"
    assert "colour" in index["cases"][f"selftest/{pseudonym('FAMW-P', key=key)}"]["reason"]
    originals = [f"{fam}{suffix}" for fam in cases for suffix in ("-P", "-F", "-M", "")]
    assert find_identifiers(reports, originals) == {}
    assert (reports / "index.html").is_file() and list((reports / "logs").glob("batch-*.log"))
    assert not [line for line in printed if any(o in line for o in originals)], printed


def test_pseudonymisation_without_a_key_is_a_clear_error(notebooks, tmp_path, monkeypatch):
    monkeypatch.delenv("BIGMED_PSEUDONYM_KEY_FILE", raising=False)
    monkeypatch.delenv("BIGMED_PSEUDONYM_KEY", raising=False)
    with pytest.raises(ParameterError, match=r"pseudonymise is on but no pseudonym key is configured \(\$BIGMED_PSEUDONYM_KEY_FILE"):
        run_analysis("selftest", out=tmp_path / "o", notebooks_dir=notebooks, params={"pseudonymise": True})
    assert not (tmp_path / "o").exists()


def test_script_in_input_strings_is_escaped_in_the_report(notebooks, tmp_path):
    out = tmp_path / "out"
    run_analysis("selftest", out=out, notebooks_dir=notebooks, params={"case_id": f"S{SCRIPT}", "note": SCRIPT})
    html = (out / "report.html").read_text()
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.slow  # runs bigmed in a subprocess (Hail, kernels) or writes whole cohorts
def test_tampered_audit_log_is_caught(notebooks, tmp_path):
    log = tmp_path / "audit.jsonl"
    env = {**os.environ, "BIGMED_AUDIT_LOG": str(log), "BIGMED_NOTEBOOKS_DIR": str(notebooks)}
    for i in range(2):
        res = subprocess.run([BIGMED, "run", "selftest", "-p", f"case_id=A{i}", "--out", str(tmp_path / f"r{i}")],
                             env=env, capture_output=True, text=True, timeout=300)
        assert res.returncode == 0, res.stderr
    ok = subprocess.run([BIGMED, "audit", "verify"], env=env, capture_output=True, text=True)
    assert ok.returncode == 0 and "2 records, 0 signed, intact" in ok.stdout
    records = [json.loads(l) for l in log.read_text().splitlines()]
    assert [r["action"] for r in records] == ["run", "run"] and records[1]["result"] == "success"
    records[0]["result"] = "failed"  # an edit someone hoped would go unnoticed
    log.write_text("".join(json.dumps(r) + "\n" for r in records))
    bad = subprocess.run([BIGMED, "audit", "verify"], env=env, capture_output=True, text=True)
    assert bad.returncode == 1
    assert "line 1 (seq 1): hash mismatch, the record was edited" in bad.stderr
    assert "TAMPERED" in bad.stdout
