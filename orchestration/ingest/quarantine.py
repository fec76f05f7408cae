"""Quarantine of whole files: every line of a file that is not loaded is kept, with why.

Rows of parsed files are quarantined by the settling statement itself (`settle.py`); these
helpers cover the files no row of which can be trusted.
"""

from __future__ import annotations

from typing import NamedTuple

import duckdb

from orchestration.ingest import readers
from orchestration.ingest.contract import Dialect
from orchestration.ingest.excerpt import LineLayout, binary_excerpt, layout_key
from orchestration.ingest.parse import fetch_rejects, line_shift
from orchestration.ingest.plan import LandingFile, Text
from orchestration.ingest.readers import FileRead
from orchestration.ingest.sniff import csv_delimiter, header_fields
from orchestration.sql import literal


class Counts(NamedTuple):
    """A file's accounting: every row read is either loaded or quarantined."""

    read: int = 0
    loaded: int = 0
    quarantined: int = 0

    def __add__(self, other: Counts) -> Counts:  # type: ignore[override]
        return Counts(*(a + b for a, b in zip(self, other, strict=True)))

    @property
    def balanced(self) -> bool:
        return self.loaded + self.quarantined == self.read


def quarantine_lines(
    con: duckdb.DuckDBPyConnection,
    file: LandingFile,
    text: Text,
    code: str,
    reason: str,
    dialect: Dialect | None = None,
) -> Counts:
    """Every line of a file that is not this source's (the CSV header aside): kept, with why,
    each as where it is and an excerpt the contract's personal-data rules allow."""
    header = 1 if text.fmt == "csv" else 0
    read = FileRead(text.fmt, (str(text.path),), text.encoding, ())
    layout = line_layout(file, text, dialect)
    excerpt = f"rw_excerpt(line, {layout_key(layout)})"
    count = con.execute(
        f"""insert into audit.quarantine
        select {literal(file.file_id)}, {literal(file.contract.name)}, {literal(file.relpath)},
            _line_no, null, {literal(code)}, {literal(reason)}, {excerpt}, now()
        from ({readers.lines_sql(read, strict=False)}) where _line_no > {header}"""
    ).fetchone()[0]
    return Counts(count, 0, count) + keep_refused_lines(con, file, read, header, layout)


def line_layout(file: LandingFile, text: Text, dialect: Dialect | None) -> LineLayout:
    """The file's own header names its fields, whether or not they are this source's."""
    if text.fmt != "csv":
        return LineLayout(file.contract, dialect, fmt=text.fmt)
    delimiter = csv_delimiter(text.path, text.encoding)
    header = tuple(header_fields(text.path, text.encoding, text.fmt))
    return LineLayout(file.contract, dialect, header, delimiter, text.fmt)


def keep_refused_lines(
    con: duckdb.DuckDBPyConnection,
    file: LandingFile,
    read: FileRead,
    header: int,
    layout: LineLayout,
) -> Counts:
    """Lines even the lenient line reader refused (over the size limit) are kept too, with
    their own reason; the lines before them were numbered without them, so shift those."""
    rejects = [r for r in fetch_rejects(con, read) if r.line_no > header]
    if not rejects:
        return Counts()
    shift = line_shift(rejects, "line_no", 0)
    con.execute(
        f"update audit.quarantine set line_no = line_no + {shift} where file_id = ?",
        [file.file_id],
    )
    con.executemany(
        "insert into audit.quarantine values (?, ?, ?, ?, null, ?, ?, ?, now())",
        [
            (
                file.file_id,
                file.contract.name,
                file.relpath,
                r.line_no,
                r.code,
                r.reason,
                layout.excerpt(r.text),
            )
            for r in rejects
        ],
    )
    return Counts(len(rejects), 0, len(rejects))


def quarantine_bytes(
    con: duckdb.DuckDBPyConnection, file: LandingFile, code: str, reason: str
) -> Counts:
    """A file that is not text: each line kept as where it is and its length."""
    lines = file.path.read_bytes().split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    rows = [
        (
            file.file_id,
            file.contract.name,
            file.relpath,
            n,
            None,
            code,
            reason,
            binary_excerpt(chunk),
        )
        for n, chunk in enumerate(lines, start=1)
    ]
    con.executemany("insert into audit.quarantine values (?, ?, ?, ?, ?, ?, ?, ?, now())", rows)
    return Counts(len(rows), 0, len(rows))
