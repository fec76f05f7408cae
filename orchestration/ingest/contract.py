"""What a landing source promises: its columns, their types and checks, its dialects.

A source is a `SourceContract` (this module's vocabulary) plus the reader the file's format
asks for (`readers.py`). DuckDB parses each field by its `kind`; pandera then validates the
typed frame against the checks declared here. Adding a source means writing a contract, not
another ingest path.
"""

from __future__ import annotations

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


@dataclass(frozen=True)
class Check:
    """A rule on one typed column; `reason_code` is what quarantine records when it fails."""

    reason_code: str
    describe: str
    build: Callable[[], pa.Check]
    # A closed set of codes (allowed values, reference codes): values that can be shown
    # anywhere, since no name, date or identity number is one of them (`excerpt.py`).
    values: Callable[[], frozenset[str]] | None = None


def allowed(values: list[str] | tuple[str, ...]) -> Check:
    values = tuple(values)
    return Check(
        "not_allowed",
        f"one of {', '.join(values)}",
        lambda: pa.Check.isin(values),
        lambda: frozenset(values),
    )


def in_range(low: float, high: float) -> Check:
    return Check("not_allowed", f"between {low} and {high}", lambda: pa.Check.in_range(low, high))


def at_least(low: float) -> Check:
    return Check("not_allowed", f"at least {low}", lambda: pa.Check.ge(low))


def within_period(low: date | datetime, high: date | datetime, describe: str) -> Check:
    """A date inside the monitored period: one dated 2999 or 1900 would otherwise load, fail
    dbt's relationship to the calendar, and hold every publication after it."""
    return Check("out_of_period", describe, lambda: pa.Check.in_range(low, high))


def known(reference: str, reason_code: str, load: Callable[[], frozenset[str]]) -> Check:
    """Membership in reference data (units, procedures), loaded when the schema is built."""
    return Check(
        reason_code, f"a known {reference}", lambda: pa.Check.isin(sorted(load())), load
    )


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
