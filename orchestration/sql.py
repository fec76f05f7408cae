"""Quoting for SQL that ReformWatch writes itself: one place, so every name and value that
reaches DuckDB as text (file paths, column names, reasons) is escaped the same way."""

from __future__ import annotations

from pathlib import Path


def identifier(name: str) -> str:
    """A column, table or schema name: `a"b` → `"a""b"`."""
    return '"' + name.replace('"', '""') + '"'


def relation(name: str) -> str:
    """`schema.table` → `"schema"."table"` (each part quoted on its own)."""
    return ".".join(identifier(part) for part in name.split("."))


def literal(value: str | Path) -> str:
    """A string value or a path: `it's` → `'it''s'`."""
    return "'" + str(value).replace("'", "''") + "'"
