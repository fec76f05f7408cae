"""Validation: pandera's verdict on the typed rows the parse stage left without a problem.

The work table is read in Arrow batches, so memory stays bounded whatever the batch size;
each failing row keeps one reason — the first in contract order — as quarantine has one
row per line.
"""

from __future__ import annotations

import duckdb
import pandera.polars as pa
import polars as pl

from orchestration.ingest.contract import SourceContract
from orchestration.ingest.parse import WORK_TABLE
from orchestration.sql import identifier as quote

VALIDATION_BATCH_ROWS = 250_000

FAILURE_SCHEMA = {
    "_file": pl.String,
    "line_no": pl.Int64,
    "column_name": pl.String,
    "reason_code": pl.String,
    "reason": pl.String,
}

_SCHEMAS: dict[str, pa.DataFrameSchema] = {}


def pandera_schema(contract: SourceContract) -> pa.DataFrameSchema:
    """Built once per source: the reference sets it checks against are large."""
    if contract.name not in _SCHEMAS:
        _SCHEMAS[contract.name] = contract.pandera_schema()
    return _SCHEMAS[contract.name]


def validate(con: duckdb.DuckDBPyConnection, contract: SourceContract) -> pl.DataFrame:
    """pandera's verdict on every typed row without a parse problem: one failure a row
    (the first, in contract order), as `_file, line_no, column_name, reason_code, reason`."""
    reasons = check_reasons(contract)
    stored = [quote(c.raw_name) for c in contract.stored_columns]
    columns = ", ".join(["_file", "_line_no", *stored])
    reader = con.sql(
        f"select {columns} from {WORK_TABLE} where _problem_code is null"
    ).to_arrow_reader(VALIDATION_BATCH_ROWS)
    found = [failures(pl.from_arrow(batch), contract, reasons) for batch in reader]
    found = [f for f in found if f.height]
    if not found:
        return no_failures()
    return pl.concat(found).unique(["_file", "line_no"], keep="first", maintain_order=True)


def failures(frame: pl.DataFrame, contract: SourceContract, reasons: pl.DataFrame) -> pl.DataFrame:
    """Every failed check of one frame, worded, sorted so a row's first column comes first."""
    try:
        pandera_schema(contract).validate(frame, lazy=True)
        return no_failures()
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases.filter(pl.col("index").is_not_null())
    lines = frame.select("_file", pl.col("_line_no").alias("line_no")).with_row_index("index")
    nullable = pl.col("check") == "not_nullable"
    value = pl.col("failure_case").cast(pl.String)
    return (
        cases.with_columns(pl.col("index").cast(pl.UInt32), pl.col("check_number").cast(pl.Int64))
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
                pl.col("column")
                + ": '"
                + value
                + "' is not "
                + pl.col("expected").fill_null(pl.col("check"))
            )
            .alias("reason"),
            pl.col("column").replace_strict(positions(contract), default=99).alias("_position"),
        )
        .sort(["_file", "line_no", "_position"])
        .drop("_position")
    )


def check_reasons(contract: SourceContract) -> pl.DataFrame:
    """Each declared check's reason code and wording, keyed as pandera reports failures."""
    rows = [
        (c.raw_name, i, check.reason_code, check.describe)
        for c in contract.columns
        for i, check in enumerate(c.checks)
    ]
    schema = {
        "column": pl.String,
        "check_number": pl.Int64,
        "reason_code": pl.String,
        "expected": pl.String,
    }
    return pl.DataFrame(rows, schema=schema, orient="row")


def positions(contract: SourceContract) -> dict[str, int]:
    return {c.raw_name: n for n, c in enumerate(contract.columns)}


def no_failures() -> pl.DataFrame:
    return pl.DataFrame(schema=FAILURE_SCHEMA)
