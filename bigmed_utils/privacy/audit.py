"""An append-only audit trail in JSON lines, each record chained to the one before by its sha256.

Every ``run``, ``batch`` and ``export`` appends one record::

    {"seq": 7, "time": "2026-11-29T12:00:00Z", "user": "anna", "host": "lab-01", "action": "run",
     "analysis": "rare_disease", "inputs": [{"name": "vcf", "sha256": "..."}], "outputs": ["RD001/report.html"],
     "result": "success", "detail": null, "prev_hash": "<hash of record 6>", "hash": "<sha256 of this record>"}

``hash`` is the sha256 of the record without ``hash`` as canonical JSON (sorted keys, no spaces, UTF-8),
``prev_hash`` the ``hash`` of the record before (64 zeros for the first). An edited record no longer matches
its hash; a removed or reordered record breaks ``seq`` and the ``prev_hash`` chain; :func:`verify_audit`
names the line. Limits (inherent to an unkeyed hash chain): removing the last records, or rewriting the
whole file with recomputed hashes, is not detectable from the file alone; keep a copy of the last hash
(``verify_audit(...).last_hash``) elsewhere, or ship the log to write-once storage, to close that gap.

Writers take an exclusive ``fcntl.flock`` on the log, so concurrent batch workers never interleave or
fork the chain, and ``fsync`` each record before releasing the lock.

The log is ``$BIGMED_AUDIT_LOG``, else ``audit.jsonl`` in the user's data folder (platformdirs'
``user_data_dir("bigmed")``, e.g. ``~/.local/share/bigmed/audit.jsonl``), outside any repository.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import socket
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any, Iterator, Mapping

from ..errors import BigMedError, ParameterError

__all__ = [
    "ENV_AUDIT_LOG",
    "GENESIS_HASH",
    "AuditLogError",
    "AuditVerification",
    "append_audit",
    "default_audit_log",
    "record_hash",
    "run_audit_fields",
    "verify_audit",
]

ENV_AUDIT_LOG = "BIGMED_AUDIT_LOG"
GENESIS_HASH = "0" * 64
#: fields a caller may set; seq, time, user, host, prev_hash and hash are filled in by append_audit
FIELDS = ("action", "analysis", "inputs", "outputs", "result", "detail")
RECORD_KEYS = ("seq", "time", "user", "host", *FIELDS, "prev_hash", "hash")


class AuditLogError(BigMedError):
    """The audit log cannot be written (its last line is damaged, or the file cannot be locked)."""


def default_audit_log() -> Path:
    """``$BIGMED_AUDIT_LOG``, else ``audit.jsonl`` in the user's data folder (outside the repository)."""
    env = os.environ.get(ENV_AUDIT_LOG)
    if env:
        return Path(env).expanduser()
    try:
        from platformdirs import user_data_dir

        folder = Path(user_data_dir("bigmed", appauthor=False))
    except ImportError:  # XDG Base Directory rules
        base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        folder = Path(base) / "bigmed"
    return folder / "audit.jsonl"


def canonical_json(record: Mapping[str, Any]) -> str:
    """Sorted keys, no spaces, non-ASCII kept: the bytes that are hashed."""
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def record_hash(record: Mapping[str, Any]) -> str:
    """sha256 (hex) of the canonical JSON of ``record`` without its ``hash`` field."""
    body = {k: v for k, v in record.items() if k != "hash"}
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


@contextmanager
def _locked(path: Path) -> Iterator[IO[bytes]]:
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        except OSError as err:
            raise AuditLogError(f"audit log {path}: cannot lock it ({err})") from None
        try:
            yield fh
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _last_line(fh: IO[bytes]) -> tuple[bytes, int]:
    """The last line of the open file (without its newline) and the number of lines."""
    fh.seek(0)
    last, count = b"", 0
    for line in fh:  # logs are small (one line per run); a full scan also counts lines for messages
        last, count = line, count + 1
    return last, count


def append_audit(record_fields: Mapping[str, Any], *, log_path: str | os.PathLike | None = None) -> dict[str, Any]:
    """Append one record to the audit log and return it (with ``seq``, ``prev_hash`` and ``hash``).

    Parameters
    ----------
    record_fields
        ``action`` (``'run'``, ``'batch'``, ``'export'``, ...; required), ``analysis``, ``inputs``
        (``[{"name", "sha256"}]``), ``outputs`` (relative paths or names), ``result`` (``'success'``,
        ``'failed'``, ...) and ``detail`` (short text). ``user``/``host``/``time`` may be given (tests);
        they default to the OS user, the host name and now (UTC).
    log_path
        The log; default :func:`default_audit_log`.

    Raises
    ------
    ParameterError
        No ``action``, or an unknown field.
    AuditLogError
        The last line of the log is not a complete record (run ``bigmed audit verify``): the chain is
        never continued from a damaged log.
    """
    unknown = sorted(set(record_fields) - set(FIELDS) - {"user", "host", "time"})
    if unknown:
        raise ParameterError(f"audit record: unknown field '{unknown[0]}' (known: {', '.join(FIELDS)})")
    if not record_fields.get("action"):
        raise ParameterError("audit record: 'action' is required (run, batch, export, ...)")
    path = Path(log_path).expanduser() if log_path else default_audit_log()
    with _locked(path) as fh:
        last, n_lines = _last_line(fh)
        if last and not last.endswith(b"\n"):
            raise AuditLogError(
                f"audit log {path}: line {n_lines} is incomplete; run 'bigmed audit verify' before writing more"
            )
        prev_seq, prev_hash = 0, GENESIS_HASH
        if last.strip():
            try:
                prev = json.loads(last)
                prev_seq, prev_hash = int(prev["seq"]), str(prev["hash"])
            except (ValueError, KeyError, TypeError):
                raise AuditLogError(
                    f"audit log {path}: line {n_lines} is not a valid record; run 'bigmed audit verify'"
                ) from None
        record: dict[str, Any] = {
            "seq": prev_seq + 1,
            "time": record_fields.get("time")
            or datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "user": record_fields.get("user") or getpass.getuser(),
            "host": record_fields.get("host") or socket.gethostname(),
            **{k: _plain(record_fields.get(k)) for k in FIELDS},
            "prev_hash": prev_hash,
        }
        record["hash"] = record_hash(record)
        fh.seek(0, os.SEEK_END)
        fh.write((canonical_json(record) + "\n").encode("utf-8"))
        fh.flush()
        os.fsync(fh.fileno())
    return record


def _plain(value: Any) -> Any:
    """JSON-safe copy (paths and other objects as strings), so that the hash is of what is written."""
    return json.loads(json.dumps(value, default=str)) if value is not None else None


@dataclass
class AuditVerification:
    """Result of :func:`verify_audit`: ``ok``, ``n_records`` read, ``problems`` (one line each)."""

    ok: bool
    n_records: int
    problems: list[str] = field(default_factory=list)
    last_hash: str | None = None
    log_path: Path | None = None


def verify_audit(log_path: str | os.PathLike | None = None) -> AuditVerification:
    """Check the hash chain of the audit log.

    Reports, naming the line (1-based) and ``seq``:

    * ``line N (seq S): hash mismatch, the record was edited``;
    * ``line N (seq S): seq jumps from A to S, N-1 record(s) removed`` (or ``seq S follows A, records
      reordered or duplicated``) and ``line N (seq S): prev_hash does not match the hash of line N-1``;
    * ``line 1 (seq S): prev_hash is not the genesis hash, records removed from the start``;
    * ``line N: truncated or garbled last line`` / ``line N: not a JSON record``;
    * ``line N (seq S): missing field(s) ...``.

    A log that does not exist yet is valid and empty.
    """
    path = Path(log_path).expanduser() if log_path else default_audit_log()
    if not path.exists():
        return AuditVerification(True, 0, [], None, path)
    raw = path.read_bytes()
    lines = raw.split(b"\n")
    complete_end = raw.endswith(b"\n") or raw == b""
    if lines and lines[-1] == b"":
        lines.pop()
    problems: list[str] = []
    all_seqs = set()
    for line in lines:
        try:
            all_seqs.add(json.loads(line)["seq"])
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            pass
    prev: dict[str, Any] | None = None
    prev_line = 0
    n_records = 0
    for number, line in enumerate(lines, start=1):
        is_last = number == len(lines)
        try:
            record = json.loads(line.decode("utf-8"))
            if not isinstance(record, dict):
                raise ValueError("not an object")
        except (ValueError, UnicodeDecodeError):
            problems.append(
                f"line {number}: truncated or garbled last line" if is_last else f"line {number}: not a JSON record"
            )
            continue
        if is_last and not complete_end:
            problems.append(f"line {number}: truncated or garbled last line")
        missing = [k for k in RECORD_KEYS if k not in record]
        seq = record.get("seq")
        where = f"line {number} (seq {seq})"
        if missing:
            problems.append(f"{where}: missing field(s) {', '.join(missing)}")
            prev, prev_line = record, number
            continue
        n_records += 1
        if record_hash(record) != record["hash"]:
            problems.append(f"{where}: hash mismatch, the record was edited")
        if prev is None:
            if record["prev_hash"] != GENESIS_HASH:
                problems.append(f"{where}: prev_hash is not the genesis hash, records removed from the start")
            elif seq != 1:
                problems.append(f"{where}: first record has seq {seq}, expected 1")
        else:
            prev_seq = prev.get("seq")
            if isinstance(prev_seq, int) and isinstance(seq, int) and seq != prev_seq + 1:
                skipped = set(range(prev_seq + 1, seq))
                if seq > prev_seq + 1 and not skipped <= all_seqs:
                    problems.append(f"{where}: seq jumps from {prev_seq} to {seq}, {len(skipped - all_seqs)} record(s) removed")
                else:
                    problems.append(f"{where}: seq {seq} follows {prev_seq}, records reordered or duplicated")
            if record["prev_hash"] != prev.get("hash"):
                problems.append(f"{where}: prev_hash does not match the hash of line {prev_line}")
        prev, prev_line = record, number
    last_hash = prev.get("hash") if prev else None
    return AuditVerification(not problems, n_records, problems, last_hash, path)


def run_audit_fields(
    run_dir: str | os.PathLike,
    *,
    action: str = "run",
    result: str = "success",
    detail: str | None = None,
    analysis: str | None = None,
) -> dict[str, Any]:
    """Audit fields of a run folder from its ``provenance.json``: analysis, inputs (name + sha256), outputs.

    Outputs are the folder's files relative to the folder's parent (``RD001/report.html``), never
    absolute. A folder without provenance (a failed run) gives the inputs as ``[]``.
    """
    folder = Path(run_dir)
    provenance: dict[str, Any] = {}
    prov_file = folder / "provenance.json"
    if prov_file.is_file():
        try:
            provenance = json.loads(prov_file.read_text(encoding="utf-8"))
        except ValueError:
            provenance = {}
    inputs = [
        {"name": name, "sha256": info.get("sha256")}
        for name, info in sorted((provenance.get("inputs") or {}).items())
        if isinstance(info, Mapping)
    ]
    outputs = sorted(
        str(p.relative_to(folder.parent)) for p in folder.glob("*") if p.is_file()
    ) if folder.is_dir() else []
    return {
        "action": action,
        "analysis": analysis or provenance.get("analysis"),
        "inputs": inputs,
        "outputs": outputs,
        "result": result,
        "detail": detail,
    }
