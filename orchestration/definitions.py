"""The ReformWatch Dagster code location.

`defs` is loaded lazily by Dagster (`dagster dev`, `dagster asset materialize -m
orchestration.definitions`) with the warehouse resource read from the `REFORMWATCH_*`
variables; tests call `build_definitions` with a resource of their own.
"""

from __future__ import annotations

import dagster as dg

from orchestration.defs.automation import build_landing_sensor, freshness_checks
from orchestration.defs.dbt import dbt_resource, reformwatch_dbt
from orchestration.defs.ingest import ingest_assets
from orchestration.defs.quality import ge_checks, quality_gate
from orchestration.defs.reports import published_warehouse, report_assets, report_index
from orchestration.resources import WarehouseResource

everything = dg.define_asset_job(
    "reformwatch_all",
    selection=dg.AssetSelection.all(),
    description="Ingest new landing files, build the dbt star schema, gate, report, publish.",
)

# The landing sensor (on by default) starts a run per new set of files; the nightly schedule
# stays for sites that prefer a fixed time, off by default.
landing_sensor = build_landing_sensor(everything)

nightly = dg.ScheduleDefinition(
    job=everything,
    cron_schedule="0 2 * * *",
    execution_timezone="Asia/Ho_Chi_Minh",
    default_status=dg.DefaultScheduleStatus.STOPPED,
)


def follows_inputs(assets: dg.AssetsDefinition) -> dg.AssetsDefinition:
    """Downstream of the models: rebuilt by declarative automation once its inputs change."""
    return assets.map_asset_specs(
        lambda spec: spec.replace_attributes(automation_condition=dg.AutomationCondition.eager())
    )


def build_definitions(warehouse: WarehouseResource) -> dg.Definitions:
    return dg.Definitions(
        assets=[
            *ingest_assets,
            reformwatch_dbt,
            *map(follows_inputs, [quality_gate, *report_assets, report_index, published_warehouse]),
        ],
        asset_checks=[ge_checks, *freshness_checks],
        jobs=[everything],
        schedules=[nightly],
        sensors=[landing_sensor],
        resources={"dbt": dbt_resource(), "warehouse": warehouse},
        # DuckDB takes one writer process: run steps one after another in one process.
        executor=dg.in_process_executor,
    )


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions(WarehouseResource.from_env())
