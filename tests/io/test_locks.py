"""Shared outputs: a second writer waits or says who holds the lock; work happens in unique folders."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from bigmed_utils.io.locks import LockedError, exclusive, lock_file_for, read_holder, unique_sibling

ROOT = Path(__file__).resolve().parents[2]


def _hold(lock: Path, seconds: float) -> subprocess.Popen:
    """Another process holding ``lock`` for ``seconds`` (returns once it holds it)."""
    code = textwrap.dedent(f"""
        import sys, time
        from bigmed_utils.io.locks import exclusive
        with exclusive({str(lock)!r}, what="x"):
            print("held", flush=True)
            time.sleep({seconds})
    """)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_second_writer_is_told_pid_host_and_since(tmp_path):
    lock = tmp_path / ".thing.lock"
    proc = _hold(lock, 30)
    try:
        with pytest.raises(LockedError) as err:
            with exclusive(lock, what="the thing", wait=False):
                pass
        msg = str(err.value)
        assert msg.startswith(f"the thing: locked by pid {proc.pid} on host {socket.gethostname()} since 20")
        assert err.value.transient  # the batch may retry
    finally:
        proc.kill()
        proc.wait()
    with exclusive(lock, what="the thing", wait=False):  # released when the holder died (killed, not tidy)
        assert read_holder(lock).pid == os.getpid()
    assert read_holder(lock) is None  # emptied on release


def test_waiting_writer_says_so_once_then_gets_the_lock(tmp_path):
    lock = tmp_path / ".thing.lock"
    proc = _hold(lock, 2)
    said: list[str] = []
    t0 = time.monotonic()
    with exclusive(lock, what="the thing", echo=said.append, poll=0.1):
        waited = time.monotonic() - t0
    proc.wait()
    assert len(said) == 1 and said[0].startswith(f"waiting for the thing: locked by pid {proc.pid} on host ")
    assert waited > 0.5


def test_timeout_names_the_holder(tmp_path):
    lock = tmp_path / ".thing.lock"
    proc = _hold(lock, 30)
    try:
        with pytest.raises(LockedError, match=f"locked by pid {proc.pid}"):
            with exclusive(lock, what="the thing", timeout=0.3, echo=None, poll=0.1):
                pass
    finally:
        proc.kill()
        proc.wait()


def test_unique_temporary_folders():
    names = {unique_sibling(Path("/x/data/demo")).name for _ in range(50)}
    assert len(names) == 50 and all(n.startswith(f".demo.partial-{os.getpid()}-") for n in names)


_FAKE_DEMO = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from bigmed_utils import demo, synthetic

    calls = []
    def fake_generate(out, seed, lock):
        assert lock is False  # a unique temporary folder: no lock file left in data/
        calls.append(seed)
        out = Path(out); out.mkdir(parents=True)
        for i in range(20):
            (out / f"f{i}.txt").write_text("x")
            time.sleep(0.1)
        return out
    synthetic.generate = fake_generate
    said = []
    folder = demo.ensure_demo_data(sys.argv[1], echo=said.append)
    print(len(calls), len(list(folder.iterdir())), "|".join(said), flush=True)
""")


@pytest.mark.slow  # runs bigmed in a subprocess (Hail, kernels) or writes whole cohorts
def test_two_demo_data_writers_at_once_both_succeed(tmp_path):
    """Two `bigmed demo` (or a test collection and `bigmed demo`) at once: one generates, the other waits."""
    target = tmp_path / "data" / "demo"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-c", _FAKE_DEMO, str(target)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=env) for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1] for o in outs]
    lines = sorted(o[0].strip() for o in outs)
    generated = [line for line in lines if line.startswith("1 ")]
    waited = [line for line in lines if line.startswith("0 ")]
    assert len(generated) == 1 and len(waited) == 1, lines
    assert "waiting for the demo data" in waited[0] and "locked by pid" in waited[0]
    assert sorted(p.name for p in target.iterdir()) == [".complete"] + sorted(f"f{i}.txt" for i in range(20))
    leftovers = [p.name for p in target.parent.iterdir() if p.name != "demo"]
    assert leftovers == [".demo.lock"]  # no .partial folder left behind


@pytest.mark.slow  # runs bigmed in a subprocess (Hail, kernels) or writes whole cohorts
def test_synth_into_a_folder_in_use_waits(tmp_path):
    from bigmed_utils import synthetic

    out = tmp_path / "s"
    out.mkdir()
    proc = _hold(lock_file_for(out.resolve(), "synth-lock"), 2)
    t0 = time.monotonic()
    synthetic.generate(out, seed=3, cases=5)
    assert time.monotonic() - t0 > 1
    proc.wait()
    assert (out / "rare_disease" / "truth.tsv").is_file()
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # the work folder is gone


def test_run_into_a_folder_in_use_waits_for_it(tmp_path, capfd):
    from bigmed_utils.errors import ParameterError
    from bigmed_utils.runner import run_analysis

    out = (tmp_path / "reports" / "RD1").resolve()
    proc = _hold(lock_file_for(out, "run-lock"), 2)
    with pytest.raises(ParameterError):
        run_analysis("rare_disease", out=out, params={"case_id": "RD1"})
    proc.wait()
    err = capfd.readouterr().err
    assert f"waiting for the output folder {out}: locked by pid {proc.pid}" in err


def test_inhouse_database_writer_waits(tmp_path, capfd):
    from bigmed_utils.genomics.inhouse_db import _locked

    db = tmp_path / "db"
    proc = _hold(db / ".lock", 1)
    with _locked(db):
        pass
    proc.wait()
    assert f"waiting for the in-house database {db}: locked by pid {proc.pid}" in capfd.readouterr().err


def test_batch_case_lock_names_the_other_batch(tmp_path):
    from bigmed_utils.batch import CaseLock

    lock = tmp_path / ".RD1.lock"
    proc = _hold(lock, 30)
    try:
        other = CaseLock(lock)
        assert other.acquire() is False
        assert other.holder.pid == proc.pid and other.holder.host == socket.gethostname()
    finally:
        proc.kill()
        proc.wait()
    mine = CaseLock(lock)
    assert mine.acquire() is True
    assert json.loads(lock.read_text())["pid"] == os.getpid()
    mine.release()
