"""Measure a command: wall time, CPU time (user + system of the whole process tree) and peak RSS.

Peak RSS is the largest sum of the resident memory of the process and all its descendants (the Jupyter
kernel and the Hail JVM are grandchildren of ``bigmed run``), sampled every 0.1 s with psutil. CPU time is
the larger of ``getrusage(RUSAGE_CHILDREN)`` (every descendant that was *waited for*) and the sum over every
descendant seen by the sampler of its last user + system time: the Spark JVM is started by pyspark inside the
kernel and is killed, not waited for, at shutdown, so rusage alone misses nearly all of Hail's CPU.
"""

from __future__ import annotations

import platform
import resource
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil


@dataclass
class Measurement:
    name: str
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    returncode: int
    stdout: str = ""
    stderr: str = ""
    #: wall times of every run when the step was repeated (:func:`median_of`)
    walls: tuple[float, ...] = ()

    def row(self, baseline: "Measurement | None" = None) -> str:
        ratio = lambda a, b: f"{a / b:.2f}" if b else "n/a"  # noqa: E731
        if baseline is None:
            return f"| {self.name} | {self.wall_s:.1f} | {self.cpu_s:.1f} | {self.peak_rss_mb:.0f} | | | |"
        return (
            f"| {self.name} | {self.wall_s:.1f} | {self.cpu_s:.1f} | {self.peak_rss_mb:.0f} | "
            f"{ratio(self.wall_s, baseline.wall_s)} | {ratio(self.cpu_s, baseline.cpu_s)} | "
            f"{ratio(self.peak_rss_mb, baseline.peak_rss_mb)} |"
        )


def _tree_sample(proc: psutil.Process, cpu: dict[int, float]) -> int:
    """Resident memory of the tree now; update ``cpu`` (pid -> last user + system seconds)."""
    total = 0
    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    for p in procs:
        try:
            total += p.memory_info().rss
            t = p.cpu_times()
            cpu[p.pid] = max(cpu.get(p.pid, 0.0), t.user + t.system)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return total


def measure(name: str, cmd: list[str] | str, *, shell: bool = False, env: dict | None = None,
            cwd: str | Path | None = None) -> Measurement:
    """Run ``cmd`` to completion and measure it."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, shell=shell, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ps = psutil.Process(proc.pid)
    peak = 0
    tree_cpu: dict[int, float] = {}
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_sample(ps, tree_cpu))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = proc.communicate()
    done.set()
    sampler.join()
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = max((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), sum(tree_cpu.values()))
    return Measurement(name, wall, cpu, peak / 2**20, proc.returncode, stdout, stderr)


def median_of(runs: list[Measurement]) -> Measurement:
    """One measurement for a repeated step: the median wall and CPU time, the largest peak RSS, the output of
    the run with the median wall time, and every run's wall time in ``walls``.

    A single run of a 20-second step varies by 20 % or more on a shared 2-core machine (the same re-analysis:
    16.6-23.6 s within one hour, 2026-12-07); the median of three is what the targets are read against.
    """
    import statistics

    by_wall = sorted(runs, key=lambda m: m.wall_s)
    mid = by_wall[(len(by_wall) - 1) // 2]
    return Measurement(mid.name, statistics.median(m.wall_s for m in runs), statistics.median(m.cpu_s for m in runs),
                       max(m.peak_rss_mb for m in runs), max(m.returncode for m in runs), mid.stdout, mid.stderr,
                       walls=tuple(m.wall_s for m in runs))


def machine_description() -> str:
    mem = psutil.virtual_memory().total / 2**30
    cpu = platform.processor() or platform.machine()
    try:
        model = next(l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                     if l.startswith("model name"))
    except (OSError, StopIteration):
        model = cpu
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[:1]
    return (f"{psutil.cpu_count(logical=True)} cores ({model}), {mem:.0f} GiB RAM, "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}, {java[0] if java else 'java ?'}")
