"""Fast tests of the slow-stages and backlog page on a tiny warehouse whose tables take their
columns from the models' YAML."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from report_html import PageHtml, column_of, row_of
from warehouse_fixtures import insert, report_warehouse

from reports import PAGE_MODULES, slow_stages

RELATIONS = (
    "marts.dim_admin_unit",
    "marts.dim_procedure",
    "marts.mart_procedure_steps",
    "marts.mart_slow_stages",
    "marts.mart_procedure_supplements",
    "marts.mart_backlog_ageing",
)
PROCEDURES = [
    {"procedure_code": "1.000001", "procedure_name": "Đăng ký khai sinh", "statutory_days": 3},
    {"procedure_code": "1.000002", "procedure_name": "Chứng thực bản sao", "statutory_days": 1},
]


def step(procedure, name, median, slowest, steps=100, overdue=10, over=7):
    return {
        "procedure_code": procedure,
        "step_name": name,
        "statutory_days": 3,
        "steps_completed": steps,
        "median_dwell_working_days": median,
        "is_slowest_step": slowest,
        "usual_deadline_share": 0.4,
        "overdue_dossiers": overdue,
        "overdue_over_usual": over,
        "overdue_over_usual_share": over / overdue,
    }


def backlog(scope, area, province, month, open_, past, ages):
    return {
        "scope": scope,
        "area_code": area,
        "province_code": province,
        "month_start": date.fromisoformat(month),
        "is_latest_month": month == "2025-08-01",
        "open_dossiers": open_,
        "past_due_dossiers": past,
        "past_due_share": past / open_,
        **dict(zip(slow_stages.AGES, ages, strict=True)),
    }


def render(tmp_path: Path, fill: bool = True) -> PageHtml:
    with report_warehouse(tmp_path / "w.duckdb", *RELATIONS) as con:
        insert(con, "marts.dim_procedure", PROCEDURES)
        if fill:
            insert(
                con,
                "marts.mart_procedure_steps",
                [
                    step("1.000001", "Thẩm định hồ sơ", 1.2, True),
                    step("1.000001", "Trình ký", 0.4, False),
                    # too few steps to be shown
                    step("1.000002", "Thẩm định hồ sơ", 0.5, True, steps=12, overdue=2, over=1),
                ],
            )
            insert(
                con,
                "marts.mart_slow_stages",
                [
                    {
                        "scope": "province",
                        "area_code": "01",
                        "province_code": "01",
                        "procedure_code": "1.000001",
                        "step_name": "Thẩm định hồ sơ",
                        "steps_completed": 80,
                        "median_dwell_working_days": 3.0,
                        "national_median_dwell_working_days": 1.2,
                        "dwell_ratio": 2.5,
                        "is_slow_stage": True,
                    },
                    {
                        "scope": "unit",
                        "area_code": "00004",
                        "province_code": "01",
                        "procedure_code": "1.000001",
                        "step_name": "Thẩm định hồ sơ",
                        "steps_completed": 40,
                        "median_dwell_working_days": 3.6,
                        "national_median_dwell_working_days": 1.2,
                        "dwell_ratio": 3.0,
                        "is_slow_stage": True,
                    },
                    {
                        "scope": "unit",
                        "area_code": "00008",
                        "province_code": "01",
                        "procedure_code": "1.000001",
                        "step_name": "Trình ký",
                        "steps_completed": 40,
                        "median_dwell_working_days": 0.5,
                        "national_median_dwell_working_days": 0.4,
                        "dwell_ratio": 1.25,
                        "is_slow_stage": False,
                    },
                ],
            )
            insert(
                con,
                "marts.mart_procedure_supplements",
                [
                    {
                        "procedure_code": "1.000001",
                        "dossiers_received": 200,
                        "dossiers_with_supplement_request": 20,
                        "dossiers_with_repeat_request": 2,
                        "supplement_request_rate": 0.1,
                    },
                ],
            )
            insert(
                con,
                "marts.mart_backlog_ageing",
                [
                    backlog("province", "01", "01", "2025-07-01", 50, 5, (5, 0, 0, 0)),
                    backlog("province", "01", "01", "2025-08-01", 40, 10, (4, 3, 2, 1)),
                    backlog("province", "22", "22", "2025-08-01", 20, 1, (1, 0, 0, 0)),
                    backlog("nation", "VN", None, "2025-07-01", 50, 5, (5, 0, 0, 0)),
                    backlog("nation", "VN", None, "2025-08-01", 60, 11, (5, 3, 2, 1)),
                ],
            )
        path = slow_stages.render(con, tmp_path / "reports")
    return PageHtml(path.read_text(encoding="utf-8"))


def test_the_page_is_listed_and_names_its_tables():
    assert slow_stages in PAGE_MODULES
    assert set(slow_stages.SOURCES) >= set(RELATIONS) - {"marts.dim_admin_unit"}


def test_slowest_steps_show_procedures_with_enough_steps(tmp_path):
    rows = render(tmp_path).tables["slowest-steps"]
    assert [r[0] for r in rows[1:]] == ["Đăng ký khai sinh"]
    row = row_of(rows, "Đăng ký khai sinh")
    assert row[column_of(rows, "Bước")] == "Thẩm định hồ sơ"
    assert row[column_of(rows, "Quá hạn do bước này")] == "70.0%"


def test_only_flagged_stages_are_listed_with_their_area_names(tmp_path):
    rows = render(tmp_path).tables["slow-stage-flags"]
    areas = [r[column_of(rows, "Địa bàn")] for r in rows[1:]]
    assert areas == ["Phường Ba Đình", "Thành phố Hà Nội"]  # by ratio; Sóc Sơn not flagged
    assert row_of(rows, "Xã, phường / Unit")[column_of(rows, "Gấp")] == "3.0"


def test_backlog_table_is_the_latest_month_by_past_due_share(tmp_path):
    page = render(tmp_path)
    rows = page.tables["backlog-provinces"]
    assert [r[0] for r in rows[1:]] == ["Thành phố Hà Nội", "Tỉnh Quảng Ninh"]
    hanoi = row_of(rows, "Thành phố Hà Nội")
    assert hanoi[column_of(rows, "Cuối tháng")] == "08/2025"
    assert hanoi[column_of(rows, "Tỷ lệ quá hạn")] == "25.0%"
    assert hanoi[column_of(rows, "Trên 20 ngày")] == "1"
    assert page.tables["supplement-rates"][1][-1] == "10.0%"


def test_empty_marts_give_notes_not_errors(tmp_path):
    page = render(tmp_path, fill=False)
    assert "backlog-provinces" not in page.tables
    assert any("No dossier is open" in c for c in page.captions)
