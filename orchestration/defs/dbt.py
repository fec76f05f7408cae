"""The dbt project as Dagster assets: one key per model, grouped by its schema."""

import json
import sys
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from orchestration.child_guard import guarded
from orchestration.quality.history import record_dbt_results
from orchestration.resources import WarehouseResource
from orchestration.settings import DBT_PROJECT_DIR


def vars_arg(dbt_vars: Mapping[str, str]) -> list[str]:
    return ["--vars", json.dumps(dict(dbt_vars))]


@cache
def dbt_project() -> DbtProject:
    """Built once. `dagster dev` re-parses the models at load (the parse reads the warehouse
    path from the same `REFORMWATCH_*` variables as the resource); other entry points run
    `dbt parse` first (Makefile, tests) and fail loudly here when they did not."""
    project = DbtProject(
        project_dir=DBT_PROJECT_DIR,
        profiles_dir=DBT_PROJECT_DIR,
        prepare_project_cli_args=[
            "parse",
            "--quiet",
            *vars_arg(WarehouseResource.from_env().dbt_vars()),
        ],
    )
    project.prepare_if_dev()
    return project


def model_schema(props: Mapping[str, Any]) -> str:
    return props.get("config", {}).get("schema") or props.get("schema") or "main"


class ReformWatchTranslator(DagsterDbtTranslator):
    """Keys are `[schema, name]` — the table a BI user sees — and groups are schemas."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        return dg.AssetKey([model_schema(dbt_resource_props), dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return model_schema(dbt_resource_props)


def dbt_build_args() -> list[str]:
    """Build (seed + run + test) so a failing data test stops the models after it. dbt unit
    tests check SQL logic, not data: CI runs them (tests/test_pipeline.py), runs do not."""
    return ["build", "--exclude-resource-type", "unit_test"]


@dbt_assets(
    manifest=dbt_project().manifest_path,
    project=dbt_project(),
    dagster_dbt_translator=ReformWatchTranslator(),
)
def reformwatch_dbt(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
):
    warehouse.prepare_folders()
    warehouse.wait_for_warehouse()
    invocation = dbt.cli([*dbt_build_args(), *vars_arg(warehouse.dbt_vars())], context=context)
    try:
        with guarded(invocation.process.pid):  # dbt dies with this run, even on kill -9
            yield from invocation.stream()
    finally:  # failing tests too: that is when auditors need the history
        with warehouse.connect() as con:
            record_dbt_results(con, context.run.run_id, invocation.target_path)


def dbt_executable() -> str:
    """dbt from this interpreter's environment, whether or not the venv is on PATH."""
    return str(Path(sys.executable).parent / "dbt")


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(
        project_dir=dbt_project(),
        profiles_dir=str(DBT_PROJECT_DIR),
        dbt_executable=dbt_executable(),
    )
