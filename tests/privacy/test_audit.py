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


# ------------------------------------------------------------------------------------------------------------
# Keyed chain (format 2): HMAC-SHA256 under the lab's key

import hmac as _hmac  # noqa: E402
import os  # noqa: E402
import secrets  # noqa: E402

from click.testing import CliRunner  # noqa: E402

from bigmed_utils.privacy.audit import AuditKey, audit_key, rotate_audit_key, seal_audit  # noqa: E402


def _key_file(folder: Path, name: str = "audit.key") -> Path:
    path = folder / name
    path.write_text(secrets.token_hex(32) + "\n")
    os.chmod(path, 0o600)
    return path


@pytest.fixture
def keyed(tmp_path, monkeypatch):
    """A log written under $BIGMED_AUDIT_KEY_FILE (and no pseudonym key)."""
    monkeypatch.delenv("BIGMED_PSEUDONYM_KEY_FILE", raising=False)
    monkeypatch.delenv("BIGMED_PSEUDONYM_KEY", raising=False)
    keys = tmp_path / "keys"
    keys.mkdir()
    key_file = _key_file(keys)
    monkeypatch.setenv("BIGMED_AUDIT_KEY_FILE", str(key_file))
    log = tmp_path / "audit.jsonl"
    _fill(log)
    return log, key_file


def test_signed_records_carry_an_independently_computable_hmac(keyed):
    log, key_file = keyed
    secret = bytes.fromhex(key_file.read_text().strip())
    recs = [json.loads(line) for line in _lines(log)]
    key_id = hashlib.sha256(b"bigmed-audit-key-id\x00" + secret).hexdigest()[:16]
    for rec in recs:
        body = {k: v for k, v in rec.items() if k != "mac"}
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert rec["key_id"] == key_id
        assert rec["mac"] == _hmac.new(secret, b"bigmed-audit-v2\x00" + canonical.encode(), hashlib.sha256).hexdigest()
    res = verify_audit(log)
    assert (res.ok, res.n_records, res.n_signed, res.problems, res.notes) == (True, 4, 4, [], [])
    assert res.last_mac == recs[-1]["mac"]


def test_whole_log_rewritten_without_the_key_is_detected(keyed):
    log, _ = keyed
    # the attacker edits record 2 and recomputes every hash after it, but cannot recompute the HMACs
    recs = [json.loads(line) for line in _lines(log)]
    recs[1]["result"] = "failed"
    for i in range(1, len(recs)):
        recs[i]["prev_hash"] = recs[i - 1]["hash"]
        recs[i]["hash"] = record_hash(recs[i])
    _write(log, [json.dumps(r) for r in recs])
    res = verify_audit(log)
    assert not res.ok
    assert res.problems == [f"line {n} (seq {n}): HMAC does not match: the record was rewritten without the key"
                            for n in (2, 3, 4)] + \
        ["line 4: the last record is not signed by a configured key (configured: "
         f"{audit_key().key_id}): the log cannot be trusted"]


def test_rewrite_with_another_key_or_without_signatures_is_detected(keyed, tmp_path):
    log, _ = keyed
    forged_key = AuditKey(secrets.token_bytes(32))
    recs = [json.loads(line) for line in _lines(log)]
    for i, rec in enumerate(recs):
        rec["user"] = "mallory"
        rec["prev_hash"] = recs[i - 1]["hash"] if i else GENESIS_HASH
        rec["key_id"] = forged_key.key_id
        rec["hash"] = record_hash(rec)
        rec["mac"] = forged_key.mac(rec)
    _write(log, [json.dumps(r) for r in recs])
    res = verify_audit(log)
    assert not res.ok and res.problems[-1].startswith("line 4: the last record is not signed by a configured key")
    # dropping the signatures (a format-1 log) is a downgrade the configured key reveals
    for i, rec in enumerate(recs):
        del rec["key_id"], rec["mac"]
        rec["prev_hash"] = recs[i - 1]["hash"] if i else GENESIS_HASH
        rec["hash"] = record_hash(rec)
    _write(log, [json.dumps(r) for r in recs])
    res = verify_audit(log)
    assert not res.ok and res.problems[0].startswith("no record is signed with the audit key (key id ")


def test_edited_removed_reordered_still_named_when_signed(keyed):
    log, _ = keyed
    lines = _lines(log)
    _write(log, [lines[0], lines[2], lines[1], lines[3]])
    probs = verify_audit(log).problems
    assert "line 2 (seq 3): seq 3 follows 1, records reordered or duplicated" in probs
    _write(log, [lines[0], lines[2], lines[3]])
    assert "line 2 (seq 3): seq jumps from 1 to 3, 1 record(s) removed" in verify_audit(log).problems
    rec = json.loads(lines[1])
    rec["detail"] = "edited"
    _write(log, [lines[0], json.dumps(rec), lines[2], lines[3]])
    assert verify_audit(log).problems[:2] == ["line 2 (seq 2): hash mismatch, the record was edited",
                                              "line 2 (seq 2): HMAC does not match: the record was rewritten without the key"]


def test_unsigned_record_after_signed_ones_and_wrong_key_are_refused(keyed, tmp_path, monkeypatch):
    log, _ = keyed
    with pytest.raises(AuditLogError, match=r"is signed \(key id [0-9a-f]{16}\) but no audit key is configured"):
        append_audit({"action": "run"}, log_path=log, key=None)
    other = _key_file(tmp_path / "keys", "other.key")
    with pytest.raises(AuditLogError, match=r"a key changes only by 'bigmed audit rotate-key'"):
        append_audit({"action": "run"}, log_path=log, key=audit_key(other))
    # an unsigned record slipped in by hand
    rec = append_audit({"action": "run"}, log_path=tmp_path / "scratch.jsonl", key=None)
    lines = _lines(log)
    last = json.loads(lines[-1])
    rec.update(seq=5, prev_hash=last["hash"])
    rec["hash"] = record_hash(rec)
    _write(log, lines + [json.dumps(rec)])
    res = verify_audit(log)
    assert "line 5 (seq 5): unsigned record after signed records (its signature was removed)" in res.problems


def test_old_unsigned_log_stays_readable_and_is_sealed(tmp_path, monkeypatch):
    monkeypatch.delenv("BIGMED_PSEUDONYM_KEY_FILE", raising=False)
    monkeypatch.delenv("BIGMED_PSEUDONYM_KEY", raising=False)
    monkeypatch.delenv("BIGMED_AUDIT_KEY_FILE", raising=False)
    log = tmp_path / "audit.jsonl"
    _fill(log, 3)  # written before keys (format 1)
    res = verify_audit(log)
    assert res.ok and res.n_signed == 0 and "a rewrite of the whole log cannot be detected" in res.notes[-1]
    key_file = _key_file(tmp_path)
    monkeypatch.setenv("BIGMED_AUDIT_KEY_FILE", str(key_file))
    assert not verify_audit(log).ok  # with a key, an unsigned log is not trusted until sealed
    seal = seal_audit(log_path=log)
    assert seal["seq"] == 4 and seal["action"] == "seal"
    res = verify_audit(log)
    assert res.ok and res.notes == ["lines 1-3 unsigned (format 1, written without a key); fixed by the chain "
                                    "from the first signed record on"]
    # editing an old unsigned record (even recomputing its hash) breaks the signed seal's prev_hash
    lines = _lines(log)
    rec = json.loads(lines[2])
    rec["user"] = "mallory"
    rec["hash"] = record_hash(rec)
    _write(log, lines[:2] + [json.dumps(rec)] + lines[3:])
    assert verify_audit(log).problems == ["line 4 (seq 4): prev_hash does not match the hash of line 3"]


def test_pseudonym_key_signs_when_no_audit_key_file(tmp_path, monkeypatch):
    monkeypatch.delenv("BIGMED_AUDIT_KEY_FILE", raising=False)
    monkeypatch.delenv("BIGMED_PSEUDONYM_KEY", raising=False)
    pkey = _key_file(tmp_path, "pseudonym.key")
    monkeypatch.setenv("BIGMED_PSEUDONYM_KEY_FILE", str(pkey))
    key = audit_key()
    derived = _hmac.new(bytes.fromhex(pkey.read_text().strip()), b"bigmed-audit-key", hashlib.sha256).digest()
    assert key.secret == derived and key.secret != bytes.fromhex(pkey.read_text().strip())
    rec = append_audit({"action": "run"}, log_path=tmp_path / "a.jsonl")
    assert rec["key_id"] == key.key_id and verify_audit(tmp_path / "a.jsonl").ok


def test_key_rotation(keyed, tmp_path, monkeypatch):
    log, old_file = keyed
    old = audit_key()
    new_file = _key_file(tmp_path / "keys", "new.key")
    rot = rotate_audit_key(new_file, log_path=log)
    assert rot["action"] == "key-rotation" and rot["key_id"] == old.key_id
    assert rot["next_key_id"] == audit_key(new_file).key_id and rot["mac"] == old.mac(rot)
    # records after the rotation need the new key
    with pytest.raises(AuditLogError, match="a key changes only by"):
        append_audit({"action": "run"}, log_path=log)
    monkeypatch.setenv("BIGMED_AUDIT_KEY_FILE", str(new_file))
    append_audit({"action": "run"}, log_path=log)
    res = verify_audit(log)  # only the new key: old records fixed by the chain, noted
    assert res.ok and res.n_records == 7
    assert res.notes == [f"5 record(s) signed with key id {old.key_id} (lines 1-5), not configured: fixed by the "
                         "chain; give that key (--old-key-file) to check their HMACs"]
    res = verify_audit(log, old_keys=[old])
    assert res.ok and res.notes == []
    # an old record rewritten with the old key after rotation still breaks the chain under the new key
    lines = _lines(log)
    rec = json.loads(lines[0])
    rec["user"] = "mallory"
    rec["hash"] = record_hash(rec)
    rec["mac"] = old.mac(rec)
    _write(log, [json.dumps(rec)] + lines[1:])
    assert verify_audit(log).problems == ["line 2 (seq 2): prev_hash does not match the hash of line 1"]


def test_cli_verify_seal_rotate(keyed, tmp_path):
    from bigmed_utils.cli import main

    log, _ = keyed
    runner = CliRunner()
    res = runner.invoke(main, ["audit", "verify", "--log", str(log)])
    assert res.exit_code == 0 and "4 records, 4 signed, intact (last seq 4, mac " in res.output
    new_file = _key_file(tmp_path / "keys", "new.key")
    res = runner.invoke(main, ["audit", "rotate-key", "--log", str(log), "--new-key-file", str(new_file)])
    assert res.exit_code == 0 and "names the next key id" in res.output
    res = runner.invoke(main, ["audit", "verify", "--log", str(log), "--key-file", str(new_file)])
    assert res.exit_code == 0 and "6 records, 6 signed, intact" in res.output
    lines = _lines(log)
    _write(log, lines[:-2] + lines[-1:])
    res = runner.invoke(main, ["audit", "verify", "--log", str(log), "--key-file", str(new_file)])
    assert res.exit_code == 1 and "TAMPERED" in res.output and "Traceback" not in res.output
