"""The quality history, kept in the warehouse (schema `audit`, published in the BI copy):
every run's Great Expectations results and dbt results, with counts and samples of failing
rows, and the quarantine's size per source and reason at each run (its trend).

- `audit.quality_runs`: one row per run and kind (`great_expectations` | `dbt`): `run_id`
  (the Dagster run), `recorded_at`, `success`, `checks`, `failed`.
- `audit.ge_results`: one row per run × suite × expectation.
- `audit.dbt_results`: one row per run × dbt node (models, seeds, tests) from dbt's
  `run_results.json`; failing tests carry a sample of the rows their SQL returns.
- `audit.quarantine_trend`: one row per run × source × reason code: quarantined rows so far.

Times are `timestamptz`: an instant, shown in Vietnam time by the site and any BI tool.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb

from orchestration.quality.ge_runner import ValidationOutcome

SAMPLE_ROWS = 5  # failing rows kept per dbt test: enough to find them, not a dump

HISTORY_DDL = """
create schema if not exists audit;
create table if not exists audit.quality_runs (
    run_id varchar, kind varchar, recorded_at timestamptz, success boolean, checks bigint,
    failed bigint);
create table if not exists audit.ge_results (
    run_id varchar, run_at timestamptz, suite_name varchar, relation varchar,
    suite_success boolean, evaluated_rows bigint, total_rows bigint, expectation_type varchar,
    column_name varchar, success boolean, unexpected_count bigint, unexpected_percent double,
    observed_value varchar, failing_rows_sample varchar, exception varchar, notes varchar);
create table if not exists audit.dbt_results (
    run_id varchar, recorded_at timestamptz, unique_id varchar, resource_type varchar,
    name varchar, model varchar, test_kind varchar, column_name varchar, status varchar,
    failures bigint, message varchar, execution_s double, failing_rows_sample varchar);
create table if not exists audit.quarantine_trend (
    run_id varchar, recorded_at timestamptz, source varchar, reason_code varchar,
    rows_quarantined bigint);
"""

HISTORY_TABLES = ("quality_runs", "ge_results", "dbt_results", "quarantine_trend")


def as_json(value: Any) -> str | None:
    return None if value in (None, []) else json.dumps(value, default=str, ensure_ascii=False)


def record_ge_run(
    con: duckdb.DuckDBPyConnection, run_id: str, outcomes: list[ValidationOutcome]
) -> None:
    """One run's suites, every expectation with its counts and failing-row sample, and the
    quarantine's size at this run — in one transaction."""
    con.execute(HISTORY_DDL)
    con.execute("begin transaction")
    try:
        insert_rows(
            con,
            "audit.ge_results",
            [
                (
                    run_id,
                    o.run_at,
                    o.suite_name,
                    o.relation,
                    o.success,
                    o.evaluated_rows,
                    o.total_rows,
                    r.expectation_type,
                    r.column,
                    r.success,
                    r.unexpected_count,
                    r.unexpected_percent,
                    as_json(r.observed_value),
                    as_json(r.sample_unexpected_rows),
                    r.exception,
                    r.notes,
                )
                for o in outcomes
                for r in o.results
            ],
        )
        failed = sum(not o.success for o in outcomes)
        record_run(con, run_id, "great_expectations", failed == 0, len(outcomes), failed)
        record_quarantine_trend(con, run_id)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple]) -> None:
    """executemany, which refuses an empty list: a run with no suite records none."""
    if rows:
        marks = ", ".join("?" * len(rows[0]))
        con.executemany(f"insert into {table} values ({marks})", rows)


def record_run(
    con: duckdb.DuckDBPyConnection, run_id: str, kind: str, success: bool, checks: int, failed: int
) -> None:
    con.execute(
        "insert into audit.quality_runs values (?, ?, now(), ?, ?, ?)",
        [run_id, kind, success, checks, failed],
    )


def record_quarantine_trend(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """The quarantine per source and reason as this run leaves it; the site and BI users
    read the trend as the differences between runs."""
    has_quarantine = con.execute(
        "select count(*) from duckdb_tables() where schema_name = 'audit'"
        " and table_name = 'quarantine' and database_name = current_database()"
    ).fetchone()[0]
    if not has_quarantine:
        return
    con.execute(
        "insert into audit.quarantine_trend select ?, now(), source, reason_code, count(*)"
        " from audit.quarantine group by all",
        [run_id],
    )


# --- dbt ---------------------------------------------------------------------------------


def record_dbt_results(con: duckdb.DuckDBPyConnection, run_id: str, target: Path) -> int:
    """dbt's `run_results.json` (and the manifest beside it, for what each test tests) as
    rows of `audit.dbt_results`; a failing test keeps a sample of the rows its compiled SQL
    returns. Returns the number of nodes recorded (0 when dbt wrote no results)."""
    results_path = target / "run_results.json"
    if not results_path.exists():
        return 0
    results = json.loads(results_path.read_text(encoding="utf-8"))["results"]
    nodes = manifest_nodes(target / "manifest.json")
    rows = [dbt_row(con, run_id, r, nodes.get(r["unique_id"], {})) for r in results]
    con.execute(HISTORY_DDL)
    con.execute("begin transaction")
    try:
        insert_rows(con, "audit.dbt_results", [(row[0], None, *row[1:]) for row in rows])
        con.execute(
            "update audit.dbt_results set recorded_at = now()"
            " where run_id = ? and recorded_at is null",
            [run_id],
        )
        failed = sum(1 for row in rows if row[7] in ("fail", "error"))  # status
        record_run(con, run_id, "dbt", failed == 0, len(rows), failed)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return len(rows)


def manifest_nodes(path: Path) -> dict[str, dict]:
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8")).get("nodes", {})


def dbt_row(con: duckdb.DuckDBPyConnection, run_id: str, result: dict, node: dict) -> tuple:
    """A test names the model it tests and its kind (not_null, relationships, … or
    singular); a model, seed or snapshot names itself."""
    unique_id = result["unique_id"]
    resource_type = node.get("resource_type") or unique_id.split(".")[0]
    name = node.get("name") or unique_id.split(".")[-1]
    if resource_type == "test":
        model = (node.get("attached_node") or "").split(".")[-1] or None
        test_kind = (node.get("test_metadata") or {}).get("name", "singular")
    else:
        model, test_kind = name, None
    sample = None
    if result["status"] in ("fail", "warn") and result.get("compiled_code"):
        sample = failing_rows(con, result["compiled_code"])
    return (
        run_id,
        unique_id,
        resource_type,
        name,
        model,
        test_kind,
        node.get("column_name"),
        result["status"],
        result.get("failures"),
        result.get("message"),
        result.get("execution_time"),
        sample,
    )


def failing_rows(con: duckdb.DuckDBPyConnection, compiled_sql: str) -> str | None:
    """The first rows a failing test's SQL returns; None when it cannot be re-run."""
    try:
        cursor = con.execute(f"select * from ({compiled_sql}) as failing limit {SAMPLE_ROWS}")
        names = [d[0] for d in cursor.description]
        return as_json([dict(zip(names, row, strict=True)) for row in cursor.fetchall()])
    except duckdb.Error:
        return None
