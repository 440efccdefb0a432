"""An append-only audit trail in JSON lines, each record chained to the one before and signed with the
lab's key (HMAC-SHA256).

Every ``run``, ``batch`` and ``export`` appends one record (one line; shown wrapped)::

    {"seq": 7, "time": "2026-11-29T12:00:00Z", "user": "anna", "host": "lab-01", "action": "run",
     "analysis": "rare_disease", "inputs": [{"name": "vcf", "sha256": "..."}], "outputs": ["RD001/report.html"],
     "result": "success", "detail": null, "prev_hash": "<hash of record 6>", "hash": "<sha256 of this record>",
     "key_id": "<16 hex digits naming the key>", "mac": "<HMAC-SHA256 of this record under the key>"}

``hash`` is the sha256 of the record without ``hash`` and ``mac`` as canonical JSON (sorted keys, no spaces,
UTF-8), ``prev_hash`` the ``hash`` of the record before (64 zeros for the first). ``mac`` is
HMAC-SHA256(key, ``"bigmed-audit-v2\\0"`` + canonical JSON of the record without ``mac``): it covers
``prev_hash``, so a signed record fixes every record before it. :func:`verify_audit` names the line of

* an edited record (its hash no longer matches; or, with a recomputed hash, its HMAC or the next record's
  ``prev_hash`` no longer matches);
* a removed or reordered record (``seq`` and the ``prev_hash`` chain break);
* a log rewritten whole with recomputed hashes: without the key the HMACs cannot be recomputed, so
  verification fails ("HMAC does not match: the record was rewritten without the key"), and a rewrite that
  drops the HMACs leaves no record signed with the key, which is reported too.

The key
    ``$BIGMED_AUDIT_KEY_FILE`` (its own key: hex or base64, 16+ bytes, mode 600, outside any git work tree),
    else the pseudonym key (``$BIGMED_PSEUDONYM_KEY_FILE`` / ``$BIGMED_PSEUDONYM_KEY``), from which a separate
    audit key is derived (HMAC(pseudonym key, ``"bigmed-audit-key"``): an audit MAC reveals nothing about
    pseudonyms). ``key_id`` is the first 16 hex digits of sha256(``"bigmed-audit-key-id\\0"`` + audit key): it
    names a key without revealing it. Without any key, records are written unsigned (format 1, below) and
    verification says so.

Key rotation (``bigmed audit rotate-key --new-key-file NEW``, run with the old key configured)
    appends a ``key-rotation`` record signed by the OLD key whose ``next_key_id`` names the NEW key's id;
    then point ``$BIGMED_AUDIT_KEY_FILE`` to the new key. Records after the rotation must be signed with the
    new key. A verifier holding only the new key checks every record signed with it; the records signed
    with a retired key are still fixed by the chain (the first new-key record signs the rotation record's
    hash, which covers everything before it); give the retired key with ``--old-key-file`` to check their
    own HMACs too. Keep retired keys as long as the log.

Old logs (format 1: records without ``key_id``/``mac``, written before keys or without a key) stay
readable: their hash chain is verified as before. Once a key is configured the next record appended (any
run, or ``bigmed audit seal``) is signed and seals them: from then on a rewrite of the old records breaks
that signed record. Unsigned records after a signed one are reported (a downgrade).

Limits: removing the LAST records leaves a valid shorter log; keep the last ``seq`` and ``mac`` that
``bigmed audit verify`` prints somewhere else (or ship the log to write-once storage) to close that gap.

Writers take an exclusive ``fcntl.flock`` on the log, so concurrent batch workers never interleave or
fork the chain, and ``fsync`` each record before releasing the lock.

The log is ``$BIGMED_AUDIT_LOG``, else ``audit.jsonl`` in the user's data folder (platformdirs'
``user_data_dir("bigmed")``, e.g. ``~/.local/share/bigmed/audit.jsonl``), outside any repository.
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
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
    "ENV_AUDIT_KEY_FILE",
    "ENV_AUDIT_LOG",
    "GENESIS_HASH",
    "AuditKey",
    "audit_key",
    "rotate_audit_key",
    "seal_audit",
    "AuditLogError",
    "AuditVerification",
    "append_audit",
    "default_audit_log",
    "record_hash",
    "run_audit_fields",
    "verify_audit",
]

ENV_AUDIT_LOG = "BIGMED_AUDIT_LOG"
ENV_AUDIT_KEY_FILE = "BIGMED_AUDIT_KEY_FILE"
GENESIS_HASH = "0" * 64
#: fields a caller may set; seq, time, user, host, prev_hash and hash are filled in by append_audit
FIELDS = ("action", "analysis", "inputs", "outputs", "result", "detail")
RECORD_KEYS = ("seq", "time", "user", "host", *FIELDS, "prev_hash", "hash")
#: fields of a signed record (format 2) besides RECORD_KEYS; ``next_key_id`` only in a key-rotation record
SIGNED_KEYS = ("key_id", "mac")
_MAC_CONTEXT = b"bigmed-audit-v2\x00"
_KEY_ID_CONTEXT = b"bigmed-audit-key-id\x00"
_DERIVE_CONTEXT = b"bigmed-audit-key"


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
    """sha256 (hex) of the canonical JSON of ``record`` without its ``hash`` and ``mac`` fields."""
    body = {k: v for k, v in record.items() if k not in ("hash", "mac")}
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class AuditKey:
    """An audit signing key: its bytes, its public ``key_id`` and where it came from (for messages)."""

    secret: bytes = field(repr=False)
    source: str = ""

    @property
    def key_id(self) -> str:
        return hashlib.sha256(_KEY_ID_CONTEXT + self.secret).hexdigest()[:16]

    def mac(self, record: Mapping[str, Any]) -> str:
        body = {k: v for k, v in record.items() if k != "mac"}
        return hmac.new(self.secret, _MAC_CONTEXT + canonical_json(body).encode("utf-8"), hashlib.sha256).hexdigest()


def _read_key_file(path: Path, what: str) -> bytes:
    from .pseudonyms import _decode_key, _git_work_tree

    if not path.is_file():
        raise ParameterError(f"{what} not found: {path}")
    resolved = path.resolve()
    tree = _git_work_tree(resolved)
    if tree is not None:
        raise ParameterError(f"{what} {path} lies inside the git work tree {tree}: keys must live outside the repository")
    if os.name == "posix" and os.stat(resolved).st_mode & 0o077:
        raise ParameterError(f"{what} {path} can be read by group or others: chmod 600 {path}")
    try:
        return _decode_key(resolved.read_text(encoding="ascii", errors="replace"), source=f"file {path}")
    except ParameterError as err:
        raise ParameterError(str(err).replace("pseudonym key file", what, 1)) from None


def audit_key(key_file: str | os.PathLike | None = None) -> AuditKey | None:
    """The audit key: ``key_file``, else ``$BIGMED_AUDIT_KEY_FILE``, else derived from the pseudonym key
    (``$BIGMED_PSEUDONYM_KEY_FILE`` / ``$BIGMED_PSEUDONYM_KEY``); ``None`` when none is configured.

    Raises
    ------
    ParameterError
        A configured key file is missing, unreadable by mode, inside a git work tree or not a 16+ byte key.
    """
    name = key_file or os.environ.get(ENV_AUDIT_KEY_FILE)
    if name:
        path = Path(name).expanduser()
        return AuditKey(_read_key_file(path, "audit key file"), source=str(path))
    from .pseudonyms import ENV_KEY, ENV_KEY_FILE, load_key

    if not (os.environ.get(ENV_KEY_FILE) or os.environ.get(ENV_KEY)):
        return None
    secret = hmac.new(load_key(), _DERIVE_CONTEXT, hashlib.sha256).digest()
    return AuditKey(secret, source=f"derived from the pseudonym key (${ENV_KEY_FILE})")


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


_AUTO = "auto"


def append_audit(
    record_fields: Mapping[str, Any],
    *,
    log_path: str | os.PathLike | None = None,
    key: AuditKey | None | str = _AUTO,
) -> dict[str, Any]:
    """Append one record to the audit log and return it (with ``seq``, ``prev_hash``, ``hash`` and, with a
    key, ``key_id`` and ``mac``).

    Parameters
    ----------
    record_fields
        ``action`` (``'run'``, ``'batch'``, ``'export'``, ...; required), ``analysis``, ``inputs``
        (``[{"name", "sha256"}]``), ``outputs`` (relative paths or names), ``result`` (``'success'``,
        ``'failed'``, ...) and ``detail`` (short text). ``user``/``host``/``time`` may be given (tests);
        they default to the OS user, the host name and now (UTC).
    log_path
        The log; default :func:`default_audit_log`.
    key
        The signing key; default :func:`audit_key` (``None``: no key configured, an unsigned record).

    Raises
    ------
    ParameterError
        No ``action``, or an unknown field.
    AuditLogError
        The last line of the log is not a complete record (run ``bigmed audit verify``): the chain is
        never continued from a damaged log. Or the log is signed and no key, or another key than the one
        it expects, is configured (a key changes only by ``bigmed audit rotate-key``).
    """
    unknown = sorted(set(record_fields) - set(FIELDS) - {"user", "host", "time"})
    if unknown:
        raise ParameterError(f"audit record: unknown field '{unknown[0]}' (known: {', '.join(FIELDS)})")
    if not record_fields.get("action"):
        raise ParameterError("audit record: 'action' is required (run, batch, export, ...)")
    return _append(record_fields, log_path=log_path, key=audit_key() if key == _AUTO else key)


def _append(record_fields: Mapping[str, Any], *, log_path: str | os.PathLike | None, key: AuditKey | None,
            next_key: AuditKey | None = None) -> dict[str, Any]:
    path = Path(log_path).expanduser() if log_path else default_audit_log()
    with _locked(path) as fh:
        last, n_lines = _last_line(fh)
        if last and not last.endswith(b"\n"):
            raise AuditLogError(
                f"audit log {path}: line {n_lines} is incomplete; run 'bigmed audit verify' before writing more"
            )
        prev_seq, prev_hash, prev = 0, GENESIS_HASH, {}
        if last.strip():
            try:
                prev = json.loads(last)
                prev_seq, prev_hash = int(prev["seq"]), str(prev["hash"])
            except (ValueError, KeyError, TypeError):
                raise AuditLogError(
                    f"audit log {path}: line {n_lines} is not a valid record; run 'bigmed audit verify'"
                ) from None
        expected = prev.get("next_key_id") or prev.get("key_id")
        if expected and key is None:
            raise AuditLogError(
                f"audit log {path} is signed (key id {expected}) but no audit key is configured "
                f"(${ENV_AUDIT_KEY_FILE} or the pseudonym key): an unsigned record is not appended"
            )
        if expected and key is not None and key.key_id != expected:
            raise AuditLogError(
                f"audit log {path} is signed with key id {expected}, the configured key is {key.key_id}: "
                "a key changes only by 'bigmed audit rotate-key' run with the old key configured"
            )
        record: dict[str, Any] = {
            "seq": prev_seq + 1,
            "time": record_fields.get("time")
            or datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "user": record_fields.get("user") or getpass.getuser(),
            "host": record_fields.get("host") or socket.gethostname(),
            **{k: _plain(record_fields.get(k)) for k in FIELDS},
            "prev_hash": prev_hash,
        }
        if key is not None:
            record["key_id"] = key.key_id
            if next_key is not None:
                record["next_key_id"] = next_key.key_id
        record["hash"] = record_hash(record)
        if key is not None:
            record["mac"] = key.mac(record)
        fh.seek(0, os.SEEK_END)
        fh.write((canonical_json(record) + "\n").encode("utf-8"))
        fh.flush()
        os.fsync(fh.fileno())
    return record


def rotate_audit_key(new_key_file: str | os.PathLike, *, log_path: str | os.PathLike | None = None,
                     key: AuditKey | None | str = _AUTO) -> dict[str, Any]:
    """Append a ``key-rotation`` record signed by the current key that names the new key's ``key_id``.

    Afterwards point ``$BIGMED_AUDIT_KEY_FILE`` to ``new_key_file``; keep the old key to verify old records.

    Raises
    ------
    ParameterError
        No current key (nothing to rotate from: configure a key and ``bigmed audit seal`` instead), or the
        new key file is missing/unsafe, or it is the current key.
    """
    current = audit_key() if key == _AUTO else key
    if current is None:
        raise ParameterError(f"no current audit key to rotate from (${ENV_AUDIT_KEY_FILE}); to start signing, "
                             f"set ${ENV_AUDIT_KEY_FILE} and run 'bigmed audit seal'")
    new = audit_key(new_key_file)
    assert new is not None
    if new.key_id == current.key_id:
        raise ParameterError(f"{new_key_file}: the new audit key is the current key (key id {new.key_id})")
    record = _append({"action": "key-rotation", "result": "success", "detail": f"next key id {new.key_id}"},
                     log_path=log_path, key=current, next_key=new)
    seal_audit(log_path=log_path, key=new)  # the log ends signed by the new key: verifiable with it alone
    return record


def seal_audit(*, log_path: str | os.PathLike | None = None, key: AuditKey | None | str = _AUTO) -> dict[str, Any]:
    """Append a ``seal`` record signed with the key: it fixes every record before it (unsigned old ones too).

    Raises
    ------
    ParameterError
        No audit key is configured.
    """
    k = audit_key() if key == _AUTO else key
    if k is None:
        raise ParameterError(f"no audit key configured: set ${ENV_AUDIT_KEY_FILE} (a file holding "
                             "secrets.token_hex(32), mode 600, outside the repository)")
    return _append({"action": "seal", "result": "success", "detail": "signs every record before it"},
                   log_path=log_path, key=k)


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
    #: what the check could not cover (unsigned old records, records of a retired key): information
    notes: list[str] = field(default_factory=list)
    last_seq: int | None = None
    #: the last record's HMAC (keep it elsewhere to detect removed last records)
    last_mac: str | None = None
    n_signed: int = 0


def verify_audit(
    log_path: str | os.PathLike | None = None,
    *,
    key: AuditKey | None | str = _AUTO,
    old_keys: tuple[AuditKey, ...] | list[AuditKey] = (),
) -> AuditVerification:
    """Check the hash chain and the HMACs of the audit log.

    Reports, naming the line (1-based) and ``seq``:

    * ``line N (seq S): hash mismatch, the record was edited``;
    * ``line N (seq S): HMAC does not match: the record was rewritten without the key``;
    * ``line N (seq S): seq jumps from A to S, N-1 record(s) removed`` (or ``seq S follows A, records
      reordered or duplicated``) and ``line N (seq S): prev_hash does not match the hash of line N-1``;
    * ``line 1 (seq S): prev_hash is not the genesis hash, records removed from the start``;
    * ``line N: truncated or garbled last line`` / ``line N: not a JSON record``;
    * ``line N (seq S): missing field(s) ...``;
    * an unsigned record after signed ones, a key change without a rotation record, a last record that no
      configured key signed, or (with a key configured) no signed record at all.

    Parameters
    ----------
    key
        The current audit key; default :func:`audit_key`. ``None``: check the hash chain only.
    old_keys
        Retired keys, to check the HMACs of the records they signed.

    A log that does not exist yet is valid and empty.
    """
    path = Path(log_path).expanduser() if log_path else default_audit_log()
    current = audit_key() if key == _AUTO else key
    keyring = {k.key_id: k for k in [*old_keys, current] if k is not None}
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
    sig = _Signatures(keyring)
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
        problems.extend(sig.check(record, number, where))
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
    end_problems, notes = sig.finish(n_records, current)
    problems.extend(end_problems)
    last_hash = prev.get("hash") if prev else None
    return AuditVerification(not problems, n_records, problems, last_hash, path, notes=notes,
                             last_seq=prev.get("seq") if prev else None, last_mac=prev.get("mac") if prev else None,
                             n_signed=sig.n_signed)


class _Signatures:
    """The HMAC side of :func:`verify_audit`: which key signed what, and whether it verifies."""

    def __init__(self, keyring: dict[str, AuditKey]) -> None:
        self.keyring = keyring
        self.expected: str | None = None
        self.n_signed = 0
        self.unsigned: list[int] = []
        self.unknown: dict[str, list[int]] = {}
        self.last_signed_ok: bool | None = None  # the last record: signed and verified by a known key?
        self.last_line = 0

    def check(self, record: Mapping[str, Any], number: int, where: str) -> list[str]:
        out: list[str] = []
        self.last_line = number
        if "mac" not in record and "key_id" not in record:
            self.last_signed_ok = False
            if self.n_signed:
                out.append(f"{where}: unsigned record after signed records (its signature was removed)")
            else:
                self.unsigned.append(number)
            return out
        self.n_signed += 1
        kid, mac = record.get("key_id"), record.get("mac")
        if not isinstance(kid, str) or not isinstance(mac, str):
            self.last_signed_ok = False
            return [f"{where}: missing field(s) {'key_id' if not isinstance(kid, str) else 'mac'}"]
        if self.expected is not None and kid != self.expected:
            out.append(f"{where}: signed with key id {kid}, expected {self.expected} "
                       "(a key changes only by a key-rotation record)")
        k = self.keyring.get(kid)
        if k is None:
            self.unknown.setdefault(kid, []).append(number)
            self.last_signed_ok = False
        elif not hmac.compare_digest(k.mac(record), mac):
            out.append(f"{where}: HMAC does not match: the record was rewritten without the key")
            self.last_signed_ok = False
        else:
            self.last_signed_ok = True
        nxt = record.get("next_key_id")
        self.expected = nxt if isinstance(nxt, str) and record.get("action") == "key-rotation" else kid
        return out

    def finish(self, n_records: int, current: AuditKey | None) -> tuple[list[str], list[str]]:
        problems: list[str] = []
        notes: list[str] = []
        if self.unsigned:
            first, last = self.unsigned[0], self.unsigned[-1]
            span = f"line {first}" if first == last else f"lines {first}-{last}"
            notes.append(f"{span} unsigned (format 1, written without a key)"
                         + ("; fixed by the chain from the first signed record on" if self.n_signed else ""))
        if not self.keyring:
            if self.n_signed:
                problems.append(f"{self.n_signed} signed record(s) but no audit key is configured "
                                f"(${ENV_AUDIT_KEY_FILE}): their HMACs cannot be checked")
            elif n_records:
                notes.append("no audit key configured: a rewrite of the whole log cannot be detected "
                             f"(set ${ENV_AUDIT_KEY_FILE}, then 'bigmed audit seal')")
            return problems, notes
        if n_records and not self.n_signed:
            kid = current.key_id if current else "?"
            problems.append(f"no record is signed with the audit key (key id {kid}): a log written before the "
                            "key, or rewritten without it; if it predates the key, 'bigmed audit seal' signs it")
        elif n_records and not self.last_signed_ok:
            problems.append(f"line {self.last_line}: the last record is not signed by a configured key "
                            f"(configured: {', '.join(sorted(self.keyring))}): the log cannot be trusted")
        for kid, numbers in self.unknown.items():
            notes.append(f"{len(numbers)} record(s) signed with key id {kid} (lines {numbers[0]}-{numbers[-1]}), "
                         "not configured: fixed by the chain; give that key (--old-key-file) to check their HMACs")
        return problems, notes


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
