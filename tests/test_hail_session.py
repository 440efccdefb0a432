"""Hail start-up: local mode by default (all permitted cores, bounded memory, scratch in the work folder),
and a real Spark standalone cluster on 127.0.0.1 giving the same answers as local mode."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from bigmed_utils import hail_session
from bigmed_utils import hail_session as hail_session_module
from bigmed_utils.errors import ParameterError
from spark_cluster import standalone_cluster

# the same small computation in local mode and on the cluster: a sum over a table and a MatrixTable QC
COMPUTATION = textwrap.dedent(
    """
    def compute(hl):
        t = hl.utils.range_table(10_000, n_partitions=8)
        total = t.aggregate(hl.agg.sum(t.idx * t.idx))
        mt = hl.balding_nichols_model(3, 20, 500, n_partitions=4, reference_genome='GRCh38')
        mt = hl.variant_qc(mt)
        n_common = mt.aggregate_rows(hl.agg.count_where(mt.variant_qc.AF[1] > 0.05))
        return {"total": total, "n_common": n_common, "shape": list(mt.count())}
    """
)


def _compute(hl):
    namespace: dict = {}
    exec(COMPUTATION, namespace)
    return namespace["compute"](hl)


def test_cluster_conf_puts_hail_jar_on_both_class_paths(tmp_path):
    conf = hail_session.spark_conf(master="spark://10.1.2.3:7077", driver_memory="4g", work_dir=tmp_path)
    jar = str(hail_session.hail_jar())
    assert hail_session.hail_jar().is_file()
    assert conf["spark.jars"] == jar
    assert conf["spark.driver.extraClassPath"] == jar
    assert conf["spark.executor.extraClassPath"] == jar
    assert conf["spark.serializer"] == "org.apache.spark.serializer.KryoSerializer"
    assert conf["spark.kryo.registrator"] == "is.hail.kryo.HailKryoRegistrator"
    assert "spark.driver.bindAddress" not in conf  # a remote cluster must reach the driver


def test_local_conf_binds_to_loopback_and_keeps_scratch_in_work_dir(tmp_path):
    conf = hail_session.spark_conf(master=None, driver_memory="6g", work_dir=tmp_path)
    assert conf["spark.driver.bindAddress"] == "127.0.0.1"
    assert conf["spark.local.dir"] == str(tmp_path / "spark")
    assert conf["spark.driver.memory"] == "6g"
    assert conf["spark.driver.extraJavaOptions"] == f"-Djava.io.tmpdir={tmp_path / 'tmp'} -XX:-UsePerfData"
    assert "spark.jars" not in conf


def test_c1_only_is_a_driver_option_on_request(tmp_path):
    conf = hail_session.spark_conf(master=None, driver_memory="6g", work_dir=tmp_path, c1_only=True)
    assert conf["spark.driver.extraJavaOptions"].split() == [
        f"-Djava.io.tmpdir={tmp_path / 'tmp'}", "-XX:-UsePerfData", "-XX:TieredStopAtLevel=1"]
    launch = hail_session._launch_conf(master=None, driver_memory="6g", work_dir=tmp_path, c1_only=True)
    assert launch["spark.driver.extraJavaOptions"].endswith(" -XX:TieredStopAtLevel=1")


def test_cores_respect_a_container_cpu_quota(monkeypatch):
    monkeypatch.setattr(hail_session, "_cgroup_cpu_quota", lambda: 1.5)
    monkeypatch.setattr(hail_session.os, "sched_getaffinity", lambda pid: {0, 1, 2, 3})
    assert hail_session.available_cores() == 1
    monkeypatch.setattr(hail_session, "_cgroup_cpu_quota", lambda: None)
    assert hail_session.available_cores() == 4


def test_default_driver_memory_is_an_eighth_of_ram_capped_at_2g(monkeypatch):
    class Mem:
        total = 24 * 2**30

    monkeypatch.setattr(hail_session.psutil, "virtual_memory", lambda: Mem)
    assert hail_session.default_driver_memory() == "2g"
    Mem.total = 256 * 2**30
    assert hail_session.default_driver_memory() == "2g"
    Mem.total = 12 * 2**30
    assert hail_session.default_driver_memory() == "1g"
    Mem.total = 2 * 2**30
    assert hail_session.default_driver_memory() == "1g"


def test_bad_driver_memory_is_named(monkeypatch):
    monkeypatch.setattr(hail_session, "_active", None)
    with pytest.raises(ParameterError, match=r"driver_memory: '6 GB' is not a JVM memory size"):
        hail_session.init_hail(driver_memory="6 GB")


def test_an_unusable_work_dir_is_named_before_the_jvm_starts(tmp_path, monkeypatch):
    monkeypatch.setattr(hail_session_module, "_active", None)  # as in a new process (no session to return)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    with pytest.raises(ParameterError) as err:
        hail_session_module.init_hail(work_dir=blocker / "work")
    assert str(err.value) == (f"Hail's work folder {blocker / 'work'}: Not a directory (set work_dir or "
                              "$BIGMED_WORK_DIR to a writable folder)")


def test_local_session_uses_the_work_dir(hail_session, tmp_path_factory):
    config = hail_session_module.active_config()
    assert config.master.startswith("local[")
    assert config.log_file.endswith("hail.log")
    import os

    assert os.path.isfile(config.log_file)


@pytest.mark.spark_cluster
def test_standalone_cluster_gives_the_local_answer(hail_session, tmp_path):
    local = _compute(hail_session)
    assert local["total"] == sum(i * i for i in range(10_000))  # a fact that could be false
    script = COMPUTATION + textwrap.dedent(
        """
        import json, sys
        from bigmed_utils.hail_session import init_hail
        hl = init_hail(spark_master=sys.argv[1], driver_memory="2g", work_dir=sys.argv[2])
        sc = hl.spark_context()
        out = compute(hl)
        executors = sc._jsc.sc().getExecutorMemoryStatus().size() - 1  # minus the driver
        out["master"] = sc.master
        out["executors"] = executors
        print("RESULT " + json.dumps(out))
        """
    )
    with standalone_cluster(tmp_path / "spark", workers=1, cores=1, memory="2g") as master:
        res = subprocess.run(
            [sys.executable, "-c", script, master, str(tmp_path / "work")],
            capture_output=True, text=True, timeout=600,
        )
    line = next((l for l in res.stdout.splitlines() if l.startswith("RESULT ")), None)
    assert line, res.stdout[-2000:] + res.stderr[-4000:]
    remote = json.loads(line.removeprefix("RESULT "))
    assert remote.pop("master") == master
    assert remote.pop("executors") >= 1
    assert remote == local


JVM_BESIDE_IMPORT = textwrap.dedent(
    """
    import json, sys, psutil
    from bigmed_utils import hail_session
    launched = []
    real_launch = hail_session._launch
    # whether hail had finished importing when the JVM's start began (its `init` is defined last)
    hail_session._launch = lambda conf: (launched.append(hasattr(sys.modules.get("hail"), "init")),
                                         real_launch(conf))
    hl = hail_session.init_hail(driver_memory="1g", work_dir=sys.argv[1])
    java = [p for p in psutil.Process().children(recursive=True) if p.is_running() and p.status() != "zombie"
            and p.name() == "java"]
    runtime = hl.spark_context()._jvm.java.lang
    t = hl.utils.range_table(100)
    print("RESULT " + json.dumps({
        "launched_before_import_hail": launched,
        "java_processes": len(java),
        "heap": f"{round(runtime.Runtime.getRuntime().maxMemory() / 2**30)}g",
        "tmpdir": runtime.System.getProperty("java.io.tmpdir"),
        "sum": t.aggregate(hl.agg.sum(t.idx)),
    }))
    """
)


def test_the_jvm_starts_while_hail_is_imported_with_the_sessions_settings(tmp_path):
    """init_hail starts the JVM in a thread before `import hail` (seconds of waiting beside seconds of Python):
    one JVM, and it has the session's heap and scratch folder (a JVM started with other settings than Hail's
    would keep them: hl.init cannot change a running JVM)."""
    res = subprocess.run([sys.executable, "-c", JVM_BESIDE_IMPORT, str(tmp_path / "work")],
                         capture_output=True, text=True, timeout=300)
    line = next((l for l in res.stdout.splitlines() if l.startswith("RESULT ")), None)
    assert line, res.stdout[-2000:] + res.stderr[-4000:]
    assert json.loads(line.removeprefix("RESULT ")) == {
        "launched_before_import_hail": [False], "java_processes": 1, "heap": "1g",
        "tmpdir": str(tmp_path / "work" / "tmp"), "sum": 4950}
