"""A pipeline run the chaos tests kill: `python chaos_worker.py <data_dir> <stage> [ops]`.

It runs the `reformwatch_all` job in this process, as `dagster asset materialize` does (only
the steps named in `ops`, comma-separated, when given: a run of the later stages alone). With a
stage other than `none`, the stage's code is wrapped so that, once the stage is under way
(inside its transaction, with dbt running, between two suites, between two pages, with the BI
copy written but not yet swapped in), the worker prints `KILL-ME <stage>` and waits: the test
then sends SIGKILL, so the kill lands at that point every time. The wrapping is the test's
instrumentation only; the code it wraps is the code a run executes.
"""

from __future__ import annotations

import os
import sys
import time

import dagster as dg

PAUSE_S = 120  # longer than the test takes to kill: the worker never resumes on its own


def kill_point(stage: str) -> None:
    print(f"KILL-ME {stage}", flush=True)
    time.sleep(PAUSE_S)
    raise SystemExit(f"chaos worker: not killed at {stage}")


def after(module, name: str, stage: str) -> None:
    """`module.name` runs, then the worker waits to be killed."""
    original = getattr(module, name)

    def wrapped(*args, **kwargs):
        result = original(*args, **kwargs)
        kill_point(stage)
        return result

    setattr(module, name, wrapped)


def arm(stage: str) -> None:
    import orchestration.defs.quality as quality
    import orchestration.defs.reports as reports
    import orchestration.ingest.load as load
    import orchestration.publication as publication
    import reports.shell as shell

    if stage == "ingest":  # a batch parsed and settled, its transaction not committed
        after(load, "settle_batch", stage)
    elif stage == "dbt":  # dbt has started building: the run dies, dbt must die with it
        from dagster_dbt.core.dbt_cli_invocation import DbtCliInvocation

        original = DbtCliInvocation.stream_raw_events

        def stream(self, *args, **kwargs):
            for n, event in enumerate(original(self, *args, **kwargs)):
                if n == 20:
                    kill_point(stage)
                yield event

        DbtCliInvocation.stream_raw_events = stream
    elif stage == "checks":  # one suite recorded, the others not run
        after(quality, "record_outcome", stage)
    elif stage == "reports":  # one page written, the others not
        after(shell.Page, "write", stage)
        del reports  # the report assets call Page.write through the shell
    elif stage == "publication":  # the BI copy written beside the published one, not swapped

        class PausingOs:
            def __getattr__(self, name):
                return getattr(os, name)

            def replace(self, src, dst):
                kill_point(stage)
                os.replace(src, dst)

        publication.os = PausingOs()
    elif stage != "none":
        raise SystemExit(f"chaos worker: unknown stage {stage}")


def main(data_dir: str, stage: str, ops: str = "") -> int:
    arm(stage)
    from orchestration.definitions import build_definitions
    from orchestration.resources import WarehouseResource

    job = build_definitions(WarehouseResource(data_dir=data_dir)).resolve_job_def("reformwatch_all")
    result = job.execute_in_process(
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
        op_selection=ops.split(",") if ops else None,
    )
    print("RUN-SUCCESS" if result.success else "RUN-FAILURE", flush=True)
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
