"""The schedule examples in the repository work: the cron line runs a real batch, and the systemd units
are well-formed and call the same command."""

from __future__ import annotations

import configparser
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from bigmed_utils.cli import main
from notebook_factory import write_notebook

SCHEDULE = Path(__file__).resolve().parents[1] / "schedule"
CRON_FIELD = re.compile(r"^(\*|\d+(-\d+)?)(/\d+)?(,(\*|\d+(-\d+)?)(/\d+)?)*$")


def cron_entries(path: Path) -> list[str]:
    return [l for l in path.read_text().splitlines() if l.strip() and not l.startswith("#") and "=" not in l.split()[0]]


@pytest.mark.slow  # runs bigmed in a subprocess (Hail, kernels) or writes whole cohorts
def test_cron_line_is_valid_and_runs_a_batch(tmp_path):
    [entry] = cron_entries(SCHEDULE / "bigmed.crontab")
    fields = entry.split(None, 5)
    ranges = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 7)]
    for value, (lo, hi) in zip(fields[:5], ranges):
        assert CRON_FIELD.match(value), value
        for number in re.findall(r"\d+", value.split("/")[0]):
            assert lo <= int(number) <= hi
    command = fields[5]
    # run the crontab's own command in a scratch BIGMED_HOME holding one synthetic case
    home = tmp_path / "bigmed"
    (home / ".venv" / "bin").mkdir(parents=True)
    (home / ".venv" / "bin" / "bigmed").symlink_to(Path(sys.executable).with_name("bigmed"))
    (home / "incoming" / "selftest").mkdir(parents=True)
    (home / "incoming" / "selftest" / "c1.yaml").write_text("case_id: NIGHT1\nvalue: 4\n")
    (home / "reports").mkdir()
    notebooks = write_notebook(tmp_path / "notebooks" / "selftest.ipynb").parent
    env = {**os.environ, "BIGMED_HOME": str(home), "BIGMED_NOTEBOOKS_DIR": str(notebooks)}
    res = subprocess.run(["bash", "-c", command], env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, (home / "reports" / "cron.log").read_text()
    index = json.loads((home / "reports" / "index.json").read_text())
    assert index["cases"]["selftest/NIGHT1"]["status"] == "done"
    assert "1 done, 0 failed, 0 skipped" in (home / "reports" / "cron.log").read_text()


def _bigmed_args(command: str) -> list[str]:
    words = shlex.split(command)
    start = next(i for i, w in enumerate(words) if w.endswith("/bigmed"))
    end = next((i for i, w in enumerate(words) if w in (">>", ">", "2>&1")), len(words))
    return words[start + 1 : end]


def test_systemd_units_are_well_formed_and_agree_with_cron():
    service = configparser.ConfigParser(strict=False, interpolation=None)
    service.optionxform = str
    service.read(SCHEDULE / "systemd" / "bigmed-batch.service")
    timer = configparser.ConfigParser(interpolation=None)
    timer.optionxform = str
    timer.read(SCHEDULE / "systemd" / "bigmed-batch.timer")
    assert service["Service"]["Type"] == "oneshot"
    assert service["Service"]["KillSignal"] == "SIGTERM"
    assert timer["Timer"]["Unit"] == "bigmed-batch.service"
    assert re.fullmatch(r"\*-\*-\* \d\d:\d\d:\d\d", timer["Timer"]["OnCalendar"])
    args = _bigmed_args(service["Service"]["ExecStart"])
    [entry] = cron_entries(SCHEDULE / "bigmed.crontab")
    assert args == _bigmed_args(entry.split(None, 5)[5])
    assert args[0] == "batch"
    ctx = main.commands["batch"].make_context("batch", list(args[1:]))  # the options exist and parse
    assert ctx.params["paths"] == ("incoming",)
    assert (ctx.params["out"], ctx.params["jobs"], ctx.params["retries"], ctx.params["timeout"]) == ("reports", 2, 1, 7200.0)
