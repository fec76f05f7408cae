"""The auditors' data-quality site: what it shows, and that it is a page of the report shell
(one stylesheet, one escaping function, Vietnam time).

Runs are recorded with `record_outcome` from outcomes built here (the site reads the run log,
not the suites); the audit tables are the ingest's own DDL in a DuckDB file under tmp_path.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import duckdb
import pytest
from report_html import PageHtml

from orchestration.ingest.load import AUDIT_DDL
from orchestration.quality.ge_runner import ExpectationOutcome, ValidationOutcome, record_outcome
from orchestration.quality.site import SITE_PAGES, render_quality_site
from reports import shell

MART = "marts.mart_unit_service_monthly"
EVENTS = "staging.stg_procedure_logs__events"
PAIR = "expect_column_pair_values_a_to_be_greater_than_b"
HOSTILE_FILE = '/landing/procedure_logs/"><img src=x onerror=alert(1)>.csv'
HOSTILE_REASON = "unit_code '<script>alert(1)</script>' is not a current unit"


def expectation(kind: str, columns: tuple[str, ...], success: bool = True, **extra):
    fields = dict(
        unexpected_count=0,
        unexpected_percent=0.0,
        sample_unexpected_rows=[],
        notes=f"why {kind} matters to an auditor",
    )
    return ExpectationOutcome(kind, columns, success, **(fields | extra))


def outcome(suite: str, relation: str, run_at: datetime, results, evaluated=6, total=6):
    return ValidationOutcome(
        suite_name=suite,
        relation=relation,
        success=all(r.success for r in results),
        evaluated_rows=evaluated,
        total_rows=total,
        results=results,
        run_at=run_at,
        raw={},
    )


def failing_mart_run(run_at: datetime) -> ValidationOutcome:
    """The mart with one unit-month whose on-time numerator exceeds its denominator."""
    offending = {
        "unit_code": "00004",
        "month_start": "2025-08-01T00:00:00",
        "on_time_numerator": 99,
        "on_time_denominator": 10,
    }
    return outcome(
        MART.split(".")[1],
        MART,
        run_at,
        [
            expectation(
                "expect_table_row_count_to_be_between",
                (),
                unexpected_count=None,
                unexpected_percent=None,
                observed_value=6,
            ),
            expectation(
                PAIR,
                ("on_time_denominator", "on_time_numerator"),
                success=False,
                unexpected_count=1,
                unexpected_percent=16.67,
                sample_unexpected_rows=[offending],
                notes="the on-time rate exceeds 100% when this fails",
            ),
        ],
    )


def passing_events_run(run_at: datetime) -> ValidationOutcome:
    return outcome(
        EVENTS.split(".")[1],
        EVENTS,
        run_at,
        [expectation("expect_column_values_to_be_unique", ("event_id",))],
        evaluated=500,
        total=3000,
    )


@pytest.fixture
def con(tmp_path):
    connection = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    # The audit columns hold `now()` in the session's zone; fix it so the times are known.
    connection.execute("set TimeZone = 'UTC'")
    yield connection
    connection.close()


def audit_tables(con, reason: str = "channel 'fax' is not allowed"):
    con.execute(AUDIT_DDL)
    con.execute(
        "insert into audit.ingest_files (file_id, source, path, status, rows_read, rows_loaded,"
        " rows_quarantined, note, ingested_at) values"
        " ('a', 'procedure_logs', '/landing/procedure_logs/01_2025-08.jsonl', 'loaded',"
        "  10, 8, 2, '', timestamp '2025-09-01 10:00'),"
        " ('b', 'procedure_logs', '/landing/procedure_logs/22_2025-08.csv', 'loaded',"
        "  10, 7, 2, 'one row lost', timestamp '2025-09-01 23:30')"
    )
    quarantined = [
        ("a", "/landing/procedure_logs/01_2025-08.jsonl", 3, "channel", "not_allowed", reason),
        (
            "a",
            "/landing/procedure_logs/01_2025-08.jsonl",
            9,
            "unit_code",
            "unknown_unit",
            "unit_code '00270' is not a current unit",
        ),
        (
            "b",
            "/landing/procedure_logs/22_2025-08.csv",
            4,
            "unit_code",
            "unknown_unit",
            "unit_code '00271' is a pre-merger unit",
        ),
        (
            "b",
            "/landing/procedure_logs/22_2025-08.csv",
            5,
            "unit_code",
            "unknown_unit",
            "unit_code '00272' is a pre-merger unit",
        ),
    ]
    con.executemany(
        "insert into audit.quarantine (file_id, source, path, line_no, column_name,"
        " reason_code, reason, record, quarantined_at)"
        " values (?, 'procedure_logs', ?, ?, ?, ?, ?, '{}', timestamp '2025-09-01 23:30')",
        quarantined,
    )


def render(quality_dir, con) -> tuple[str, PageHtml]:
    """Every page of the site, read as one (table ids are unique across the site)."""
    render_quality_site(quality_dir, con)
    text = "".join(
        (quality_dir / f"{slug}.html").read_text(encoding="utf-8") for slug, *_ in SITE_PAGES
    )
    return text, PageHtml(text)


def column(rows: list[list[str]], header_start: str) -> list[str]:
    i = next(i for i, h in enumerate(rows[0]) if h.startswith(header_start))
    return [row[i] for row in rows[1:]]


# --- content -------------------------------------------------------------------------------


def test_site_lists_runs_newest_first_with_failures_and_accounting(tmp_path, con):
    quality_dir = tmp_path / "quality"
    record_outcome(passing_events_run(datetime(2025, 9, 1, 3, 0, tzinfo=UTC)), quality_dir)
    record_outcome(failing_mart_run(datetime(2025, 9, 1, 4, 0, tzinfo=UTC)), quality_dir)
    audit_tables(con)

    text, page = render(quality_dir, con)

    assert "Chất lượng dữ liệu" in text and "Data quality" in text
    runs = page.tables["runs"]
    assert column(runs, "Bộ kiểm định") == [
        "mart_unit_service_monthly",
        "stg_procedure_logs__events",
    ]  # newest first
    assert column(runs, "Kết quả") == ["Không đạt / Fail", "Đạt / Pass"]
    assert column(runs, "Số dòng")[1] == "500 / 3,000 (mẫu / sample)"
    assert column(runs, "Kỳ vọng không đạt")[0] == (
        f"1 / 2: {PAIR} (on_time_denominator, on_time_numerator)"
    )
    # each run's expectations, failed first, with its notes and the offending rows
    expectations = page.tables["run-0-expectations"]
    assert column(expectations, "Kỳ vọng")[0] == PAIR
    assert column(expectations, "Số dòng sai")[0] == "1 (16.67%)"
    assert "the on-time rate exceeds 100% when this fails" in column(expectations, "Bảo vệ")
    assert page.tables["run-0-rows-0"][1] == ["00004", "2025-08-01", "99", "10"]
    assert '<details id="run-0" open>' in text and '<details id="run-1" open>' in text
    assert {f"#run-{i}" for i in range(2)} <= set(page.anchors)
    # ingest accounting: both files, the unbalanced one flagged
    files = page.tables["ingest-files"]
    assert column(files, "Tệp") == ["22_2025-08.csv", "01_2025-08.jsonl"]  # newest first
    assert column(files, "Nạp + cách ly = đọc") == ["✗ lệch / off by +1", "✓ khớp / balanced"]
    assert "1 không khớp / unbalanced" in text
    # quarantine: rows per file x reason code, with totals, and the recent rows per reason
    counts = page.tables["quarantine-counts"]
    assert counts[0] == ["TệpFile", "NguồnSource", "not_allowed", "unknown_unit", "TổngTotal"]
    assert counts[1:] == [
        ["01_2025-08.jsonl", "procedure_logs", "1", "1", "2"],
        ["22_2025-08.csv", "procedure_logs", "—", "2", "2"],
        ["Tổng / Total", "", "1", "3", "4"],
    ]
    recent = page.tables["quarantine-recent-unknown_unit"]
    assert column(recent, "Dòng") == ["9", "4", "5"]  # newest, then by file and line
    assert "unit_code '00271' is a pre-merger unit" in column(recent, "Lý do")
    assert "audit.ingest_files" in text and "audit.quarantine" in text  # footer names sources


def test_site_renders_without_a_warehouse_or_runs(tmp_path):
    text, page = render(tmp_path / "quality", None)
    assert "No validation run recorded yet" in text
    assert "No warehouse connection given" in text
    assert page.tables == {}


def test_site_says_when_audit_tables_are_missing(tmp_path, con):
    quality_dir = tmp_path / "quality"
    text, _ = render(quality_dir, con)
    assert "No table audit.ingest_files" in text
    assert (quality_dir / "index.html").is_file()
    assert not (quality_dir / "index.html.tmp").exists()


def test_site_links_back_to_the_reports(tmp_path):
    _, page = render(tmp_path / "quality", None)
    assert shell.REPORTS_INDEX_HREF in page.anchors
    assert (tmp_path / "quality" / shell.REPORTS_INDEX_HREF).resolve() == (
        tmp_path / "reports" / "index.html"
    )


# --- one shell: time zone, escaping, stylesheet --------------------------------------------


def test_every_time_is_shown_in_vietnam_time(tmp_path, con):
    """A run at 23:30 UTC happened at 06:30 the next day in Vietnam; so did the ingest."""
    quality_dir = tmp_path / "quality"
    record_outcome(failing_mart_run(datetime(2025, 9, 1, 23, 30, tzinfo=UTC)), quality_dir)
    audit_tables(con)

    text, page = render(quality_dir, con)

    assert column(page.tables["runs"], "Thời điểm") == ["2025-09-02 06:30:00"]
    assert "giờ Việt Nam" in page.tables["runs"][0][0]
    assert re.search(r"<summary>2025-09-02 06:30:00 — ", text)
    files = page.tables["ingest-files"]
    assert column(files, "Thời điểm nạp") == ["2025-09-02 06:30:00", "2025-09-01 17:00:00"]
    recent = page.tables["quarantine-recent-not_allowed"]
    assert column(recent, "Thời điểm") == ["2025-09-02 06:30:00"]
    assert "23:30" not in text and "UTC</" not in text
    assert "ICT (UTC+07:00)" in text  # the footer's generation time says its zone


def test_naive_times_are_refused_not_guessed():
    assert shell.local_time("2025-09-01T23:30:00+00:00", seconds=True) == "2025-09-02 06:30:00"
    assert shell.local_time(datetime(2025, 9, 1, 16, 59, tzinfo=UTC)) == "2025-09-01 23:59"
    with pytest.raises(ValueError, match="no time zone"):
        shell.local_time(datetime(2025, 9, 1, 23, 30))


def test_hostile_text_from_data_is_escaped(tmp_path, con):
    quality_dir = tmp_path / "quality"
    run = failing_mart_run(datetime(2025, 9, 1, 4, 0, tzinfo=UTC))
    run.results[1].sample_unexpected_rows[0]["unit_code"] = "<b>00004</b>"
    record_outcome(run, quality_dir)
    audit_tables(con, reason=HOSTILE_REASON)
    con.execute("update audit.ingest_files set path = ? where file_id = 'b'", [HOSTILE_FILE])
    con.execute("update audit.quarantine set path = ? where file_id = 'b'", [HOSTILE_FILE])

    text, page = render(quality_dir, con)

    # shown to the reader as the text it is ...
    assert HOSTILE_REASON in column(page.tables["quarantine-recent-not_allowed"], "Lý do")
    hostile_name = '"><img src=x onerror=alert(1)>.csv'
    assert hostile_name in column(page.tables["ingest-files"], "Tệp")
    assert hostile_name in column(page.tables["quarantine-counts"], "Tệp")
    assert page.tables["run-0-rows-0"][1][0] == "<b>00004</b>"
    # ... never as markup: no injected element, attribute or script
    assert "<img" not in text and "<b>" not in text and "alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert 'title="/landing/procedure_logs/&quot;&gt;&lt;img' in text
    assert all("src" not in script for script in page.scripts)  # inline shell script only


def test_site_uses_the_report_shell_stylesheet(tmp_path, con):
    record_outcome(failing_mart_run(datetime(2025, 9, 1, 4, 0, tzinfo=UTC)), tmp_path / "q")
    audit_tables(con)
    text, page = render(tmp_path / "q", con)

    report_page = PageHtml(shell.Page("p", "Trang", "Page").html())
    assert set(page.styles) == set(report_page.styles) == {shell.CSS}
    # one sheet per page, none external
    assert text.count("<style") == len(SITE_PAGES) and page.links == []
    # every class the page uses for layout is styled there (the rest are script hooks)
    used = {c for classes in re.findall(r'class="([^"]+)"', text) for c in classes.split()}
    unstyled = {c for c in used if not re.search(rf"\.{re.escape(c)}\b", shell.CSS)}
    assert unstyled <= {"sortable", "table-filter"}
    assert {"pass", "fail"} <= used
