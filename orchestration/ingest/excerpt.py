"""What quarantine keeps of a line it could not read as a row: where it is, and an excerpt
that the contract's personal-data rules have already been applied to.

A malformed line cannot be trusted to say which value is which: one field too many shifts
the full name into a column that is not personal. So a value is shown only when the
contract can vouch for it —

- by name, when the line still names its fields (JSON keys, or a CSV row with as many
  fields as the header): a contract column that is not personal;
- otherwise, by value: one of the contract's closed sets of codes (allowed values, unit and
  procedure codes), which no name, date or identity number can be;

and every other value is withheld, with its length. No digit pattern decides anything.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

import duckdb

from orchestration.ingest.contract import Dialect, SourceContract

UDF = "rw_excerpt"
# `"key": "value"` or `"key": value` pairs of a JSON object too broken to parse.
JSON_PAIR = re.compile(r'"((?:[^"\\]|\\.)*)"\s*:\s*("(?:[^"\\]|\\.)*"|[^,{}\[\]"]*)')


def withheld(value: str) -> str:
    return f"<withheld: {len(value)} characters>"


@dataclass(frozen=True)
class LineLayout:
    """What is known of the lines of one file: its source, dialect, header and delimiter."""

    contract: SourceContract
    dialect: Dialect | None = None
    header: tuple[str, ...] = ()
    delimiter: str = ","
    fmt: str = "csv"

    @cached_property
    def shareable(self) -> dict[str, bool]:
        """Producer field name → whether its value may be shown (a non-personal column)."""
        renames = self.dialect.renames if self.dialect else {}
        personal = {c.name: bool(c.personal) for c in self.contract.columns}
        names = set(self.header) | set(renames) | set(personal)
        return {
            name: renames.get(name, name) in personal and not personal[renames.get(name, name)]
            for name in names
        }

    @cached_property
    def codes(self) -> frozenset[str]:
        """Every value of the contract's closed sets: safe to show wherever it stands."""
        return frozenset(
            value
            for column in self.contract.columns
            if not column.personal
            for check in column.checks
            if check.codes is not None
            for value in check.codes()
        )

    def by_name(self, pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
        return {
            name: value if not value or self.shareable.get(name) else withheld(value)
            for name, value in pairs
        }

    def by_value(self, names: list[str], values: list[str]) -> dict[str, str]:
        return {
            name: value if not value or value.strip() in self.codes else withheld(value)
            for name, value in zip(names, values, strict=True)
        }

    def excerpt(self, line: str | None) -> str:
        """The line as quarantine may keep it: JSON text."""
        line = line or ""
        if self.fmt == "jsonl" or line.lstrip().startswith("{"):
            return json.dumps(self.json_excerpt(line), ensure_ascii=False)
        return json.dumps(self.csv_excerpt(line), ensure_ascii=False)

    def json_excerpt(self, line: str) -> dict:
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            record = None
        if isinstance(record, dict):
            pairs = [(str(k), "" if v is None else str(v)) for k, v in record.items()]
            return {"fields": len(pairs), "excerpt": self.by_name(pairs)}
        # Not an object (or broken): whatever `"key": value` pairs can still be told apart.
        pairs = [(key, value.strip().strip('"')) for key, value in JSON_PAIR.findall(line)]
        rest = line
        for key, value in JSON_PAIR.findall(line):
            rest = rest.replace(f'"{key}"', "", 1).replace(value, "", 1)
        excerpt = self.by_name(pairs)
        leftover = re.sub(r"[\s{}\[\]:,\"]", "", rest)
        if leftover:
            excerpt["<unnamed>"] = withheld(leftover)
        return {"fields": len(pairs), "excerpt": excerpt}

    def csv_excerpt(self, line: str) -> dict:
        values = next(csv.reader([line], delimiter=self.delimiter), [])
        names = [
            self.header[i] if i < len(self.header) and self.header[i] else f"field_{i + 1}"
            for i in range(len(values))
        ]
        aligned = len(values) == len(self.header)
        excerpt = (
            self.by_name(zip(names, values, strict=True))
            if aligned
            else self.by_value(names, values)
        )
        return {"fields": len(values), "excerpt": excerpt}


# Layouts in use, by the key the SQL passes to `rw_excerpt`: a handful per run.
_LAYOUTS: dict[str, LineLayout] = {}


def register(con: duckdb.DuckDBPyConnection) -> None:
    """`rw_excerpt(line, layout)` on this connection. Registered once, outside any
    transaction (a function created in a transaction that rolls back cannot be created
    again); each read names its layout with `layout_key`."""
    con.create_function(
        UDF,
        lambda line, key: _LAYOUTS[key].excerpt(line),
        [duckdb.sqltype("VARCHAR"), duckdb.sqltype("VARCHAR")],
        duckdb.sqltype("VARCHAR"),
        side_effects=False,
    )


def layout_key(layout: LineLayout) -> str:
    """The SQL literal naming this layout in `rw_excerpt(line, <key>)`."""
    key = f"{layout.contract.name}:{len(_LAYOUTS)}"
    for known, value in _LAYOUTS.items():
        if value == layout:
            key = known
            break
    _LAYOUTS[key] = layout
    return "'" + key.replace("'", "''") + "'"


def binary_excerpt(chunk: bytes) -> str:
    """A line of a file that is not text: its length only (its bytes could be anything)."""
    return json.dumps({"fields": None, "excerpt": {"bytes": f"<withheld: {len(chunk)} bytes>"}})
