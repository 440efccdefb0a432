"""File-system helpers shared by the package: atomic writes, sha256 digests and code fingerprints.

An atomic write goes to a temporary file in the target's own folder (same file system) and is renamed over the
target with :func:`os.replace`, so a reader sees the old file or the new one, never half of it; the temporary
name carries the process, the thread and a random part, so concurrent writers never share one.
"""

from __future__ import annotations

import hashlib
import os
import threading
import uuid
from pathlib import Path

#: read size for hashing files (1 MiB)
_CHUNK = 1 << 20


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file beside it, then :func:`os.replace`); return the path."""
    target = Path(path)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def atomic_write_text(path: str | os.PathLike, text: str, *, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically (see :func:`atomic_write_bytes`); return the path."""
    return atomic_write_bytes(path, text.encode(encoding))


def sha256_bytes(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | os.PathLike) -> str:
    """Hex sha256 of a file's bytes, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def code_fingerprint(modules: tuple[str, ...], *, prefix: str = "") -> str:
    """16 hex digits of sha256 over ``prefix`` and the source of package ``modules`` (``"io/vcf.py"``): the
    version of the code that computes a cached result."""
    root = Path(__file__).resolve().parent
    h = hashlib.sha256(prefix.encode())
    for rel in modules:
        try:
            h.update((root / rel).read_bytes())
        except OSError:
            h.update(rel.encode())
    return h.hexdigest()[:16]


__all__ = ["atomic_write_bytes", "atomic_write_text", "code_fingerprint", "sha256_bytes", "sha256_file"]

