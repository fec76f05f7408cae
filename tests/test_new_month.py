"""A new month end to end: its files dropped into the landing folder start one run through
the sensor, dbt redoes that month only, the gate checks that month, and the reports refresh;
a corrected file of an old month redoes that old month only (orchestration/defs/build_scope.py).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from test_pipeline import run_everything

from orchestration.cli import main as reformwatch
from orchestration.ingest.plan import delivery_month
from orchestration.resources import WarehouseResource

pytestmark = pytest.mark.slow
MONTHLY_SUITES = ("ge_stg_procedure_logs__events", "ge_mart_unit_service_monthly")


def landing_months(landing: Path) -> list[str]:
    return sorted({delivery_month(p.name) for p in landing.rglob("*_*") if p.is_file()} - {None})


def move_month(month: str, source: Path, target: Path) -> int:
    """Move every landing file of `month` from `source` to `target`, keeping its folder."""
    moved = 0
    for path in sorted(source.rglob(f"*_{month}*")):
        if path.is_file():
            to = target / path.relative_to(source)
            to.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(path, to)
            moved += 1
    return moved


def failures(result: dg.ExecuteInProcessResult) -> list[str]:
    """What failed, for the assertion message: each failed step and check."""
    failed = [
        f"{e.step_key}: {e.step_failure_data.error.message[:500]}"
        for e in result.all_events
        if e.event_type == dg.DagsterEventType.STEP_FAILURE
    ]
    failed += [
        f"{e.asset_check_evaluation_data.check_name}: {e.asset_check_evaluation_data.description}"
        for e in result.all_events
        if e.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION
        and not e.asset_check_evaluation_data.passed
    ]
    return failed


def last_build(warehouse: WarehouseResource) -> tuple[str, list[str]]:
    with duckdb.connect(str(warehouse.settings.warehouse), read_only=True) as con:
        mode, months = con.execute(
            "select mode, changed_months from audit.dbt_builds order by built_at desc limit 1"
        ).fetchone()
    return mode, json.loads(months)


def months_checked(result: dg.ExecuteInProcessResult) -> dict[str, str]:
    return {
        e.asset_check_evaluation_data.check_name: e.asset_check_evaluation_data.metadata[
            "months_checked"
        ].value
        for e in result.all_events
        if e.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION
        and e.asset_check_evaluation_data.check_name in MONTHLY_SUITES
    }


def sensor_requests(warehouse: WarehouseResource, cursor: str | None):
    from orchestration.definitions import build_definitions

    sensor = build_definitions(warehouse).resolve_sensor_def("landing_files")
    context = dg.build_sensor_context(cursor=cursor, resources={"warehouse": warehouse})
    return sensor.evaluate_tick(context)


@pytest.fixture(scope="module")
def history(tmp_path_factory, dbt_manifest):
    """One province's first three months built; the fourth month's files held back."""
    data = tmp_path_factory.mktemp("new_month") / "data"
    landing, held = data / "landing", data.parent / "held"
    reformwatch(
        ["simulate", "--provinces", "01", "--months", "4", "--scale", "0.05", "--seed", "5"]
        + ["--out", str(landing)]
    )
    months = landing_months(landing)
    assert move_month(months[-1], landing, held) > 0
    warehouse = WarehouseResource(data_dir=str(data))
    instance = dg.DagsterInstance.ephemeral()
    first = run_everything(warehouse, instance=instance)
    assert first.success, failures(first)
    return warehouse, instance, months, held


def test_the_first_build_is_a_full_refresh_checked_whole(history):
    warehouse, _, _, _ = history
    assert last_build(warehouse) == ("full", [])


def test_a_new_month_is_picked_up_built_checked_and_reported_alone(history):
    warehouse, instance, months, held = history
    before = sensor_requests(warehouse, None)  # the files already built
    assert move_month(months[-1], held, warehouse.landing_dir) > 0
    tick = sensor_requests(warehouse, before.cursor)
    assert len(tick.run_requests) == 1  # one run for the new month's set of files

    # a build of one model picked in the UI redoes the month for that model only: the record
    # stays, so the next whole build still redoes the month for every model
    picked = [dg.AssetKey(["raw", "procedure_log_events"]), dg.AssetKey(["marts", "fct_dossiers"])]
    one_model = run_everything(warehouse, selection=picked, instance=instance)
    assert one_model.success, failures(one_model)
    assert last_build(warehouse) == ("full", [])

    again = run_everything(warehouse, instance=instance)

    assert again.success, failures(again)
    assert last_build(warehouse) == ("incremental", [months[-1]])
    assert months_checked(again) == dict.fromkeys(MONTHLY_SUITES, months[-1])
    refreshed = {e.asset_key.to_user_string() for e in again.get_asset_materialization_events()}
    assert {"reports/service_delivery", "bi/published_warehouse"} <= refreshed

    # a corrected file of the first month: that month is redone, no other
    old = next(p for p in sorted(warehouse.landing_dir.glob(f"procedure_logs/*_{months[0]}.*")))
    lines = old.read_text(encoding="utf-8").splitlines(keepends=True)
    corrected = old.with_name(f"{old.stem}_gui_lai{old.suffix}")
    corrected.write_text("".join(lines[:-1]), encoding="utf-8")  # its last record withdrawn

    third = run_everything(warehouse, instance=instance)

    assert third.success, failures(third)
    assert last_build(warehouse) == ("incremental", [months[0]])


def test_a_full_refresh_asked_for_rebuilds_everything_with_nothing_new(history):
    """`make run FULL_REFRESH=1` passes this run config: nothing new, still a full build."""
    warehouse, instance, _, _ = history
    config = {"ops": {"reformwatch_dbt": {"config": {"full_refresh": True}}}}
    forced = run_everything(warehouse, instance=instance, run_config=config)
    assert forced.success, failures(forced)
    assert last_build(warehouse) == ("full", [])


def test_months_asked_for_are_rebuilt_alone_with_nothing_new(history):
    """`make run REBUILD_MONTHS=…` passes this run config: nothing new, still a build, of
    that month only, checked alone."""
    warehouse, instance, months, _ = history
    config = {"ops": {"reformwatch_dbt": {"config": {"rebuild_months": [months[1]]}}}}
    asked = run_everything(warehouse, instance=instance, run_config=config)
    assert asked.success, failures(asked)
    assert last_build(warehouse) == ("incremental", [months[1]])
    assert months_checked(asked) == dict.fromkeys(MONTHLY_SUITES, months[1])
