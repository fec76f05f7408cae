"""What a dbt build depends on, as one fingerprint, and what it produced, as asset metadata.

A run with nothing new must not rebuild the star schema: the dbt asset compares the
fingerprint of its inputs (the dbt project's files and seeds, the non-path dbt vars, the
landing files ingest accepted and the raw tables' row counts) with the one recorded on the
models' last materialisations, and skips dbt when they are equal and every model's relation
is still in the warehouse. The checks, reports and BI copy downstream are then skipped too.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.settings import DBT_PROJECT_DIR, SEEDS_DIR
from orchestration.sql import table_exists

FINGERPRINT_KEY = "input_fingerprint"
# Paths to the warehouse and spill folder do not change what dbt computes.
PATH_VARS = {
    "reformwatch_warehouse",
    "reformwatch_tmp_dir",
    "reformwatch_memory_limit",
    "reformwatch_spark_dir",
}
PROJECT_PARTS = ("models", "macros", "tests", "dbt_project.yml")


def project_files(project_dir: Path = DBT_PROJECT_DIR, seeds_dir: Path = SEEDS_DIR) -> list[Path]:
    found: list[Path] = []
    for part in PROJECT_PARTS:
        path = project_dir / part
        found.extend(
            [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        )
    found.extend(sorted(p for p in seeds_dir.rglob("*") if p.is_file()))
    return found


def raw_state(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """Accepted landing files and raw row counts: a new, corrected or retracted file changes
    one of them. Empty on a warehouse ingest has not prepared yet."""
    tables = [
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'raw' order by table_name"
        ).fetchall()
    ]
    counts = [
        (table, con.execute(f'select count(*) from raw."{table}"').fetchone()[0])
        for table in tables
    ]
    has_files = table_exists(con, "audit", "ingest_files")
    files = (
        con.execute(
            "select file_id, status, rows_loaded from audit.ingest_files order by all"
        ).fetchall()
        if has_files
        else []
    )
    return [*counts, *files]


def project_fingerprint(dbt_vars: Mapping[str, str], files: Iterable[Path]) -> str:
    """The dbt project's files and seeds and the vars that change what it computes."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(path.anchor)).encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    for name in sorted(set(dbt_vars) - PATH_VARS):
        digest.update(f"{name}={dbt_vars[name]}".encode())
    return digest.hexdigest()


def input_fingerprint(con: duckdb.DuckDBPyConnection, project: str) -> str:
    """The project's fingerprint and the raw state: equal only when nothing dbt reads moved."""
    digest = hashlib.sha256(project.encode())
    for row in raw_state(con):
        digest.update(repr(row).encode())
    return digest.hexdigest()


def existing_relations(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    return {
        (schema, name)
        for schema, name in con.execute(
            "select table_schema, table_name from information_schema.tables"
        ).fetchall()
    }


def recorded_fingerprints(
    instance: dg.DagsterInstance, keys: Iterable[dg.AssetKey]
) -> dict[dg.AssetKey, str | None]:
    """The fingerprint on each key's latest materialisation (None: never built, or built
    by a run that did not record one)."""
    found: dict[dg.AssetKey, str | None] = {}
    for key, record in instance.get_latest_materialization_events(list(keys)).items():
        materialization = record.asset_materialization if record else None
        value = materialization.metadata.get(FINGERPRINT_KEY) if materialization else None
        found[key] = value.value if value is not None else None
    return found


def up_to_date(
    fingerprint: str,
    recorded: Mapping[dg.AssetKey, str | None],
    relations: set[tuple[str, str]],
) -> bool:
    """Every selected model was last built from these inputs and its table is still there."""
    return bool(recorded) and all(
        value == fingerprint and tuple(key.path) in relations for key, value in recorded.items()
    )


def table_metadata(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> dict:
    """Row count and column types of a built relation, read after dbt has released the file
    (dagster-dbt's fetch_row_counts opens the warehouse while dbt still holds DuckDB's one
    write lock). A view gets its column types and no row count: counting it re-runs its
    query, and `base_procedure_logs__events` is the dedupe window over every raw event
    (19 s at 10x, in every build)."""
    columns = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, name],
    ).fetchall()
    if not columns:
        return {}
    schema_meta = dg.TableSchema(columns=[dg.TableColumn(name=c, type=t) for c, t in columns])
    if is_view(con, schema, name):
        return {
            "dagster/column_schema": schema_meta,
            "row_count": "not counted: a view, whose count would re-run its query",
        }
    rows = con.execute(f'select count(*) from "{schema}"."{name}"').fetchone()[0]
    return {"dagster/row_count": dg.MetadataValue.int(rows), "dagster/column_schema": schema_meta}


def is_view(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = ? and table_name = ? and table_type = 'VIEW'",
            [schema, name],
        ).fetchone()[0]
    )
