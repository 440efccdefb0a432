"""Offline by design: every bundled reference file is listed with source, version, date and licence."""

from __future__ import annotations

from pathlib import Path

import yaml

DATA = Path(__file__).resolve().parents[1] / "bigmed_utils" / "data"
REQUIRED = ("path", "description", "source", "version", "date", "licence")


def test_every_bundled_file_is_in_the_manifest_with_its_source():
    manifest = yaml.safe_load((DATA / "MANIFEST.yaml").read_text())
    listed = {f["path"] for f in manifest["files"]}
    bundled = {str(p.relative_to(DATA)) for p in DATA.rglob("*") if p.is_file() and p.name != "MANIFEST.yaml"
               and "__pycache__" not in p.parts}
    assert bundled - listed == set(), "bundled but not in MANIFEST.yaml"
    assert listed - bundled == set(), "in MANIFEST.yaml but not bundled"
    for entry in manifest["files"]:
        missing = [k for k in REQUIRED if not str(entry.get(k, "")).strip()]
        assert not missing, f"{entry['path']}: lacks {missing}"
