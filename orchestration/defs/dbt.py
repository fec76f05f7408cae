"""The dbt project as Dagster assets: one key per model, grouped by its schema."""


import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from orchestration.settings import DBT_PROJECT_DIR, export_for_dbt, load_settings

# dbt lives beside this interpreter; `dagster dev` and the CLI may run without the venv on
# PATH, and dagster-dbt's manifest preparer looks `dbt` up there.
_VENV_BIN = str(Path(sys.executable).parent)
if _VENV_BIN not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _VENV_BIN + os.pathsep + os.environ.get("PATH", "")

# dbt's profile reads the warehouse path from the environment, parse included.
export_for_dbt(load_settings())
dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
# `dagster dev` rebuilds the manifest; other entry points run `dbt parse` first (Makefile,
# tests) and fail loudly here when they did not.
dbt_project.prepare_if_dev()


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
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=ReformWatchTranslator(),
)
def reformwatch_dbt(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    export_for_dbt(load_settings())
    yield from dbt.cli(dbt_build_args(), context=context).stream()


def dbt_executable() -> str:
    """dbt from this interpreter's environment, whether or not the venv is on PATH."""
    return str(Path(_VENV_BIN) / "dbt")


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(
        project_dir=dbt_project, profiles_dir=str(DBT_PROJECT_DIR), dbt_executable=dbt_executable()
    )
