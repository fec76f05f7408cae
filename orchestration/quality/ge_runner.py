"""The one Great Expectations runner every suite in `expectations/` goes through.

GE 1.x cannot validate DuckDB through SQLAlchemy (upstream issue 11579), so the runner reads
the relation from DuckDB into pandas — only the columns the suite references, sampled
deterministically when the table is large — and validates it with GE's pandas datasource in
an ephemeral context. The outcome is a plain frozen dataclass the Dagster checks, the JSON
run log and the data-quality site all read; GE objects never leave this module.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd

from orchestration import sql
from orchestration.settings import EXPECTATIONS_DIR

# Great Expectations is imported where a suite is validated, not here: importing it costs
# 2–9 s on these machines (more with pyspark installed, which it imports too), and every
# Dagster process loads this module — the code server, each run, a run with nothing new
# that validates nothing. Suite metadata is read from the JSON (`suite_json`).
if TYPE_CHECKING:
    import great_expectations as gx

SAMPLE_SEED = 42
SAMPLED_ROWS = "ge_sampled_rows"  # the sample's row ids, registered for one read
SAMPLE_ROW_LIMIT = 10  # offending rows kept per expectation: enough to find them, not a dump
RUNS_SUBDIR = "runs"
RUN_STAMP_FORMAT = "%Y%m%dT%H%M%S%fZ"  # sorts chronologically as a file name
COLUMN_KWARGS = ("column", "column_A", "column_B", "column_list")


@dataclass(frozen=True)
class ExpectationOutcome:
    expectation_type: str
    columns: tuple[str, ...]
    success: bool
    unexpected_count: int | None
    unexpected_percent: float | None
    sample_unexpected_rows: list[dict[str, Any]]
    notes: str
    observed_value: Any = None  # table-level expectations (row count) report a value, not rows
    exception: str | None = None  # GE could not evaluate it (e.g. the column is missing)

    @property
    def column(self) -> str:
        """Readable column label: `a`, `a, b`, or `(table)` for table-level expectations."""
        return ", ".join(self.columns) or "(table)"


@dataclass(frozen=True)
class ValidationOutcome:
    suite_name: str
    relation: str
    success: bool
    evaluated_rows: int
    total_rows: int
    results: list[ExpectationOutcome]
    run_at: datetime
    raw: dict[str, Any] = field(repr=False)
    # the months checked when the last dbt build redid only those (None: every row)
    months: tuple[str, ...] | None = None

    @property
    def failed(self) -> list[ExpectationOutcome]:
        return [r for r in self.results if not r.success]

    @property
    def sampled(self) -> bool:
        return self.evaluated_rows < self.total_rows

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form: what `record_outcome` writes and the site reads."""
        data = asdict(self)
        data["run_at"] = self.run_at.isoformat()
        for result, outcome in zip(data["results"], self.results, strict=True):
            result["column"] = outcome.column
        return data


# --- suites -----------------------------------------------------------------------------


def suite_json(name: str, directory: Path = EXPECTATIONS_DIR) -> dict[str, Any]:
    """The suite file `expectations/<name>.json` (GE 1.x suite JSON; its name is the
    model's), read without GE."""
    path = directory / f"{name}.json"
    if not path.is_file():
        available = sorted(p.stem for p in directory.glob("*.json"))
        raise FileNotFoundError(f"no suite {name!r} in {directory}; available: {available}")
    suite = json.loads(path.read_text(encoding="utf-8"))
    if suite.get("name") != name:
        raise ValueError(f"{path} declares suite name {suite.get('name')!r}, expected {name!r}")
    return suite


def load_suite(name: str, directory: Path = EXPECTATIONS_DIR) -> gx.ExpectationSuite:
    """The suite as a GE object, to validate with."""
    import great_expectations as gx

    return gx.ExpectationSuite(**suite_json(name, directory))


def suite_meta(suite: gx.ExpectationSuite | dict[str, Any]) -> dict[str, Any]:
    """The `meta` of a GE suite or of its JSON (`suite_json`)."""
    meta = suite.get("meta") if isinstance(suite, dict) else suite.meta
    return meta or {}


def key_columns(suite: gx.ExpectationSuite | dict[str, Any]) -> list[str]:
    """Columns that identify a row to a reader (suite meta `key_columns`), e.g. unit + month."""
    return list(suite_meta(suite).get("key_columns", []))


def computed_columns(suite: gx.ExpectationSuite | dict[str, Any]) -> dict[str, str]:
    """Columns the suite computes in DuckDB over the whole relation (suite meta
    `computed_columns`: name -> SQL over the relation aliased `t`), before any sampling.

    They carry what no single row shows and dbt tests do not check: window aggregates (a
    province's volume against its previous month, its latest month against the newest) and
    totals looked up in other tables (a mart against its fact or staging).
    """
    return dict(suite_meta(suite).get("computed_columns", {}))


def expectation_columns(kwargs: dict) -> tuple[str, ...]:
    columns: list[str] = []
    for name in COLUMN_KWARGS:
        value = kwargs.get(name)
        columns.extend([value] if isinstance(value, str) else value or [])
    return tuple(columns)


def referenced_columns(suite: gx.ExpectationSuite) -> list[str]:
    """Every column an expectation or the key uses, in first-use order."""
    columns = [
        column
        for expectation in suite.expectations
        for column in expectation_columns(expectation.configuration.kwargs)
    ]
    return list(dict.fromkeys(columns + key_columns(suite)))


# --- reading DuckDB -----------------------------------------------------------------------


def relation_columns(con: duckdb.DuckDBPyConnection, relation: str) -> list[str]:
    cursor = con.execute(f"select * from {sql.relation(relation)} limit 0")
    return [d[0] for d in cursor.description]


def month_column(suite: gx.ExpectationSuite | dict[str, Any]) -> str | None:
    """The date column that places a row in a delivery month (suite meta `month_column`);
    suites without one check whole tables."""
    return suite_meta(suite).get("month_column")


def in_months(column: str, months: tuple[str, ...]) -> str:
    """SQL: the row's `column` falls in one of `months` (`yyyy-mm`)."""
    listed = ", ".join(sql.literal(m) for m in months) or "null"
    return f"strftime(t.{sql.identifier(column)}, '%Y-%m') in ({listed})"


def count_rows(con: duckdb.DuckDBPyConnection, relation: str, where: str | None = None) -> int:
    condition = f" where {where}" if where else ""
    query = f"select count(*) from {sql.relation(relation)} as t{condition}"
    return con.execute(query).fetchone()[0]


@contextmanager
def temporary_settings(con: duckdb.DuckDBPyConnection, **settings: object) -> Iterator[None]:
    """Change connection settings for one read and put the caller's values back."""
    before = {
        name: con.execute("select current_setting(?)", [name]).fetchone()[0] for name in settings
    }
    try:
        for name, value in settings.items():
            con.execute(f"set {name} = {value}")
        yield
    finally:
        for name, value in before.items():
            con.execute(f"set {name} = {value}")


def read_settings(sampled: bool) -> dict[str, object]:
    # DuckDB draws its own progress bar on reads over 2 s: noise in Dagster's logs. A seeded
    # sample is only repeatable on one thread (DuckDB docs, "Samples").
    return {"enable_progress_bar": "false", **({"threads": 1} if sampled else {})}


def vectorisable(frame: pd.DataFrame) -> pd.DataFrame:
    """Give GE's pandas metrics the dtypes they vectorise: int64/float64, datetime64[ns].

    DuckDB hands pandas 3 microsecond timestamps and nullable/narrow integers; GE then checks
    ranges value by value in Python (about 10x slower on a million rows). The conversion is
    exact: nullable integers become floats only when they hold nulls (< 2**53 stays exact),
    and timestamps outside the nanosecond range (years before 1677) are left as they are.
    """
    for name, dtype in frame.dtypes.items():
        column = frame[name]
        if pd.api.types.is_integer_dtype(dtype) and dtype != "int64":
            frame[name] = column.astype("float64" if column.isna().any() else "int64")
        elif pd.api.types.is_datetime64_dtype(dtype) and dtype != "datetime64[ns]":
            # left as it is when out of range: exact but slower, and itself a finding
            with suppress(pd.errors.OutOfBoundsDatetime, OverflowError):
                frame[name] = column.astype("datetime64[ns]")
    return frame


def read_frame(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    columns: list[str],
    total_rows: int,
    sample_rows: int | None = None,
    computed: dict[str, str] | None = None,
    where: str | None = None,
) -> pd.DataFrame:
    """The suite's columns that exist, plus its computed ones, of the rows `where` selects;
    a missing column is left for GE to report as a failure."""
    computed = computed or {}
    present = set(relation_columns(con, relation))
    wanted = [c for c in columns if c in present and c not in computed]
    if not wanted and not computed:
        wanted = sorted(present)
    plain = [sql.identifier(c) for c in wanted]
    derived = [f"({expression}) as {sql.identifier(name)}" for name, expression in computed.items()]
    sampled = sample_rows is not None and total_rows > sample_rows
    if sampled and computed:
        return sampled_with_computed(con, relation, plain, derived, int(sample_rows), where)
    query = f"select {', '.join(plain + derived)} from {sql.relation(relation)} as t"
    if where:
        # `qualify` filters after the window functions of computed columns: they still see
        # the whole relation (a month's volume against the month before it)
        query += f" qualify {where}" if computed else f" where {where}"
    if sampled:
        query = sampled_from(query, int(sample_rows))
    with temporary_settings(con, **read_settings(sampled)):
        return vectorisable(con.execute(query).df())


def sampled_from(query: str, rows: int) -> str:
    """A repeatable sample of `query`'s rows. Drawn from a subquery: DuckDB applies a
    `using sample` clause before the `where` of its own select, which would sample the
    whole table and then keep only the selected months' share of the sample."""
    return f"select * from ({query}) using sample reservoir({rows} rows) repeatable ({SAMPLE_SEED})"


def sampled_with_computed(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    plain: list[str],
    derived: list[str],
    sample_rows: int,
    where: str | None,
) -> pd.DataFrame:
    """A sample of a large table with its computed columns, which must see the whole table.

    Computing them in the same query as the sample is slow: the window functions then carry
    every selected column of every row, on the one thread a repeatable sample needs (28 s
    for the events suite at 10x, the largest part of the quality step). So the sample picks
    row ids on one thread, and the computed columns are evaluated over the whole table on
    all threads, carrying only the columns they read, then joined to the sampled rows.
    """
    table = sql.relation(relation)
    condition = f" where {where}" if where else ""
    with temporary_settings(con, **read_settings(sampled=True)):
        chosen = con.execute(
            sampled_from(f"select rowid as _row from {table} as t{condition}", sample_rows)
        ).df()
    selected = ", ".join([f"t.{c}" for c in plain] + ["computed.* exclude (_row)"])
    query = f"""
        with computed as (select rowid as _row, {", ".join(derived)} from {table} as t)
        select {selected}
        from {SAMPLED_ROWS} as chosen
        inner join {table} as t on t.rowid = chosen._row
        inner join computed on computed._row = chosen._row
        order by chosen._row"""
    con.register(SAMPLED_ROWS, chosen)
    try:
        with temporary_settings(con, **read_settings(sampled=False)):
            return vectorisable(con.execute(query).df())
    finally:
        con.unregister(SAMPLED_ROWS)


# --- running GE ---------------------------------------------------------------------------


def quiet_context() -> Any:
    """A fresh in-memory context: no project files, no docs site, no analytics, no progress bars.

    Analytics are off by this config (`analytics_enabled=False`), not by the environment:
    nothing here writes `GX_ANALYTICS_ENABLED` (the Makefile exports it for the whole run).

    Our own data-quality site replaces GE's Data Docs (an ephemeral context has none to keep).
    """
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def result_format(keys: list[str], frame: pd.DataFrame) -> dict[str, Any]:
    """SUMMARY keeps the first offending rows with their key columns, not every row."""
    return {
        "result_format": "SUMMARY",
        "partial_unexpected_count": SAMPLE_ROW_LIMIT,
        "unexpected_index_column_names": [k for k in keys if k in frame.columns],
    }


def run_suite(frame: pd.DataFrame, suite: gx.ExpectationSuite) -> tuple[list[str], dict]:
    """Validate `frame`; return the expectation ids in suite order and GE's result as JSON."""
    context = quiet_context()
    suite = context.suites.add(suite)  # assigns ids, so results can be put back in file order
    batch = (
        context.data_sources.add_pandas("warehouse")
        .add_dataframe_asset(suite.name)
        .add_batch_definition_whole_dataframe("whole_frame")
        .get_batch(batch_parameters={"dataframe": frame})
    )
    result = batch.validate(suite, result_format=result_format(key_columns(suite), frame))
    return [e.id for e in suite.expectations], result.to_json_dict()


def exception_message(exception_info: dict) -> str | None:
    """GE nests exception info per metric when a metric fails; keep the first message."""
    if exception_info.get("raised_exception"):
        return exception_info.get("exception_message") or "expectation raised an exception"
    for nested in exception_info.values():
        if isinstance(nested, dict) and nested.get("raised_exception"):
            return nested.get("exception_message") or "expectation raised an exception"
    return None


def json_safe(value: Any) -> Any:
    """NaN is not JSON: GE leaves it in sample values of float columns."""
    return None if isinstance(value, float) and value != value else value


def sample_row(row: dict[str, Any], keys: list[str]) -> dict[str, Any]:
    """Key columns first (unit, month...), then the offending values."""
    ordered = [k for k in keys if k in row] + [k for k in row if k not in keys]
    return {k: json_safe(row[k]) for k in ordered}


def to_expectation_outcome(raw_result: dict, keys: list[str]) -> ExpectationOutcome:
    config = raw_result["expectation_config"]
    result = raw_result.get("result") or {}
    rows = [r for r in result.get("partial_unexpected_index_list") or [] if isinstance(r, dict)]
    return ExpectationOutcome(
        expectation_type=config["type"],
        columns=expectation_columns(config["kwargs"]),
        success=bool(raw_result["success"]),
        unexpected_count=result.get("unexpected_count"),
        unexpected_percent=result.get("unexpected_percent"),
        sample_unexpected_rows=[sample_row(r, keys) for r in rows[:SAMPLE_ROW_LIMIT]],
        notes=(config.get("meta") or {}).get("notes", ""),
        observed_value=result.get("observed_value"),
        exception=exception_message(raw_result.get("exception_info") or {}),
    )


def outcomes_in_suite_order(ids: list[str], raw: dict, keys: list[str]) -> list[ExpectationOutcome]:
    position = {expectation_id: i for i, expectation_id in enumerate(ids)}
    ordered = sorted(
        raw["results"], key=lambda r: position.get(r["expectation_config"].get("id"), len(ids))
    )
    return [to_expectation_outcome(r, keys) for r in ordered]


def validate_table(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    suite_name: str,
    *,
    sample_rows: int | None = None,
    months: tuple[str, ...] | None = None,
) -> ValidationOutcome:
    """Run suite `suite_name` on `relation` (`schema.table`) and say what failed on which rows.

    With `sample_rows`, a table larger than that is validated on a repeatable reservoir
    sample of that many rows (uniqueness is then only checked within the sample). With
    `months`, a suite that names its `month_column` checks the rows of those months only
    (the months an incremental build redid), or the whole table when those months hold
    none of its rows; other suites check everything.
    """
    run_at = datetime.now(UTC)
    suite = load_suite(suite_name)
    column = month_column(suite)
    scoped = months if months is not None and column else None
    where = in_months(column, scoped) if scoped is not None else None
    total_rows = count_rows(con, relation, where)
    if scoped is not None and total_rows == 0:
        # none of the redone months holds a row of this table (a quarterly source in a
        # month without its snapshot, a month only another source changed): there is
        # nothing of those months to check, and the table-level rules (row counts) would
        # fail on the empty slice, so the whole table is checked instead
        scoped = where = None
        total_rows = count_rows(con, relation, where)
    frame = read_frame(
        con,
        relation,
        referenced_columns(suite),
        total_rows,
        sample_rows,
        computed_columns(suite),
        where,
    )
    ids, raw = run_suite(frame, suite)
    results = outcomes_in_suite_order(ids, raw, key_columns(suite))
    return ValidationOutcome(
        suite_name=suite_name,
        relation=relation,
        success=bool(raw["success"]) and all(r.success for r in results),
        evaluated_rows=len(frame),
        total_rows=total_rows,
        results=results,
        run_at=run_at,
        raw=raw,
        months=scoped,
    )


# --- reporting ----------------------------------------------------------------------------


def format_row(row: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in row.items())


def describe_failure(result: ExpectationOutcome, rows_shown: int = 3) -> str:
    head = f"- {result.expectation_type} on {result.column}"
    if result.exception:
        return f"{head}: could not be evaluated: {result.exception}"
    if result.unexpected_count is None:
        return f"{head}: observed {result.observed_value!r}"
    detail = f"{head}: {result.unexpected_count} unexpected row(s)"
    if result.unexpected_percent is not None:
        detail += f" ({result.unexpected_percent:.2f}%)"
    examples = [format_row(r) for r in result.sample_unexpected_rows[:rows_shown]]
    if examples:
        detail += "; e.g. " + " | ".join(examples)
    return detail


def describe_failures(outcome: ValidationOutcome) -> str:
    """Which expectation failed on which rows, for the Dagster check description and logs."""
    scope = f"{outcome.evaluated_rows:,} of {outcome.total_rows:,} rows evaluated"
    if outcome.success:
        return (
            f"Suite {outcome.suite_name} on {outcome.relation}: all "
            f"{len(outcome.results)} expectations met ({scope})."
        )
    lines = [
        f"Suite {outcome.suite_name} on {outcome.relation}: {len(outcome.failed)} of "
        f"{len(outcome.results)} expectations failed ({scope}):"
    ]
    for result in outcome.failed:
        lines.append(describe_failure(result))
        if result.notes:
            lines.append(f"  why it matters: {result.notes}")
    return "\n".join(lines)


def record_outcome(outcome: ValidationOutcome, quality_dir: Path) -> Path:
    """Write `quality_dir/runs/<run_at>_<suite>.json`; the data-quality site lists these."""
    runs = quality_dir / RUNS_SUBDIR
    runs.mkdir(parents=True, exist_ok=True)
    path = runs / f"{outcome.run_at.strftime(RUN_STAMP_FORMAT)}_{outcome.suite_name}.json"
    text = json.dumps(outcome.to_dict(), ensure_ascii=False, indent=2, default=str)
    partial = path.with_suffix(".json.tmp")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)  # a reader never sees half a file
    return path


def recorded_runs(quality_dir: Path) -> list[dict[str, Any]]:
    """Every recorded run as its JSON dict, newest first (file names sort by time)."""
    runs = quality_dir / RUNS_SUBDIR
    if not runs.is_dir():
        return []
    paths = sorted(runs.glob("*.json"), key=lambda p: p.name, reverse=True)
    return [json.loads(p.read_text(encoding="utf-8")) for p in paths]
