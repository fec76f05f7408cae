"""What a landing source promises: its columns, their types and checks, its dialects.

A source is a `SourceContract` (this module's vocabulary) plus the reader the file's format
asks for (`readers.py`). DuckDB parses each field by its `kind`; pandera then validates the
typed frame against the checks declared here. Adding a source means writing a contract, not
another ingest path.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

import pandera.polars as pa
import polars as pl

# kind → (DuckDB type in raw, polars dtype pandera checks against)
KINDS: dict[str, tuple[str, pl.DataType]] = {
    "varchar": ("varchar", pl.String()),
    "timestamp": ("timestamp", pl.Datetime("us")),
    "date": ("date", pl.Date()),
    "integer": ("integer", pl.Int32()),
    "amount": ("bigint", pl.Int64()),
    "decimal": ("double", pl.Float64()),
    "boolean": ("boolean", pl.Boolean()),
}


# Every reason_code audit.quarantine may hold (docs/sources.md, "Quarantine reason codes"): the
# row-level ones come from the checks below, the file-level ones from the ingest stages.
REASON_CODES = (
    "malformed_line",
    "missing_value",
    "unparseable",
    "not_allowed",
    "unknown_unit",
    "unknown_procedure",
    "duplicate_row",
    "missing_column",
    "wrong_folder",
    "undecodable",
    "line_too_long",
    "out_of_period",
    "invisible_character",
)


@dataclass(frozen=True)
class Check:
    """A rule on one typed column; `reason_code` is what quarantine records when it fails.

    `values`, `low` and `high` expose the rule itself, so dbt tests, GE suites and the
    simulator can be checked against the contract instead of restating it.
    """

    reason_code: str
    describe: str
    build: Callable[[], pa.Check]
    values: tuple | None = None  # allowed values
    parts: tuple[tuple[str, ...], ...] = ()  # subsets of `values` staged in separate models
    low: float | None = None  # inclusive bounds
    high: float | None = None
    # A closed set of codes (allowed values, reference codes): values that can be shown
    # anywhere, since no name, date or identity number is one of them (`excerpt.py`).
    codes: Callable[[], frozenset[str]] | None = None


def allowed(values: list[str] | tuple[str, ...], parts: tuple[tuple[str, ...], ...] = ()) -> Check:
    """One of `values`; `parts` names the subsets that models may stage apart (each model
    then accepts exactly one part, and the parts together are `values`)."""
    values = tuple(values)
    assert not parts or sorted(v for part in parts for v in part) == sorted(values), parts
    return Check(
        "not_allowed",
        f"one of {', '.join(values)}",
        lambda: pa.Check.isin(values),
        values=values,
        parts=parts,
        codes=lambda: frozenset(values),
    )


def in_range(low: float, high: float) -> Check:
    return Check(
        "not_allowed",
        f"between {low} and {high}",
        lambda: pa.Check.in_range(low, high),
        low=low,
        high=high,
    )


def at_least(low: float) -> Check:
    return Check("not_allowed", f"at least {low}", lambda: pa.Check.ge(low), low=low)


def within_period(low: date | datetime, high: date | datetime, describe: str) -> Check:
    """A date inside the monitored period: one dated 2999 or 1900 would otherwise load, fail
    dbt's relationship to the calendar, and hold every publication after it."""
    return Check("out_of_period", describe, lambda: pa.Check.in_range(low, high))


def known(reference: str, reason_code: str, load: Callable[[], frozenset[str]]) -> Check:
    """Membership in reference data (units, procedures), loaded when the schema is built.

    A check of our own rather than `pa.Check.isin`: pandera deep-copies a schema's columns
    on every `validate`, and `isin` keeps its thousands of codes as statistics, copied each
    time (5.6 s of the 10× ingest); a function's closure is shared, not copied."""

    def build() -> pa.Check:
        listed = listed_in(load())
        return pa.Check(lambda data: data.lazyframe.select(listed(data.key)), name="isin")

    return Check(reason_code, f"a known {reference}", build, codes=load)


def listed_in(codes: frozenset[str]) -> Callable[[str], pl.Expr]:
    """`column is one of codes`, the codes made a polars value once, when the schema is
    built, not on every `validate`."""
    listed = pl.Series(sorted(codes), dtype=pl.String).implode()
    return lambda column: pl.col(column).is_in(listed)


def valid_until(
    describe: str,
    reason_code: str,
    record_date: Callable[[], pl.Expr],
    load: Callable[[], tuple[frozenset[str], date]],
) -> Check:
    """Codes that ceased to exist: `load` gives them and their last day; a record dated
    after it may not carry one (a code valid then and now, for another unit, is not in it)."""
    return _codes_outside_their_time(
        "valid_until", describe, reason_code, record_date, load, operator.gt
    )


def valid_from(
    describe: str,
    reason_code: str,
    record_date: Callable[[], pl.Expr],
    load: Callable[[], tuple[frozenset[str], date]],
) -> Check:
    """Codes that came into existence on a day: a record dated before it may not carry one."""
    return _codes_outside_their_time(
        "valid_from", describe, reason_code, record_date, load, operator.lt
    )


def _codes_outside_their_time(
    name: str,
    describe: str,
    reason_code: str,
    record_date: Callable[[], pl.Expr],
    load: Callable[[], tuple[frozenset[str], date]],
    outside: Callable[[pl.Expr, date], pl.Expr],
) -> Check:
    """A record may not carry one of the codes `load` gives when its date is `outside` the
    boundary day `load` gives with them (after the last day, before the first)."""

    def build() -> pa.Check:
        codes, day = load()
        listed = listed_in(codes)
        return pa.Check(
            lambda data: data.lazyframe.select(
                ~(listed(data.key) & outside(record_date(), day)).fill_null(False)
            ),
            name=name,
        )

    return Check(reason_code, describe, build)


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = "varchar"
    required: bool = False
    checks: tuple[Check, ...] = ()
    # Personal data never reaches the warehouse in clear: "pseudonymise" stores a keyed
    # hash as `stored_name`, "age_band" stores only the 5-year age band on 1 July 2025,
    # "drop" stores nothing.
    personal: str | None = None
    stored_name: str | None = None
    description: str = ""
    # An identifier (a key or code): refused when it holds an invisible character, which
    # would make two look-alike codes differ (`invisible_character`).
    code: bool = False

    @property
    def raw_name(self) -> str:
        return self.stored_name or self.name

    @property
    def stored(self) -> bool:
        return self.personal != "drop"

    @property
    def sql_type(self) -> str:
        return "varchar" if self.personal else KINDS[self.kind][0]

    @property
    def allowed_values(self) -> tuple | None:
        """The values the contract allows: a list, or every integer of an integer range."""
        for check in self.checks:
            if check.values is not None:
                return check.values
            if self.kind == "integer" and None not in (check.low, check.high):
                return tuple(range(int(check.low), int(check.high) + 1))
        return None

    @property
    def bounds(self) -> tuple[float | None, float | None] | None:
        """(low, high) of the column's range check; either may be None (open)."""
        for check in self.checks:
            if check.low is not None or check.high is not None:
                return check.low, check.high
        return None


@dataclass(frozen=True)
class Dialect:
    """One way a producer writes the source: header names and coded values.

    `renames` maps the producer's header to the contract's column; `expressions` give SQL
    (over the producer's varchar fields) for contract columns that need decoding.
    """

    name: str
    renames: dict[str, str] = field(default_factory=dict)
    expressions: dict[str, str] = field(default_factory=dict)
    uses: tuple[str, ...] = ()  # producer fields only the expressions read (may be absent)

    def source_fields(self, contract: SourceContract) -> set[str]:
        """Header names that identify this dialect (its required columns)."""
        inverse = {v: k for k, v in self.renames.items()}
        return {inverse.get(c.name, c.name) for c in contract.columns if c.required}


@dataclass(frozen=True)
class SourceContract:
    name: str  # folder under data/landing and the raw table's name stem
    table: str  # table in schema raw
    columns: tuple[Column, ...]
    business_key: tuple[str, ...]
    # The month a row belongs to, 'YYYY-MM', as DuckDB SQL over the raw columns: the month
    # the source's staging model partitions by (its GE suite's `month_column`, staged). A
    # delivery may carry rows of other months than its name says; the build rebuilds the
    # months its rows fall in (`audit.file_months`, settle.py).
    month_of_row: str
    dialects: tuple[Dialect, ...] = (Dialect("canonical"),)
    description: str = ""

    @property
    def stored_columns(self) -> tuple[Column, ...]:
        """The columns raw keeps (dropped personal fields are read, then forgotten)."""
        return tuple(c for c in self.columns if c.stored)

    def pandera_schema(self) -> pa.DataFrameSchema:
        """The typed contract pandera validates after DuckDB has parsed the fields."""
        columns = {
            c.raw_name: pa.Column(
                KINDS[c.kind][1] if not c.personal else pl.String(),
                checks=[check.build() for check in c.checks],
                nullable=not c.required,
                required=True,
            )
            for c in self.stored_columns
        }
        return pa.DataFrameSchema(columns, name=self.name, strict=False, coerce=False)
