"""How much of the star schema a dbt build must redo: everything, or the changed months.

After each successful build the warehouse records what the build was made from: the live
version (file id) of every delivery, and the fingerprint of the dbt project (its files,
seeds and non-path vars). The next build compares with the present:

- no record, or a different project: a **full refresh** (`--full-refresh`) — incremental
  tables hold rows the old SQL made, which a changed model must not keep;
- the same project: dbt gets the months of every delivery added, replaced by a corrected
  version or retracted since, as the var `reformwatch_changed_months`, and the incremental
  models rebuild those months only (DEVELOPERS.md, "Incremental models").

The record lives in the warehouse (`audit.dbt_built_from`, `audit.dbt_builds`) rather than
in Dagster's run storage, so a warehouse restored from a copy carries its own record, and it
is written only after dbt succeeded: a failed or killed build leaves the old record, and the
next run redoes the same months (rebuilding a month is idempotent).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from orchestration.ingest.plan import delivery_month

CHANGED_MONTHS_VAR = "reformwatch_changed_months"
BUILD_SCOPE_KEY = "reformwatch/build_scope"  # metadata on each model built: what the build redid

BUILD_RECORD_DDL = """
create schema if not exists audit;
create table if not exists audit.dbt_built_from (delivery varchar, file_id varchar);
create table if not exists audit.dbt_builds (
    run_id varchar, built_at timestamptz, mode varchar, changed_months varchar,
    project_fingerprint varchar);
"""

# Every delivery's version whose rows are in raw: loaded, and neither superseded nor
# retracted (orchestration/ingest/versions.py).
LIVE_FILES = """
select delivery, file_id from audit.ingest_files as f
where status = 'loaded' and delivery is not null
  and not exists (select 1 from audit.file_corrections as c where c.file_id = f.file_id)
"""
LIVE_FILES_NO_CORRECTIONS = """
select delivery, file_id from audit.ingest_files
where status = 'loaded' and delivery is not null
"""


@dataclass(frozen=True)
class BuildScope:
    """What this build redoes; `months` is empty for a full refresh."""

    full: bool
    months: tuple[str, ...]
    reason: str

    def dbt_args(self) -> list[str]:
        return ["--full-refresh"] if self.full else []

    def dbt_vars(self) -> dict[str, list[str]]:
        return {} if self.full else {CHANGED_MONTHS_VAR: list(self.months)}

    def describe(self) -> str:
        if self.full:
            return f"full refresh: {self.reason}"
        months = ", ".join(self.months) or "none"
        return f"incremental build of the changed months ({months}): {self.reason}"


def table_exists(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = ? and table_name = ?",
            [schema, name],
        ).fetchone()[0]
    )


def live_files_query(con: duckdb.DuckDBPyConnection) -> str | None:
    if not table_exists(con, "audit", "ingest_files"):
        return None
    if table_exists(con, "audit", "file_corrections"):
        return LIVE_FILES
    return LIVE_FILES_NO_CORRECTIONS


def live_files(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    """`{(delivery, file_id)}` of the versions in raw now (empty before any ingest)."""
    query = live_files_query(con)
    return set(con.execute(query).fetchall()) if query else set()


def last_build(con: duckdb.DuckDBPyConnection) -> tuple[str, set[tuple[str, str]]] | None:
    """The project fingerprint and live files of the last successful build, if recorded."""
    if not table_exists(con, "audit", "dbt_builds"):
        return None
    row = con.execute(
        "select project_fingerprint from audit.dbt_builds where mode <> 'started' "
        "order by built_at desc limit 1"
    ).fetchone()
    if row is None:
        return None
    built_from = set(con.execute("select delivery, file_id from audit.dbt_built_from").fetchall())
    return row[0], built_from


def unfinished_build(con: duckdb.DuckDBPyConnection) -> bool:
    if not table_exists(con, "audit", "dbt_builds"):
        return False
    row = con.execute("select mode from audit.dbt_builds order by built_at desc limit 1").fetchone()
    return row is not None and row[0] == "started"


def mark_started(con: duckdb.DuckDBPyConnection, run_id: str, fingerprint: str) -> None:
    """Before dbt runs: a build that never records its end is redone in full."""
    con.execute(BUILD_RECORD_DDL)
    con.execute(
        "insert into audit.dbt_builds values (?, ?, 'started', '[]', ?)",
        [run_id, datetime.now(UTC), fingerprint],
    )


def changed_months(before: set[tuple[str, str]], now: set[tuple[str, str]]) -> tuple[str, ...]:
    """Months of the deliveries added, replaced or retracted: a delivery whose live version
    differs, or that is live on one side only."""
    months = {delivery_month(delivery) for delivery, _ in before ^ now}
    return tuple(sorted(m for m in months if m))


def decide_scope(
    con: duckdb.DuckDBPyConnection, fingerprint: str, *, asked_full: bool = False
) -> BuildScope:
    if asked_full:
        return BuildScope(True, (), "asked for (run config full_refresh)")
    if unfinished_build(con):
        # a killed incremental build may have replaced some months' rows already: the
        # previous state it reads to find changed dossiers is gone, so rebuild everything
        return BuildScope(True, (), "the last build started did not finish")
    recorded = last_build(con)
    if recorded is None:
        return BuildScope(True, (), "no earlier build is recorded in this warehouse")
    built_fingerprint, built_from = recorded
    if built_fingerprint != fingerprint:
        return BuildScope(True, (), "the dbt project, its seeds or its vars changed")
    now = live_files(con)
    if any(delivery_month(delivery) is None for delivery, _ in built_from ^ now):
        return BuildScope(True, (), "a changed delivery is not named by month")
    months = changed_months(built_from, now)
    if not months:
        # dbt runs only when its inputs moved: with the project and every delivery as built,
        # raw rows changed outside the ledger (written directly), in months nobody named
        return BuildScope(True, (), "raw rows changed with no delivery changed")
    return BuildScope(False, months, "same dbt project")


def record_build(
    con: duckdb.DuckDBPyConnection, run_id: str, scope: BuildScope, fingerprint: str
) -> None:
    """After a successful build: what it was made from, in one transaction."""
    live = live_files_query(con)
    con.execute("begin transaction")
    try:
        con.execute(BUILD_RECORD_DDL)
        con.execute("delete from audit.dbt_built_from")
        if live:
            con.execute(f"insert into audit.dbt_built_from {live}")
        con.execute(
            "insert into audit.dbt_builds values (?, ?, ?, ?, ?)",
            [
                run_id,
                datetime.now(UTC),
                "full" if scope.full else "incremental",
                json.dumps(list(scope.months)),
                fingerprint,
            ],
        )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def latest_changed_months(con: duckdb.DuckDBPyConnection) -> tuple[str, ...] | None:
    """The months the last successful build redid; None when it was a full refresh (or no
    build is recorded): then checks downstream look at everything."""
    if not table_exists(con, "audit", "dbt_builds"):
        return None
    row = con.execute(
        "select mode, changed_months from audit.dbt_builds where mode <> 'started' "
        "order by built_at desc limit 1"
    ).fetchone()
    if row is None or row[0] == "full":
        return None
    return tuple(json.loads(row[1]))
