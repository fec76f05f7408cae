"""Report pages and the BI publication: leaves of the graph, after the gate."""


from types import ModuleType

import dagster as dg

from orchestration.defs.quality import GATE_KEY
from orchestration.settings import load_settings
from orchestration.warehouse import connect, publish_for_bi
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
    def _report(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        settings = load_settings()
        with connect(settings, read_only=True) as con:
            path = page.render(con, settings.reports_dir)
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
def report_index(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    settings = load_settings()
    pages = [(p.SLUG, p.TITLE_VI, p.TITLE_EN, p.DESCRIPTION) for p in PAGE_MODULES]
    path = write_index(settings.reports_dir, pages)
    context.log.info(f"report index at {path}")
    return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(path))})


@dg.asset(
    key=["bi", "published_warehouse"],
    deps=[report_index.key],
    group_name="bi",
    kinds={"duckdb"},
    description="data/warehouse/reformwatch_bi.duckdb: the marts, audit and reference "
    "schemas in a DuckDB 1.x-readable file for BI tools, replaced atomically after the "
    "quality gate has passed.",
)
def published_warehouse(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    path = publish_for_bi(load_settings())
    context.log.info(f"BI tools: open {path} read-only")
    return dg.MaterializeResult(
        metadata={"path": dg.MetadataValue.path(str(path)), "bytes": path.stat().st_size}
    )
