"""The one ingest path: a landing file → raw rows or quarantine, with exact accounting.

For each new file (by content hash): sniff encoding and header and pick the contract's
dialect. Files of one layout are then parsed together by DuckDB into a work table,
validated by pandera, and settled in one transaction: good rows appended to `raw`, the rest
to `audit.quarantine`, each file's counts to `audit.ingest_files`. A file that cannot be read
as this source is quarantined line by line with the reason; nothing stops the other files.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandera.polars as pa
import polars as pl

from orchestration.ingest import readers
from orchestration.ingest.contract import Dialect, SourceContract
from orchestration.ingest.readers import FileRead
from orchestration.ingest.sniff import (
    content_hash,
    csv_delimiter,
    detect_encoding,
    excel_to_csv,
    header_fields,
    transcode_to_utf8,
)
from orchestration.settings import Settings
from orchestration.sql import identifier as quote
from orchestration.sql import literal

# A temporary table: never logged to the warehouse file, spilled to the temp directory
# beyond the memory limit, gone with the connection.
WORK_TABLE = "rw_parsed"
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
BATCH_BYTES = 1 << 30  # landing bytes parsed in one statement
VALIDATION_BATCH_ROWS = 250_000

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
"""


@dataclass(frozen=True)
class FileResult:
    path: str
    status: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    note: str = ""
    duration_s: float = 0.0


def prepare(con: duckdb.DuckDBPyConnection, contracts: list[SourceContract], key: str) -> None:
    con.execute(AUDIT_DDL)
    con.execute(readers.PARSE_MACROS)
    con.execute(
        f"create or replace temp macro rw_pseudonym(v) as sha256({literal(key)} || ':' || v)"
    )
    for contract in contracts:
        columns = ", ".join(f"{quote(c.raw_name)} {c.sql_type}" for c in contract.stored_columns)
        con.execute(
            f"create table if not exists raw.{contract.table} "
            f"(_file_id varchar, _line_no bigint, _loaded_at timestamp, {columns})"
        )


def landing_files(folder: Path) -> list[Path]:
    """Files in a source's folder, oldest name first; hidden and `_` files are not data."""
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.iterdir() if p.is_file() and not p.name.startswith((".", "_"))
    )


def ingest_source(
    con: duckdb.DuckDBPyConnection,
    contract: SourceContract,
    others: list[SourceContract],
    settings: Settings,
    progress: Callable[[FileResult], None] = lambda result: None,
) -> list[FileResult]:
    """Ingest every new file of one source; files already seen are skipped.

    Each file is looked at alone (hash, encoding, header); files that DuckDB can read as
    they are and share a layout are then parsed and validated together, in batches."""
    known = known_files(con)
    plans: list[Plan] = []
    results = []
    for path in landing_files(settings.landing_dir / contract.name):
        file = LandingFile.open(path, contract, settings)
        seen = known.setdefault(file.file_id, [])
        if file.relpath in seen:
            continue  # this very file was ingested before: nothing new
        seen.append(file.relpath)
        outcome = plan_file(con, file, seen[0] if len(seen) > 1 else None, others)
        if isinstance(outcome, Plan):
            plans.append(outcome)
        else:
            results.append(outcome)
            progress(outcome)
    for batch in batches(plans):
        for result in load_batch(con, contract, batch):
            results.append(result)
            progress(result)
    return results


def known_files(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    known: dict[str, list[str]] = {}
    for file_id, path in con.execute(
        "select file_id, path from audit.ingest_files order by ingested_at"
    ).fetchall():
        known.setdefault(file_id, []).append(path)
    return known


@dataclass
class LandingFile:
    """One landing file and what ingest has learnt about it so far."""

    path: Path
    contract: SourceContract
    file_id: str
    relpath: str
    size: int
    settings: Settings
    started: float
    dialect_name: str = ""
    notes: tuple[str, ...] = ()

    @classmethod
    def open(cls, path: Path, contract: SourceContract, settings: Settings) -> LandingFile:
        return cls(path, contract, content_hash(path), landing_relative(path, settings),
                   path.stat().st_size, settings, time.perf_counter())

    def work_file(self, suffix: str) -> Path:
        return self.settings.tmp_dir / f"{self.file_id}.{suffix}"

    def result(self, con: duckdb.DuckDBPyConnection, status: str, note: str, read: int = 0,
               loaded: int = 0, quarantined: int = 0) -> FileResult:
        """Record the file's accounting; it must balance, or nothing is committed."""
        if loaded + quarantined != read:
            raise AssertionError(
                f"{self.relpath}: {loaded} loaded + {quarantined} quarantined != {read} read"
            )
        duration = time.perf_counter() - self.started
        con.execute(
            "insert into audit.ingest_files values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now(), ?)",
            [self.file_id, self.contract.name, self.relpath, self.size, status,
             self.dialect_name or None, read, loaded, quarantined, note, duration],
        )
        return FileResult(self.relpath, status, read, loaded, quarantined, note, duration)


@dataclass
class Plan:
    """A file DuckDB can read as it is (or after conversion to `readable`)."""

    file: LandingFile
    readable: Path
    fmt: str
    encoding: str
    delimiter: str
    header: tuple[str, ...]
    dialect: Dialect
    fields: tuple[str, ...]

    @property
    def layout(self) -> tuple:
        """Files with one layout are read in one statement."""
        header = self.header if self.fmt == "csv" else ()
        return (self.fmt, self.encoding, self.delimiter, self.dialect.name, header, self.fields)

    def cleanup(self) -> None:
        if self.readable != self.file.path:
            self.readable.unlink(missing_ok=True)


def plan_file(con, file: LandingFile, duplicate_of: str | None,
              others: list[SourceContract]) -> Plan | FileResult:
    """Settle at once the files that need no parsing; plan the rest."""
    def settle(status: str, note: str, action=None) -> FileResult:
        with transaction(con):
            counts = action() if action else (0, 0, 0)
            return file.result(con, status, note, *counts)

    # Emptiness first: every empty file has the same hash, yet none is a copy of another.
    if file.size == 0:
        return settle("empty_file", "the file is empty (0 bytes)")
    if duplicate_of:
        return settle("duplicate_file", f"same content as {duplicate_of}: not loaded again")
    readable, encoding, fmt = readable_text(file)
    if readable is None:
        reason = "the bytes are not text in UTF-8, UTF-16 or Windows-1258"
        return settle("rejected_file", reason,
                      lambda: quarantine_bytes(con, file, "undecodable", reason))
    header = header_fields(readable, encoding, fmt)
    dialect = best_dialect(file.contract, header)
    if dialect is None:
        code, reason = unreadable_reason(file.contract, header, others)
        whole = FileRead(fmt, (str(readable),), encoding, ())
        try:
            return settle("rejected_file", reason,
                          lambda: quarantine_lines(con, file, whole, code, reason))
        finally:
            if readable != file.path:
                readable.unlink(missing_ok=True)
    file.dialect_name = dialect.name
    fields = dialect_fields(file.contract, dialect, header)
    file.notes += layout_notes(header, fields, dialect)
    delimiter = csv_delimiter(readable, encoding) if fmt == "csv" else ","
    return Plan(file, readable, fmt, encoding, delimiter, tuple(header), dialect, tuple(fields))


def readable_text(file: LandingFile) -> tuple[Path | None, str, str]:
    """A path DuckDB can read as text, its encoding and format; None when not text."""
    if file.path.suffix.lower() in EXCEL_SUFFIXES:
        readable, note = excel_to_csv(file.path, file.work_file("xlsx.csv"))
        file.notes += (note,)
        return readable, "utf-8", "csv"
    fmt = "jsonl" if file.path.suffix.lower() in (".jsonl", ".json") else "csv"
    encoding = detect_encoding(file.path)
    if encoding is None:
        return None, "", fmt
    if encoding.note:
        file.notes += (encoding.note,)
    if encoding.duckdb_name is None:
        return transcode_to_utf8(file.path, encoding.name, file.work_file("utf8")), "utf-8", fmt
    return file.path, encoding.duckdb_name, fmt


def unreadable_reason(contract: SourceContract, header: list[str],
                      others: list[SourceContract]) -> tuple[str, str]:
    owner = next((c for c in others if best_dialect(c, header)), None)
    if owner is not None:
        return "wrong_folder", (f"the columns are those of {owner.name}, not {contract.name}: "
                                "file in the wrong folder")
    missing = missing_columns(contract, header)
    return "missing_column", f"required column(s) {', '.join(missing)} absent from the file"


def layout_notes(header: list[str], fields: list[str], dialect: Dialect) -> tuple[str, ...]:
    notes = ()
    extra = sorted(set(header) - set(fields) - {""})
    if extra:
        notes += (f"extra column(s) not in the contract, not loaded: {', '.join(extra)}",)
    absent = sorted({f for f in fields if f not in header} - set(dialect.uses))
    if absent:
        notes += (f"optional column(s) absent, loaded as empty: {', '.join(absent)}",)
    return notes


def batches(plans: list[Plan]) -> Iterator[list[Plan]]:
    """Plans of one layout together, in name order, bounded in bytes so one statement's
    work table stays a modest spill even at national scale."""
    groups: dict[tuple, list[Plan]] = {}
    for plan in plans:
        groups.setdefault(plan.layout, []).append(plan)
    for group in groups.values():
        batch, size = [], 0
        for plan in group:
            if batch and size + plan.file.size > BATCH_BYTES:
                yield batch
                batch, size = [], 0
            batch.append(plan)
            size += plan.file.size
        yield batch


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection):
    con.execute("begin transaction")
    try:
        yield
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def load_batch(con: duckdb.DuckDBPyConnection, contract: SourceContract,
               batch: list[Plan]) -> list[FileResult]:
    """Parse, validate and settle a batch in one transaction. When DuckDB refuses to read
    one of its files, each file is retried alone, so one bad file costs only itself."""
    first = batch[0]
    started = time.perf_counter()
    for plan in batch:  # a batched file's duration is its batch's
        plan.file.started = started
    read = FileRead(first.fmt, tuple(str(p.readable) for p in batch), first.encoding,
                    first.fields, rejects_table="rw_rejects", delimiter=first.delimiter)
    try:
        with transaction(con):
            parse(con, contract, first, read)
            failures = validate(con, contract)
            return settle(con, contract, batch, failures)
    except UnreadableFile as error:
        if len(batch) > 1:
            return [r for plan in batch for r in load_batch(con, contract, [plan])]
        # The reader gave up on the file as a whole (e.g. mixed line endings): keep every
        # line, with DuckDB's first words on why.
        reason = f"the file cannot be parsed as {first.fmt}: {error}"
        with transaction(con):
            counts = quarantine_lines(con, first.file, read, "malformed_line", reason)
            return [first.file.result(con, "rejected_file", reason, *counts)]
    finally:
        con.execute(f"drop table if exists {WORK_TABLE}")
        for plan in batch:
            plan.cleanup()


class UnreadableFile(Exception):
    """DuckDB's reader refused a file as a whole (not a row of it)."""


def parse(con, contract: SourceContract, first: Plan, read: FileRead) -> None:
    reader = (
        readers.jsonl_reader_sql(read) if read.fmt == "jsonl"
        else readers.csv_reader_sql(read, list(first.header))
    )
    sql = readers.parsed_sql(contract, first.dialect, reader, set(read.fields))
    try:
        con.execute(f"create or replace temp table {WORK_TABLE} as {sql}")
    except duckdb.InvalidInputException as error:
        raise UnreadableFile(str(error).splitlines()[0][:300]) from error
    if read.fmt == "csv":
        absorb_csv_rejects(con, read)


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
            f"where _file = ?", [path],
        )
    if not rejects:
        return
    con.executemany(
        f"insert into {WORK_TABLE} (_file, _line_no, _first_line, _problem_code, "
        "_problem_detail, _record) values (?, ?, ?, 'malformed_line', ?, to_json(rw_redact(?)))",
        [(path, line, line, f"the row does not fit the header: {message}", text)
         for path, line, text, message in rejects],
    )


def settle(con: duckdb.DuckDBPyConnection, contract: SourceContract, batch: list[Plan],
           failures: pl.DataFrame) -> list[FileResult]:
    """Quarantine parse problems and pandera failures, append the rest to raw, and account
    for every file of the batch."""
    files = pl.DataFrame({
        "_file": [str(p.readable) for p in batch],
        "file_id": [p.file.file_id for p in batch],
        "relpath": [p.file.relpath for p in batch],
    })
    con.register("rw_files", files.to_arrow())
    con.register("rw_failures", failures.to_arrow())
    columns = ", ".join(quote(c.raw_name) for c in contract.stored_columns)
    record = "to_json({" + ", ".join(
        f"{literal(c.raw_name)}: p.{quote(c.raw_name)}" for c in contract.stored_columns
    ) + "})"
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
            x.reason, {record}, now()
        from rw_failures x join {WORK_TABLE} p on p._file = x._file and p._line_no = x.line_no
            join rw_files f on f._file = x._file"""
    )
    con.execute(
        f"""insert into raw.{contract.table}
        select f.file_id, p._line_no, now(), {columns}
        from {WORK_TABLE} p join rw_files f using (_file)
        where p._problem_code is null
          and not exists (select 1 from rw_failures x
                          where x._file = p._file and x.line_no = p._line_no)"""
    )
    counts = dict(con.execute(
        f"""select _file, [count(*), count(*) filter (where _problem_code is not null)]
        from {WORK_TABLE} group by _file"""
    ).fetchall())
    rejected = dict(failures.group_by("_file").len().iter_rows())
    con.unregister("rw_failures")
    con.unregister("rw_files")
    results = []
    for plan in batch:
        read, parse_problems = counts.get(str(plan.readable), (0, 0))
        quarantined = parse_problems + rejected.get(str(plan.readable), 0)
        results.append(plan.file.result(con, "loaded", "; ".join(plan.file.notes), read,
                                        read - quarantined, quarantined))
    return results


def quarantine_lines(con, file: LandingFile, read: FileRead, code: str,
                     reason: str) -> tuple[int, int, int]:
    """Every line of a file that is not this source's: kept, with why."""
    header = 1 if read.fmt == "csv" else 0
    count = con.execute(
        f"""insert into audit.quarantine
        select {literal(file.file_id)}, {literal(file.contract.name)}, {literal(file.relpath)},
            _line_no, null, {literal(code)}, {literal(reason)}, to_json(rw_redact(line)), now()
        from ({readers.lines_sql(read)}) where _line_no > {header}"""
    ).fetchone()[0]
    return count, 0, count


def quarantine_bytes(con, file: LandingFile, code: str, reason: str) -> tuple[int, int, int]:
    """A file that is not text: each line kept as the hex of its first bytes."""
    lines = file.path.read_bytes().split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    rows = [
        (file.file_id, file.contract.name, file.relpath, n, None, code, reason,
         '"' + chunk[:32].hex() + '"')
        for n, chunk in enumerate(lines, start=1)
    ]
    con.executemany("insert into audit.quarantine values (?, ?, ?, ?, ?, ?, ?, ?, now())", rows)
    return len(rows), 0, len(rows)


def landing_relative(path: Path, settings: Settings) -> str:
    """Files are named relative to the landing zone, so a data folder can be moved or
    restored from backup without every file looking new."""
    try:
        return str(path.resolve().relative_to(settings.landing_dir))
    except ValueError:
        return str(path.resolve())


def best_dialect(contract: SourceContract, header: list[str]):
    """The contract's dialect whose required fields the header carries, if any."""
    present = set(header)
    for dialect in contract.dialects:
        if dialect.source_fields(contract) <= present:
            return dialect
    return None


def missing_columns(contract: SourceContract, header: list[str]) -> list[str]:
    """Required fields absent, named in the dialect the header is closest to."""
    present = set(header)
    closest = max(contract.dialects, key=lambda d: len(d.source_fields(contract) & present))
    return sorted(closest.source_fields(contract) - present)


def dialect_fields(contract: SourceContract, dialect, header: list[str]) -> list[str]:
    """The producer fields this dialect reads: renamed contract columns plus any field its
    decoding expressions use (e.g. `muc_do`, the service level behind the channel code)."""
    inverse = {v: k for k, v in dialect.renames.items()}
    fields = [inverse.get(c.name, c.name) for c in contract.columns]
    return fields + [f for f in dialect.uses if f not in fields]


_SCHEMAS: dict[str, pa.DataFrameSchema] = {}


def pandera_schema(contract: SourceContract) -> pa.DataFrameSchema:
    """Built once per source: the reference sets it checks against are large."""
    if contract.name not in _SCHEMAS:
        _SCHEMAS[contract.name] = contract.pandera_schema()
    return _SCHEMAS[contract.name]


def validate(con: duckdb.DuckDBPyConnection, contract: SourceContract) -> pl.DataFrame:
    """pandera's verdict on every typed row without a parse problem: one failure a row
    (the first, in contract order), as line_no, column_name, reason_code, reason."""
    reasons = _reasons(contract)
    stored = [quote(c.raw_name) for c in contract.stored_columns]
    columns = ", ".join(["_file", "_line_no", *stored])
    reader = con.sql(
        f"select {columns} from {WORK_TABLE} where _problem_code is null"
    ).to_arrow_reader(VALIDATION_BATCH_ROWS)
    found = [_failures(pl.from_arrow(batch), contract, reasons) for batch in reader]
    found = [f for f in found if f.height]
    if not found:
        return _empty_failures()
    return pl.concat(found).unique(["_file", "line_no"], keep="first", maintain_order=True)


def _failures(
    frame: pl.DataFrame, contract: SourceContract, reasons: pl.DataFrame
) -> pl.DataFrame:
    try:
        pandera_schema(contract).validate(frame, lazy=True)
        return _empty_failures()
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases.filter(pl.col("index").is_not_null())
    lines = frame.select("_file", pl.col("_line_no").alias("line_no")).with_row_index("index")
    nullable = pl.col("check") == "not_nullable"
    value = pl.col("failure_case").cast(pl.String)
    return (
        cases.with_columns(
            pl.col("index").cast(pl.UInt32), pl.col("check_number").cast(pl.Int64)
        )
        .join(lines, on="index")
        .join(reasons, on=["column", "check_number"], how="left")
        .select(
            pl.col("_file"),
            pl.col("line_no").cast(pl.Int64),
            pl.col("column").alias("column_name"),
            pl.when(nullable)
            .then(pl.lit("missing_value"))
            .otherwise(pl.col("reason_code").fill_null("not_allowed"))
            .alias("reason_code"),
            pl.when(nullable)
            .then(pl.col("column") + ": required value is empty")
            .otherwise(
                pl.col("column") + ": '" + value + "' is not "
                + pl.col("expected").fill_null(pl.col("check"))
            )
            .alias("reason"),
            pl.col("column").replace_strict(_positions(contract), default=99).alias("_position"),
        )
        .sort(["_file", "line_no", "_position"])
        .drop("_position")
    )


def _reasons(contract: SourceContract) -> pl.DataFrame:
    """Each declared check's reason code and wording, keyed as pandera reports failures."""
    rows = [
        (c.raw_name, i, check.reason_code, check.describe)
        for c in contract.columns
        for i, check in enumerate(c.checks)
    ]
    schema = {"column": pl.String, "check_number": pl.Int64, "reason_code": pl.String,
              "expected": pl.String}
    return pl.DataFrame(rows, schema=schema, orient="row")


def _positions(contract: SourceContract) -> dict[str, int]:
    return {c.raw_name: n for n, c in enumerate(contract.columns)}


_FAILURE_SCHEMA = {
    "_file": pl.String,
    "line_no": pl.Int64,
    "column_name": pl.String,
    "reason_code": pl.String,
    "reason": pl.String,
}


def _empty_failures() -> pl.DataFrame:
    return pl.DataFrame(schema=_FAILURE_SCHEMA)
