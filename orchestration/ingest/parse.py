"""Parsing: one DuckDB statement turns a batch into typed rows in a work table.

The SQL is written in `readers.py`; this stage runs it, turns a reader that gives up on a
file as a whole into `UnreadableFile`, and folds the lines DuckDB's reader refused back
in as quarantined lines, so every line of every file is in the work table exactly once.
"""

from __future__ import annotations

from typing import NamedTuple

import duckdb

from orchestration.ingest import readers
from orchestration.ingest.batching import Batch
from orchestration.ingest.excerpt import LineLayout, layout_key
from orchestration.ingest.readers import FileRead

# A temporary table: never logged to the warehouse file, spilled to the temp directory
# beyond the memory limit, gone with the connection.
WORK_TABLE = "rw_parsed"
# How much of a refused line is looked at for its excerpt: enough to find it, not megabytes.
EXCERPT_CHARS = 1_000


class UnreadableFile(Exception):
    """DuckDB's reader refused a file as a whole (not a row of it)."""


def parse(con: duckdb.DuckDBPyConnection, batch: Batch) -> None:
    """Fill the work table: the batch's rows, typed, each with its first problem if any."""
    read = batch.read
    reader = (
        readers.jsonl_reader_sql(read)
        if read.fmt == "jsonl"
        else readers.csv_reader_sql(read, list(batch.first.header))
    )
    layout = LineLayout(
        batch.contract, batch.dialect, batch.first.header, batch.first.delimiter, read.fmt
    )
    sql = readers.parsed_sql(
        batch.contract, batch.dialect, reader, set(read.fields), layout_key(layout)
    )
    try:
        con.execute(f"create or replace temp table {WORK_TABLE} as {sql}")
    except duckdb.InvalidInputException as error:
        raise UnreadableFile(str(error).splitlines()[0][:300]) from error
    absorb_rejects(con, read, layout)


def drop_work_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"drop table if exists {WORK_TABLE}")


class Reject(NamedTuple):
    """A line DuckDB's reader refused, with the quarantine code and sentence it earns."""

    file: str
    line_no: int
    code: str
    reason: str
    text: str  # the start of the line as DuckDB kept it


def fetch_rejects(con: duckdb.DuckDBPyConnection, read: FileRead) -> list[Reject]:
    """The lines the last read refused, one per line, in file and line order; the rejects
    tables are dropped, so the next read starts clean."""
    found = con.execute(
        # DuckDB may log one error per missing field: keep the first for each line.
        f"""select s.file_path, e.line, first(e.csv_line order by e.column_idx),
               first(e.error_type order by e.column_idx)::varchar,
               first(e.error_message order by e.column_idx)
        from {read.rejects_table} e join {read.rejects_table}_scan s
            on s.scan_id = e.scan_id and s.file_id = e.file_id
        group by all order by all"""
    ).fetchall()
    con.execute(f"drop table if exists {read.rejects_table}")
    con.execute(f"drop table if exists {read.rejects_table}_scan")
    return [
        Reject(
            path, line, *reject_reason(error_type, message, read.fmt), (text or "")[:EXCERPT_CHARS]
        )
        for path, line, text, error_type, message in found
    ]


def reject_reason(error_type: str, message: str, fmt: str) -> tuple[str, str]:
    if error_type == "LINE SIZE OVER MAXIMUM":
        return "line_too_long", (
            f"the line is longer than {readers.MAX_LINE_BYTES:,} bytes, the most a landing "
            "line may hold: not read"
        )
    if fmt == "csv":
        return "malformed_line", f"the row does not fit the header: {message}"
    return "malformed_line", f"the line cannot be read: {message}"


def line_shift(rejects: list[Reject], column: str, header_lines: int) -> str:
    """SQL adding to `column` (a line number counted over the lines read) the refused lines
    before it, so every line keeps its physical number. The j-th reject (1-based) on line L
    has L − header − j lines read before it."""
    before = [r.line_no - header_lines - j for j, r in enumerate(rejects, start=1)]
    return " + ".join(f"({column} - {header_lines} > {b})::int" for b in before)


def by_file(rejects: list[Reject]) -> dict[str, list[Reject]]:
    grouped: dict[str, list[Reject]] = {}
    for reject in rejects:
        grouped.setdefault(reject.file, []).append(reject)
    return grouped


def absorb_rejects(con: duckdb.DuckDBPyConnection, read: FileRead, layout: LineLayout) -> None:
    """Lines DuckDB's reader refused become quarantined lines (`malformed_line`, or
    `line_too_long`); the read lines' numbers shift past them."""
    rejects = fetch_rejects(con, read)
    header_lines = 1 if read.fmt == "csv" else 0
    for path, found in by_file(rejects).items():
        con.execute(
            f"update {WORK_TABLE} set _line_no = _line_no + "
            f"{line_shift(found, '_line_no', header_lines)}, _first_line = _first_line + "
            f"{line_shift(found, '_first_line', header_lines)} where _file = ?",
            [path],
        )
    if not rejects:
        return
    con.executemany(
        f"insert into {WORK_TABLE} (_file, _line_no, _first_line, _problem_code, "
        "_problem_detail, _record) values (?, ?, ?, ?, ?, ?)",
        [(r.file, r.line_no, r.line_no, r.code, r.reason, layout.excerpt(r.text)) for r in rejects],
    )
