"""One ingest asset per landing source, all built by the same factory."""

import time
from datetime import timedelta

import dagster as dg

from orchestration import spark
from orchestration.ingest.contract import SourceContract
from orchestration.ingest.load import FileResult, ingest_source, prepare
from orchestration.ingest.sources import SOURCES
from orchestration.resources import WAREHOUSE_WRITER_POOL, WarehouseResource
from orchestration.settings import Settings

# Sources are monthly: a source with no new file for a month and a grace week is stale.
SOURCE_FRESHNESS = dg.FreshnessPolicy.time_window(
    fail_window=timedelta(days=38), warn_window=timedelta(days=32)
)


def ingest_asset_key(contract: SourceContract) -> dg.AssetKey:
    """The same key dbt's `source('raw', …)` maps to, so lineage joins up."""
    return dg.AssetKey(["raw", contract.table])


def warn_if_development_key(settings: Settings, log) -> None:
    if settings.uses_development_key:
        log.warning(
            "PSEUDONYMISATION USES THE DEVELOPMENT KEY. Set REFORMWATCH_PSEUDONYM_KEY to a "
            "secret before loading real personal data: with the public key, applicant IDs "
            "can be re-identified by hashing candidates."
        )


def build_ingest_asset(contract: SourceContract) -> dg.AssetsDefinition:
    others = [c for c in SOURCES.values() if c is not contract]

    @dg.asset(
        key=ingest_asset_key(contract),
        group_name="ingest",
        kinds={"duckdb", "pandera"},
        owners=["team:data-engineering"],
        pool=WAREHOUSE_WRITER_POOL,
        freshness_policy=SOURCE_FRESHNESS,
        description=f"{contract.description} Landing folder `data/landing/{contract.name}/`: "
        "every new file (by content hash) parsed by DuckDB, validated by pandera, good rows "
        "appended here, the rest quarantined in `audit.quarantine` with a reason.",
    )
    def _ingest(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        started = time.perf_counter()
        settings = warehouse.settings
        warn_if_development_key(settings, context.log)

        def progress(result: FileResult) -> None:
            context.log.info(
                f"{result.path}: {result.status}, {result.rows_read:,} read, "
                f"{result.rows_loaded:,} loaded, {result.rows_quarantined:,} quarantined"
                + (f" — {result.note}" if result.note else "")
            )

        with warehouse.connect() as con:
            prepare(con, list(SOURCES.values()), settings.pseudonym_key)
            results = ingest_source(con, contract, others, settings, progress)
            totals = con.execute(f"select count(*) from raw.{contract.table}").fetchone()[0]
            if warehouse.on_spark:
                land_for_spark(con, contract, warehouse, context.log)
        meta = summary(results, totals)
        rate = meta["rows_read"] / max(time.perf_counter() - started, 1e-9)
        context.log.info(
            f"{contract.name}: {meta['new_files']} new files, {meta['rows_read']:,} rows read "
            f"({rate:,.0f} rows/s), {meta['rows_quarantined']:,} quarantined"
        )
        return dg.MaterializeResult(metadata=meta)

    return _ingest


def land_for_spark(con, contract: SourceContract, warehouse: WarehouseResource, log) -> None:
    """On Spark, the ingest's last step: its accepted rows and the ledgers to the lakehouse as
    Parquet by month (the dbt asset registers them as Spark tables before it builds)."""
    landed = spark.export_landing(
        con, warehouse.spark_paths, spark.source_relations(contract.table)
    )
    for table in landed:
        log.info(
            f"landed {table.relation} on Spark: {table.rows:,} rows by {table.partition_column}"
        )


def summary(results: list[FileResult], table_rows: int) -> dict:
    by_status: dict[str, int] = {}
    for r in results:
        by_status[r.status] = by_status.get(r.status, 0) + 1
    return {
        "new_files": len(results),
        "files_by_status": dg.MetadataValue.json(by_status),
        "rows_read": sum(r.rows_read for r in results),
        "rows_loaded": sum(r.rows_loaded for r in results),
        "rows_quarantined": sum(r.rows_quarantined for r in results),
        "table_rows": table_rows,
    }


ingest_assets = [build_ingest_asset(contract) for contract in SOURCES.values()]
