"""Shared fixtures: one Hail session for the whole test run (as Hail's own suite does) and the synthetic
demo data generated once per run."""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path

import pytest

# tests never write to the user's real audit log (subprocesses inherit this); the folder is made by the first
# audit record, not here, so that `pytest --collect-only` writes nothing
os.environ["BIGMED_AUDIT_LOG"] = os.path.join(
    tempfile.gettempdir(), f"bigmed-test-audit-{uuid.uuid4().hex}", "audit.jsonl",
)

REPO = Path(__file__).resolve().parents[1]
REALDATA = REPO.parent / "shared" / "realdata"


@pytest.fixture(scope="session")
def hail_session(tmp_path_factory):
    """The ``hail`` module, initialised once in local mode with its scratch in a temporary folder."""
    from bigmed_utils.hail_session import init_hail

    return init_hail(work_dir=tmp_path_factory.mktemp("hail"), driver_memory="3g")


@pytest.fixture(scope="session")
def realdata() -> Path:
    """The real public test files in ../shared/realdata (see SOURCES.md there); skip if absent."""
    if not REALDATA.is_dir():
        pytest.skip("../shared/realdata is not beside this checkout")
    return REALDATA


@pytest.fixture(scope="session")
def demo_data(tmp_path_factory) -> Path:
    """The synthetic demo cohorts (``bigmed synth`` default seed), generated once per test run."""
    from bigmed_utils import synthetic

    out = tmp_path_factory.mktemp("synthetic")
    synthetic.generate(out)
    return out


@pytest.fixture(autouse=True)
def _own_audit_log(monkeypatch, tmp_path_factory):
    """Each test appends to its own audit log: a test with a pseudonym key signs its log, and a signed log
    refuses the unsigned records of the tests after it (one shared log made their result depend on order)."""
    log = tmp_path_factory.getbasetemp() / "audit" / f"{uuid.uuid4().hex}.jsonl"
    monkeypatch.setenv("BIGMED_AUDIT_LOG", str(log))


#: fixtures that start a JVM or generate the synthetic cohorts: a test using one (directly or through another
#: fixture) takes seconds, not milliseconds, and belongs to `make test`, not to the edit-test loop
_SLOW_FIXTURES = frozenset({"hail_session", "demo_data"})


def pytest_collection_modifyitems(items):
    """Mark ``slow`` every test that needs Hail or the demo cohorts, so ``make test-fast`` (``-m "not slow"``)
    is the pure-Python part of the suite (rules, readers, scores, privacy, CLI parsing)."""
    for item in items:
        if _SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
