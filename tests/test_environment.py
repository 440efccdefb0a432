"""One lock file for every way to install: requirements.lock pins the whole transitive environment; the
Makefile, Binder (binder/postBuild) and conda (environment.yml) install from it; pyproject.toml declares every
package the code imports, at the locked version.

To add a dependency: pin it in pyproject.toml, then `sh tools/update_lock.sh` (binder/environment.yml no
longer lists packages)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, distribution, packages_distributions
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements.lock"


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def declared(*, extras: tuple[str, ...] = ("test", "browser")) -> dict[str, str]:
    """``{canonical name: version}`` of pyproject's dependencies (and extras); every one pinned exactly."""
    project = _project()
    deps = list(project["dependencies"])
    for extra in extras:
        deps += project["optional-dependencies"][extra]
    pins = {}
    for dep in deps:
        name, _, version = dep.partition("==")
        assert version, f"{dep}: dependencies are pinned exactly"
        pins[canonicalize_name(name)] = version
    return pins


def locked() -> dict[str, str]:
    pins = {}
    for line in LOCK.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        m = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;]+)", line.strip())
        assert m, f"requirements.lock: {line!r} is not name==version"
        pins[canonicalize_name(m.group(1))] = m.group(2)
    return pins


def test_lock_pins_every_declared_dependency_at_its_version():
    lock = locked()
    wrong = {n: (v, lock.get(n)) for n, v in declared().items() if lock.get(n) != v}
    assert wrong == {}, "pyproject pin vs requirements.lock (run tools/update_lock.sh)"
    assert len(lock) > 100  # the transitive set, not only the direct dependencies
    assert "bigmed-utils" not in lock


def test_lock_is_closed():
    """Every requirement of a locked package is itself locked at a version that satisfies it (checked with
    the metadata of the installed packages that match the lock)."""
    lock = locked()
    env = {"python_version": "3.11", "sys_platform": "linux", "platform_system": "Linux",
           "platform_machine": "x86_64", "os_name": "posix", "implementation_name": "cpython",
           "platform_python_implementation": "CPython", "python_full_version": "3.11.7", "extra": ""}
    checked, problems = 0, []
    for name, version in lock.items():
        try:
            dist = distribution(name)
        except PackageNotFoundError:
            continue
        if dist.version != version:
            continue
        checked += 1
        for spec in dist.requires or []:
            req = Requirement(spec)
            if req.marker is not None and not req.marker.evaluate(env):
                continue
            have = lock.get(canonicalize_name(req.name))
            if have is None or (req.specifier and not req.specifier.contains(have, prereleases=True)):
                problems.append(f"{name} needs {spec}, lock has {have}")
    assert problems == []
    assert checked > len(lock) // 2  # most of the lock was checked in this environment


def _imports(folder: Path, *, conftest: bool = True) -> set[str]:
    names: set[str] = set()
    files = [p for p in folder.rglob("*.py") if conftest or p.name != "conftest.py"]
    for path in files:
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
    for nb in folder.rglob("*.ipynb"):
        names |= set(re.findall(r'"(?:import|from) ([A-Za-z_][A-Za-z0-9_]*)', nb.read_text()))
    return names


def test_every_imported_package_is_declared():
    """jinja2, markupsafe, tqdm, platformdirs, IPython, jupyter_client, traitlets ... were imported without
    being declared: now each top-level import of the package, the notebooks and the tests is a declared
    dependency (the tests may use the test extra too)."""
    # the benchmark scripts are local too: tests import them from benchmarks/ (test_bench_results.py)
    local = ({p.stem for p in (ROOT / "tests").rglob("*.py")} | {p.stem for p in (ROOT / "benchmarks").glob("*.py")}
             | {"bigmed_utils"})
    dists = packages_distributions()
    runtime = declared(extras=())
    everything = declared()
    missing = []
    # the notebooks' conftest.py files are test code (pytest plugins run by nbval): the test extra is theirs
    for folder, allowed, conftest in ((ROOT / "bigmed_utils", runtime, True), (ROOT / "notebooks", runtime, False),
                                      (ROOT / "tests", everything, True), (ROOT / "notebooks", everything, True)):
        for mod in sorted(_imports(folder, conftest=conftest)):
            if mod in sys.stdlib_module_names or mod in local or mod.startswith("_"):
                continue
            owners = {canonicalize_name(d) for d in dists.get(mod, [])}
            if not owners & set(allowed):
                missing.append(f"{folder.name}: import {mod} ({', '.join(sorted(owners)) or 'not installed'})")
    assert missing == []


def test_make_binder_and_conda_install_from_the_lock():
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install --quiet -r requirements.lock" in makefile
    assert "pip install --quiet --no-deps -e ." in makefile and "$(STAMP): pyproject.toml requirements.lock" in makefile
    postbuild = (ROOT / "binder" / "postBuild").read_text().splitlines()
    assert "pip install --no-cache-dir -r requirements.lock" in postbuild
    assert postbuild.index("pip install --no-cache-dir -r requirements.lock") < postbuild.index("pip install --no-deps -e .")
    binder_env = yaml.safe_load((ROOT / "binder" / "environment.yml").read_text())
    assert not [d for d in binder_env["dependencies"] if isinstance(d, dict)]  # no second list of pins
    root_env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in root_env["dependencies"] if isinstance(d, dict))
    assert pip == ["-r requirements.lock", "-e .[test]"]


def test_python_and_java_versions_agree():
    root_env = yaml.safe_load((ROOT / "environment.yml").read_text())
    binder_env = yaml.safe_load((ROOT / "binder" / "environment.yml").read_text())
    assert "python=3.11" in root_env["dependencies"] and "python=3.11" in binder_env["dependencies"]
    assert "openjdk=11" in root_env["dependencies"]
    assert (ROOT / "binder" / "apt.txt").read_text().split() == ["openjdk-11-jre-headless"]
    assert _project()["requires-python"] == ">=3.11,<3.12"


def test_postbuild_stops_on_the_first_error():
    lines = (ROOT / "binder" / "postBuild").read_text().splitlines()
    assert lines[0].startswith("#!") and "set -e" in lines
