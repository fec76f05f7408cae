"""The copy published for BI tools, and the marts exported as Parquet and CSV beside it.

One publication step writes both from the warehouse after the quality gate: the copy in a
storage format old DuckDB readers open, with the dbt descriptions as table and column comments
and integer types every driver maps; the export folder from that same copy, so a spreadsheet
user and a BI user see the same rows. Both are written aside and swapped in at the end: BI
tools keep reading the previous copy while the pipeline writes, and never see half of one.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from orchestration.settings import Settings
from orchestration.sql import identifier, literal
from orchestration.warehouse import LOCK_WAIT_S, PUBLISHED_SCHEMAS, waiting_for_lock

# DuckDB 1.1 reads storage versions up to v1.1.0 (later ones refuse the file with "version
# number 67, but we can only read version 64"); BI drivers embed DuckDB 1.1 to 1.5 and newer.
BI_STORAGE_VERSION = "v1.1.0"
# DuckDB sums integers into 128-bit HUGEINT, which JDBC/ODBC drivers and pandas show as a
# decimal or an object: every count and population fits BIGINT, and the cast fails the
# publication loudly if one ever does not.
NARROWED_TYPES = {"HUGEINT": "BIGINT", "UHUGEINT": "BIGINT"}
# The schemas exported as files for people without a BI tool.
EXPORTED_SCHEMAS = ("marts",)
# Excel reads a CSV as UTF-8 (Vietnamese diacritics intact) only when it starts with a BOM.
UTF8_BOM = b"\xef\xbb\xbf"
# Excel opens at most 1,048,576 rows of a sheet (the header is one) and drops the rest with
# a warning a user may click away: a longer mart (fct_dossiers, 1.65 M rows at 10x) is
# written as parts that each open whole.
EXCEL_DATA_ROWS = 1_048_576 - 1


@dataclass(frozen=True)
class Description:
    """What the dbt YAML says about one table: its description and its columns'."""

    table: str
    columns: Mapping[str, str] = field(default_factory=dict)


def dbt_descriptions(manifest: Path) -> dict[tuple[str, str], Description]:
    """`(schema, table)` → its dbt description, for every model, seed, snapshot and source in
    the manifest: the one place the definitions are written."""
    nodes = json.loads(Path(manifest).read_text(encoding="utf-8"))
    described = {}
    for node in [*nodes["nodes"].values(), *nodes["sources"].values()]:
        if node["resource_type"] not in {"model", "seed", "snapshot", "source"}:
            continue
        name = node.get("identifier") or node.get("alias") or node["name"]  # the table's name
        columns = {c["name"]: c["description"] for c in node["columns"].values()}
        columns = {column: text for column, text in columns.items() if text}
        described[(node["schema"], name)] = Description(node.get("description") or "", columns)
    return described


def publish_for_bi(settings: Settings, manifest: Path) -> Path:
    """Copy the analyst-facing schemas into a fresh file, export its marts, swap both in.

    BI tools open the published file read-only while the pipeline keeps writing the
    warehouse: DuckDB never lets a reader and a writer share one file across processes.
    """
    target = settings.published_warehouse
    staging = target.with_suffix(".tmp")
    exports = settings.published_exports
    staged_exports = exports.with_name(exports.name + ".tmp")
    # What a failed run left; its WAL, if any, belongs to that file, not to the new one.
    for leftover in (staging, staging.with_name(staging.name + ".wal")):
        leftover.unlink(missing_ok=True)
    shutil.rmtree(staged_exports, ignore_errors=True)
    descriptions = dbt_descriptions(manifest)
    with duckdb.connect(config={"memory_limit": settings.memory_limit}) as con:
        waiting_for_lock(
            settings.warehouse,
            LOCK_WAIT_S,
            lambda: con.execute(f"attach {literal(settings.warehouse)} as wh (read_only)"),
        )
        con.execute(f"attach {literal(staging)} as bi (storage_version '{BI_STORAGE_VERSION}')")
        for schema, table in published_tables(con):
            copy_table(con, schema, table)
            comment_table(con, schema, table, descriptions.get((schema, table)))
        export_marts(con, staged_exports)
        con.execute("detach bi")
    os.replace(staging, target)
    swap_folder(staged_exports, exports)
    return target


def published_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    return con.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = 'wh'"
        f" and schema_name in {PUBLISHED_SCHEMAS} order by all"
    ).fetchall()


def copy_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> None:
    """`wh.schema.table` → `bi.schema.table`, its 128-bit integers narrowed to BIGINT."""
    columns = con.execute(
        "select column_name, data_type from duckdb_columns()"
        " where database_name = 'wh' and schema_name = ? and table_name = ? order by column_index",
        [schema, table],
    ).fetchall()
    select = ", ".join(narrowed(name, data_type) for name, data_type in columns)
    con.execute(f"create schema if not exists bi.{identifier(schema)}")
    source, copy = (f"{db}.{identifier(schema)}.{identifier(table)}" for db in ("wh", "bi"))
    con.execute(f"create table {copy} as select {select} from {source}")


def narrowed(column: str, data_type: str) -> str:
    name = identifier(column)
    if data_type in NARROWED_TYPES:
        return f"cast({name} as {NARROWED_TYPES[data_type]}) as {name}"
    return name


def comment_table(
    con: duckdb.DuckDBPyConnection, schema: str, table: str, description: Description | None
) -> None:
    """The dbt descriptions as comments, which BI tools show beside tables and columns. Tables
    the ingest writes itself (not dbt) have none."""
    if description is None:
        return
    copy = f"bi.{identifier(schema)}.{identifier(table)}"
    if description.table:
        con.execute(f"comment on table {copy} is {literal(description.table)}")
    present = {
        name
        for (name,) in con.execute(
            "select column_name from duckdb_columns()"
            " where database_name = 'bi' and schema_name = ? and table_name = ?",
            [schema, table],
        ).fetchall()
    }
    for column, text in description.columns.items():
        if column in present:
            con.execute(f"comment on column {copy}.{identifier(column)} is {literal(text)}")


def export_marts(
    con: duckdb.DuckDBPyConnection, folder: Path, part_rows: int = EXCEL_DATA_ROWS
) -> None:
    """Every table of the exported schemas as `parquet/<table>.parquet` and, in UTF-8 with
    BOM and a header row, `csv/<table>.csv`, or `csv/<table>.part-<i>-of-<n>.csv` when it has
    more than `part_rows` rows; read from the copy just written."""
    for kind in ("parquet", "csv"):
        (folder / kind).mkdir(parents=True, exist_ok=True)
    for schema, table in con.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = 'bi'"
        f" and schema_name in {EXPORTED_SCHEMAS} order by all"
    ).fetchall():
        source = f"bi.{identifier(schema)}.{identifier(table)}"
        parquet = folder / "parquet" / f"{table}.parquet"
        con.execute(f"copy {source} to {literal(parquet)} (format parquet, compression zstd)")
        for path, query in csv_parts(con, source, folder / "csv", table, part_rows):
            write_csv_with_bom(con, query, path)


def csv_parts(
    con: duckdb.DuckDBPyConnection, source: str, folder: Path, table: str, part_rows: int
) -> list[tuple[Path, str]]:
    """(file, query) for each CSV of `source`: one file, or consecutive ranges of row ids,
    each of at most `part_rows` rows. The ranges span every row id, so no row can fall
    outside them, and DuckDB keeps a table's order when it copies it."""
    rows, last_rowid = con.execute(f"select count(*), max(rowid) from {source}").fetchone()
    if rows <= part_rows:
        return [(folder / f"{table}.csv", source)]
    parts = last_rowid // part_rows + 1
    width = len(str(parts))
    return [
        (
            folder / f"{table}.part-{i + 1:0{width}d}-of-{parts}.csv",
            f"(select * from {source}"
            f" where rowid >= {i * part_rows} and rowid < {(i + 1) * part_rows})",
        )
        for i in range(parts)
    ]


def write_csv_with_bom(con: duckdb.DuckDBPyConnection, source: str, path: Path) -> None:
    """One write: DuckDB's `prefix` puts the BOM before the header row (written by default:
    `header` cannot be named beside a prefix). A prefix needs a `suffix`, which replaces the
    newline after the last row, so the suffix is that newline."""
    bom = UTF8_BOM.decode("utf-8")
    con.execute(
        f"copy {source} to {literal(path)}"
        f" (format csv, prefix {literal(bom)}, suffix {literal(chr(10))})"
    )


def swap_folder(staged: Path, target: Path) -> None:
    """Put `staged` where `target` is. A folder cannot be replaced in one rename: the old
    one is moved aside first, so for an instant there is none, never a half-written one."""
    retired = target.with_name(target.name + ".old")
    shutil.rmtree(retired, ignore_errors=True)
    if target.exists():
        target.rename(retired)
    staged.rename(target)
    shutil.rmtree(retired, ignore_errors=True)
