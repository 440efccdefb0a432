"""Locks for outputs that several processes write: a second writer waits, or says who holds the lock.

Shared outputs (``data/demo`` written by ``bigmed demo``, ``bigmed synth`` and the notebooks' test
collection; the in-house database; the batch run index; a ``bigmed run`` output folder) are written under an
exclusive ``flock(2)`` on a small lock file. The holder writes who it is into that file (pid, host, since,
command), so a second writer can say::

    waiting for the demo data data/demo: locked by pid 4242 on host lab-07 since 2026-12-06T01:40:12+00:00 (bigmed demo)

``flock`` locks are released by the kernel when the holder exits, even when it is killed, so a lock is never
stale; the file stays behind (empty, or with the last holder's record) and is harmless. Work is done in
unique temporary folders (:func:`unique_sibling`) and renamed into place, so a crash never leaves a
half-written output under the final name.

On a network file system ``flock`` works only where the server supports it (NFSv4 does; some SMB mounts do
not): keep shared outputs on local disk or NFSv4.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import socket
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

from ..errors import BigMedError


class LockedError(BigMedError):
    """Another process holds the lock (the message names it: pid, host, since)."""

    #: the holder finishes: trying again later can succeed
    transient = True


@dataclass(frozen=True)
class Holder:
    """Who holds a lock, as written into the lock file by the holder."""

    pid: int | None
    host: str
    since: str
    command: str

    def describe(self) -> str:
        cmd = f" ({self.command})" if self.command else ""
        pid = self.pid if self.pid is not None else "?"
        return f"locked by pid {pid} on host {self.host or '?'} since {self.since or '?'}{cmd}"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _command() -> str:
    argv = [os.path.basename(sys.argv[0])] + sys.argv[1:3] if sys.argv and sys.argv[0] else []
    return " ".join(argv)[:120]


def read_holder(lock_path: str | os.PathLike) -> Holder | None:
    """The holder record in ``lock_path`` (``None`` when empty or unreadable)."""
    try:
        data = json.loads(Path(lock_path).read_text(encoding="utf-8") or "null")
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    pid = data.get("pid")
    return Holder(pid=pid if isinstance(pid, int) else None, host=str(data.get("host", "")),
                  since=str(data.get("since", "")), command=str(data.get("command", "")))


def _stderr(message: str) -> None:
    print(f"bigmed: {message}", file=sys.stderr, flush=True)


@contextmanager
def exclusive(
    lock_path: str | os.PathLike,
    *,
    what: str,
    wait: bool = True,
    timeout: float | None = None,
    echo: Callable[[str], None] | None = _stderr,
    poll: float = 0.5,
) -> Iterator[Path]:
    """Hold an exclusive lock on ``lock_path`` for the ``with`` block.

    Parameters
    ----------
    lock_path
        The lock file (created with its folder; never removed).
    what
        What the lock protects, for messages (``"the demo data data/demo"``).
    wait
        Wait for the holder to finish (default). With ``False`` a held lock raises :class:`LockedError` at once.
    timeout
        Seconds to wait at most (``None``: as long as it takes); then :class:`LockedError`.
    echo
        Where the one "waiting for ..." line goes (default stderr); ``None`` for silence.
    poll
        Seconds between tries while waiting.

    Raises
    ------
    LockedError
        ``"<what>: locked by pid N on host H since T (command)"`` when not waiting or after ``timeout``.
    """
    path = Path(lock_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fh = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the block
    try:
        deadline = None if timeout is None else time.monotonic() + timeout
        told = False
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = read_holder(path)
                who = holder.describe() if holder else "locked by another process"
                if not wait or (deadline is not None and time.monotonic() >= deadline):
                    raise LockedError(f"{what}: {who}") from None
                if not told and echo is not None:
                    echo(f"waiting for {what}: {who}")
                    told = True
                time.sleep(poll)
        fh.seek(0)
        fh.truncate()
        fh.write(json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "since": _now(),
                             "command": _command()}) + "\n")
        fh.flush()
        try:
            yield path
        finally:
            fh.seek(0)
            fh.truncate()
            fh.flush()
            fcntl.flock(fh, fcntl.LOCK_UN)
    finally:
        fh.close()


def try_lock(lock_path: str | os.PathLike) -> tuple[object | None, Holder | None]:
    """Non-blocking: ``(handle, None)`` when acquired (release with :func:`release`), else ``(None, holder)``."""
    path = Path(lock_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fh = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held until release()
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.close()
        return None, read_holder(path)
    fh.seek(0)
    fh.truncate()
    fh.write(json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "since": _now(),
                         "command": _command()}) + "\n")
    fh.flush()
    return fh, None


def release(handle: object | None) -> None:
    """Release a lock taken with :func:`try_lock`."""
    if handle is None:
        return
    fh = handle  # type: ignore[assignment]
    try:
        fh.seek(0)  # type: ignore[attr-defined]
        fh.truncate()  # type: ignore[attr-defined]
        fh.flush()  # type: ignore[attr-defined]
        fcntl.flock(fh, fcntl.LOCK_UN)
    finally:
        fh.close()  # type: ignore[attr-defined]


def lock_file_for(target: str | os.PathLike, tag: str = "lock") -> Path:
    """The lock file of an output ``target``: ``<parent>/.<name>.<tag>`` (beside it, hidden)."""
    t = Path(target)
    return t.with_name(f".{t.name}.{tag}")


def unique_sibling(target: str | os.PathLike, tag: str = "partial") -> Path:
    """A new, unique temporary folder name beside ``target`` (``.<name>.<tag>-<pid>-<random>``)."""
    t = Path(target)
    return t.with_name(f".{t.name}.{tag}-{os.getpid()}-{uuid.uuid4().hex[:8]}")


def replace_folder(new: Path, target: Path) -> None:
    """Put the complete folder ``new`` at ``target``, removing what was there (hold ``target``'s lock)."""
    old = None
    if target.exists():
        old = unique_sibling(target, "old")
        target.rename(old)
    new.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def remove_abandoned(target: str | os.PathLike, tag: str = "partial", *, older_than: float = 6 * 3600) -> None:
    """Remove temporary siblings of ``target`` left by killed processes (older than ``older_than`` seconds)."""
    t = Path(target)
    if not t.parent.is_dir():
        return
    now = time.time()
    for entry in t.parent.glob(f".{t.name}.{tag}-*"):
        try:
            if now - entry.stat().st_mtime > older_than:
                shutil.rmtree(entry, ignore_errors=True)
        except OSError:
            continue


__all__ = ["Holder", "LockedError", "exclusive", "lock_file_for", "read_holder", "release", "remove_abandoned",
           "replace_folder", "try_lock", "unique_sibling"]
