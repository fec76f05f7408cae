"""The Dagster code location as users see it: asset keys, checks, job, schedule, executor,
and one warehouse path whatever the working directory."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
import pytest

from orchestration.settings import EXPECTATIONS_DIR, REPO_ROOT, export_for_dbt, load_settings

SNAPSHOT = Path(__file__).parent / "snapshots" / "asset_keys.txt"


@pytest.fixture(scope="module")
def defs(dbt_manifest):
    from orchestration.definitions import defs

    return defs


def asset_keys(defs) -> list[str]:
    return sorted(k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys())


def test_asset_graph_matches_the_snapshot(defs):
    """A refactor that moves the graph shows up here as a diff. To accept a deliberate
    change: REFORMWATCH_UPDATE_SNAPSHOT=1 pytest tests/test_definitions.py"""
    keys = "\n".join(asset_keys(defs)) + "\n"
    if os.environ.get("REFORMWATCH_UPDATE_SNAPSHOT"):
        SNAPSHOT.write_text(keys)
    assert keys == SNAPSHOT.read_text()


def test_keys_are_schema_and_table_so_bi_users_recognise_them(defs):
    keys = asset_keys(defs)
    assert "raw/procedure_log_events" in keys  # ingest asset = dbt source
    assert "marts/fct_dossiers" in keys and "marts/mart_unit_service_monthly" in keys
    assert {"reports/service_delivery", "reports/index", "bi/published_warehouse"} <= set(keys)


def test_every_suite_is_a_blocking_check(defs):
    checks = {
        spec.name: spec
        for check in defs.asset_checks or []
        for spec in check.check_specs
        if spec.name.startswith("ge_")
    }
    suites = sorted(p.stem for p in EXPECTATIONS_DIR.glob("*.json"))
    assert sorted(name.removeprefix("ge_") for name in checks) == suites
    assert all(spec.blocking for spec in checks.values())


def test_runs_are_in_process_and_scheduled_off_by_default(defs):
    job = defs.resolve_job_def("reformwatch_all")
    assert job.executor_def is dg.in_process_executor
    schedule = defs.resolve_schedule_def("reformwatch_all_schedule")
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED


def test_dbt_runs_leave_unit_tests_to_ci():
    from orchestration.defs.dbt import dbt_build_args

    args = dbt_build_args()
    assert args[0] == "build" and args[args.index("--exclude-resource-type") + 1] == "unit_test"


def test_one_absolute_warehouse_path_from_any_directory(tmp_path, monkeypatch):
    monkeypatch.delenv("REFORMWATCH_DATA_DIR")
    monkeypatch.chdir(tmp_path)
    assert load_settings().warehouse == REPO_ROOT / "data" / "warehouse" / "reformwatch.duckdb"
    monkeypatch.setenv("REFORMWATCH_WAREHOUSE", "relative/wh.duckdb")
    settings = load_settings()
    assert settings.warehouse == tmp_path / "relative" / "wh.duckdb"
    export_for_dbt(settings)  # what the dbt subprocess reads: the same absolute path
    assert os.environ["REFORMWATCH_WAREHOUSE"] == str(tmp_path / "relative" / "wh.duckdb")
