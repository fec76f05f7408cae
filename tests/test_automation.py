"""Runs start themselves and do only what is new: the landing sensor, the per-province
freshness check, the build fingerprint that lets a run with nothing new skip dbt, and the
automation, ownership and one-writer settings of the code location."""

from __future__ import annotations

import json
import os
import time

import dagster as dg
import duckdb
import pytest

from orchestration.defs.automation import stale_provinces
from orchestration.defs.build_state import (
    input_fingerprint,
    project_fingerprint,
    table_metadata,
    up_to_date,
)


@pytest.fixture
def defs(dbt_manifest, warehouse_resource):
    from orchestration.definitions import build_definitions

    return build_definitions(warehouse_resource)


def evaluate(defs, resource, cursor):
    sensor = defs.resolve_sensor_def("landing_files")
    context = dg.build_sensor_context(cursor=cursor, resources={"warehouse": resource})
    return sensor.evaluate_tick(context)


def drop(resource, name: str, text: str) -> None:
    path = resource.landing_dir / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_sensor_asks_one_run_per_new_set_of_files_by_content(defs, warehouse_resource):
    first = evaluate(defs, warehouse_resource, None)
    assert not first.run_requests  # an empty landing folder starts nothing

    drop(warehouse_resource, "procedure_logs/01_2026-01.jsonl", '{"a": 1}\n')
    drop(warehouse_resource, "budget_allocations/01_2026-01.csv", "x\n1\n")
    found = evaluate(defs, warehouse_resource, first.cursor)
    (request,) = found.run_requests
    assert request.tags["reformwatch/new_files"] == "2"
    assert request.tags["reformwatch/sources"] == "budget_allocations,procedure_logs"

    again = evaluate(defs, warehouse_resource, found.cursor)
    assert not again.run_requests  # the same files, seen again: no second run

    # a re-sent copy under another name has the same content: nothing new
    drop(warehouse_resource, "budget_allocations/01_2026-01_gui_lai.csv", "x\n1\n")
    assert not evaluate(defs, warehouse_resource, again.cursor).run_requests

    # a corrected file for an old month is new content: one more run, with its own key
    drop(warehouse_resource, "procedure_logs/01_2026-01.jsonl", '{"a": 2}\n')
    corrected = evaluate(defs, warehouse_resource, again.cursor)
    (rerun,) = corrected.run_requests
    assert rerun.run_key != request.run_key and rerun.tags["reformwatch/new_files"] == "1"


def test_sensor_sees_a_file_rewritten_in_place_with_its_size_and_mtime_put_back(
    defs, warehouse_resource
):
    # a corrected file of the same length copied over with its times kept (`cp -p`,
    # `rsync -t`): the sensor's quick check is ingest's (`stat_key`), change time included
    drop(warehouse_resource, "procedure_logs/01_2026-01.jsonl", '{"a": 1}\n')
    first = evaluate(defs, warehouse_resource, None)
    path = warehouse_resource.landing_dir / "procedure_logs/01_2026-01.jsonl"
    before = path.stat()
    time.sleep(0.01)
    path.write_text('{"a": 2}\n')
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    (request,) = evaluate(defs, warehouse_resource, first.cursor).run_requests
    assert request.tags["reformwatch/new_files"] == "1"


def test_sensor_reads_a_cursor_of_the_older_form_and_hashes_its_files_once(
    defs, warehouse_resource
):
    drop(warehouse_resource, "procedure_logs/01_2026-01.jsonl", '{"a": 1}\n')
    current = json.loads(evaluate(defs, warehouse_resource, None).cursor)
    path = warehouse_resource.landing_dir / "procedure_logs/01_2026-01.jsonl"
    older = {  # [size, mtime_ns, sha256], before the stat key
        name: [path.stat().st_size, path.stat().st_mtime_ns, entry[-1]]
        for name, entry in current.items()
    }
    tick = evaluate(defs, warehouse_resource, json.dumps(older))
    assert not tick.run_requests  # the same content: nothing new
    assert json.loads(tick.cursor) == current


def test_sensor_run_key_is_the_content_so_a_replayed_tick_starts_nothing_new(
    defs, warehouse_resource
):
    drop(warehouse_resource, "asset_inventories/01_2026-03.csv", "x\n1\n")
    one = evaluate(defs, warehouse_resource, None).run_requests[0].run_key
    two = evaluate(defs, warehouse_resource, json.dumps({})).run_requests[0].run_key
    assert one == two  # Dagster launches one run per run key


def test_sensor_is_on_by_default_and_the_schedule_stays_off(defs):
    assert defs.resolve_sensor_def("landing_files").default_status == (
        dg.DefaultSensorStatus.RUNNING
    )
    schedule = defs.resolve_schedule_def("reformwatch_all_schedule")
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED


def test_a_province_behind_the_newest_month_is_stale():
    paths = [
        "procedure_logs/01_2026-05.jsonl",
        "procedure_logs/01_2026-06.jsonl",
        "procedure_logs/04_2026-05.csv",
        "procedure_logs/08_2026-06.jsonl",
        "procedure_logs/not_a_landing_name.csv",
    ]
    assert stale_provinces(paths) == {"04": "2026-05"}
    assert stale_provinces(paths[:2]) == {}
    assert stale_provinces([]) == {}


def test_freshness_check_lists_the_provinces_behind(defs, warehouse_resource):
    warehouse_resource.prepare_folders()
    with warehouse_resource.connect() as con:
        con.execute("create schema audit")
        con.execute(
            "create table audit.ingest_files as select * from (values "
            "('budget_allocations', 'budget_allocations/01_2026-06.csv', 'loaded'), "
            "('budget_allocations', 'budget_allocations/04_2026-05.csv', 'loaded'), "
            "('budget_allocations', 'budget_allocations/04_2026-06.csv', 'rejected_file')"
            ") t(source, path, status)"
        )
    result = dg.materialize(
        [
            dg.AssetSpec(["raw", "budget_allocation_rows"]),
            *[c for c in defs.asset_checks if c.node_def.name.endswith("provinces_up_to_date")],
        ],
        resources={"warehouse": warehouse_resource},
        selection=dg.AssetSelection.checks_for_assets(["raw", "budget_allocation_rows"]),
    )
    (evaluation,) = result.get_asset_check_evaluations()
    assert not evaluation.passed
    assert evaluation.metadata["stale_provinces"].value == {"04": "2026-05"}


def warehouse_with_raw(path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    con.execute("create schema raw; create schema audit")
    con.execute("create table raw.procedure_log_events as select 1 as x")
    con.execute(
        "create table audit.ingest_files as "
        "select 'f1' as file_id, 'loaded' as status, 1 as rows_loaded"
    )
    return con


def fingerprint(con, dbt_vars, model):
    return input_fingerprint(con, project_fingerprint(dbt_vars, [model]))


def test_fingerprint_changes_with_new_rows_files_project_or_vars_only(tmp_path):
    con = warehouse_with_raw(tmp_path / "w.duckdb")
    model = tmp_path / "model.sql"
    model.write_text("select 1")
    dbt_vars = {"reformwatch_warehouse": "/a.duckdb", "reform_date": "2025-07-01"}
    before = fingerprint(con, dbt_vars, model)

    moved = {**dbt_vars, "reformwatch_warehouse": "/elsewhere.duckdb"}
    assert fingerprint(con, moved, model) == before  # paths do not change results
    assert fingerprint(con, {**dbt_vars, "reform_date": "2025-08-01"}, model) != before
    model.write_text("select 2")
    assert fingerprint(con, dbt_vars, model) != before
    model.write_text("select 1")
    con.execute("insert into raw.procedure_log_events values (2)")
    assert fingerprint(con, dbt_vars, model) != before
    con.execute("delete from raw.procedure_log_events where x = 2")
    assert fingerprint(con, dbt_vars, model) == before
    con.execute("update audit.ingest_files set status = 'retracted'")
    assert fingerprint(con, dbt_vars, model) != before


def test_a_build_is_skipped_only_when_every_model_is_current_and_present():
    key, other = dg.AssetKey(["marts", "a"]), dg.AssetKey(["marts", "b"])
    tables = {("marts", "a"), ("marts", "b")}
    assert up_to_date("f", {key: "f", other: "f"}, tables)
    assert not up_to_date("f", {key: "f", other: "old"}, tables)
    assert not up_to_date("f", {key: "f", other: None}, tables)  # never built
    assert not up_to_date("f", {key: "f", other: "f"}, {("marts", "a")})  # table dropped
    assert not up_to_date("f", {}, tables)


def test_table_metadata_has_row_count_and_column_types(tmp_path):
    con = warehouse_with_raw(tmp_path / "w.duckdb")
    meta = table_metadata(con, "audit", "ingest_files")
    assert meta["dagster/row_count"].value == 1
    columns = meta["dagster/column_schema"].columns
    assert [(c.name, c.type) for c in columns] == [
        ("file_id", "VARCHAR"),
        ("status", "VARCHAR"),
        ("rows_loaded", "INTEGER"),
    ]
    assert table_metadata(con, "marts", "missing") == {}


def test_a_view_gets_its_column_types_and_no_row_count(tmp_path):
    """Counting a view re-runs its query (at 10x, the dedupe of every raw event: 19 s of
    every build): its metadata says it was not counted instead."""
    con = warehouse_with_raw(tmp_path / "w.duckdb")
    con.execute("create view audit.loaded_files as select file_id from audit.ingest_files")
    meta = table_metadata(con, "audit", "loaded_files")
    assert "dagster/row_count" not in meta
    assert meta["row_count"].startswith("not counted: a view")
    assert [c.name for c in meta["dagster/column_schema"].columns] == ["file_id"]


def test_dbt_models_have_owners_and_follow_their_inputs(defs):
    graph = defs.resolve_asset_graph()
    fact = graph.get(dg.AssetKey(["marts", "fct_dossiers"]))
    assert fact.owners == ["team:indicators"]
    assert graph.get(dg.AssetKey(["staging", "stg_procedure_logs__events"])).owners == [
        "team:data-engineering"
    ]
    assert fact.automation_condition is not None
    for key in (["quality", "gate"], ["reports", "index"], ["bi", "published_warehouse"]):
        assert graph.get(dg.AssetKey(key)).automation_condition is not None
    source = graph.get(dg.AssetKey(["raw", "procedure_log_events"]))
    assert source.automation_condition is None and source.freshness_policy is not None


def test_every_step_that_writes_the_warehouse_is_in_the_one_writer_pool(defs):
    graph = defs.resolve_asset_graph()
    writers = [["raw", "procedure_log_events"], ["raw", "budget_allocation_rows"]]
    writers.append(["marts", "fct_dossiers"])
    for key in writers:
        node = graph.get(dg.AssetKey(key))
        assert {op.pool for op in node.assets_def.node_def.iterate_op_defs()} == {"duckdb_writer"}
