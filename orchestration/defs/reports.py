"""Report pages and the BI publication: leaves of the graph, each after the gate.

The BI copy waits on the gate and the models it copies, not on the report pages: a
charting bug must not hold back publishing checked data.
"""

from types import ModuleType

import dagster as dg

from orchestration.defs.dbt import dbt_project, reformwatch_dbt
from orchestration.defs.quality import GATE_KEY
from orchestration.resources import WarehouseResource
from orchestration.warehouse import PUBLISHED_SCHEMAS
from reports import PAGE_MODULES
from reports.shell import write_index


def source_keys(relations: tuple[str, ...]) -> list[dg.AssetKey]:
    """`schema.table` names a page reads → the asset keys it waits for."""
    return [dg.AssetKey(relation.split(".")) for relation in relations]


def build_report_asset(page: ModuleType) -> dg.AssetsDefinition:
    @dg.asset(
        key=["reports", page.SLUG],
        deps=[*source_keys(page.SOURCES), GATE_KEY],
        group_name="reports",
        kinds={"plotly", "html"},
        description=f"{page.TITLE_VI} / {page.TITLE_EN}: data/reports/{page.SLUG}.html "
        "(self-contained, opens offline).",
    )
    def _report(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        with warehouse.connect(read_only=True) as con:
            path = page.render(con, warehouse.reports_dir)
        context.log.info(f"report written to {path}")
        return dg.MaterializeResult(
            metadata={"path": dg.MetadataValue.path(str(path)), "bytes": path.stat().st_size}
        )

    return _report


report_assets = [build_report_asset(page) for page in PAGE_MODULES]


@dg.asset(
    key=["reports", "index"],
    deps=[a.key for a in report_assets],
    group_name="reports",
    kinds={"html"},
    description="data/reports/index.html: links every report and the data-quality site.",
)
def report_index(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    pages = [(p.SLUG, p.TITLE_VI, p.TITLE_EN, p.DESCRIPTION) for p in PAGE_MODULES]
    path = write_index(warehouse.reports_dir, pages)
    context.log.info(f"report index at {path}")
    return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(path))})


def published_models() -> list[dg.AssetKey]:
    """The dbt models in the schemas the BI copy carries."""
    return sorted(
        (key for key in reformwatch_dbt.keys if key.path[0] in PUBLISHED_SCHEMAS), key=str
    )


@dg.asset(
    key=["bi", "published_warehouse"],
    deps=[GATE_KEY, *published_models()],
    group_name="bi",
    kinds={"duckdb"},
    description="data/warehouse/reformwatch_bi.duckdb: the marts, audit and reference "
    "schemas in a file DuckDB 1.1 and later read, commented from the dbt YAML, for BI tools; "
    "data/warehouse/export/: the marts as Parquet and CSV. Both replaced after the quality "
    "gate has passed.",
)
def published_warehouse(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    path = warehouse.publish_for_bi(dbt_project().manifest_path)
    context.log.info(f"BI tools: open {path} read-only")
    return dg.MaterializeResult(
        metadata={"path": dg.MetadataValue.path(str(path)), "bytes": path.stat().st_size}
    )
