"""The warehouse as a Dagster resource: where the data lives and how DuckDB may use the machine.

Every asset and check that opens DuckDB or writes under the data directory takes this resource;
none reads the environment. `WarehouseResource.from_env()` builds it from the `REFORMWATCH_*`
variables (reading only), and tests build it on `tmp_path`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import dagster as dg
import duckdb

import orchestration.warehouse as warehouse_file
from orchestration import publication, spark
from orchestration.settings import (
    DEFAULT_DATA_DIR,
    DEFAULT_MEMORY_LIMIT,
    DEVELOPMENT_PSEUDONYM_KEY,
    Settings,
    load_settings,
    resolve_settings,
)

# DuckDB takes one writer process: every asset that writes the warehouse is in this Dagster
# pool, limited to 1 in dagster.yaml, however its run started (UI, sensor, automation).
WAREHOUSE_WRITER_POOL = "duckdb_writer"


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse file, the data directory around it, and DuckDB's limits."""

    data_dir: str = str(DEFAULT_DATA_DIR)
    warehouse: str | None = None  # default: <data_dir>/warehouse/reformwatch.duckdb
    memory_limit: str = DEFAULT_MEMORY_LIMIT  # DuckDB `memory_limit`, ingest and dbt alike
    tmp_dir: str | None = None  # where DuckDB spills; default: <data_dir>/tmp
    pseudonym_key: str = DEVELOPMENT_PSEUDONYM_KEY
    # Seconds a run waits for a warehouse another process holds (a BI user who opened the
    # main file) before failing with the holder's name.
    lock_wait_s: float = warehouse_file.LOCK_WAIT_S
    # The engine dbt builds on (REFORMWATCH_ENGINE): on `spark`, the ingest also lands its
    # tables in the lakehouse under `spark_dir` (default <data_dir>/spark) and the gate reads
    # the Spark tables (orchestration/spark.py). The DuckDB file stays the ingest's ledger.
    engine: str = "duckdb"
    spark_dir: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> WarehouseResource:
        """The documented `REFORMWATCH_*` overrides, resolved to absolute paths now."""
        return cls.from_settings(load_settings(environ))

    @classmethod
    def from_settings(cls, settings: Settings) -> WarehouseResource:
        return cls(
            data_dir=str(settings.data_dir),
            warehouse=str(settings.warehouse),
            memory_limit=settings.memory_limit,
            tmp_dir=str(settings.tmp_dir),
            pseudonym_key=settings.pseudonym_key,
            engine=settings.engine,
            spark_dir=str(settings.spark_dir) if settings.spark_dir else None,
        )

    @property
    def settings(self) -> Settings:
        return resolve_settings(
            self.data_dir,
            self.warehouse,
            self.memory_limit,
            self.tmp_dir,
            self.pseudonym_key,
            self.engine,
            self.spark_dir,
        )

    @property
    def on_spark(self) -> bool:
        return self.settings.engine == "spark"

    @property
    def spark_paths(self) -> spark.SparkPaths:
        return spark.SparkPaths(self.settings.spark_root)

    @property
    def dbt_target(self) -> str:
        """The output of dbt_project/profiles.yml dbt builds into."""
        return "spark" if self.on_spark else "dev"

    @property
    def landing_dir(self) -> Path:
        return self.settings.landing_dir

    @property
    def quality_dir(self) -> Path:
        return self.settings.quality_dir

    @property
    def reports_dir(self) -> Path:
        return self.settings.reports_dir

    @property
    def published_warehouse(self) -> Path:
        return self.settings.published_warehouse

    @property
    def dbt_runs_dir(self) -> Path:
        return self.settings.dbt_runs_dir

    def connect(self, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        """A connection to the warehouse; a lock held by another process is waited for
        (`lock_wait_s`), then reported with the holder's PID and command line."""
        return warehouse_file.connect(
            self.settings, read_only=read_only, lock_wait_s=self.lock_wait_s
        )

    def wait_for_warehouse(self) -> None:
        """Before a subprocess (dbt) opens the file itself: wait here, with the same bound
        and message, rather than have it fail at once on another process's lock."""
        self.connect().close()

    def publish_for_bi(self, manifest: Path) -> Path:
        """The BI copy and the export folder; `manifest` gives the comments (dbt's)."""
        return publication.publish_for_bi(self.settings, manifest)

    def dbt_vars(self) -> dict[str, str]:
        """What `dbt_project/profiles.yml` reads through `var()`: handed to dbt as `--vars`,
        so the dbt subprocess opens the same file with the same limits, and no one has to
        write the environment for it."""
        settings = self.settings
        duckdb_vars = {
            "reformwatch_warehouse": str(settings.warehouse),
            "reformwatch_tmp_dir": str(settings.tmp_dir),
            "reformwatch_memory_limit": settings.memory_limit,
        }
        if not self.on_spark:
            return duckdb_vars
        return {**duckdb_vars, "reformwatch_spark_dir": str(settings.spark_root)}

    def prepare_folders(self) -> None:
        """The warehouse's folder and DuckDB's spill folder, created when a run needs them."""
        warehouse_file.prepare_folders(self.settings)
