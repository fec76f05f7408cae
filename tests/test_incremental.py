"""Incremental dbt builds (issue 10): with the dbt var `reformwatch_changed_months` the
incremental models rebuild only the rows whose inputs can have changed, and the warehouse
they leave is the one a full refresh builds from the same raw state, row for row, for a new
month, a corrected file of an old month and a retracted one.

A tiny simulation (one province, four months, no faults): the first three months are
ingested and built in full once per module; each test works on its own copy."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
from built_warehouse import simulate_landing

from orchestration.defs.build_scope import changed_files, changed_months, live_files
from orchestration.ingest.load import ingest_source, prepare
from orchestration.ingest.sources import SOURCES
from orchestration.ingest.versions import retract
from orchestration.resources import WarehouseResource
from orchestration.settings import REPO_ROOT, dbt_command
from orchestration.warehouse import connect

pytestmark = pytest.mark.slow

PROVINCE, MONTHS, SCALE = "01", 4, 0.02
# the schemas dbt builds: every relation in them is compared
DBT_SCHEMAS = ("staging", "intermediate", "marts", "audit", "reference")
# incremental model → what says a row is one of the changed months' (SQL on its columns,
# `{months}` the changed month starts, `{dossiers}` int_changed_dossiers); a text column to
# plant a mark in
INCREMENTAL = {
    "staging.stg_procedure_logs__events": (
        "date_trunc('month', event_date) in {months}",
        "handler_ref",
    ),
    "staging.stg_personnel_rosters__staff": ("month_start in {months}", "qualification"),
    "staging.stg_budget_allocations__lines": ("period_start in {months}", "budget_item"),
    "staging.stg_asset_inventories__assets": ("month_start in {months}", "address"),
    "intermediate.int_dossiers_timed": ("dossier_code in {dossiers}", "channel"),
    "intermediate.int_dossier_steps": ("dossier_code in {dossiers}", "ended_by"),
    "intermediate.int_staff_exit_benefits_as_of": ("month_start >= {first_month}", "unit_code"),
    "marts.fct_budget": ("period_start in {months}", "category"),
}
MARK = "kept-from-the-previous-build"
# what a run was told changed, not a result: empty after a full build
RUN_BOOKKEEPING = ("intermediate.int_changed_dossiers",)


def month_of(path: Path) -> str:
    """'2026-05' of a landing file `01_2026-05.jsonl`."""
    return path.stem.split("_")[1]


class Warehouse:
    """A data directory with a landing zone, a warehouse and the dbt calls on it."""

    def __init__(self, data: Path):
        self.data = data
        self.resource = WarehouseResource(data_dir=str(data))
        self.settings = self.resource.settings

    def ingest(self) -> None:
        with connect(self.settings) as con:
            prepare(con, list(SOURCES.values()), self.settings.pseudonym_key)
            for contract in SOURCES.values():
                others = [c for c in SOURCES.values() if c is not contract]
                ingest_source(con, contract, others, self.settings)

    def dbt(
        self, command: str, *args: str, changed_months: list[str] | None = None, check=True
    ) -> None:
        variables = self.resource.dbt_vars()
        if changed_months is not None:
            variables["reformwatch_changed_months"] = changed_months
        arguments = [command, "--vars", json.dumps(variables), "--quiet"]
        arguments += ["--target-path", str(self.data / "dbt_target"), *args]
        done = subprocess.run(
            dbt_command(*arguments),
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            env={**os.environ, "DBT_LOG_PATH": str(self.data / "dbt_logs")},
        )
        assert done.returncode == 0 or not check, done.stdout[-4000:] + done.stderr[-4000:]

    def failed_tests(self) -> set[str]:
        """The data tests the last dbt call failed (its run_results.json)."""
        results = json.loads((self.data / "dbt_target" / "run_results.json").read_text())
        return {r["unique_id"].split(".")[2] for r in results["results"] if r["status"] == "fail"}

    def build(self, changed_months: list[str] | None = None) -> None:
        self.dbt("build", "--exclude-resource-type", "unit_test", changed_months=changed_months)

    def live_files(self) -> set[tuple[str, str]]:
        with connect(self.settings) as con:
            return live_files(con)

    def changed_months_since(self, before: set[tuple[str, str]]) -> tuple[str, ...]:
        """The months the orchestrator would pass dbt (build_scope.py) since `before`."""
        with connect(self.settings) as con:
            months, unknown = changed_months(con, changed_files(before, live_files(con)))
        assert not unknown
        return months

    def copy(self, data: Path) -> Warehouse:
        shutil.copytree(self.data, data)
        return Warehouse(data)


@pytest.fixture(scope="module")
def simulated(tmp_path_factory) -> Path:
    """The four months' landing files, outside any landing zone."""
    data = tmp_path_factory.mktemp("simulated")
    return simulate_landing(data, PROVINCE, MONTHS, SCALE)


def deliver(simulated: Path, warehouse: Warehouse, months: list[str]) -> None:
    """Copy the simulated files of `months` into the warehouse's landing zone."""
    for path in sorted(simulated.glob("*/*_*")):
        if month_of(path) in months:
            target = warehouse.settings.landing_dir / path.parent.name / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)


def all_months(simulated: Path) -> list[str]:
    return sorted({month_of(p) for p in simulated.glob("procedure_logs/*_*")})


@pytest.fixture(scope="module")
def history(simulated, tmp_path_factory) -> Warehouse:
    """The first three months ingested and built in full."""
    warehouse = Warehouse(tmp_path_factory.mktemp("history") / "data")
    deliver(simulated, warehouse, all_months(simulated)[:-1])
    warehouse.ingest()
    warehouse.build()
    return warehouse


def relations(con: duckdb.DuckDBPyConnection, database: str) -> dict[str, list[tuple[str, str]]]:
    rows = con.execute(
        "select table_schema || '.' || table_name, column_name, data_type "
        "from information_schema.columns where table_catalog = ? and table_schema in "
        f"{DBT_SCHEMAS} order by table_schema, table_name, ordinal_position",
        [database],
    ).fetchall()
    columns: dict[str, list[tuple[str, str]]] = {}
    for relation, column, data_type in rows:
        columns.setdefault(relation, []).append((column, data_type))
    return columns


def significant(name: str, digits: int = 10) -> str:
    """SQL: a double kept to `digits` significant digits. Sums of doubles added up in
    another order differ in their last bits, relative to their size: a sum of squared
    working days (~1e5) differs in the 11th decimal place, a rate in the 17th."""
    column = f'"{name}"'
    return (
        f"case when {column} = 0 or not isfinite({column}) then {column} else round({column}, "
        f"{digits} - cast(ceil(log10(abs({column}))) as integer)) end"
    )


def comparable(columns: list[tuple[str, str]]) -> str:
    """The columns as compared: doubles to 10 significant digits (`significant`),
    everything else as it is."""
    return ", ".join(
        f'{significant(name)} as "{name}"' if data_type in ("DOUBLE", "FLOAT") else f'"{name}"'
        for name, data_type in columns
    )


def differences(incremental: Path, full: Path) -> dict[str, int]:
    """Per dbt relation, the rows one warehouse has and the other has not (both ways)."""
    with duckdb.connect() as con:
        con.execute(f"attach '{incremental}' as inc (read_only)")
        con.execute(f"attach '{full}' as ful (read_only)")
        inc, ful = relations(con, "inc"), relations(con, "ful")
        assert inc == ful, "the two builds have other relations or columns"
        found = {}
        for relation, columns in inc.items():
            if relation in RUN_BOOKKEEPING:
                continue
            select = f"select {comparable(columns)} from {{}}.{relation}"
            [(count,)] = con.execute(
                f"select count(*) from (({select.format('inc')} except all {select.format('ful')})"
                f" union all ({select.format('ful')} except all {select.format('inc')}))"
            ).fetchall()
            if count:
                found[relation] = count
        return found


def assert_same_as_a_full_refresh(warehouse: Warehouse, tmp_path: Path, name: str) -> None:
    full = warehouse.copy(tmp_path / f"full-{name}")
    full.dbt("run", "--full-refresh")
    assert differences(warehouse.settings.warehouse, full.settings.warehouse) == {}


def relation_count(warehouse: Warehouse, sql: str) -> int:
    with duckdb.connect(str(warehouse.settings.warehouse), read_only=True) as con:
        return con.execute(sql).fetchone()[0]


def rewrite_events(path: Path, every: int) -> None:
    """A corrected procedure-log file: every `every`-th event dropped, the others' handler
    changed; delivered a day later than the original."""
    lines = path.read_text(encoding="utf-8").splitlines()
    kept = []
    for n, line in enumerate(lines):
        if n % every == 0:
            continue
        event = json.loads(line)
        event["handler_ref"] = "CB-CORRECTED"
        kept.append(json.dumps(event, ensure_ascii=False))
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    later = path.stat().st_mtime + 86_400
    os.utime(path, (later, later))


def add_late_events(path: Path, earlier: Path, every: int) -> None:
    """A month's events file that also carries late events of an earlier month: every
    `every`-th event of `earlier` again, with another handler (the later file wins)."""
    lines = earlier.read_text(encoding="utf-8").splitlines()[::every]
    late = []
    for line in lines:
        event = json.loads(line)
        event["handler_ref"] = "CB-LATE"
        late.append(json.dumps(event, ensure_ascii=False))
    with path.open("a", encoding="utf-8") as out:
        out.write("\n".join(late) + "\n")


def rewrite_roster(path: Path) -> None:
    """A corrected roster: the last tenth of its staff rows gone (those people's rows of
    that month leave raw), delivered a day later."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header, rows = lines[0], lines[1:]
    path.write_text("\n".join([header, *rows[: len(rows) * 9 // 10]]) + "\n", encoding="utf-8")
    later = path.stat().st_mtime + 86_400
    os.utime(path, (later, later))


def test_incremental_builds_equal_a_full_refresh(simulated, history, tmp_path):
    months = all_months(simulated)
    warehouse = history.copy(tmp_path / "incremental")

    # a new month: every source's files of the fourth month, its events file also carrying
    # late events of the second month (the months come from the rows, not the file's name)
    before = warehouse.live_files()
    deliver(simulated, warehouse, months[-1:])
    landing = warehouse.settings.landing_dir
    add_late_events(
        landing / "procedure_logs" / f"{PROVINCE}_{months[-1]}.jsonl",
        simulated / "procedure_logs" / f"{PROVINCE}_{months[1]}.jsonl",
        every=5,
    )
    warehouse.ingest()
    changed = warehouse.changed_months_since(before)
    assert {months[1], months[-1]} <= set(changed)
    warehouse.build(changed_months=list(changed))
    late = "select count(*) from staging.stg_procedure_logs__events where handler_ref = 'CB-LATE'"
    assert relation_count(warehouse, late) > 0
    assert_same_as_a_full_refresh(warehouse, tmp_path, "new-month")

    # corrected files of the second month: events dropped and changed, staff rows dropped
    rewrite_events(landing / "procedure_logs" / f"{PROVINCE}_{months[1]}.jsonl", every=7)
    rewrite_roster(landing / "personnel_rosters" / f"{PROVINCE}_{months[1]}.csv")
    warehouse.ingest()
    assert (
        relation_count(
            warehouse, "select count(*) from audit.file_corrections where action = 'superseded'"
        )
        == 2
    )
    warehouse.build(changed_months=[months[1]])
    assert_same_as_a_full_refresh(warehouse, tmp_path, "corrected")

    # a retraction: the third month's procedure logs and budget withdrawn
    with connect(warehouse.settings) as con:
        prepare(con, list(SOURCES.values()), warehouse.settings.pseudonym_key)
        for source, suffix in (("procedure_logs", "jsonl"), ("budget_allocations", "csv")):
            relpath = f"{source}/{PROVINCE}_{months[2]}.{suffix}"
            assert retract(con, SOURCES[source], relpath, "test")
    warehouse.build(changed_months=[months[2]])
    assert_same_as_a_full_refresh(warehouse, tmp_path, "retracted")


def plant_marks(warehouse: Warehouse) -> None:
    """Every row of every incremental table gets a mark in a text column."""
    with duckdb.connect(str(warehouse.settings.warehouse)) as con:
        for relation, (_, column) in INCREMENTAL.items():
            con.execute(f"update {relation} set {column} = '{MARK}'")


def test_an_incremental_build_rebuilds_the_changed_months_only(simulated, history, tmp_path):
    months = all_months(simulated)
    warehouse = history.copy(tmp_path / "incremental")
    deliver(simulated, warehouse, months[-1:])
    warehouse.ingest()
    plant_marks(warehouse)

    warehouse.dbt("run", changed_months=months[-1:])
    with duckdb.connect(str(warehouse.settings.warehouse), read_only=True) as con:
        for relation, (condition, column) in INCREMENTAL.items():
            scope = condition.format(
                months=f"(date '{months[-1]}-01')",
                dossiers="(select dossier_code from intermediate.int_changed_dossiers)",
                first_month=f"date '{months[-1]}-01'",
            )
            rebuilt, rebuilt_marked = con.execute(
                f"select count(*), count(*) filter (where {column} = '{MARK}') "
                f"from {relation} where {scope}"
            ).fetchone()
            kept, kept_marked = con.execute(
                f"select count(*), count(*) filter (where {column} = '{MARK}') "
                f"from {relation} where not ({scope})"
            ).fetchone()
            # the new month's rows are built, no earlier row is
            assert rebuilt > 0 and rebuilt_marked == 0, relation
            assert kept > 0 and kept_marked == kept, relation

    # without the var every row is computed again: the marks go
    warehouse.dbt("run")
    with duckdb.connect(str(warehouse.settings.warehouse), read_only=True) as con:
        for relation, (_, column) in INCREMENTAL.items():
            [(left,)] = con.execute(
                f"select count(*) from {relation} where {column} = '{MARK}'"
            ).fetchall()
            assert left == 0, relation


def test_the_uniqueness_tests_of_a_changed_month_catch_a_duplicate_in_it(
    simulated, history, tmp_path
):
    """The staged events' uniqueness tests read the changed months only (their key holds
    event_at, so a duplicate lies within one month): a duplicated event of a changed month
    fails both; the other months' rows, checked when built, are not read again."""
    month = all_months(simulated)[1]
    warehouse = history.copy(tmp_path / "duplicated")
    with duckdb.connect(str(warehouse.settings.warehouse)) as con:
        con.execute(
            "insert into staging.stg_procedure_logs__events select * from "
            "staging.stg_procedure_logs__events "
            f"where date_trunc('month', event_date) = date '{month}-01' limit 1"
        )
    select = ("--select", "stg_procedure_logs__events,test_type:data")
    warehouse.dbt("test", *select, changed_months=[month], check=False)
    assert {
        "unique_stg_procedure_logs__events_event_id",
        "reformwatch_unique_combination_stg_procedure_logs__events_"
        "dossier_code__event_type__event_at__coalesce_step_name_",
    } <= warehouse.failed_tests()
    warehouse.dbt("test", *select, changed_months=[all_months(simulated)[2]])
