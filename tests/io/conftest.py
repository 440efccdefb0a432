"""Fixtures of the VCF reader tests: a private copy of the hand-made trio and a spy on read_vcf."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bigmed_utils.io import vcf as vcf_module

TRIO = Path(__file__).resolve().parents[1] / "data" / "vcf" / "trio.vcf"


@pytest.fixture
def vcf(tmp_path) -> Path:
    """The hand-made trio VCF copied into a folder of its own (its import cache is written beside it)."""
    path = tmp_path / "data" / "trio.vcf"
    path.parent.mkdir()
    shutil.copy(TRIO, path)
    return path


@pytest.fixture
def imports(monkeypatch) -> list[str]:
    """The paths actually imported by read_vcf (a cache hit imports nothing)."""
    calls: list[str] = []
    real = vcf_module.read_vcf

    def spy(path, **kwargs):
        calls.append(str(path))
        return real(path, **kwargs)

    monkeypatch.setattr(vcf_module, "read_vcf", spy)
    return calls
