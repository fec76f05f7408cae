"""Which months a dbt build redoes (orchestration/defs/build_scope.py), on hand-made ledgers:
a new month, a corrected file of an old month, a retraction, a changed project."""

import duckdb
import pytest

from orchestration.defs.build_scope import (
    CHANGED_MONTHS_VAR,
    BadMonth,
    BuildScope,
    decide_scope,
    latest_changed_months,
    mark_started,
    record_build,
)
from orchestration.ingest.load import AUDIT_DDL
from orchestration.ingest.versions import CORRECTIONS_DDL

PROJECT = "project-fingerprint"


@pytest.fixture
def con():
    connection = duckdb.connect()
    connection.execute(AUDIT_DDL)
    connection.execute(CORRECTIONS_DDL)
    yield connection
    connection.close()


def deliver(con, file_id: str, delivery: str, status: str = "loaded") -> None:
    con.execute(
        "insert into audit.ingest_files (file_id, source, path, status, delivery) "
        "values (?, ?, ?, ?, ?)",
        [file_id, delivery.split("/")[0], delivery + ".csv", status, delivery],
    )


def correct(con, action: str, file_id: str, delivery: str) -> None:
    con.execute(
        "insert into audit.file_corrections (action, delivery, file_id) values (?, ?, ?)",
        [action, delivery, file_id],
    )


def built(con, *months: str) -> None:
    """A successful build of everything delivered so far."""
    record_build(con, "run", BuildScope(not months, months, "test"), PROJECT)


def test_the_first_build_of_a_warehouse_is_a_full_refresh(con):
    deliver(con, "a", "procedure_logs/01_2025-01")
    scope = decide_scope(con, PROJECT)
    assert scope.full and scope.dbt_args() == ["--full-refresh"] and scope.dbt_vars() == {}


def test_a_new_month_of_any_source_rebuilds_that_month_only(con):
    deliver(con, "a", "procedure_logs/01_2025-01")
    deliver(con, "b", "personnel_rosters/01_2025-01")
    built(con)
    deliver(con, "c", "procedure_logs/01_2025-02")
    deliver(con, "d", "personnel_rosters/79_2025-02")
    scope = decide_scope(con, PROJECT)
    assert not scope.full and scope.dbt_args() == []
    assert scope.dbt_vars() == {CHANGED_MONTHS_VAR: ["2025-02"]}


def test_raw_rows_changed_with_no_delivery_changed_rebuild_everything(con):
    """dbt runs only when its inputs moved; with every delivery as built, raw was written
    directly, in months no delivery names: only a full refresh reaches them."""
    deliver(con, "a", "procedure_logs/01_2025-01")
    built(con)
    scope = decide_scope(con, PROJECT)
    assert scope.full and "no delivery" in scope.reason


def test_a_corrected_file_of_an_old_month_rebuilds_that_month(con):
    deliver(con, "a", "procedure_logs/01_2025-01")
    deliver(con, "b", "procedure_logs/01_2025-02")
    built(con)
    deliver(con, "a2", "procedure_logs/01_2025-01")  # re-sent `01_2025-01_gui_lai.csv`
    correct(con, "superseded", "a", "procedure_logs/01_2025-01")
    assert decide_scope(con, PROJECT).months == ("2025-01",)


def test_a_retracted_file_rebuilds_its_month(con):
    deliver(con, "a", "budget_allocations/01_2025-01")
    deliver(con, "b", "budget_allocations/01_2025-03")
    built(con)
    correct(con, "retracted", "b", "budget_allocations/01_2025-03")
    assert decide_scope(con, PROJECT).months == ("2025-03",)


def test_a_quarantined_or_refused_file_changes_nothing(con):
    deliver(con, "a", "procedure_logs/01_2025-01")
    built(con)
    deliver(con, "r", "procedure_logs/01_2025-02", status="refused")
    deliver(con, "b", "procedure_logs/01_2025-03")
    assert decide_scope(con, PROJECT).months == ("2025-03",)


def test_a_changed_project_is_a_full_refresh(con):
    deliver(con, "a", "procedure_logs/01_2025-01")
    built(con)
    deliver(con, "b", "procedure_logs/01_2025-02")
    scope = decide_scope(con, "another-project")
    assert scope.full and "project" in scope.reason


def test_a_full_refresh_asked_for_is_one_whatever_changed(con):
    deliver(con, "a", "procedure_logs/01_2025-01")
    built(con)
    scope = decide_scope(con, PROJECT, asked_full=True)
    assert scope.full and "asked" in scope.reason


def test_a_failed_build_records_nothing_so_the_next_redoes_its_months(con):
    deliver(con, "a", "procedure_logs/01_2025-01")
    built(con)
    deliver(con, "b", "procedure_logs/01_2025-02")
    first = decide_scope(con, PROJECT)
    # the build failed: nothing recorded; one more month arrives before the next run
    deliver(con, "c", "procedure_logs/01_2025-03")
    assert decide_scope(con, PROJECT).months == (*first.months, "2025-03")


def test_checks_learn_which_months_the_last_build_redid(con):
    deliver(con, "a", "procedure_logs/01_2025-01")
    assert latest_changed_months(con) is None  # never built: check everything
    built(con)
    assert latest_changed_months(con) is None  # a full refresh: check everything
    deliver(con, "b", "procedure_logs/01_2025-02")
    record_build(con, "run-2", decide_scope(con, PROJECT), PROJECT)
    assert latest_changed_months(con) == ("2025-02",)


def test_a_build_killed_after_it_started_is_redone_in_full(con):
    """A killed incremental build may have replaced some months' staged rows: the previous
    state the next build reads to find changed dossiers is gone."""
    deliver(con, "a", "procedure_logs/01_2025-01")
    built(con)
    deliver(con, "b", "procedure_logs/01_2025-02")
    mark_started(con, "killed-run", PROJECT)
    scope = decide_scope(con, PROJECT)
    assert scope.full and "did not finish" in scope.reason
    record_build(con, "run-2", scope, PROJECT)
    deliver(con, "c", "procedure_logs/01_2025-03")
    assert decide_scope(con, PROJECT).months == ("2025-03",)


def rows_in(con, file_id: str, *months: str) -> None:
    """What ingest records of a loaded file: the months its rows fall in."""
    con.executemany("insert into audit.file_months values (?, ?)", [[file_id, m] for m in months])


def test_a_file_carrying_rows_of_another_month_rebuilds_that_month_too(con):
    """A producer's June events file that also carries late May events: May is stale unless
    the months come from the rows, not from the name."""
    deliver(con, "a", "procedure_logs/01_2026-05")
    rows_in(con, "a", "2026-05")
    built(con)
    deliver(con, "b", "procedure_logs/01_2026-06")
    rows_in(con, "b", "2026-05", "2026-06")
    assert decide_scope(con, PROJECT).months == ("2026-05", "2026-06")


def test_a_retracted_file_rebuilds_the_months_of_its_rows(con):
    """Its rows are gone from raw; the months recorded at ingest outlive them."""
    deliver(con, "a", "budget_allocations/01_2026-06")
    rows_in(con, "a", "2026-04", "2026-06")
    built(con)
    correct(con, "retracted", "a", "budget_allocations/01_2026-06")
    assert decide_scope(con, PROJECT).months == ("2026-04", "2026-06")


def test_a_file_of_no_month_whose_months_are_unknown_is_a_full_refresh(con):
    deliver(con, "a", "procedure_logs/01_2026-05")
    built(con)
    deliver(con, "b", "procedure_logs/extra_events")  # loaded before months were recorded
    scope = decide_scope(con, PROJECT)
    assert scope.full and "procedure_logs/extra_events" in scope.reason


def test_a_file_of_no_month_with_recorded_months_rebuilds_them(con):
    deliver(con, "a", "procedure_logs/01_2026-05")
    built(con)
    deliver(con, "b", "procedure_logs/extra_events")
    rows_in(con, "b", "2026-03")
    assert decide_scope(con, PROJECT).months == ("2026-03",)


def test_a_file_that_loaded_no_row_rebuilds_no_month(con):
    """Every row quarantined: raw did not move, whatever its name says."""
    deliver(con, "a", "procedure_logs/01_2026-05")
    built(con)
    deliver(con, "b", "procedure_logs/01_2026-06")
    con.execute("update audit.ingest_files set rows_loaded = 0 where file_id = 'b'")
    scope = decide_scope(con, PROJECT)
    assert not scope.full and scope.months == ()


def test_a_warehouse_made_before_corrections_counts_every_loaded_file_live():
    """No audit.file_corrections yet (an old warehouse, read only at decide time)."""
    with duckdb.connect() as con:
        con.execute(AUDIT_DDL)
        deliver(con, "a", "procedure_logs/01_2025-01")
        built(con)
        deliver(con, "b", "procedure_logs/01_2025-02")
        deliver(con, "r", "procedure_logs/01_2025-03", status="refused")
        assert decide_scope(con, PROJECT).months == ("2025-02",)


def test_months_asked_for_are_rebuilt_with_the_changed_ones(con):
    deliver(con, "a", "procedure_logs/01_2025-01")
    built(con)
    deliver(con, "b", "procedure_logs/01_2025-03")
    scope = decide_scope(con, PROJECT, rebuild_months=["2025-02", "2025-01", "2025-02"])
    assert not scope.full and scope.months == ("2025-01", "2025-02", "2025-03")
    assert scope.dbt_vars() == {CHANGED_MONTHS_VAR: ["2025-01", "2025-02", "2025-03"]}
    assert "(months asked for: 2025-01, 2025-02)" in scope.describe()


def test_months_asked_for_with_nothing_new_are_rebuilt_alone(con):
    """A single-run backfill of some months: no delivery changed, still incremental."""
    deliver(con, "a", "procedure_logs/01_2025-01")
    built(con)
    scope = decide_scope(con, PROJECT, rebuild_months=["2025-01"])
    assert not scope.full and scope.months == ("2025-01",)


def test_months_asked_for_with_no_earlier_build_mean_a_full_refresh(con):
    deliver(con, "a", "procedure_logs/01_2025-01")
    scope = decide_scope(con, PROJECT, rebuild_months=["2025-01"])
    assert scope.full and scope.dbt_vars() == {}
    assert scope.describe() == (
        "full refresh (months asked for: 2025-01): no earlier build is recorded in this warehouse"
    )


@pytest.mark.parametrize("bad", ["2025-13", "2025-9", "2025/09", "september", ""])
def test_a_month_asked_for_that_is_not_one_is_named(con, bad):
    deliver(con, "a", "procedure_logs/01_2025-01")
    built(con)
    with pytest.raises(BadMonth, match=f"rebuild_months: '{bad}' is not a month 'YYYY-MM'"):
        decide_scope(con, PROJECT, rebuild_months=["2025-01", bad])
