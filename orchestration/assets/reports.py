"""Report pages and the BI publication: leaves of the graph, after the gate."""


import dagster as dg
from dagster_dbt import get_asset_key_for_model

from orchestration.assets.dbt import reformwatch_dbt
from orchestration.settings import load_settings
from orchestration.warehouse import connect, publish_for_bi
from reports import service_delivery
from reports.shell import write_index


def mart_keys(*models: str) -> list[dg.AssetKey]:
    return [get_asset_key_for_model([reformwatch_dbt], m) for m in models]


# Each page: module, the marts it reads, its index entry.
PAGES = {
    "service_delivery": (
        service_delivery,
        mart_keys("mart_unit_service_monthly", "fct_dossiers", "dim_procedure", "dim_admin_unit"),
        ("Chất lượng phục vụ hành chính công", "Public service delivery",
         "On-time and overdue rates by province, online take-up, slowest procedures, communes."),
    ),
}


def build_report_asset(slug: str) -> dg.AssetsDefinition:
    module, deps, (title_vi, title_en, _) = PAGES[slug]

    @dg.asset(
        key=["reports", slug],
        deps=deps,
        group_name="reports",
        kinds={"plotly", "html"},
        description=f"{title_vi} / {title_en}: data/reports/{slug}.html (self-contained).",
    )
    def _report(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        settings = load_settings()
        with connect(settings, read_only=True) as con:
            path = module.render(con, settings.reports_dir)
        context.log.info(f"report written to {path}")
        return dg.MaterializeResult(
            metadata={"path": dg.MetadataValue.path(str(path)), "bytes": path.stat().st_size}
        )

    return _report


report_assets = [build_report_asset(slug) for slug in PAGES]


@dg.asset(
    key=["reports", "index"],
    deps=[a.key for a in report_assets],
    group_name="reports",
    kinds={"html"},
    description="data/reports/index.html: links every report and the data-quality site.",
)
def report_index(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    settings = load_settings()
    pages = [(slug, vi, en, about) for slug, (_, _, (vi, en, about)) in PAGES.items()]
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
