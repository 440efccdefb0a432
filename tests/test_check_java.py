"""Without Java, or with Java < 11, `make demo` and `make test` stop before any work with one line saying how
to install it (tools/check_java.sh, the first prerequisite of both targets)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ["sh", "sed", "head", "cut", "mkdir", "touch"]  # what the Makefile's check needs, nothing more


def _project(tmp_path: Path, java_version: str | None) -> tuple[Path, dict]:
    """A copy of the Makefile and tools/ (no .venv) and a PATH with a fake ``java`` (or none)."""
    project = tmp_path / "project"
    (project / "tools").mkdir(parents=True)
    shutil.copy(ROOT / "Makefile", project / "Makefile")
    shutil.copy(ROOT / "tools" / "check_java.sh", project / "tools" / "check_java.sh")
    shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in TOOLS:
        (bin_dir / tool).symlink_to(shutil.which(tool))
    if java_version is not None:
        java = bin_dir / "java"
        # `java -version` prints to stderr, as the real one does
        java.write_text(f'#!/bin/sh\necho \'openjdk version "{java_version}" 2021-01-19\' >&2\n')
        java.chmod(0o755)
    return project, dict(os.environ, PATH=str(bin_dir))


@pytest.mark.parametrize("target", ["demo", "test"])
@pytest.mark.parametrize("java_version, says", [
    (None, "bigmed: Java not found: Hail needs Java 11 or newer; install it with"),
    ("1.8.0_292", "bigmed: Java 1.8.0_292 found: Hail needs Java 11 or newer; install it with"),
    ("10.0.2", "bigmed: Java 10.0.2 found: Hail needs Java 11 or newer; install it with"),
])
def test_make_stops_before_any_work_without_java_11(tmp_path, target, java_version, says):
    project, env = _project(tmp_path, java_version)
    result = subprocess.run([shutil.which("make"), "-s", target, "PYTHON=python3"], cwd=project, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert result.stdout == ""
    lines = [line for line in result.stderr.splitlines() if not line.startswith("make")]
    assert len(lines) == 1 and lines[0].startswith(says), result.stderr
    assert "apt-get install openjdk-17-jre-headless" in lines[0]
    assert not (project / ".venv").exists()  # no work done


def test_java_17_passes_the_check(tmp_path):
    project, env = _project(tmp_path, "17.0.15")
    result = subprocess.run(["sh", "tools/check_java.sh"], cwd=project, env=env, capture_output=True, text=True)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
