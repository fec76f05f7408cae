"""Dagster's default run launcher, plus the one thing run monitoring needs from it: whether
a run's worker process is still alive.

Dagster's `DefaultRunLauncher` cannot tell, so a run whose worker was killed (`kill -9`, an
out-of-memory kill, a reboot) stays STARTED for ever and, with one run allowed at a time,
every scheduled and UI run queues behind it. Run workers here are processes on this
machine that report their PID when they start, so the check is a look at that process.
"""

from __future__ import annotations

import psutil
from dagster import DagsterEventType, DagsterRun
from dagster._core.launcher import CheckRunHealthResult, DefaultRunLauncher, WorkerStatus

# A process started this long after its run reported the PID is a later process that
# reuses the number, not the run worker.
PID_REUSE_SLACK_S = 1.0


class WorkerCheckingRunLauncher(DefaultRunLauncher):
    """`DefaultRunLauncher` whose run workers run monitoring can check (dagster.yaml)."""

    @property
    def supports_check_run_worker_health(self) -> bool:
        return True

    def check_run_worker_health(self, run: DagsterRun) -> CheckRunHealthResult:
        reported = self.reported_worker(run)
        if reported is None:  # not started far enough to say: leave it to the timeouts
            return CheckRunHealthResult(WorkerStatus.RUNNING, "no worker PID reported yet")
        pid, reported_at = reported
        if worker_alive(pid, reported_at):
            return CheckRunHealthResult(WorkerStatus.RUNNING, f"run worker PID {pid} alive")
        return CheckRunHealthResult(
            WorkerStatus.FAILED,
            f"the run worker (PID {pid}) is gone: killed or crashed without reporting an end",
        )

    def reported_worker(self, run: DagsterRun) -> tuple[int, float] | None:
        """The PID the run's worker reported last, and when (Unix time)."""
        for entry in reversed(
            self._instance.all_logs(run.run_id, of_type=DagsterEventType.ENGINE_EVENT)
        ):
            data = entry.dagster_event.engine_event_data if entry.dagster_event else None
            pid = data.metadata.get("pid") if data else None
            if pid is not None:
                return int(pid.value), entry.timestamp
        return None


def worker_alive(pid: int, reported_at: float) -> bool:
    """The process exists, is not a zombie, and started before it reported its PID."""
    try:
        process = psutil.Process(pid)
        return (
            process.status() != psutil.STATUS_ZOMBIE
            and process.create_time() <= reported_at + PID_REUSE_SLACK_S
        )
    except psutil.Error:
        return False
