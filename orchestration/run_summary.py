"""The few lines an operator reads after `make run`: what the last run did, from Dagster's
event log. The full log stays in the file `make run` wrote (`data/logs/run-*.log`).

    python -m orchestration.run_summary [--log PATH]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import dataclass, field

import dagster as dg
from dagster._core.events import DagsterEventType

from orchestration.defs.build_scope import BUILD_SCOPE_KEY

INGEST_SCHEMA = "raw"
DBT_STEP = "reformwatch_dbt"


@dataclass
class RunSummary:
    run_id: str
    status: str
    wall_s: float | None
    ingest: dict[str, dict] = field(default_factory=dict)  # source table → its metadata
    built: Counter = field(default_factory=Counter)  # schema → assets materialised
    checks_passed: int = 0
    checks_failed: list[str] = field(default_factory=list)
    failed_steps: list[str] = field(default_factory=list)  # "step: why", the error's first line
    dbt_scope: str | None = None  # full refresh, or the months an incremental build redid


def metadata_values(materialization: dg.AssetMaterialization) -> dict:
    return {name: value.value for name, value in materialization.metadata.items()}


def summarise(instance: dg.DagsterInstance, run_id: str | None = None) -> RunSummary | None:
    """The given run, or the latest one."""
    runs = instance.get_runs(filters=dg.RunsFilter(run_ids=[run_id]) if run_id else None, limit=1)
    if not runs:
        return None
    run = runs[0]
    stats = instance.get_run_stats(run.run_id)
    wall = stats.end_time - stats.start_time if stats.end_time and stats.start_time else None
    summary = RunSummary(run.run_id, run.status.value, wall)
    wanted = {
        DagsterEventType.ASSET_MATERIALIZATION,
        DagsterEventType.ASSET_CHECK_EVALUATION,
        DagsterEventType.STEP_FAILURE,
    }
    for entry in instance.all_logs(run.run_id, of_type=wanted):
        event = entry.dagster_event
        if event.event_type == DagsterEventType.ASSET_MATERIALIZATION:
            materialization = event.event_specific_data.materialization
            schema = materialization.asset_key.path[0]
            summary.built[schema] += 1
            scope = materialization.metadata.get(BUILD_SCOPE_KEY)
            if scope is not None:
                summary.dbt_scope = scope.value
            if schema == INGEST_SCHEMA:
                summary.ingest[materialization.asset_key.path[-1]] = metadata_values(
                    materialization
                )
        elif event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            if evaluation.passed:
                summary.checks_passed += 1
            else:
                name = f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
                summary.checks_failed.append(name)
        else:
            summary.failed_steps.append(step_failure(event))
    return summary


def step_failure(event) -> str:
    """`step: why` — the first line of the innermost error (a bad run config, say), which
    Dagster wraps in its own."""
    error = event.event_specific_data.error if event.event_specific_data else None
    while error is not None and error.cause is not None:
        error = error.cause
    why = error.message.strip().splitlines()[0] if error and error.message.strip() else ""
    return f"{event.step_key or '?'}: {why}" if why else event.step_key or "?"


def ingest_line(table: str, meta: dict) -> str:
    by_status = meta.get("files_by_status") or {}
    statuses = ", ".join(f"{n} {s}" for s, n in sorted(by_status.items()))
    return (
        f"  {table:24} {meta.get('new_files', 0):>4} new files"
        + (f" ({statuses})" if statuses else "")
        + f", {meta.get('rows_loaded', 0):,} rows loaded, "
        f"{meta.get('rows_quarantined', 0):,} quarantined"
    )


def render(summary: RunSummary, log: str | None = None) -> list[str]:
    wall = f"{summary.wall_s:.1f} s" if summary.wall_s is not None else "unknown"
    lines = [f"run {summary.run_id[:8]}: {summary.status}, wall time {wall}"]
    lines.append("ingest (landing files by content hash):")
    lines += [ingest_line(t, m) for t, m in sorted(summary.ingest.items())] or ["  nothing run"]
    built = {s: n for s, n in summary.built.items() if s != INGEST_SCHEMA}
    dbt_schemas = ("reference", "staging", "intermediate", "marts", "audit")
    models = sum(built.get(s, 0) for s in dbt_schemas)
    lines.append(
        f"dbt: {models} models and seeds built"
        + (
            " (" + ", ".join(f"{s} {built[s]}" for s in dbt_schemas if built.get(s)) + ")"
            if models
            else " (the dbt step failed: below)"
            if any(step.startswith(DBT_STEP) for step in summary.failed_steps)
            else " (nothing new since the last build: skipped, and the steps after it)"
        )
    )
    if summary.dbt_scope:
        lines.append(f"  {summary.dbt_scope}")
    lines.append(f"checks: {summary.checks_passed} passed, {len(summary.checks_failed)} failed")
    lines += [f"  FAILED {name}" for name in summary.checks_failed[:20]]
    if len(summary.checks_failed) > 20:
        lines.append(f"  … and {len(summary.checks_failed) - 20} more (see the log)")
    others = {s: n for s, n in built.items() if s not in dbt_schemas}
    if others:
        lines.append("other assets: " + ", ".join(f"{s} {n}" for s, n in sorted(others.items())))
    lines += [f"FAILED STEP {step}" for step in summary.failed_steps]
    if log:
        lines.append(f"full log: {log}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log", help="the full log file of the run, to name it")
    parser.add_argument("--run-id", help="a run id (default: the latest run)")
    args = parser.parse_args(argv)
    with dg.DagsterInstance.get() as instance:
        summary = summarise(instance, args.run_id)
    if summary is None:
        print("no Dagster run recorded in this instance", file=sys.stderr)
        return 1
    print("\n".join(render(summary, args.log)))
    return 0 if summary.status == "SUCCESS" else 1


if __name__ == "__main__":
    sys.exit(main())
