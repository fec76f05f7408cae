"""The dbt project as Dagster assets: one key per model, grouped by its schema."""

import json
import shutil
import sys
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from orchestration import spark
from orchestration.child_guard import guarded
from orchestration.defs.build_scope import (
    BUILD_SCOPE_KEY,
    BuildScope,
    asked_months,
    decide_scope,
    mark_started,
    record_build,
)
from orchestration.defs.build_state import (
    FINGERPRINT_KEY,
    existing_relations,
    input_fingerprint,
    project_files,
    project_fingerprint,
    recorded_fingerprints,
    table_metadata,
    up_to_date,
)
from orchestration.quality.history import record_dbt_results
from orchestration.resources import WAREHOUSE_WRITER_POOL, WarehouseResource
from orchestration.settings import DBT_PROJECT_DIR

# dbt writes a folder of ~25 MB per build at 10x (its debug log, the manifest, the compiled
# SQL): enough of them to compare the last builds, not one per run forever, since a sensor
# on the landing folder starts a build for every new set of files.
KEPT_DBT_RUNS = 10


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

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> list[str] | None:
        """`meta.owner` of the model (set per folder in dbt_project.yml)."""
        owner = dbt_resource_props.get("meta", {}).get("owner") or dbt_resource_props.get(
            "config", {}
        ).get("meta", {}).get("owner")
        return [owner] if owner else None

    def get_automation_condition(
        self, dbt_resource_props: Mapping[str, Any]
    ) -> dg.AutomationCondition | None:
        """Models follow their inputs: rebuilt once new raw rows (or a changed upstream
        model) land, never while an upstream is still running."""
        return dg.AutomationCondition.eager()


def dbt_build_args() -> list[str]:
    """Build (seed + run + test) so a failing data test stops the models after it. dbt unit
    tests check SQL logic, not data: CI runs them (tests/test_pipeline.py), runs do not."""
    return ["build", "--exclude-resource-type", "unit_test"]


class DbtBuildConfig(dg.Config):
    """Run config of the dbt step (the launchpad in the UI; `make run FULL_REFRESH=1`,
    `make run REBUILD_MONTHS=2025-09,2025-10`)."""

    full_refresh: bool = False  # rebuild every incremental model's history, whatever changed
    # 'YYYY-MM' months an incremental build redoes on top of the changed ones, even with
    # nothing new (a month's history rebuilt on its own, a single-run backfill); with no
    # earlier build recorded, a full refresh as always
    rebuild_months: list[str] = []

    @property
    def forced(self) -> bool:
        """Build even when nothing is new since the last build."""
        return self.full_refresh or bool(self.rebuild_months)


@dbt_assets(
    manifest=dbt_project().manifest_path,
    project=dbt_project(),
    dagster_dbt_translator=ReformWatchTranslator(),
    pool=WAREHOUSE_WRITER_POOL,
)
def reformwatch_dbt(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    config: DbtBuildConfig,
):
    warehouse.prepare_folders()
    warehouse.wait_for_warehouse()
    dbt_vars = warehouse.dbt_vars()
    project = project_fingerprint(dbt_vars, project_files())
    with warehouse.connect(read_only=True) as con:
        fingerprint = input_fingerprint(con, project)
        # on Spark the models live in Spark's warehouse: always built
        relations = set() if warehouse.on_spark else existing_relations(con)
        scope = (
            BuildScope(
                True,
                (),
                "on Spark every model is built as a table",
                asked_months(config.rebuild_months),
            )
            if warehouse.on_spark
            else decide_scope(
                con,
                project,
                asked_full=config.full_refresh,
                rebuild_months=config.rebuild_months,
            )
        )
        if warehouse.on_spark:
            spark.register_on_spark(con, warehouse.spark_paths)
    recorded = recorded_fingerprints(context.instance, context.selected_asset_keys)
    if not config.forced and up_to_date(fingerprint, recorded, relations):
        context.log.info(
            "nothing new since the last build (same landing files, raw rows, dbt project and "
            "vars): dbt, its tests and everything downstream are skipped"
        )
        return
    context.log.info(scope.describe())
    if not context.is_subset:  # a subset records nothing either way (below)
        with warehouse.connect() as con:
            mark_started(con, context.run.run_id, project)
    target_path = warehouse.dbt_runs_dir / context.run.run_id
    target_path.mkdir(parents=True, exist_ok=True)
    prune_dbt_runs(warehouse.dbt_runs_dir, KEPT_DBT_RUNS)
    invocation = dbt.cli(
        [
            *dbt_build_args(),
            *scope.dbt_args(),
            "--target",
            warehouse.dbt_target,
            *vars_arg({**dbt_vars, **scope.dbt_vars()}),
        ],
        context=context,
        # with the data it built, not in the project folder every deployment shares
        target_path=target_path,
    )
    # Held back until dbt has exited: row counts are read from the warehouse, which dbt
    # holds locked while it runs. Yielded also when dbt fails, so what was built is recorded.
    events: list = []
    succeeded = False
    try:
        with guarded(invocation.process.pid):  # dbt dies with this run, even on kill -9
            events.extend(invocation.stream())
        succeeded = True
    finally:
        # failing tests too: that is when auditors need the history
        with warehouse.connect() as con:
            record_dbt_results(con, context.run.run_id, invocation.target_path)
            # A failed build, or one of some models only (picked in the UI), leaves the
            # record as it was: the next whole build redoes the same months for every model.
            if succeeded and not context.is_subset:
                record_build(con, context.run.run_id, scope, project)
        # a failed build records no fingerprint: the next run builds again
        yield from with_table_metadata(
            context, warehouse, events, fingerprint if succeeded else None, scope.describe()
        )


def prune_dbt_runs(runs_dir: Path, keep: int) -> list[Path]:
    """Delete all but the `keep` most recently written build folders; returns those deleted.

    Called once this build's folder exists, so it is never among them."""
    started = sorted(
        (folder for folder in runs_dir.iterdir() if folder.is_dir()),
        key=lambda folder: folder.stat().st_mtime,
        reverse=True,
    )
    for folder in started[keep:]:
        shutil.rmtree(folder, ignore_errors=True)
    return started[keep:]


def with_table_metadata(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    events: list,
    fingerprint: str | None,
    scope: str,
):
    """Each built model's output with its row count, column types, the input fingerprint
    (what the next run compares to skip a build with nothing new) and what the build redid."""
    with warehouse.connect(read_only=True) as con:
        for event in events:
            if isinstance(event, dg.Output):
                key = context.asset_key_for_output(event.output_name)
                # on Spark the DuckDB file holds no models: dagster-dbt's own metadata only
                extra = {} if warehouse.on_spark else table_metadata(con, *key.path)
                extra[BUILD_SCOPE_KEY] = scope
                if fingerprint:
                    extra[FINGERPRINT_KEY] = fingerprint
                event = event.with_metadata({**event.metadata, **extra})
            yield event


def dbt_executable() -> str:
    """dbt from this interpreter's environment, whether or not the venv is on PATH."""
    return str(Path(sys.executable).parent / "dbt")


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(
        project_dir=dbt_project(),
        profiles_dir=str(DBT_PROJECT_DIR),
        dbt_executable=dbt_executable(),
    )
