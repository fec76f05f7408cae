"""The one ingest path: a landing file → raw rows or quarantine, with exact accounting.

For each new file (by content hash): sniff encoding and header, pick the contract's dialect,
let DuckDB parse every field into a work table, let pandera validate the typed rows, then in
one transaction append the good rows to `raw`, the rest to `audit.quarantine`, and the counts
to `audit.ingest_files`. A file that cannot be read as this source is quarantined line by
line with the reason; nothing stops the other files.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandera.polars as pa
import polars as pl

from orchestration.ingest import readers
from orchestration.ingest.contract import SourceContract
from orchestration.ingest.readers import FileRead, literal, quote
from orchestration.ingest.sniff import (
    content_hash,
    csv_delimiter,
    detect_encoding,
    excel_to_csv,
    header_fields,
    transcode_to_utf8,
)
from orchestration.settings import Settings

log = logging.getLogger(__name__)

# A temporary table: never logged to the warehouse file, spilled to the temp directory
# beyond the memory limit, gone with the connection.
WORK_TABLE = "rw_parsed"
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
VALIDATION_BATCH_ROWS = 1_000_000

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
    """Ingest every new file of one source; files already seen are skipped."""
    results = []
    for path in landing_files(settings.landing_dir / contract.name):
        result = ingest_file(con, contract, others, path, settings)
        if result is not None:
            results.append(result)
            progress(result)
    return results


def ingest_file(
    con: duckdb.DuckDBPyConnection,
    contract: SourceContract,
    others: list[SourceContract],
    path: Path,
    settings: Settings,
) -> FileResult | None:
    started = time.perf_counter()
    file_id = content_hash(path)
    paths = [
        p
        for (p,) in con.execute(
            "select path from audit.ingest_files where file_id = ? order by ingested_at",
            [file_id],
        ).fetchall()
    ]
    relpath = landing_relative(path, settings)
    if relpath in paths:
        return None  # this very file was ingested before: nothing new
    seen = paths[:1]
    ctx = FileContext(con, contract, path, file_id, settings)
    con.execute("begin transaction")
    try:
        if seen:
            result = ctx.finish("duplicate_file", f"same content as {seen[0]}: not loaded again")
        elif path.stat().st_size == 0:
            result = ctx.finish("empty_file", "the file is empty (0 bytes)")
        else:
            result = ctx.load(others)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    finally:
        con.execute(f"drop table if exists {WORK_TABLE}")
    return FileResult(**{**result.__dict__, "duration_s": time.perf_counter() - started})


@dataclass
class FileContext:
    con: duckdb.DuckDBPyConnection
    contract: SourceContract
    path: Path
    file_id: str
    settings: Settings
    dialect_name: str = ""
    notes: tuple[str, ...] = ()

    @property
    def relpath(self) -> str:
        return landing_relative(self.path, self.settings)

    def load(self, others: list[SourceContract]) -> FileResult:
        if self.path.suffix.lower() in EXCEL_SUFFIXES:
            readable, note = excel_to_csv(self.path, self.work_file("xlsx.csv"))
            self.notes += (note,)
            try:
                return self.load_text(readable, "utf-8", others, fmt="csv")
            finally:
                readable.unlink(missing_ok=True)
        encoding = detect_encoding(self.path)
        if encoding is None:
            return self.quarantine_bytes("undecodable", "the bytes are not text in UTF-8, "
                                         "UTF-16 or Windows-1258")
        if encoding.note:
            self.notes += (encoding.note,)
        readable = self.path
        if encoding.duckdb_name is None:
            readable = transcode_to_utf8(self.path, encoding.name, self.work_file("utf8"))
        try:
            return self.load_text(readable, encoding.duckdb_name or "utf-8", others)
        finally:
            if readable != self.path:
                readable.unlink(missing_ok=True)

    def work_file(self, suffix: str) -> Path:
        return self.settings.tmp_dir / f"{self.file_id}.{suffix}"

    def load_text(
        self, readable: Path, encoding: str, others: list[SourceContract], fmt: str = ""
    ) -> FileResult:
        fmt = fmt or ("jsonl" if self.path.suffix.lower() in (".jsonl", ".json") else "csv")
        header = header_fields(readable, encoding, fmt)
        read = FileRead(fmt, str(readable), encoding, ())
        dialect = best_dialect(self.contract, header)
        if dialect is None:
            owner = next((c for c in others if best_dialect(c, header)), None)
            if owner is not None:
                return self.quarantine_lines(
                    read, fmt, "wrong_folder",
                    f"the columns are those of {owner.name}, not {self.contract.name}: "
                    f"file in the wrong folder",
                )
            missing = missing_columns(self.contract, header)
            return self.quarantine_lines(
                read, fmt, "missing_column",
                f"required column(s) {', '.join(missing)} absent from the file",
            )
        self.dialect_name = dialect.name
        fields = dialect_fields(self.contract, dialect, header)
        extra = sorted(set(header) - set(fields) - {""})
        if extra:
            self.notes += (f"extra column(s) not in the contract, not loaded: {', '.join(extra)}",)
        absent = sorted({f for f in fields if f not in header} - set(dialect.uses))
        if absent:
            self.notes += (f"optional column(s) absent, loaded as empty: {', '.join(absent)}",)
        read = FileRead(
            fmt, str(readable), encoding, tuple(fields),
            rejects_table=f"rw_rejects_{self.file_id[:12]}",
            delimiter=csv_delimiter(readable, encoding) if fmt == "csv" else ",",
        )
        reader = (
            readers.jsonl_reader_sql(read)
            if fmt == "jsonl"
            else readers.csv_reader_sql(read, header)
        )
        sql = readers.parsed_sql(self.contract, dialect, reader, set(fields))
        try:
            self.con.execute(f"create or replace temp table {WORK_TABLE} as {sql}")
        except duckdb.InvalidInputException as error:
            # The reader gave up on the file as a whole (e.g. mixed line endings):
            # keep every line, with DuckDB's first words on why.
            reason = str(error).splitlines()[0][:300]
            return self.quarantine_lines(read, fmt, "malformed_line",
                                         f"the file cannot be parsed as {fmt}: {reason}")
        if fmt == "csv":
            self.absorb_csv_rejects(read)
        failures = validate(self.con, self.contract)
        return self.settle(failures)

    def absorb_csv_rejects(self, read: FileRead) -> None:
        """Rows DuckDB's CSV reader refused become malformed lines; the good rows' line
        numbers shift past them (they were numbered by record)."""
        rejects = self.con.execute(
            # DuckDB may log one error per missing field: keep the first for each line.
            f"select line, first(csv_line), first(error_message order by column_idx) "
            f"from {read.rejects_table} group by line order by line"
        ).fetchall()
        self.con.execute(f"drop table if exists {read.rejects_table}")
        self.con.execute(f"drop table if exists {read.rejects_table}_scan")
        if not rejects:
            return
        # good rows before the j-th reject (1-based): its line − header − earlier rejects
        before = [line - 1 - j for j, (line, _, _) in enumerate(rejects, start=1)]
        shift = " + ".join(f"(_line_no - 1 > {b})::int" for b in before)
        self.con.execute(
            f"update {WORK_TABLE} set _line_no = _line_no + {shift}, "
            f"_first_line = _first_line + {shift.replace('_line_no', '_first_line')}"
        )
        self.con.executemany(
            f"insert into {WORK_TABLE} (_line_no, _first_line, _problem_code, _problem_detail, "
            "_record) values (?, ?, 'malformed_line', ?, to_json(rw_redact(?)))",
            [(line, line, f"the row does not fit the header: {message}", text)
             for line, text, message in rejects],
        )

    def settle(self, failures: pl.DataFrame) -> FileResult:
        """Quarantine parse problems and pandera failures, append the rest to raw."""
        con, contract = self.con, self.contract
        con.register("rw_failures", failures.to_arrow())
        columns = ", ".join(quote(c.raw_name) for c in contract.stored_columns)
        record = "to_json({" + ", ".join(
            f"{literal(c.raw_name)}: p.{quote(c.raw_name)}" for c in contract.stored_columns
        ) + "})"
        con.execute(
            f"""insert into audit.quarantine
            select {literal(self.file_id)}, {literal(contract.name)}, {literal(self.relpath)},
                _line_no, _problem_column, _problem_code,
                case _problem_code
                    when 'duplicate_row' then 'exact repeat of line ' || _first_line
                    else _problem_detail end,
                _record, now()
            from {WORK_TABLE} where _problem_code is not null
            union all
            select {literal(self.file_id)}, {literal(contract.name)}, {literal(self.relpath)},
                f.line_no, f.column_name, f.reason_code, f.reason, {record}, now()
            from rw_failures f join {WORK_TABLE} p on p._line_no = f.line_no"""
        )
        con.execute(
            f"""insert into raw.{contract.table}
            select {literal(self.file_id)}, p._line_no, now(), {columns}
            from {WORK_TABLE} p
            where p._problem_code is null
              and not exists (select 1 from rw_failures f where f.line_no = p._line_no)"""
        )
        con.unregister("rw_failures")
        rows_read, rows_quarantined = con.execute(
            f"select count(*), count(*) filter (where _problem_code is not null) from {WORK_TABLE}"
        ).fetchone()
        rows_quarantined += failures.height
        return self.finish("loaded", "; ".join(self.notes), rows_read,
                           rows_read - rows_quarantined, rows_quarantined)

    def quarantine_lines(self, read: FileRead, fmt: str, code: str, reason: str) -> FileResult:
        """Every line of a file that is not this source's: kept, with why."""
        header = 1 if fmt == "csv" else 0
        self.con.execute(
            f"""insert into audit.quarantine
            select {literal(self.file_id)}, {literal(self.contract.name)},
                {literal(self.relpath)}, _line_no, null, {literal(code)}, {literal(reason)},
                to_json(rw_redact(line)), now()
            from ({readers.lines_sql(read)}) where _line_no > {header}"""
        )
        count = self.con.execute(
            "select count(*) from audit.quarantine where file_id = ? and path = ?",
            [self.file_id, self.relpath],
        ).fetchone()[0]
        return self.finish("rejected_file", reason, count, 0, count)

    def quarantine_bytes(self, code: str, reason: str) -> FileResult:
        lines = self.path.read_bytes().split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        rows = [
            (self.file_id, self.contract.name, self.relpath, n, None, code, reason,
             '"' + chunk[:32].hex() + '"')
            for n, chunk in enumerate(lines, start=1)
        ]
        self.con.executemany(
            "insert into audit.quarantine values (?, ?, ?, ?, ?, ?, ?, ?, now())", rows
        )
        return self.finish("rejected_file", reason, len(rows), 0, len(rows))

    def finish(self, status: str, note: str, read: int = 0, loaded: int = 0,
               quarantined: int = 0) -> FileResult:
        if loaded + quarantined != read:
            raise AssertionError(
                f"{self.path}: {loaded} loaded + {quarantined} quarantined != {read} read"
            )
        self.con.execute(
            "insert into audit.ingest_files values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now(), null)",
            [self.file_id, self.contract.name, self.relpath, self.path.stat().st_size,
             status, self.dialect_name or None, read, loaded, quarantined, note],
        )
        return FileResult(self.relpath, status, read, loaded, quarantined, note)


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
    columns = ", ".join(["_line_no"] + [quote(c.raw_name) for c in contract.stored_columns])
    reader = con.sql(
        f"select {columns} from {WORK_TABLE} where _problem_code is null"
    ).to_arrow_reader(VALIDATION_BATCH_ROWS)
    found = [_failures(pl.from_arrow(batch), contract, reasons) for batch in reader]
    found = [f for f in found if f.height]
    if not found:
        return _empty_failures()
    return pl.concat(found).sort("line_no").unique("line_no", keep="first", maintain_order=True)


def _failures(
    frame: pl.DataFrame, contract: SourceContract, reasons: pl.DataFrame
) -> pl.DataFrame:
    try:
        pandera_schema(contract).validate(frame, lazy=True)
        return _empty_failures()
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases.filter(pl.col("index").is_not_null())
    lines = frame.select(pl.col("_line_no").alias("line_no")).with_row_index("index")
    nullable = pl.col("check") == "not_nullable"
    value = pl.col("failure_case").cast(pl.String)
    return (
        cases.with_columns(
            pl.col("index").cast(pl.UInt32), pl.col("check_number").cast(pl.Int64)
        )
        .join(lines, on="index")
        .join(reasons, on=["column", "check_number"], how="left")
        .select(
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
        .sort(["line_no", "_position"])
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
    "line_no": pl.Int64,
    "column_name": pl.String,
    "reason_code": pl.String,
    "reason": pl.String,
}


def _empty_failures() -> pl.DataFrame:
    return pl.DataFrame(schema=_FAILURE_SCHEMA)


def iter_sources(contracts: dict[str, SourceContract]) -> Iterator[tuple[SourceContract, list]]:
    for contract in contracts.values():
        yield contract, [c for c in contracts.values() if c is not contract]
