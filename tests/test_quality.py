"""Fast tests of the GE runner, its suites and the auditors' data-quality site (no dbt).

Tiny tables shaped like the real models are built in a DuckDB file under tmp_path; the suites
under test are the real ones in `expectations/`.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta

import pytest
import yaml
from warehouse_fixtures import insert, warehouse

from orchestration.quality.ge_runner import (
    computed_columns,
    describe_failures,
    in_months,
    load_suite,
    read_frame,
    record_outcome,
    referenced_columns,
    validate_table,
)
from orchestration.settings import DBT_PROJECT_DIR, EXPECTATIONS_DIR, load_settings

MART = "marts.mart_unit_service_monthly"
EVENTS = "staging.stg_procedure_logs__events"
PAIR = "expect_column_pair_values_a_to_be_greater_than_b"
BETWEEN = "expect_column_values_to_be_between"
PROVINCE_ON_TIME = "province_month_on_time_rate"

UNITS = ["00004", "00008", "01"]
MONTHS = [date(2025, 7, 1), date(2025, 8, 1)]


def mart_row(unit_code: str, month_start: date) -> dict:
    """A consistent unit-month: every numerator within its denominator, rates derived."""
    row = dict(
        unit_code=unit_code,
        province_code=unit_code[:2],
        month_start=month_start,
        dossiers_received=10,
        dossiers_finished=8,
        finished_early=3,
        finished_on_time=4,
        finished_overdue=1,
        open_within_due=1,
        open_past_due=1,
        full_online_numerator=2,
        full_online_denominator=4,
        online_payment_numerator=0,
        online_payment_denominator=0,
        online_numerator=6,
        processing_days_sum=21.0,
        processing_days_count=7,
        satisfaction_high=3,
        satisfaction_rated=4,
    )
    row["on_time_numerator"] = row["finished_early"] + row["finished_on_time"] + 1
    row["on_time_denominator"] = row["dossiers_finished"] + 2
    row["on_time_rate"] = row["on_time_numerator"] / row["on_time_denominator"]
    row["overdue_rate"] = 1 - row["on_time_rate"]
    row["full_online_share"] = 0.5
    row["online_payment_share"] = None  # denominator 0: rates are null, not 0
    row["online_share"] = 0.6
    row["avg_processing_days"] = 3.0
    row["satisfaction_share"] = 0.75
    return row


def event_row(i: int) -> dict:
    event_types = ["submitted", "received", "step_started", "completed", "result_returned"]
    return dict(
        event_id=f"e{i:04d}",
        dossier_code=f"D{i // 5:03d}",
        procedure_code="1.000001",
        unit_code=UNITS[i % len(UNITS)],
        province_code="01",
        event_type=event_types[i % 5],
        event_at=datetime(2025, 8, 1, 8) + timedelta(hours=i),
        event_date=date(2025, 8, 1),
        channel=["direct", "online_full"][i % 2],
        due_at=None,
        step_name=None,
        handler_ref="CB01",
        applicant_key="k",
        applicant_type=None,
        fee_paid_online=None,
        result_digitised=None,
        synced_to_portal=None,
        components_digitised=None,
        data_reused=None,
        satisfaction_score=5 if i % 5 == 4 else None,
        file_id="f" * 64,
    )


@pytest.fixture
def con(tmp_path):
    connection = warehouse(tmp_path / "warehouse.duckdb", MART, EVENTS)
    # the old units' last day: the unit-code rule reads the reform's eve from this seed
    connection.execute(
        "create schema reference; create table reference.admin_units_before_reform as "
        "select '001' as unit_code, date '2025-06-30' as valid_to"
    )
    yield connection
    connection.close()


def clean_mart() -> list[dict]:
    return [mart_row(u, m) for u in UNITS for m in MONTHS]


def clean_events(n: int = 20) -> list[dict]:
    return [event_row(i) for i in range(n)]


def failed(outcome) -> set[tuple[str, str]]:
    return {(r.expectation_type, r.column) for r in outcome.failed}


# --- clean tables pass ------------------------------------------------------------------------


def test_clean_mart_passes_every_expectation(con):
    insert(con, MART, clean_mart())
    outcome = validate_table(con, MART, "mart_unit_service_monthly")
    assert outcome.success, describe_failures(outcome)
    assert failed(outcome) == set()
    assert (outcome.evaluated_rows, outcome.total_rows) == (6, 6)
    expectations = len(load_suite("mart_unit_service_monthly").expectations)
    assert len(outcome.results) == expectations
    assert f"all {expectations} expectations met" in describe_failures(outcome)


def test_clean_events_pass_every_expectation(con):
    insert(con, EVENTS, clean_events())
    outcome = validate_table(con, EVENTS, "stg_procedure_logs__events")
    assert outcome.success, describe_failures(outcome)
    assert outcome.evaluated_rows == outcome.total_rows == 20


# --- corrupted tables fail on the right expectation and say which rows -------------------------


def test_numerator_above_denominator_names_the_unit_and_month(con):
    """The row-level rule (numerator <= denominator) is a dbt test; the gate still sees the
    province's pooled on-time rate leave its plausible band, and names the unit-months."""
    rows = clean_mart()
    bad = next(r for r in rows if r["unit_code"] == "00008" and r["month_start"] == MONTHS[1])
    bad["on_time_numerator"] = bad["on_time_denominator"] + 3
    insert(con, MART, rows)

    outcome = validate_table(con, MART, "mart_unit_service_monthly")

    assert not outcome.success
    assert failed(outcome) == {(BETWEEN, PROVINCE_ON_TIME)}
    (result,) = outcome.failed
    assert result.unexpected_count == 2  # the province's two units in August: (13 + 8) / 20
    named = {(r["unit_code"], str(r["month_start"])[:10]) for r in result.sample_unexpected_rows}
    assert named == {("00008", "2025-08-01"), ("00004", "2025-08-01")}
    assert {r[PROVINCE_ON_TIME] for r in result.sample_unexpected_rows} == {21 / 20}
    assert "on-time rate" in result.notes
    description = describe_failures(outcome)
    assert BETWEEN in description and "unit_code=00008" in description
    assert "2025-08-01" in description


def received_collapses(rows):
    """Province 00's August: two dossiers a unit instead of ten (an export lost its rows)."""
    for row in rows[1], rows[3]:
        row.update(dossiers_received=2, online_numerator=1)


def everything_overdue(rows):
    rows[5]["on_time_numerator"] = 1  # province 01, August: due dates lost


def negative_count(rows):
    rows[3]["open_past_due"] = -2


@pytest.mark.parametrize(
    ("corrupt", "expected_failure", "offending_row"),
    [
        (
            received_collapses,
            (PAIR, "province_month_received, province_previous_received_floor"),
            1,
        ),
        (everything_overdue, (BETWEEN, PROVINCE_ON_TIME), 5),
        (negative_count, (BETWEEN, "open_past_due"), 3),
    ],
)
def test_corrupted_mart_fails_on_that_expectation_only(
    con, corrupt, expected_failure, offending_row
):
    rows = clean_mart()
    corrupt(rows)
    insert(con, MART, rows)
    outcome = validate_table(con, MART, "mart_unit_service_monthly")
    assert failed(outcome) == {expected_failure}
    offending = rows[offending_row]
    named = {
        (r["unit_code"], str(r["month_start"])[:10])
        for r in outcome.failed[0].sample_unexpected_rows
    }
    assert (offending["unit_code"], str(offending["month_start"])) in named


def test_an_incremental_build_checks_the_months_it_redid_only(con):
    """After a build that redid only some months, the gate reads those months: a fault in a
    month the build did not touch was there (and checked) before; one in a redone month is
    caught. Window columns still see every month (the volume against the previous month)."""
    rows = clean_mart()
    negative_count(rows)  # rows[3]: a unit of province 00 in August
    insert(con, MART, rows)
    august, other = str(rows[3]["month_start"])[:7], str(MONTHS[0])[:7]
    assert august != other

    scoped = validate_table(con, MART, "mart_unit_service_monthly", months=(other,))
    assert scoped.success, describe_failures(scoped)
    assert scoped.months == (other,)
    in_other = sum(str(r["month_start"])[:7] == other for r in rows)
    assert scoped.evaluated_rows == scoped.total_rows == in_other < len(rows)

    caught = validate_table(con, MART, "mart_unit_service_monthly", months=(august,))
    assert failed(caught) == {(BETWEEN, "open_past_due")}
    whole = validate_table(con, MART, "mart_unit_service_monthly")
    assert failed(whole) == {(BETWEEN, "open_past_due")} and whole.months is None


def test_months_redone_that_hold_no_row_of_a_table_check_the_whole_table(con):
    """A quarterly source in a month without its snapshot: an empty slice would fail the
    row count though nothing in the table is wrong."""
    rows = clean_mart()
    insert(con, MART, rows)
    outcome = validate_table(con, MART, "mart_unit_service_monthly", months=("2019-01",))
    assert outcome.success, describe_failures(outcome)
    assert outcome.months is None and outcome.total_rows == len(rows)


def test_empty_mart_fails_the_row_count(con):
    outcome = validate_table(con, MART, "mart_unit_service_monthly")
    assert failed(outcome) == {("expect_table_row_count_to_be_between", "(table)")}
    assert outcome.failed[0].observed_value == 0


def test_province_that_stopped_delivering_is_named(con):
    """Freshness: province 02's events end in July while the others reach August."""
    rows = clean_events()
    for i in (7, 11):
        rows[i].update(unit_code="02", province_code="02", event_at=datetime(2025, 7, 30, 9))
    insert(con, EVENTS, rows)

    outcome = validate_table(con, EVENTS, "stg_procedure_logs__events")

    assert failed(outcome) == {
        ("expect_column_pair_values_to_be_equal", "province_latest_month, latest_month")
    }
    (stale,) = outcome.failed
    assert stale.unexpected_count == 2
    assert [
        (
            r["event_id"],
            r["unit_code"],
            str(r["province_latest_month"])[:10],
            str(r["latest_month"])[:10],
        )
        for r in stale.sample_unexpected_rows
    ] == [("e0007", "02", "2025-07-01", "2025-08-01"), ("e0011", "02", "2025-07-01", "2025-08-01")]


@pytest.mark.parametrize(
    ("column", "value", "expected_type"),
    [
        # a district's code after the reform (districts were abolished)
        ("unit_code", "123", "expect_column_values_to_be_in_set"),
        ("event_at", datetime(1970, 1, 1), "expect_column_values_to_be_between"),
    ],
)
def test_each_event_rule_catches_its_fault(con, column, value, expected_type):
    rows = clean_events()
    rows[5][column] = value
    insert(con, EVENTS, rows)
    outcome = validate_table(con, EVENTS, "stg_procedure_logs__events")
    checked = "unit_code_shape_of_its_time" if column == "unit_code" else column
    assert failed(outcome) == {(expected_type, checked)}
    assert outcome.failed[0].sample_unexpected_rows[0]["event_id"] == "e0005"


def test_a_district_code_passes_the_unit_code_rule_before_the_reform(con):
    rows = clean_events()
    rows[5] |= {"unit_code": "123", "event_at": datetime(2025, 6, 30, 16)}
    rows[6] |= {"unit_code": "1234"}
    insert(con, EVENTS, rows)
    outcome = validate_table(con, EVENTS, "stg_procedure_logs__events")
    [rule] = outcome.failed
    assert [r["event_id"] for r in rule.sample_unexpected_rows] == ["e0006"]


def test_missing_column_fails_readably_instead_of_crashing(con):
    con.execute(f"alter table {MART} drop column avg_processing_days")
    insert(
        con,
        MART,
        [{k: v for k, v in r.items() if k != "avg_processing_days"} for r in clean_mart()],
    )
    outcome = validate_table(con, MART, "mart_unit_service_monthly")
    assert failed(outcome) == {("expect_column_values_to_be_between", "avg_processing_days")}
    assert "avg_processing_days" in outcome.failed[0].exception
    assert "could not be evaluated" in describe_failures(outcome)


# --- what is read -------------------------------------------------------------------------


def test_reads_only_the_columns_the_suite_uses(con):
    suite = load_suite("stg_procedure_logs__events")
    insert(con, EVENTS, clean_events())
    frame = read_frame(
        con, EVENTS, referenced_columns(suite), total_rows=20, computed=computed_columns(suite)
    )
    assert set(frame.columns) == set(referenced_columns(suite))
    assert "applicant_key" not in frame.columns and "file_id" in frame.columns  # key column


def test_large_tables_are_validated_on_a_repeatable_sample(con):
    insert(con, EVENTS, clean_events(3000))
    columns = referenced_columns(load_suite("stg_procedure_logs__events"))
    first = read_frame(con, EVENTS, columns, 3000, sample_rows=500)
    second = read_frame(con, EVENTS, columns, 3000, sample_rows=500)
    assert len(first) == 500
    assert sorted(first["event_id"]) == sorted(second["event_id"])
    settings_sql = "select current_setting('threads'), current_setting('enable_progress_bar')"
    before = con.execute(settings_sql).fetchone()

    outcome = validate_table(con, EVENTS, "stg_procedure_logs__events", sample_rows=500)
    assert (outcome.evaluated_rows, outcome.total_rows) == (500, 3000)
    assert "500 of 3,000 rows evaluated" in describe_failures(outcome)
    assert con.execute(settings_sql).fetchone() == before  # the caller's connection is as it was

    small = validate_table(con, EVENTS, "stg_procedure_logs__events", sample_rows=10_000)
    assert small.evaluated_rows == small.total_rows == 3000


def events_over_two_months(n: int = 3000, august: int = 1000) -> list[dict]:
    """`august` events in August 2025, the rest in September."""
    rows = clean_events(n)
    for i, row in enumerate(rows):
        month = 8 if i < august else 9
        row["event_at"] = datetime(2025, month, 1, 8) + timedelta(minutes=i)
        row["event_date"] = date(2025, month, 1)
    return rows


def test_a_sample_of_some_months_is_drawn_from_those_months_rows(con):
    """DuckDB applies `using sample` before the `where` of the same select: sampled that way,
    500 rows of the whole table would leave only August's third of them."""
    insert(con, EVENTS, events_over_two_months())
    suite = load_suite("stg_procedure_logs__events")
    august = in_months("event_date", ("2025-08",))
    frame = read_frame(con, EVENTS, referenced_columns(suite), 1000, 500, where=august)
    assert len(frame) == 500
    assert set(frame["event_at"].dt.month) == {8}


def test_sampled_rows_keep_computed_columns_of_the_whole_table(con):
    """The sample's computed columns are those of the whole table (the latest month is
    September although only August is read), on the sampled rows of the asked months."""
    insert(con, EVENTS, events_over_two_months())
    suite = load_suite("stg_procedure_logs__events")
    outcome = validate_table(
        con, EVENTS, "stg_procedure_logs__events", sample_rows=500, months=("2025-08",)
    )
    assert (outcome.evaluated_rows, outcome.total_rows) == (500, 1000)
    august = in_months("event_date", ("2025-08",))
    args = (con, EVENTS, referenced_columns(suite), 1000, 500, computed_columns(suite), august)
    frame = read_frame(*args)
    assert len(frame) == 500 and frame["event_id"].is_unique
    assert set(frame["event_at"].dt.month) == {8}
    assert set(frame["latest_month"].dt.month) == {9}
    assert list(frame["event_id"]) == list(read_frame(*args)["event_id"])  # repeatable


# --- suites ---------------------------------------------------------------------------------


def model_columns(model: str) -> set[str]:
    """Documented columns of a dbt model, from its YAML file."""
    for path in (DBT_PROJECT_DIR / "models").rglob("*.yml"):
        for node in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("models", []):
            if node["name"] == model:
                return {c["name"] for c in node.get("columns", [])}
    raise AssertionError(f"no dbt YAML documents model {model}")


@pytest.mark.parametrize("path", sorted(EXPECTATIONS_DIR.glob("*.json")), ids=lambda p: p.stem)
def test_every_suite_is_documented_and_matches_its_model(path):
    suite = load_suite(path.stem)
    assert suite.name == path.stem
    assert suite.expectations
    undocumented = [
        e.expectation_type for e in suite.expectations if len((e.meta or {}).get("notes", "")) < 30
    ]
    assert undocumented == [], "auditors read every expectation's meta.notes"
    computed = set(computed_columns(suite))
    assert set(referenced_columns(suite)) - computed <= model_columns(path.stem)
    assert computed & model_columns(path.stem) == set(), "a computed column hides a model's"


def test_suites_cover_the_checked_models():
    assert {p.stem for p in EXPECTATIONS_DIR.glob("*.json")} >= {
        "stg_procedure_logs__events",
        "mart_unit_service_monthly",
    }


def test_unknown_suite_lists_the_available_ones():
    with pytest.raises(FileNotFoundError, match="mart_unit_service_monthly"):
        load_suite("no_such_model")


# --- the run log and the site -----------------------------------------------------------------


def failing_mart_outcome(con):
    rows = clean_mart()
    rows[1]["on_time_numerator"] = 99
    insert(con, MART, rows)
    return validate_table(con, MART, "mart_unit_service_monthly")


def test_record_outcome_writes_one_json_file_per_run(con):
    quality_dir = load_settings().quality_dir
    outcome = failing_mart_outcome(con)
    path = record_outcome(outcome, quality_dir)
    assert path.parent == quality_dir / "runs"
    assert re.fullmatch(r"\d{8}T\d{12}Z_mart_unit_service_monthly\.json", path.name)
    stored = json.loads(path.read_text(encoding="utf-8"))
    assert stored["success"] is False and stored["relation"] == MART
    (bad,) = [r for r in stored["results"] if not r["success"]]
    assert bad["expectation_type"] == BETWEEN and bad["column"] == PROVINCE_ON_TIME
    assert bad["sample_unexpected_rows"][0]["unit_code"] == "00004"
    assert stored["raw"]["statistics"]["unsuccessful_expectations"] == 1
