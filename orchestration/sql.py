"""Quoting for SQL that ReformWatch writes itself: one place, so every name and value that
reaches DuckDB as text (file paths, column names, reasons) is escaped the same way; and the
one catalog look-up the Python side needs (does a table exist yet)."""

from __future__ import annotations

from pathlib import Path

import duckdb


def identifier(name: str) -> str:
    """A column, table or schema name: `a"b` → `"a""b"`."""
    return '"' + name.replace('"', '""') + '"'


def relation(name: str) -> str:
    """`schema.table` → `"schema"."table"` (each part quoted on its own)."""
    return ".".join(identifier(part) for part in name.split("."))


def literal(value: str | Path) -> str:
    """A string value or a path: `it's` → `'it''s'`."""
    return "'" + str(value).replace("'", "''") + "'"


def table_exists(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    """In the connection's own database (not an attached one): a warehouse made before a
    table existed, or before ingest prepared it, simply lacks it."""
    found = con.execute(
        "select count(*) from information_schema.tables where table_catalog = current_database()"
        " and table_schema = ? and table_name = ?",
        [schema, name],
    ).fetchone()[0]
    return found > 0
