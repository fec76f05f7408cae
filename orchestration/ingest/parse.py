"""Parsing: one DuckDB statement turns a batch into typed rows in a work table.

The SQL is written in `readers.py`; this stage runs it, turns a reader that gives up on a
file as a whole into `UnreadableFile`, and folds the rows DuckDB's CSV reader rejected back
in as malformed lines, so every line of every file is in the work table exactly once.
"""

from __future__ import annotations

import duckdb

from orchestration.ingest import readers
from orchestration.ingest.batching import Batch
from orchestration.ingest.readers import FileRead

# A temporary table: never logged to the warehouse file, spilled to the temp directory
# beyond the memory limit, gone with the connection.
WORK_TABLE = "rw_parsed"


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
    sql = readers.parsed_sql(batch.contract, batch.dialect, reader, set(read.fields))
    try:
        con.execute(f"create or replace temp table {WORK_TABLE} as {sql}")
    except duckdb.InvalidInputException as error:
        raise UnreadableFile(str(error).splitlines()[0][:300]) from error
    if read.fmt == "csv":
        absorb_csv_rejects(con, read)


def drop_work_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"drop table if exists {WORK_TABLE}")


def absorb_csv_rejects(con: duckdb.DuckDBPyConnection, read: FileRead) -> None:
    """Rows DuckDB's CSV reader refused become malformed lines; the good rows' line
    numbers shift past them (they were numbered by record)."""
    rejects = con.execute(
        # DuckDB may log one error per missing field: keep the first for each line.
        f"""select s.file_path, e.line, first(e.csv_line),
               first(e.error_message order by e.column_idx)
        from {read.rejects_table} e join {read.rejects_table}_scan s
            on s.scan_id = e.scan_id and s.file_id = e.file_id
        group by all order by all"""
    ).fetchall()
    con.execute(f"drop table if exists {read.rejects_table}")
    con.execute(f"drop table if exists {read.rejects_table}_scan")
    by_file: dict[str, list[int]] = {}
    for path, line, _, _ in rejects:
        by_file.setdefault(path, []).append(line)
    for path, lines in by_file.items():
        # good rows before the j-th reject (1-based): its line − header − earlier rejects
        before = [line - 1 - j for j, line in enumerate(lines, start=1)]
        shift = " + ".join(f"(_line_no - 1 > {b})::int" for b in before)
        con.execute(
            f"update {WORK_TABLE} set _line_no = _line_no + {shift}, "
            f"_first_line = _first_line + {shift.replace('_line_no', '_first_line')} "
            f"where _file = ?",
            [path],
        )
    if not rejects:
        return
    con.executemany(
        f"insert into {WORK_TABLE} (_file, _line_no, _first_line, _problem_code, "
        "_problem_detail, _record) values (?, ?, ?, 'malformed_line', ?, to_json(rw_redact(?)))",
        [
            (path, line, line, f"the row does not fit the header: {message}", text)
            for path, line, text, message in rejects
        ],
    )
