"""Connections to the warehouse file and the read-only copy published for BI tools."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from orchestration.settings import Settings
from orchestration.sql import identifier, literal

# Most BI drivers still embed DuckDB 1.x, which cannot open files written in the 2.x storage
# format. The published copy is written in the newest format 1.x readers understand.
BI_STORAGE_VERSION = "v1.4.0"
PUBLISHED_SCHEMAS = ("marts", "audit", "reference")


def prepare_folders(settings: Settings) -> None:
    """The warehouse's folder and DuckDB's spill folder: made when a run opens the warehouse
    (here, or in the dbt subprocess), never when a module is imported."""
    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    settings.tmp_dir.mkdir(parents=True, exist_ok=True)


def connect(settings: Settings, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection bounded in memory that spills to disk instead of failing on big loads."""
    prepare_folders(settings)
    con = duckdb.connect(
        str(settings.warehouse),
        read_only=read_only,
        config={
            "memory_limit": settings.memory_limit,
            "temp_directory": str(settings.tmp_dir),
            "threads": os.cpu_count() or 2,
        },
    )
    return con


def publish_for_bi(settings: Settings) -> Path:
    """Copy the analyst-facing schemas into a fresh file and swap it in atomically.

    BI tools open the published file read-only while the pipeline keeps writing the
    warehouse: DuckDB never lets a reader and a writer share one file across processes.
    """
    target = settings.published_warehouse
    staging = target.with_suffix(".tmp")
    staging.unlink(missing_ok=True)
    with duckdb.connect(config={"memory_limit": settings.memory_limit}) as con:
        con.execute(f"attach {literal(settings.warehouse)} as wh (read_only)")
        con.execute(
            f"attach {literal(staging)} as bi (storage_version '{BI_STORAGE_VERSION}')"
        )
        for schema, table in con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = 'wh'"
            f" and schema_name in {PUBLISHED_SCHEMAS} order by all"
        ).fetchall():
            con.execute(f"create schema if not exists bi.{identifier(schema)}")
            source, copy = (f"{db}.{identifier(schema)}.{identifier(table)}" for db in ("wh", "bi"))
            con.execute(f"create table {copy} as select * from {source}")
        con.execute("detach bi")
    os.replace(staging, target)
    return target

