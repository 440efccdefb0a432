"""The three ways to install agree: pyproject.toml, environment.yml (conda) and binder/environment.yml."""

from __future__ import annotations

import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def pyproject_pins() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = {}
    for dep in project["dependencies"] + project["optional-dependencies"]["test"]:
        name, _, version = dep.partition("==")
        assert version, f"{dep}: dependencies are pinned exactly"
        pins[name.lower()] = version
    return pins


def binder_pins() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "binder" / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    return {p.partition("==")[0].lower(): p.partition("==")[2] for p in pip}


def test_binder_pins_agree_with_pyproject():
    assert binder_pins() == pyproject_pins()


def test_python_and_java_versions_agree():
    root_env = yaml.safe_load((ROOT / "environment.yml").read_text())
    binder_env = yaml.safe_load((ROOT / "binder" / "environment.yml").read_text())
    assert "python=3.11" in root_env["dependencies"] and "python=3.11" in binder_env["dependencies"]
    assert "openjdk=11" in root_env["dependencies"]
    assert (ROOT / "binder" / "apt.txt").read_text().split() == ["openjdk-11-jre-headless"]
    assert tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"] == ">=3.11,<3.12"


def test_root_environment_installs_the_package_itself():
    root_env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in root_env["dependencies"] if isinstance(d, dict))
    assert pip == ["-e .[test]"]


def test_postbuild_stops_on_the_first_error():
    lines = (ROOT / "binder" / "postBuild").read_text().splitlines()
    assert lines[0].startswith("#!") and "set -e" in lines
