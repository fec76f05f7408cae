"""The auditors' history in the warehouse (GE and dbt results per run, the quarantine's trend)
and the site pages built from it: the summary first, the dbt tests, the scorecards, the
paginated file table."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import duckdb
import pytest
from report_html import PageHtml
from test_quality_site import failing_mart_run, passing_events_run

from orchestration.ingest.contract import REASON_CODES
from orchestration.ingest.load import AUDIT_DDL
from orchestration.ingest.versions import CORRECTIONS_DDL
from orchestration.publication import publish_for_bi
from orchestration.quality.history import HISTORY_TABLES, record_dbt_results, record_ge_run
from orchestration.quality.site import DIMENSION_OF_REASON, render_quality_site
from orchestration.settings import load_settings


@pytest.fixture
def con(tmp_path):
    connection = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    connection.execute(AUDIT_DDL)
    yield connection
    connection.close()


def quarantine(con, source: str, reason: str, rows: int) -> None:
    con.execute(
        "insert into audit.quarantine (file_id, source, path, line_no, reason_code, reason,"
        " record, quarantined_at) select 'f', ?, ?, range, ?, 'why', '{}', now() from range(?)",
        [source, f"{source}/01_2025-08.csv", reason, rows],
    )


def pages(quality_dir, con) -> dict[str, PageHtml]:
    render_quality_site(quality_dir, con)
    return {p.stem: PageHtml(p.read_text(encoding="utf-8")) for p in quality_dir.glob("*.html")}


def test_the_summary_shows_the_quarantine_trend_across_three_runs(tmp_path, con):
    for run, (unknown, repeats) in enumerate([(2, 0), (3, 1), (5, 1)]):
        con.execute("delete from audit.quarantine")
        quarantine(con, "procedure_logs", "unknown_unit", unknown)
        quarantine(con, "budget_allocations", "duplicate_row", repeats)
        at = datetime(2025, 9, 1 + run, 4, 0, tzinfo=UTC)
        outcomes = [passing_events_run(at)] + ([failing_mart_run(at)] if run == 2 else [])
        record_ge_run(con, f"run-{run}", outcomes)

    index = pages(tmp_path / "quality", con)["index"]

    trend = index.tables["quarantine-trend"]
    assert [h.split(" (")[1] for h in trend[0][2:]] == ["run-0)", "run-1)", "run-2)"]
    rows = {tuple(r[:2]): r[2:] for r in trend[1:]}
    assert rows[("procedure_logs", "unknown_unit")] == ["2", "3", "5"]
    assert rows[("budget_allocations", "duplicate_row")] == ["—", "1", "1"]
    # the latest run's suites, the failing one first
    suites = index.tables["suites"]
    assert [r[0] for r in suites[1:]] == ["mart_unit_service_monthly", "stg_procedure_logs__events"]
    assert [r[2] for r in suites[1:]] == ["Không đạt / Fail", "Đạt / Pass"]
    assert "runs.html" in index.anchors and "../reports/index.html" in index.anchors
    # the history itself, with counts and the failing rows
    [(count, sample)] = con.execute(
        "select unexpected_count, failing_rows_sample from audit.ge_results"
        " where run_id = 'run-2' and not success"
    ).fetchall()
    assert count == 1 and json.loads(sample)[0]["on_time_numerator"] == 99


def dbt_target(tmp_path) -> object:
    """What `dbt build` leaves in its target folder: one model, one passing and one failing
    test (its compiled SQL returns the offending rows)."""
    target = tmp_path / "target"
    target.mkdir()
    failing_sql = "select unit_code from main.units where unit_code is null or unit_code = 'x'"
    results = [
        {"unique_id": "model.reformwatch.units", "status": "success", "execution_time": 0.5},
        {
            "unique_id": "test.reformwatch.not_null_units_unit_code.1",
            "status": "pass",
            "failures": 0,
            "execution_time": 0.1,
            "compiled_code": "select 1 where false",
        },
        {
            "unique_id": "test.reformwatch.accepted_values_units_unit_code.2",
            "status": "fail",
            "failures": 2,
            "message": "Got 2 results, configured to fail if != 0",
            "execution_time": 0.1,
            "compiled_code": failing_sql,
        },
    ]
    nodes = {
        "model.reformwatch.units": {"resource_type": "model", "name": "units"},
        "test.reformwatch.not_null_units_unit_code.1": {
            "resource_type": "test",
            "name": "not_null_units_unit_code",
            "attached_node": "model.reformwatch.units",
            "column_name": "unit_code",
            "test_metadata": {"name": "not_null"},
        },
        "test.reformwatch.accepted_values_units_unit_code.2": {
            "resource_type": "test",
            "name": "accepted_values_units_unit_code",
            "attached_node": "model.reformwatch.units",
            "column_name": "unit_code",
            "test_metadata": {"name": "accepted_values"},
        },
    }
    (target / "run_results.json").write_text(json.dumps({"results": results}))
    (target / "manifest.json").write_text(json.dumps({"nodes": nodes}))
    return target


def test_dbt_results_are_kept_with_failing_rows_and_shown(tmp_path, con):
    con.execute(
        "create table main.units as select * from (values ('x'), ('x'), ('00004')) t(unit_code)"
    )
    assert record_dbt_results(con, "run-9", dbt_target(tmp_path)) == 3
    rows = con.execute(
        "select name, model, test_kind, status, failures, failing_rows_sample"
        " from audit.dbt_results where resource_type = 'test' order by name"
    ).fetchall()
    assert rows[0][:5] == ("accepted_values_units_unit_code", "units", "accepted_values", "fail", 2)
    assert json.loads(rows[0][5]) == [{"unit_code": "x"}, {"unit_code": "x"}]
    assert rows[1][3:] == ("pass", 0, None)
    assert con.execute("select success, failed from audit.quality_runs").fetchall() == [(False, 1)]

    site = pages(tmp_path / "quality", con)
    tests = site["dbt"].tables["dbt-tests"]
    assert [r[4] for r in tests[1:]] == ["fail", "Đạt / Pass"]  # failures first
    failing = site["index"].tables["dbt-failing"]
    assert failing[1][0] == "accepted_values_units_unit_code" and '"x"' in failing[1][6]


def test_no_run_results_records_nothing(tmp_path, con):
    assert record_dbt_results(con, "run-1", tmp_path) == 0


def ingested(con, source: str, path: str, read: int, quarantined: int, delivered: str) -> None:
    con.execute(
        "insert into audit.ingest_files (file_id, source, path, status, rows_read, rows_loaded,"
        " rows_quarantined, ingested_at, delivered_at) values (?, ?, ?, 'loaded', ?, ?, ?,"
        " now(), ?::timestamptz)",
        [path, source, path, read, read - quarantined, quarantined, delivered],
    )


def test_scorecards_rate_each_province_and_show_a_late_one(tmp_path, con):
    for path, read, bad in (
        ("procedure_logs/01_2025-07.jsonl", 100, 0),
        ("procedure_logs/01_2025-08.jsonl", 100, 4),
        ("procedure_logs/22_2025-07.csv", 50, 0),
    ):
        ingested(con, "procedure_logs", path, read, bad, "2025-09-01 23:30:00+00")
    for line, reason in enumerate(["unknown_unit", "unknown_unit", "duplicate_row", "unparseable"]):
        con.execute(
            "insert into audit.quarantine (file_id, source, path, line_no, reason_code)"
            " values (?, 'procedure_logs', ?, ?, ?)",
            ["procedure_logs/01_2025-08.jsonl", "procedure_logs/01_2025-08.jsonl", line, reason],
        )

    card = pages(tmp_path / "quality", con)["scorecards"].tables["scorecards"]

    by_province = {r[1]: r for r in card[1:]}
    hanoi, quang_ninh = by_province["01"], by_province["22"]
    assert hanoi[2:6] == ["100.0%", "99.5%", "99.5%", "99.0%"]  # 1, 1 and 2 of 200 rows
    assert hanoi[6].startswith("đúng hạn / on time")
    assert quang_ninh[2] == "50.0%"  # one month of two
    assert quang_ninh[6] == "trễ / late 1 tháng / month(s) 2025-07 < 2025-08"
    assert hanoi[7] == "2025-09-02 06:30:00"  # delivered, in Vietnam time


def test_the_file_table_is_paginated_and_filterable_offline(tmp_path, con):
    for n in range(60):
        ingested(con, "procedure_logs", f"procedure_logs/01_{n:04d}.jsonl", 1, 0, "2025-09-01")
    text = (render_quality_site(tmp_path / "q", con).parent / "files.html").read_text()
    page = PageHtml(text)
    assert len(page.tables["ingest-files"]) == 61
    assert 'class="table-filter" data-table="ingest-files"' in text
    assert 'getElementById("ingest-files")' in text and "var size = 50" in text
    assert all("src" not in script for script in page.scripts)  # nothing fetched


def test_every_reason_code_counts_against_one_dimension():
    assert set(DIMENSION_OF_REASON) == set(REASON_CODES)
    assert set(DIMENSION_OF_REASON.values()) == {"validity", "uniqueness", "consistency"}


def test_the_history_is_published_in_the_bi_copy(tmp_path, monkeypatch, dbt_manifest):
    monkeypatch.setenv("REFORMWATCH_DATA_DIR", str(tmp_path / "data"))
    settings = load_settings()
    settings.warehouse.parent.mkdir(parents=True)
    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute(AUDIT_DDL)
        record_ge_run(con, "run-1", [passing_events_run(datetime(2025, 9, 1, tzinfo=UTC))])
    with duckdb.connect(str(publish_for_bi(settings, dbt_manifest)), read_only=True) as bi:
        published = {
            t
            for (t,) in bi.execute(
                "select table_name from duckdb_tables() where schema_name = 'audit'"
            ).fetchall()
        }
        assert set(HISTORY_TABLES) <= published
        assert bi.execute("select count(*) from audit.ge_results").fetchone() == (1,)


def test_corrections_are_listed_and_superseded_versions_leave_the_scorecards(tmp_path, con):
    con.execute(CORRECTIONS_DDL)
    ingested(con, "procedure_logs", "procedure_logs/01_2025-07.jsonl", 100, 0, "2025-09-01")
    ingested(con, "procedure_logs", "procedure_logs/01_2025-07_gui_lai.jsonl", 90, 0, "2025-09-02")
    con.execute(
        "insert into audit.file_corrections values ('superseded', 'procedure_logs',"
        " 'procedure_logs/01_2025-07', 'procedure_logs/01_2025-07.jsonl',"
        " 'procedure_logs/01_2025-07.jsonl', 'x', 'procedure_logs/01_2025-07_gui_lai.jsonl',"
        " 100, 0, 10, 5, 85, 'replaced', now())"
    )

    site = pages(tmp_path / "quality", con)

    [header, row] = site["files"].tables["file-corrections"]
    assert row[:8] == [
        "01_2025-07.jsonl",
        "superseded",
        "01_2025-07_gui_lai.jsonl",
        "100",
        "0",
        "10",
        "5",
        "85",
    ]
    [card] = site["scorecards"].tables["scorecards"][1:]
    assert card[-1] == "90"  # rows read of the current version only
