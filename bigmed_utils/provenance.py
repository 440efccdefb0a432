"""``provenance.json``: what produced a result, so that it can be traced and reproduced.

Parameters, the sha256 of every input file, versions of bigmed_utils, Hail, Python and Java, the project's
git commit when known, the bundled data manifest, start and end time, wall time and host.
"""

from __future__ import annotations

import getpass
import platform
import re
import socket
import subprocess
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Iterable, Mapping

from ._fs import sha256_file

PROVENANCE_FILE = "provenance.json"


def input_files(params: Mapping[str, Any]) -> dict[str, str]:
    """Every existing file named by a parameter (folders expanded to their files), by parameter name.

    Keys are ``name`` for a file, ``name/relative/path`` for files inside a folder parameter; values are
    absolute paths. Index files beside a VCF (``.tbi``/``.csi``) are included, since they change results.
    Stores of earlier cases (``inhouse_db``) are knowledge, not inputs: their version is recorded under
    ``knowledge`` (:mod:`bigmed_utils.knowledge`), so a growing store does not make a case "changed".
    """
    from .knowledge import STORE_PARAMS

    found: dict[str, str] = {}

    def visit(name: str, value: Any) -> None:
        if isinstance(value, (list, tuple)):
            for i, v in enumerate(value):
                visit(f"{name}[{i}]", v)
            return
        if not isinstance(value, (str, Path)) or not str(value) or len(str(value)) > 4096:
            return
        path = Path(value)
        try:
            if path.is_file():
                found[name] = str(path.resolve())
                for ext in (".tbi", ".csi"):
                    index = Path(str(path) + ext)
                    if index.is_file():
                        found[name + ext] = str(index.resolve())
            elif path.is_dir() and path.suffix not in (".ht", ".mt"):
                for f in sorted(p for p in path.rglob("*") if p.is_file()):
                    found[f"{name}/{f.relative_to(path)}"] = str(f.resolve())
        except OSError:
            return

    for key, val in params.items():
        if key not in STORE_PARAMS:
            visit(key, val)
    return found


def hash_inputs(params: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """``{name: {"file": basename, "sha256": ..., "bytes": ...}}`` for :func:`input_files`."""
    out = {}
    for name, path in input_files(params).items():
        p = Path(path)
        out[name] = {"file": p.name, "sha256": sha256_file(p), "bytes": p.stat().st_size}
    return out


def java_version() -> str | None:
    """The ``java -version`` of the JVM on PATH (Hail's runtime), e.g. ``17.0.15``."""
    try:
        res = subprocess.run(["java", "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r'version "([^"]+)"', res.stderr + res.stdout)
    return match.group(1) if match else None


def git_commit(path: str | Path | None = None) -> str | None:
    """The git commit of the project checkout holding ``path`` (``+dirty`` when changed), if any."""
    folder = Path(path or Path(__file__).resolve().parent)
    try:
        head = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10
        )
        if head.returncode != 0:
            return None
        dirty = subprocess.run(
            ["git", "-C", str(folder), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True, text=True, timeout=30,
        )
        return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.TimeoutExpired):
        return None


def package_versions(names: Iterable[str] = ("bigmed-utils", "hail", "papermill", "pandas", "hpo3", "pyspark")) -> dict[str, str | None]:
    """Installed versions of the packages that shape results."""
    out: dict[str, str | None] = {}
    for name in names:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


def data_manifest() -> dict[str, Any]:
    """The bundled data manifest cited by every run: its sha256 and the files it lists."""
    from ._resources import data_path

    import yaml

    path = data_path("MANIFEST.yaml")
    manifest = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {
        "manifest_sha256": sha256_file(path),
        "files": [
            {k: f.get(k) for k in ("path", "source", "version", "licence")} for f in manifest.get("files", [])
        ],
    }


def now() -> datetime:
    return datetime.now(timezone.utc).astimezone()


def build_provenance(
    *,
    analysis: str,
    params: Mapping[str, Any],
    inputs: Mapping[str, Any],
    started: datetime,
    finished: datetime,
    fingerprint: str | None = None,
    hail: Mapping[str, Any] | None = None,
    knowledge: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The provenance record of one run (pure apart from version look-ups).

    ``knowledge`` is :func:`bigmed_utils.knowledge.knowledge_versions` taken when the run started (computed
    here when not given).
    """
    if knowledge is None:
        from .knowledge import knowledge_versions

        knowledge = knowledge_versions(analysis, params)
    return {
        "analysis": analysis,
        "fingerprint": fingerprint,
        "parameters": dict(params),
        "inputs": dict(inputs),
        "versions": {
            **package_versions(),
            "python": platform.python_version(),
            "java": java_version(),
        },
        "git_commit": git_commit(),
        "reference_data": data_manifest(),
        "knowledge": dict(knowledge),
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "wall_seconds": round((finished - started).total_seconds(), 3),
        "host": socket.gethostname(),
        "user": getpass.getuser(),
        "platform": platform.platform(),
        "hail": dict(hail or {}),
    }
