"""A run whose worker died (kill -9) is marked failed by run monitoring instead of staying
STARTED and queueing every later run behind it; dbt dies with the run that started it."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid

import dagster as dg
import pytest
from dagster._core.events import EngineEventData
from dagster._core.launcher import WorkerStatus

from orchestration.run_launcher import WorkerCheckingRunLauncher
from orchestration.settings import REPO_ROOT


@pytest.fixture
def instance(tmp_path, monkeypatch):
    """The project's own dagster.yaml, on a storage folder of this test's."""
    monkeypatch.setenv("REFORMWATCH_DAGSTER_STORAGE", str(tmp_path / "dagster"))
    with dg.DagsterInstance.from_config(str(REPO_ROOT)) as instance:
        yield instance


def started_run(instance, pid: int) -> dg.DagsterRun:
    """A STARTED run whose worker reported `pid`, as Dagster's run worker does."""
    run = instance.add_run(
        dg.DagsterRun(
            job_name="__ASSET_JOB", run_id=str(uuid.uuid4()), status=dg.DagsterRunStatus.STARTED
        )
    )
    instance.report_engine_event(
        f"Started process for run (pid: {pid}).", run, EngineEventData.in_process(pid)
    )
    return run


def test_the_instance_monitors_runs_with_a_launcher_that_checks_workers(instance):
    assert instance.run_monitoring_enabled
    assert isinstance(instance.run_launcher, WorkerCheckingRunLauncher)
    assert instance.run_launcher.supports_check_run_worker_health


def test_a_killed_run_worker_is_reported_dead_a_live_one_running(instance):
    worker = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        run = started_run(instance, worker.pid)
        health = instance.run_launcher.check_run_worker_health(run)
        assert health.status == WorkerStatus.RUNNING
        worker.kill()  # kill -9: the worker cannot report anything
        worker.wait()
        health = instance.run_launcher.check_run_worker_health(run)
        assert health.status == WorkerStatus.FAILED
        assert str(worker.pid) in health.msg
    finally:
        worker.kill()
        worker.wait()


def test_a_child_dies_with_the_run_worker_that_started_it(tmp_path):
    import psutil

    # A run worker that starts a long child (as dbt) under the guard, then is killed -9.
    worker = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import subprocess, sys, time\n"
            "from orchestration.child_guard import guarded\n"
            "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'])\n"
            "with guarded(child.pid):\n"
            "    print(child.pid, flush=True)\n"
            "    time.sleep(120)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO_ROOT,
    )
    child = psutil.Process(int(worker.stdout.readline()))
    try:
        time.sleep(1)  # the guard is up
        assert child.is_running()
        worker.kill()
        worker.wait()
        gone, alive = psutil.wait_procs([child], timeout=15)
        assert gone and not alive  # the child did not outlive its run
    finally:
        if child.is_running():
            child.kill()


def test_the_guard_leaves_when_the_child_ends_first():
    import psutil

    from orchestration.child_guard import guarded

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    with guarded(child.pid):
        child.wait()
    me = psutil.Process()
    assert not [p for p in me.children() if "orchestration.child_guard" in " ".join(p.cmdline())]
