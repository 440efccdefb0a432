"""Hash-chained audit log: appending under a lock, and every kind of tampering caught with its line."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
from pathlib import Path

import pytest

from bigmed_utils.errors import ParameterError
from bigmed_utils.privacy.audit import (
    ENV_AUDIT_LOG,
    GENESIS_HASH,
    AuditLogError,
    append_audit,
    default_audit_log,
    record_hash,
    run_audit_fields,
    verify_audit,
)


def _fill(log: Path, n: int = 4) -> list[dict]:
    return [
        append_audit(
            {"action": "run", "analysis": "rare_disease", "inputs": [{"name": "vcf", "sha256": "ab" * 32}],
             "outputs": [f"RD00{i}/report.html"], "result": "success", "detail": None},
            log_path=log,
        )
        for i in range(1, n + 1)
    ]


def _lines(log: Path) -> list[str]:
    return log.read_text().splitlines()


def _write(log: Path, lines: list[str]) -> None:
    log.write_text("".join(line + "\n" for line in lines))


def test_records_are_chained(tmp_path):
    log = tmp_path / "audit.jsonl"
    recs = _fill(log)
    assert [r["seq"] for r in recs] == [1, 2, 3, 4]
    assert recs[0]["prev_hash"] == GENESIS_HASH
    assert all(b["prev_hash"] == a["hash"] for a, b in zip(recs, recs[1:]))
    # the hash is the sha256 of the canonical JSON without 'hash' (independent computation)
    body = {k: v for k, v in recs[1].items() if k != "hash"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert recs[1]["hash"] == hashlib.sha256(canonical.encode()).hexdigest() == record_hash(recs[1])
    assert set(recs[0]) == {"seq", "time", "user", "host", "action", "analysis", "inputs", "outputs",
                            "result", "detail", "prev_hash", "hash"}
    assert recs[0]["time"].endswith("Z")
    res = verify_audit(log)
    assert (res.ok, res.n_records, res.problems, res.last_hash) == (True, 4, [], recs[-1]["hash"])


def test_missing_log_is_valid_and_empty(tmp_path):
    res = verify_audit(tmp_path / "none.jsonl")
    assert (res.ok, res.n_records) == (True, 0)


def test_edited_record(tmp_path):
    log = tmp_path / "audit.jsonl"
    _fill(log)
    lines = _lines(log)
    rec = json.loads(lines[1])
    rec["result"] = "failed"  # rewrite history
    lines[1] = json.dumps(rec, sort_keys=True, separators=(",", ":"))
    _write(log, lines)
    res = verify_audit(log)
    assert not res.ok
    assert res.problems == ["line 2 (seq 2): hash mismatch, the record was edited"]


def test_edited_record_with_recomputed_hash(tmp_path):
    log = tmp_path / "audit.jsonl"
    _fill(log)
    lines = _lines(log)
    rec = json.loads(lines[1])
    rec["user"] = "someone-else"
    rec["hash"] = record_hash(rec)
    lines[1] = json.dumps(rec)
    _write(log, lines)
    assert verify_audit(log).problems == ["line 3 (seq 3): prev_hash does not match the hash of line 2"]


def test_removed_record(tmp_path):
    log = tmp_path / "audit.jsonl"
    _fill(log)
    lines = _lines(log)
    del lines[1]
    _write(log, lines)
    assert verify_audit(log).problems == [
        "line 2 (seq 3): seq jumps from 1 to 3, 1 record(s) removed",
        "line 2 (seq 3): prev_hash does not match the hash of line 1",
    ]


def test_removed_first_record(tmp_path):
    log = tmp_path / "audit.jsonl"
    _fill(log)
    _write(log, _lines(log)[1:])
    assert verify_audit(log).problems == [
        "line 1 (seq 2): prev_hash is not the genesis hash, records removed from the start"
    ]


def test_reordered_records(tmp_path):
    log = tmp_path / "audit.jsonl"
    _fill(log)
    lines = _lines(log)
    lines[1], lines[2] = lines[2], lines[1]
    _write(log, lines)
    assert verify_audit(log).problems == [
        "line 2 (seq 3): seq 3 follows 1, records reordered or duplicated",
        "line 2 (seq 3): prev_hash does not match the hash of line 1",
        "line 3 (seq 2): seq 2 follows 3, records reordered or duplicated",
        "line 3 (seq 2): prev_hash does not match the hash of line 2",
        "line 4 (seq 4): seq 4 follows 2, records reordered or duplicated",
        "line 4 (seq 4): prev_hash does not match the hash of line 3",
    ]


def test_truncated_last_line_and_no_append_after_it(tmp_path):
    log = tmp_path / "audit.jsonl"
    _fill(log)
    log.write_bytes(log.read_bytes()[:-40])  # a write cut short
    assert verify_audit(log).problems == ["line 4: truncated or garbled last line"]
    with pytest.raises(AuditLogError, match=r"line 4 is incomplete; run 'bigmed audit verify' before writing more$"):
        append_audit({"action": "run"}, log_path=log)


def test_garbled_middle_line(tmp_path):
    log = tmp_path / "audit.jsonl"
    _fill(log)
    lines = _lines(log)
    lines[1] = "{not json"
    _write(log, lines)
    assert verify_audit(log).problems == [
        "line 2: not a JSON record",
        "line 3 (seq 3): seq jumps from 1 to 3, 1 record(s) removed",
        "line 3 (seq 3): prev_hash does not match the hash of line 1",
    ]


def test_fields_checked(tmp_path):
    with pytest.raises(ParameterError, match=r"^audit record: 'action' is required"):
        append_audit({"analysis": "x"}, log_path=tmp_path / "a.jsonl")
    with pytest.raises(ParameterError, match=r"^audit record: unknown field 'who'"):
        append_audit({"action": "run", "who": "me"}, log_path=tmp_path / "a.jsonl")


def test_default_path_env_and_outside_repo(monkeypatch, tmp_path):
    monkeypatch.setenv(ENV_AUDIT_LOG, str(tmp_path / "x.jsonl"))
    assert default_audit_log() == tmp_path / "x.jsonl"
    monkeypatch.delenv(ENV_AUDIT_LOG)
    path = default_audit_log()
    assert path.name == "audit.jsonl" and path.parent.name == "bigmed"
    assert Path(__file__).resolve().parents[2] not in path.parents


def _worker(args):
    log, worker = args
    for i in range(10):
        append_audit({"action": "batch", "detail": f"w{worker}-{i}", "result": "success"}, log_path=log)


def test_concurrent_writers_keep_one_chain(tmp_path):
    log = str(tmp_path / "audit.jsonl")
    with multiprocessing.get_context("fork").Pool(4) as pool:
        pool.map(_worker, [(log, w) for w in range(4)])
    res = verify_audit(log)
    assert (res.ok, res.n_records) == (True, 40), res.problems
    assert sorted(json.loads(line)["detail"] for line in _lines(Path(log))) == sorted(
        f"w{w}-{i}" for w in range(4) for i in range(10)
    )


def test_run_audit_fields(tmp_path):
    run = tmp_path / "runs" / "RD001"
    run.mkdir(parents=True)
    (run / "summary.json").write_text("{}")
    (run / "provenance.json").write_text(json.dumps({
        "analysis": "rare_disease",
        "inputs": {"vcf": {"file": "x.vcf.gz", "sha256": "aa", "bytes": 1}, "ped": {"file": "x.ped", "sha256": "bb", "bytes": 1}},
    }))
    fields = run_audit_fields(run, action="run")
    assert fields == {
        "action": "run", "analysis": "rare_disease",
        "inputs": [{"name": "ped", "sha256": "bb"}, {"name": "vcf", "sha256": "aa"}],
        "outputs": ["RD001/provenance.json", "RD001/summary.json"], "result": "success", "detail": None,
    }
    rec = append_audit(fields, log_path=tmp_path / "a.jsonl")
    assert rec["seq"] == 1 and verify_audit(tmp_path / "a.jsonl").ok
