"""A child process (dbt) dies with the run that started it.

dbt runs as a subprocess of the Dagster run worker. When the worker is killed outright
(`kill -9`, out of memory), nothing in it runs any more to stop dbt, which keeps running and
holding the warehouse lock. So beside each such child the worker starts a small guard
process; the guard watches both and, when the worker is gone while the child lives, stops the
child (interrupt, then kill). When the child ends first, the guard just exits.

Run as `python -m orchestration.child_guard <worker pid> <child pid>`.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import psutil

POLL_S = 0.5
GRACE_S = 10.0  # dbt gets this long to stop on an interrupt before it is killed


@contextmanager
def guarded(child_pid: int) -> Iterator[None]:
    """While the block runs, `child_pid` is stopped if this process dies."""
    guard = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "orchestration.child_guard",
            str(psutil.Process().pid),
            str(child_pid),
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        guard.terminate()
        guard.wait()


def watch(worker: psutil.Process, child: psutil.Process) -> None:
    """Until the child ends: if the worker is gone first, stop the child."""
    while child.is_running() and child.status() != psutil.STATUS_ZOMBIE:
        if not worker.is_running() or worker.status() == psutil.STATUS_ZOMBIE:
            stop(child)
            return
        time.sleep(POLL_S)


def stop(child: psutil.Process) -> None:
    """An interrupt first (dbt then cancels its queries and releases the warehouse), then
    a kill if it is still there after the grace period."""
    try:
        child.send_signal(2)  # SIGINT, as dagster-dbt sends on a cancelled run
        child.wait(GRACE_S)
    except psutil.TimeoutExpired:
        child.kill()
    except psutil.NoSuchProcess:
        pass


def main(argv: list[str]) -> int:
    try:
        worker, child = psutil.Process(int(argv[0])), psutil.Process(int(argv[1]))
    except psutil.NoSuchProcess:
        return 0  # one of them already ended: nothing to guard
    with contextlib.suppress(psutil.NoSuchProcess):  # the child ended between two looks
        watch(worker, child)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
