"""Settling: one transaction per batch or whole-file verdict — good rows appended to `raw`,
the rest to `audit.quarantine`, each file's balanced counts to `audit.ingest_files`.

`audit.ingest_files` is also the ledger of what was seen: planning asks it which contents
were ingested before.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import duckdb
import polars as pl

from orchestration.ingest.batching import Batch
from orchestration.ingest.contract import SourceContract
from orchestration.ingest.parse import WORK_TABLE
from orchestration.ingest.plan import LandingFile, Verdict
from orchestration.ingest.quarantine import Counts, quarantine_bytes, quarantine_lines
from orchestration.sql import identifier as quote
from orchestration.sql import literal

AUDIT_DDL = """
create schema if not exists raw;
create schema if not exists audit;
create table if not exists audit.ingest_files (
    file_id varchar, source varchar, path varchar, size_bytes bigint, status varchar,
    dialect varchar, rows_read bigint, rows_loaded bigint, rows_quarantined bigint,
    note varchar, ingested_at timestamp, duration_s double);
create table if not exists audit.quarantine (
    file_id varchar, source varchar, path varchar, line_no bigint, column_name varchar,
    reason_code varchar, reason varchar, record varchar, quarantined_at timestamp);
-- Added for corrections (versions.py): which delivery a file is a version of, and when it
-- was delivered. Warehouses made before gain the columns empty.
alter table audit.ingest_files add column if not exists delivery varchar;
alter table audit.ingest_files add column if not exists delivered_at timestamptz;
-- The months a loaded file's rows fall in (contract `month_of_row`), which may differ from
-- the month its name says: what an incremental build redoes when the file comes or goes.
-- Kept after the file's rows leave raw (superseded, retracted), when they can no longer be
-- read there.
create table if not exists audit.file_months (file_id varchar, month varchar);
-- The entry's size, times and inode when it was hashed (`sniff.stat_key`): a later run skips
-- it unhashed while they are unchanged. Rows of warehouses made before stay empty: those
-- files are hashed once more.
alter table audit.ingest_files add column if not exists stat_key varchar;
"""


@dataclass(frozen=True)
class FileResult:
    """What ingest tells its caller about one file: its row of `audit.ingest_files`."""

    path: str
    status: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    note: str = ""
    duration_s: float = 0.0


class UnbalancedCounts(AssertionError):
    """A file's loaded and quarantined rows do not add up to the rows read."""


def create_raw_table(con: duckdb.DuckDBPyConnection, contract: SourceContract) -> None:
    columns = ", ".join(f"{quote(c.raw_name)} {c.sql_type}" for c in contract.stored_columns)
    con.execute(
        f"create table if not exists raw.{contract.table} "
        f"(_file_id varchar, _line_no bigint, _loaded_at timestamp, {columns})"
    )


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    con.execute("begin transaction")
    try:
        yield
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def known_files(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Paths ingested so far by content hash, first seen first."""
    known: dict[str, list[str]] = {}
    for file_id, path in con.execute(
        "select file_id, path from audit.ingest_files order by ingested_at"
    ).fetchall():
        known.setdefault(file_id, []).append(path)
    return known


def untouched_entries(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    """(path, stat key) of every entry ingested so far: one still there with that key is the
    very file ingested then."""
    return set(
        con.execute(
            "select path, stat_key from audit.ingest_files where stat_key is not null"
        ).fetchall()
    )


def record(
    con: duckdb.DuckDBPyConnection,
    file: LandingFile,
    status: str,
    note: str,
    counts: Counts,
    dialect: str | None = None,
) -> FileResult:
    """Record the file's accounting; it must balance, or the transaction is not committed."""
    if not counts.balanced:
        raise UnbalancedCounts(
            f"{file.relpath}: {counts.loaded} loaded + {counts.quarantined} quarantined "
            f"!= {counts.read} read"
        )
    duration = time.perf_counter() - file.started
    con.execute(
        "insert into audit.ingest_files (file_id, source, path, size_bytes, status, dialect,"
        " rows_read, rows_loaded, rows_quarantined, note, ingested_at, duration_s, delivery,"
        " delivered_at, stat_key) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now(), ?, ?, ?, ?)",
        [
            file.file_id,
            file.contract.name,
            file.relpath,
            file.size,
            status,
            dialect,
            *counts,
            note,
            duration,
            file.delivery,
            file.delivered_at,
            file.stat_key,
        ],
    )
    return FileResult(file.relpath, status, *counts, note, duration)


def settle_verdict(con: duckdb.DuckDBPyConnection, verdict: Verdict) -> FileResult:
    """A file judged as a whole: its lines quarantined (if it has a reason code) and its
    accounting recorded together."""
    file = verdict.file
    try:
        with transaction(con):
            if verdict.reason_code is None:
                counts = Counts()
            elif verdict.text is None:
                counts = quarantine_bytes(con, file, verdict.reason_code, verdict.note)
            else:
                counts = quarantine_lines(
                    con, file, verdict.text, verdict.reason_code, verdict.note
                )
            return record(con, file, verdict.status, verdict.note, counts)
    finally:
        if verdict.text is not None:
            verdict.text.discard()


def settle_unparseable(con: duckdb.DuckDBPyConnection, batch: Batch, error: str) -> FileResult:
    """A lone file DuckDB's reader gave up on as a whole (e.g. mixed line endings): keep
    every line, with DuckDB's first words on why."""
    [plan] = batch.plans
    reason = f"the file cannot be parsed as {plan.text.fmt}: {error}"
    with transaction(con):
        counts = quarantine_lines(con, plan.file, plan.text, "malformed_line", reason, plan.dialect)
        return record(con, plan.file, "rejected_file", reason, counts, plan.dialect.name)


def settle_batch(
    con: duckdb.DuckDBPyConnection, batch: Batch, failures: pl.DataFrame
) -> list[FileResult]:
    """Quarantine parse problems and pandera failures, append the rest to raw, and account
    for every file of the batch. Runs inside the caller's transaction, with the parse."""
    files = pl.DataFrame(
        {
            "_file": [str(p.text.path) for p in batch.plans],
            "file_id": [p.file.file_id for p in batch.plans],
            "relpath": [p.file.relpath for p in batch.plans],
        }
    )
    con.register("rw_files", files.to_arrow())
    con.register("rw_failures", failures.to_arrow())
    con.execute(LOADED_ROWS)
    try:
        quarantine_rows(con, batch.contract)
        append_to_raw(con, batch.contract)
        record_months(con, batch.contract)
        counts = batch_counts(con, batch, failures)
    finally:
        con.execute("drop view if exists rw_loaded")
        con.unregister("rw_failures")
        con.unregister("rw_files")
    return [
        record(con, plan.file, "loaded", "; ".join(plan.file.notes), file_counts, plan.dialect.name)
        for plan, file_counts in zip(batch.plans, counts, strict=True)
    ]


def quarantine_rows(con: duckdb.DuckDBPyConnection, contract: SourceContract) -> None:
    """Rows with a parse problem (their record as the producer sent it) and rows pandera
    failed (their typed record), each with its one reason."""
    record_json = (
        "to_json({"
        + ", ".join(
            f"{literal(c.raw_name)}: p.{quote(c.raw_name)}" for c in contract.stored_columns
        )
        + "})"
    )
    source = literal(contract.name)
    con.execute(
        f"""insert into audit.quarantine
        select f.file_id, {source}, f.relpath, p._line_no, p._problem_column, p._problem_code,
            case p._problem_code
                when 'duplicate_row' then 'exact repeat of line ' || p._first_line
                else p._problem_detail end,
            p._record, now()
        from {WORK_TABLE} p join rw_files f using (_file) where p._problem_code is not null
        union all
        select f.file_id, {source}, f.relpath, x.line_no, x.column_name, x.reason_code,
            x.reason, {record_json}, now()
        from rw_failures x join {WORK_TABLE} p on p._file = x._file and p._line_no = x.line_no
            join rw_files f on f._file = x._file"""
    )


# The rows of the batch that go to raw: neither a parse problem nor a pandera failure.
LOADED_ROWS = f"""
create or replace temp view rw_loaded as
select f.file_id, p.*
from {WORK_TABLE} p join rw_files f using (_file)
where p._problem_code is null
  and not exists (select 1 from rw_failures x where x._file = p._file and x.line_no = p._line_no)
"""


def append_to_raw(con: duckdb.DuckDBPyConnection, contract: SourceContract) -> None:
    columns = ", ".join(quote(c.raw_name) for c in contract.stored_columns)
    con.execute(
        f"insert into raw.{contract.table} select file_id, _line_no, now(), {columns} "
        "from rw_loaded"
    )


def record_months(con: duckdb.DuckDBPyConnection, contract: SourceContract) -> None:
    """The months each file's loaded rows fall in (a file loading no row has none)."""
    con.execute(
        f"insert into audit.file_months select distinct file_id, {contract.month_of_row} "
        "from rw_loaded"
    )


def backfill_months(con: duckdb.DuckDBPyConnection, contract: SourceContract) -> None:
    """Files loaded before `audit.file_months` existed: their months read from their rows,
    while these are still in raw. A file whose rows left raw before stays unrecorded; the
    build then takes the month of its name (build_scope.py)."""
    unrecorded = con.execute(
        """select file_id from audit.ingest_files f
        where source = ? and status = 'loaded' and rows_loaded > 0
          and not exists (select 1 from audit.file_months m where m.file_id = f.file_id)""",
        [contract.name],
    ).fetchall()
    if not unrecorded:  # the common case: no scan of raw
        return
    con.execute(
        f"""insert into audit.file_months
        select distinct _file_id, {contract.month_of_row} from raw.{contract.table}
        where _file_id in (select unnest(?))""",
        [[file_id for (file_id,) in unrecorded]],
    )


def batch_counts(
    con: duckdb.DuckDBPyConnection, batch: Batch, failures: pl.DataFrame
) -> list[Counts]:
    """Each file's rows read, loaded and quarantined, in the batch's order. Loaded is what
    remains: the insert into raw takes exactly the rows neither quarantine branch took."""
    parsed = dict(
        con.execute(
            f"""select _file, [count(*), count(*) filter (where _problem_code is not null)]
        from {WORK_TABLE} group by _file"""
        ).fetchall()
    )
    rejected = dict(failures.group_by("_file").len().iter_rows())
    counts = []
    for plan in batch.plans:
        read, parse_problems = parsed.get(str(plan.text.path), (0, 0))
        quarantined = parse_problems + rejected.get(str(plan.text.path), 0)
        counts.append(Counts(read, read - quarantined, quarantined))
    return counts
