"""Start Hail once per process: local mode by default, a Spark cluster when one is configured.

Local mode uses every core this process may use (CPU affinity and container CPU quota respected). Cluster
mode is chosen by the ``spark_master`` parameter or ``BIGMED_SPARK_MASTER`` (``spark://host:7077``,
``yarn``, ``k8s://...``); Hail's jar is then put on the driver and executor class paths with the Kryo
settings Hail needs, so a generic Spark 3.5 cluster works without a Hail-specific installation.

Examples
--------
>>> from bigmed_utils.hail_session import init_hail
>>> hl = init_hail(work_dir="/tmp/bigmed-example")      # doctest: +SKIP
>>> hl.utils.range_table(10).count()                     # doctest: +SKIP
10
"""

from __future__ import annotations

import importlib.util
import logging
import math
import os
import re
import sys
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from .errors import ParameterError

log = logging.getLogger(__name__)

ENV_SPARK_MASTER = "BIGMED_SPARK_MASTER"
ENV_DRIVER_MEMORY = "BIGMED_DRIVER_MEMORY"
ENV_WORK_DIR = "BIGMED_WORK_DIR"
#: set to ``1`` by ``bigmed run`` for its kernel, which is killed after the notebook's last cell: a JVM that
#: serves one case and exits (see :data:`C1_ONLY`)
ENV_ONE_CASE = "BIGMED_ONE_CASE"
#: HotSpot option of a driver JVM that serves one case's bounded Hail work and exits: compile with C1 only.
#: The optimising C2 compiler pays for itself in long loops (a whole genome's import: 111 s with it, 168 s
#: without), but a case read from the cache or from the first pass is many short jobs, where C2 only takes
#: CPU from them: through ``bigmed run`` a re-analysis of the WGS trio ran about 2 s and its first analysis
#: 5-10 s sooner with C1 only (benchmarks/FINDINGS.md). The usual setting for short-lived JVMs.
C1_ONLY = "-XX:TieredStopAtLevel=1"

_MEMORY_RE = re.compile(r"^\d+[kmgt]$", re.IGNORECASE)

_active: "HailConfig | None" = None


@dataclass(frozen=True)
class HailConfig:
    """How the running Hail session was started (recorded in provenance)."""

    master: str
    cores: int | None
    driver_memory: str
    work_dir: str
    log_file: str


def available_cores() -> int:
    """Cores this process may use: CPU affinity, capped by a cgroup v2/v1 CPU quota (containers)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    quota = _cgroup_cpu_quota()
    if quota is not None:
        cores = min(cores, max(1, math.floor(quota)))
    return max(1, cores)


def _cgroup_cpu_quota() -> float | None:
    try:  # cgroup v2: "max 100000" or "200000 100000"
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()[:2]
        return None if quota == "max" else int(quota) / int(period)
    except (OSError, ValueError):
        pass
    try:  # cgroup v1
        quota = int(Path("/sys/fs/cgroup/cpu/cpu.cfs_quota_us").read_text())
        period = int(Path("/sys/fs/cgroup/cpu/cpu.cfs_period_us").read_text())
        return None if quota <= 0 else quota / period
    except (OSError, ValueError):
        return None


def default_driver_memory() -> str:
    """An eighth of the machine's memory, between 1 and 2 GiB (2g on a 24 GiB machine).

    The heap is not what an analysis needs most: Hail streams rows through Spark tasks, and the case
    analysis reads the family's small tables (a first pass keeps the proband's rare rows and the QC sites,
    :mod:`bigmed_utils.io.first_pass`). What a large heap does is let the JVM grow before it collects: with
    a quarter of RAM (6g on 24 GiB) the whole process tree of a WGS trio's first analysis peaked between
    3.4 and 5.8 GB from run to run (``benchmarks/RESULTS.md``, 2026-11-29), while the test suite, the demo
    cases, the batch runs and the WGS benchmark steps ran with 2 to 3 GiB of heap. The tree adds about 1 GB
    besides the heap (JVM metaspace and threads, the Python kernel, pandas tables), so 2g keeps a WGS trio
    under 4 GB. Machines with less than 16 GiB get an eighth of their memory (at least 1g); more heap for
    cohort work: ``driver_memory`` in the parameters or ``$BIGMED_DRIVER_MEMORY``.
    """
    gib = psutil.virtual_memory().total / 2**30
    return f"{int(min(2, max(1, gib // 8)))}g"


def hail_jar() -> Path:
    """Path of the Hail jar: ``$HAIL_JAR`` when set (Hail's own rule), else the one inside the installed hail
    wheel (found without importing hail, which takes seconds)."""
    if os.environ.get("HAIL_JAR"):
        return Path(os.environ["HAIL_JAR"])
    return Path(importlib.util.find_spec("hail").origin).parent / "backend" / "hail-all-spark.jar"  # type: ignore[arg-type]


def spark_conf(*, master: str | None, driver_memory: str, work_dir: Path, c1_only: bool = False) -> dict[str, str]:
    """The Spark configuration for local or cluster mode (pure; tested without starting Spark); ``c1_only``
    adds :data:`C1_ONLY` to the driver's options."""
    conf = {
        "spark.driver.memory": driver_memory,
        "spark.local.dir": str(work_dir / "spark"),
        "spark.ui.enabled": "false",
        # Spark's console progress bars would end up in notebook outputs and case reports
        "spark.ui.showConsoleProgress": "false",
        # the driver's own temporary files (Spark's, the JDK's) in the work folder too, not in /tmp: nothing
        # of a case outside the run's folder, and nothing left behind when the runner kills the kernel after
        # its last cell (bigmed_utils.runner); no JVM statistics file (hsperfdata) in /tmp either
        "spark.driver.extraJavaOptions": f"-Djava.io.tmpdir={work_dir / 'tmp'} -XX:-UsePerfData"
                                         + (f" {C1_ONLY}" if c1_only else ""),
    }
    if master is None or _is_loopback(master):
        # local mode, or a cluster on this machine: bind to loopback only, never a network interface
        conf["spark.driver.host"] = "127.0.0.1"
        conf["spark.driver.bindAddress"] = "127.0.0.1"
    if master is not None:
        jar = str(hail_jar())
        conf.update(
            {
                "spark.jars": jar,
                "spark.driver.extraClassPath": jar,
                "spark.executor.extraClassPath": jar,
                "spark.serializer": "org.apache.spark.serializer.KryoSerializer",
                "spark.kryo.registrator": "is.hail.kryo.HailKryoRegistrator",
            }
        )
    return conf


def _is_loopback(master: str) -> bool:
    host = re.sub(r"^\w+://", "", master).split(":")[0].split("/")[0]
    return host in ("127.0.0.1", "localhost", "::1") or master.startswith("local")


def _launch_conf(*, master: str | None, driver_memory: str, work_dir: Path, c1_only: bool = False) -> dict[str, str]:
    """What the JVM is started with: the Spark configuration and Hail's jar on the driver's class path, as
    ``hl.init`` would start it (Hail reads the rest of the configuration when it creates its Spark session)."""
    jar = str(hail_jar())
    return {**spark_conf(master=master, driver_memory=driver_memory, work_dir=work_dir, c1_only=c1_only),
            "spark.jars": jar, "spark.driver.extraClassPath": jar, "spark.executor.extraClassPath": jar}


def _launch(conf: dict[str, str]) -> None:
    try:
        from pyspark import SparkConf, SparkContext

        SparkContext._ensure_initialized(conf=SparkConf(loadDefaults=False).setAll(list(conf.items())))
    except Exception as exc:  # noqa: BLE001 - hl.init starts the JVM itself and reports what fails
        log.info("the JVM did not start beside `import hail` (hl.init starts it): %s", exc)


def _gateway() -> Any:
    pyspark = sys.modules.get("pyspark")
    return None if pyspark is None else pyspark.SparkContext._gateway


def init_hail(
    *,
    spark_master: str | None = None,
    driver_memory: str | None = None,
    work_dir: str | os.PathLike | None = None,
    cores: int | None = None,
    c1_only: bool = False,
) -> Any:
    """Start Hail (once per process) and return the ``hail`` module.

    Parameters
    ----------
    spark_master
        ``None`` for local mode, else a Spark master URL. Falls back to ``$BIGMED_SPARK_MASTER``.
    driver_memory
        JVM heap of the Spark driver, e.g. ``"4g"``. Falls back to ``$BIGMED_DRIVER_MEMORY``, then to
        :func:`default_driver_memory`.
    work_dir
        Folder for Hail's ``tmp_dir``/``local_tmpdir``, ``spark.local.dir`` and the Hail log. Falls back
        to ``$BIGMED_WORK_DIR`` (set by ``bigmed run`` to the run's working folder), then ``./.hail_tmp``.
    cores
        Local mode only: cores to use; default every core the process may use.
    c1_only
        Start the driver JVM with :data:`C1_ONLY`: sooner results for a process that runs one case's bounded
        Hail work and exits, much slower long jobs. Not for a session that goes on to other work.

    Returns
    -------
    module
        The initialised ``hail`` module. A second call returns the running session unchanged.
    """
    global _active
    if _active is not None:
        import hail as hl

        if hl.utils.java.Env._hc is not None:
            return hl

    master = spark_master or os.environ.get(ENV_SPARK_MASTER) or None
    memory = driver_memory or os.environ.get(ENV_DRIVER_MEMORY) or default_driver_memory()
    if not _MEMORY_RE.match(memory):
        raise ParameterError(f"driver_memory: {memory!r} is not a JVM memory size such as '4g' or '512m'")
    work = Path(work_dir or os.environ.get(ENV_WORK_DIR) or ".hail_tmp").resolve()
    try:
        for sub in ("spark", "tmp"):
            (work / sub).mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # before the JVM starts: one line naming the folder, not a Java stack trace later
        raise ParameterError(f"Hail's work folder {work}: {exc.strerror or exc} (set work_dir or "
                             f"${ENV_WORK_DIR} to a writable folder)") from None
    log_file = work / "hail.log"

    n_cores = None
    if master is None:
        n_cores = cores or available_cores()
        spark_master_url = f"local[{n_cores}]"
    else:
        spark_master_url = master

    if master is None or _is_loopback(master):
        # Spark otherwise looks up the host's network address (and warns when the name maps to loopback)
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    launcher = None
    if _gateway() is None:
        # the JVM starts (Spark's launcher, then the driver: seconds in which Python only waits) while hail is
        # imported (seconds of Python); hl.init then finds it running
        launcher = threading.Thread(target=_launch, args=(_launch_conf(master=master, driver_memory=memory,
                                                                       work_dir=work, c1_only=c1_only),),
                                    name="bigmed-jvm-start", daemon=True)
        launcher.start()
    import hail as hl

    if launcher is not None:
        launcher.join()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Hail was built and tested with Java 11")
        hl.init(
            master=spark_master_url,
            spark_conf=spark_conf(master=master, driver_memory=memory, work_dir=work, c1_only=c1_only),
            tmp_dir=str(work / "tmp"),
            local_tmpdir=str(work / "tmp"),
            log=str(log_file),
            quiet=True,
            append=True,
            idempotent=True,
        )
        hl.default_reference("GRCh38")
    hl.spark_context().setLogLevel("ERROR")
    _active = HailConfig(spark_master_url, n_cores, memory, str(work), str(log_file))
    log.info("Hail started: %s", _active)
    return hl


def active_config() -> HailConfig | None:
    """The configuration of the running Hail session, if one was started by :func:`init_hail`."""
    return _active


def stop_hail() -> None:
    """Stop the running Hail session (tests that switch between local and cluster mode)."""
    global _active
    import hail as hl

    if hl.utils.java.Env._hc is not None:
        hl.stop()
    _active = None
