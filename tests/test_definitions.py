"""The Dagster code location as users see it: asset keys, checks, job, schedule, executor,
its resources, and one warehouse path whatever the working directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from orchestration.resources import WarehouseResource
from orchestration.settings import EXPECTATIONS_DIR, REPO_ROOT, dbt_command, load_settings

SNAPSHOT = Path(__file__).parent / "snapshots" / "asset_keys.txt"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def defs(dbt_manifest, warehouse_resource):
    from orchestration.definitions import build_definitions

    return build_definitions(warehouse_resource)


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


def test_only_the_latest_dbt_build_folders_are_kept(tmp_path):
    """One folder per build (dbt's log and artifacts) piled up forever; the oldest go first,
    judged by when they were last written, whatever their run ids say."""
    from orchestration.defs.dbt import prune_dbt_runs

    ages = {"b-run": 400, "a-run": 300, "d-run": 200, "c-run": 100}  # seconds ago
    for name, age in ages.items():
        folder = tmp_path / name
        folder.mkdir()
        (folder / "dbt.log").write_text("log")
        os.utime(folder, (folder.stat().st_atime, folder.stat().st_mtime - age))
    (tmp_path / "notes.txt").write_text("not a build: left alone")

    deleted = prune_dbt_runs(tmp_path, keep=2)

    assert sorted(p.name for p in deleted) == ["a-run", "b-run"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c-run", "d-run", "notes.txt"]
    assert prune_dbt_runs(tmp_path, keep=2) == []


def test_one_absolute_warehouse_path_from_any_directory(tmp_path, monkeypatch):
    monkeypatch.delenv("REFORMWATCH_DATA_DIR")
    monkeypatch.chdir(tmp_path)
    assert load_settings().warehouse == REPO_ROOT / "data" / "warehouse" / "reformwatch.duckdb"
    monkeypatch.setenv("REFORMWATCH_WAREHOUSE", "relative/wh.duckdb")
    resource = WarehouseResource.from_env()
    assert resource.settings.warehouse == tmp_path / "relative" / "wh.duckdb"
    monkeypatch.chdir(REPO_ROOT)  # the resource keeps the path it was given, resolved
    # what the dbt subprocess opens: the same absolute path, handed over as --vars
    assert resource.dbt_vars()["reformwatch_warehouse"] == str(tmp_path / "relative" / "wh.duckdb")


def test_resource_defaults_follow_the_data_dir(tmp_path):
    resource = WarehouseResource(data_dir=str(tmp_path / "data"))
    settings = resource.settings
    assert settings.warehouse == tmp_path / "data" / "warehouse" / "reformwatch.duckdb"
    assert settings.tmp_dir == tmp_path / "data" / "tmp"
    assert settings.memory_limit == "1GB" and settings.uses_development_key
    assert resource.published_warehouse == tmp_path / "data" / "warehouse" / "reformwatch_bi.duckdb"
    assert resource.dbt_runs_dir == tmp_path / "data" / "logs" / "dbt"
    assert resource.dbt_vars() == {
        "reformwatch_warehouse": str(settings.warehouse),
        "reformwatch_tmp_dir": str(tmp_path / "data" / "tmp"),
        "reformwatch_memory_limit": "1GB",
    }


def test_every_override_is_read_from_its_variable(tmp_path):
    resource = WarehouseResource.from_env(
        {
            "REFORMWATCH_DATA_DIR": str(tmp_path / "d"),
            "REFORMWATCH_WAREHOUSE": str(tmp_path / "w" / "x.duckdb"),
            "REFORMWATCH_MEMORY_LIMIT": "512MB",
            "REFORMWATCH_TMP_DIR": str(tmp_path / "spill"),
            "REFORMWATCH_PSEUDONYM_KEY": "secret",
        }
    )
    assert (resource.landing_dir, resource.settings.warehouse, resource.settings.tmp_dir) == (
        tmp_path / "d" / "landing",
        tmp_path / "w" / "x.duckdb",
        tmp_path / "spill",
    )
    assert resource.memory_limit == "512MB"
    assert not resource.settings.uses_development_key


def test_every_step_that_touches_the_warehouse_takes_the_resource(defs):
    graph = defs.resolve_asset_graph()
    nodes = [graph.get(key) for key in graph.get_all_asset_keys()]
    needs = {
        node.key.to_user_string(): node.assets_def.required_resource_keys
        for node in nodes
        if node.assets_def.is_executable
    }
    assert all("warehouse" in keys for keys in needs.values()), needs
    assert all("warehouse" in check.required_resource_keys for check in defs.asset_checks)


def test_publication_waits_on_the_gate_not_on_the_report_pages(defs):
    """A charting bug must not hold back the BI copy of checked data."""
    graph = defs.resolve_asset_graph()
    published = dg.AssetKey(["bi", "published_warehouse"])
    upstream = graph.get(published).parent_keys
    assert dg.AssetKey(["quality", "gate"]) in upstream
    assert not {key for key in upstream if key.path[0] == "reports"}
    assert "marts/mart_unit_service_monthly" in {k.to_user_string() for k in upstream}
    assert published not in {
        child
        for key in graph.get_all_asset_keys()
        if key.path[0] == "reports"
        for child in graph.get(key).child_keys
    }


def test_the_suites_run_in_one_step(defs):
    """One step runs every suite and renders the data-quality site once."""
    (check,) = [c for c in defs.asset_checks if c.node_def.name == "great_expectations"]
    assert len(check.check_specs) == len(list(EXPECTATIONS_DIR.glob("*.json")))


def test_dbt_gets_the_warehouse_through_vars_not_the_environment(tmp_path, dbt_manifest):
    """profiles.yml renders the resource's `--vars` (no REFORMWATCH_WAREHOUSE exported)."""
    resource = WarehouseResource(data_dir=str(tmp_path / "data"), memory_limit="300MB")
    resource.prepare_folders()
    env = {k: v for k, v in os.environ.items() if not k.startswith("REFORMWATCH_")}
    done = subprocess.run(
        dbt_command("debug", "--vars", json.dumps(resource.dbt_vars())),
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout[-2000:]
    assert f"path: {resource.settings.warehouse}" in done.stdout
    assert f"'temp_directory': '{resource.settings.tmp_dir}'" in done.stdout
    assert "'memory_limit': '300MB'" in done.stdout


IMPORT_EVERYTHING = """
import json, os
before = dict(os.environ)
import orchestration.definitions, orchestration.cli, orchestration.quality.ge_runner
import great_expectations  # imported when a suite is validated (ge_runner.load_suite)
after = dict(os.environ)
ours = ("REFORMWATCH_", "GX_", "DBT_", "PATH")
print(json.dumps(sorted(k for k in set(before) | set(after)
                        if k.startswith(ours) and before.get(k) != after.get(k))))
"""


def test_importing_the_code_location_writes_no_environment_and_no_folder(tmp_path, dbt_manifest):
    data = tmp_path / "never-created"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REFORMWATCH_", "GX_"))}
    env["REFORMWATCH_DATA_DIR"] = str(data)
    # A script file, not `python -c`: with the Spark extras installed, Great Expectations
    # imports pyspark, whose Spark Connect module takes a main module without a file for a
    # doctest run and exits 0 before the script prints anything.
    script = tmp_path / "import_everything.py"
    script.write_text(IMPORT_EVERYTHING, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.splitlines()[-1]) == []
    assert not data.exists()


LOADED_MODULES = """
import json, sys
import orchestration.definitions
print(json.dumps("great_expectations" in sys.modules))
"""


def test_loading_the_code_location_does_not_import_great_expectations(tmp_path, dbt_manifest):
    """Every Dagster process loads the code location — the UI's code server, each run, the
    sensor's run with nothing new — and GE's import alone took 2–9 s on these machines:
    it belongs to the step that validates."""
    script = tmp_path / "load_code_location.py"  # a file, not -c: see the test above
    script.write_text(LOADED_MODULES, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.splitlines()[-1]) is False
