"""How much of the star schema a dbt build must redo: everything, or the changed months.

After each successful build the warehouse records what the build was made from: the live
version (file id) of every delivery, and the fingerprint of the dbt project (its files,
seeds and non-path vars). The next build compares with the present:

- no record, or a different project: a **full refresh** (`--full-refresh`) — incremental
  tables hold rows the old SQL made, which a changed model must not keep;
- the same project: dbt gets the months the rows of every delivery added, replaced by a
  corrected version or retracted since fall in (recorded at ingest, `audit.file_months`,
  whatever month the file's name says), as the var `reformwatch_changed_months`, and the
  incremental models rebuild those months only (DEVELOPERS.md, "Incremental models").

The record lives in the warehouse (`audit.dbt_built_from`, `audit.dbt_builds`) rather than
in Dagster's run storage, so a warehouse restored from a copy carries its own record, and it
is written only after dbt succeeded: a failed or killed build leaves the old record, and the
next run redoes the same months (rebuilding a month is idempotent).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from orchestration.ingest.plan import delivery_month
from orchestration.ingest.settle import transaction
from orchestration.ingest.versions import live_files_sql
from orchestration.sql import table_exists

CHANGED_MONTHS_VAR = "reformwatch_changed_months"
BUILD_SCOPE_KEY = "reformwatch/build_scope"  # metadata on each model built: what the build redid
MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")  # as macro `changed_months` accepts

BUILD_RECORD_DDL = """
create schema if not exists audit;
create table if not exists audit.dbt_built_from (delivery varchar, file_id varchar);
create table if not exists audit.dbt_builds (
    run_id varchar, built_at timestamptz, mode varchar, changed_months varchar,
    project_fingerprint varchar);
"""


@dataclass(frozen=True)
class BuildScope:
    """What this build redoes; `months` is empty for a full refresh."""

    full: bool
    months: tuple[str, ...]
    reason: str
    asked: tuple[str, ...] = ()  # months the run config asked to rebuild (`rebuild_months`)

    def dbt_args(self) -> list[str]:
        return ["--full-refresh"] if self.full else []

    def dbt_vars(self) -> dict[str, list[str]]:
        return {} if self.full else {CHANGED_MONTHS_VAR: list(self.months)}

    def describe(self) -> str:
        asked = f" (months asked for: {', '.join(self.asked)})" if self.asked else ""
        if self.full:
            return f"full refresh{asked}: {self.reason}"
        months = ", ".join(self.months) or "none"
        return f"incremental build of the changed months ({months}){asked}: {self.reason}"


def live_files_query(con: duckdb.DuckDBPyConnection) -> str | None:
    """`delivery, file_id` of every version whose rows are in raw (versions.py); None
    before any ingest."""
    if not table_exists(con, "audit", "ingest_files"):
        return None
    live = live_files_sql(corrections=table_exists(con, "audit", "file_corrections"))
    return f"select delivery, file_id from ({live}) where delivery is not null"


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
    insert_build(con, run_id, "started", (), fingerprint)


def insert_build(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    mode: str,
    months: tuple[str, ...],
    fingerprint: str,
) -> None:
    """One row of `audit.dbt_builds`: a build started, or finished full or incremental."""
    con.execute(
        "insert into audit.dbt_builds values (?, ?, ?, ?, ?)",
        [run_id, datetime.now(UTC), mode, json.dumps(list(months)), fingerprint],
    )


def changed_files(before: set[tuple[str, str]], now: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """The versions added, replaced or retracted: live on one side only (a delivery whose
    live version differs is on both sides, one version each)."""
    return before ^ now


def recorded_months(con: duckdb.DuckDBPyConnection, file_ids: set[str]) -> dict[str, set[str]]:
    """`{file_id: months}` its rows fall in, for the files ingest recorded (`audit.file_months`,
    settle.py) — those it loaded no row of as an empty set."""
    if not file_ids or not table_exists(con, "audit", "file_months"):
        return {}
    months: dict[str, set[str]] = {}
    for file_id, month in con.execute(
        """select file_id, month from audit.file_months where file_id in (select unnest($1))
        union all
        select file_id, null from audit.ingest_files
        where file_id in (select unnest($1)) and status = 'loaded' and rows_loaded = 0""",
        [sorted(file_ids)],
    ).fetchall():
        months.setdefault(file_id, set()).update([month] if month else [])
    return months


def changed_months(
    con: duckdb.DuckDBPyConnection, changed: set[tuple[str, str]]
) -> tuple[tuple[str, ...], list[str]]:
    """The months the rows of the changed files fall in, and the deliveries whose months are
    unknown. A delivery file may carry rows of other months than its name says (late events
    in next month's file), so the months come from its rows, recorded when it was loaded;
    a file loaded before that record existed, whose rows are gone, has its name's month."""
    recorded = recorded_months(con, {file_id for _, file_id in changed})
    months: set[str] = set()
    unknown = []
    for delivery, file_id in sorted(changed):
        if file_id in recorded:
            months |= recorded[file_id]
        elif delivery_month(delivery):
            months.add(delivery_month(delivery))
        else:
            unknown.append(delivery)
    return tuple(sorted(months)), unknown


class BadMonth(ValueError):
    """A month asked for in the run config that is not 'YYYY-MM'."""


def asked_months(values: Iterable[str]) -> tuple[str, ...]:
    """The months of run config `rebuild_months`, sorted and once each; a value that is not
    a month 'YYYY-MM' stops the build, named (dbt would refuse it later, less clearly)."""
    bad = [value for value in values if not MONTH.fullmatch(str(value))]
    if bad:
        raise BadMonth(
            f"run config rebuild_months: {', '.join(repr(v) for v in bad)} "
            f"{'is not a month' if len(bad) == 1 else 'are not months'} 'YYYY-MM' "
            "(e.g. 2025-09)"
        )
    return tuple(sorted(set(values)))


def decide_scope(
    con: duckdb.DuckDBPyConnection,
    fingerprint: str,
    *,
    asked_full: bool = False,
    rebuild_months: Iterable[str] = (),
) -> BuildScope:
    """What this build redoes: everything, or the changed months plus those asked for."""
    asked = asked_months(rebuild_months)

    def full(reason: str) -> BuildScope:
        return BuildScope(True, (), reason, asked)

    if asked_full:
        return full("asked for (run config full_refresh)")
    if unfinished_build(con):
        # a killed incremental build may have replaced some months' rows already: the
        # previous state it reads to find changed dossiers is gone, so rebuild everything
        return full("the last build started did not finish")
    recorded = last_build(con)
    if recorded is None:
        return full("no earlier build is recorded in this warehouse")
    built_fingerprint, built_from = recorded
    if built_fingerprint != fingerprint:
        return full("the dbt project, its seeds or its vars changed")
    changed = changed_files(built_from, live_files(con))
    if not changed and not asked:
        # dbt runs only when its inputs moved: with the project and every delivery as built,
        # raw rows changed outside the ledger (written directly), in months nobody named
        return full("raw rows changed with no delivery changed")
    months, unknown = changed_months(con, changed)
    if unknown:
        return full(
            f"the months of changed deliveries are not recorded and their names carry none: "
            f"{', '.join(unknown[:3])}{' …' if len(unknown) > 3 else ''}"
        )
    # no months: the changed files loaded no row (all quarantined), so nothing in raw moved
    return BuildScope(False, tuple(sorted({*months, *asked})), "same dbt project", asked)


def record_build(
    con: duckdb.DuckDBPyConnection, run_id: str, scope: BuildScope, fingerprint: str
) -> None:
    """After a successful build: what it was made from, in one transaction."""
    live = live_files_query(con)
    with transaction(con):
        con.execute(BUILD_RECORD_DDL)
        con.execute("delete from audit.dbt_built_from")
        if live:
            con.execute(f"insert into audit.dbt_built_from {live}")
        mode = "full" if scope.full else "incremental"
        insert_build(con, run_id, mode, scope.months, fingerprint)


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
