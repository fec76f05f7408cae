"""Fast tests of the before/after page on a tiny warehouse: mart_service_before_after_change is
built by its dbt SQL from rows inserted into mart_unit_service_before_after."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from report_html import PageHtml, column_of, row_of
from warehouse_fixtures import build_rollups, insert, province_of, report_warehouse

from reports import PAGE_MODULES, before_after

RELATIONS = ("marts.dim_admin_unit", "marts.mart_unit_service_before_after")
CHANGE = "mart_service_before_after_change"

# unit, period, early, on time, overdue, open within due, open past due, old units absorbed.
# Sóc Sơn declined and Ba Đình improved by 40 points; Hạ Long judged too few (10) to rank.
PERIOD_ROWS = [
    ("01", "before", 30, 10, 10, 0, 0, 1),
    ("01", "after", 40, 5, 5, 0, 0, 1),
    ("00004", "before", 10, 10, 20, 0, 0, 3),
    ("00004", "after", 30, 6, 4, 0, 0, 3),
    ("00008", "before", 30, 6, 4, 0, 0, 2),
    ("00008", "after", 10, 10, 18, 0, 2, 2),
    ("06700", "before", 20, 10, 5, 0, 0, 1),
    ("06700", "after", 21, 10, 4, 0, 0, 1),
    ("06800", "before", 3, 2, 5, 0, 0, 4),
    ("06800", "after", 7, 2, 1, 0, 0, 4),
]


def period_row(unit, period, early, on_time, overdue, within, past, absorbed) -> dict:
    finished = early + on_time + overdue
    numerator, denominator = early + on_time + within, finished + within + past
    return {
        "unit_code": unit,
        "unit_level": "province" if len(unit) == 2 else "commune",
        "province_code": province_of(unit),
        "period": period,
        "period_first_month": date(2024, 7, 1) if period == "before" else date(2025, 7, 1),
        "period_end_month": date(2025, 6, 1) if period == "before" else date(2026, 6, 1),
        "old_units_absorbed": absorbed,
        "dossiers_received": float(denominator),
        "dossiers_finished": float(finished),
        "finished_early": float(early),
        "finished_on_time": float(on_time),
        "finished_overdue": float(overdue),
        "open_within_due": float(within),
        "open_past_due": float(past),
        "on_time_numerator": float(numerator),
        "overdue_numerator": float(overdue + past),
        "on_time_denominator": float(denominator),
        "on_time_rate": numerator / denominator,
        "overdue_rate": (overdue + past) / denominator,
        "full_online_numerator": 0.0,
        "full_online_denominator": 0.0,
        "online_payment_numerator": 0.0,
        "online_payment_denominator": 0.0,
        "online_numerator": float(finished // 2),
        "online_share": (finished // 2) / denominator,
        "processing_days_sum": 3.0 * finished,
        "processing_days_count": float(finished),
        "avg_processing_days": 3.0,
        "satisfaction_high": float(early),
        "satisfaction_rated": float(finished),
        "satisfaction_share": early / finished,
    }


def render(tmp_path: Path, fill: bool = True) -> PageHtml:
    with report_warehouse(tmp_path / "w.duckdb", *RELATIONS) as con:
        if fill:
            insert(
                con, "marts.mart_unit_service_before_after", [period_row(*r) for r in PERIOD_ROWS]
            )
        build_rollups(con, CHANGE)
        path = before_after.render(con, tmp_path / "reports")
    return PageHtml(path.read_text(encoding="utf-8"))


def test_the_page_is_listed_and_reads_the_change_mart():
    assert before_after in PAGE_MODULES
    assert f"marts.{CHANGE}" in before_after.SOURCES


def test_most_improved_and_declined_rank_only_units_with_enough_dossiers(tmp_path):
    page = render(tmp_path)
    improved, declined = page.tables["most-improved"], page.tables["most-declined"]
    assert [r[0] for r in improved[1:]] == ["Phường Ba Đình", "Đặc khu Vân Đồn", "Xã Sóc Sơn"]
    assert [r[0] for r in declined[1:]] == ["Xã Sóc Sơn", "Đặc khu Vân Đồn", "Phường Ba Đình"]
    ba_dinh = row_of(improved, "Phường Ba Đình")
    assert ba_dinh[column_of(improved, "Đúng hạn trước")] == "50.0%"
    assert ba_dinh[column_of(improved, "Đúng hạn sau")] == "90.0%"
    assert ba_dinh[column_of(improved, "Thay đổi")] == "40.0%"
    assert ba_dinh[column_of(improved, "Đơn vị cũ sáp nhập")] == "3"


def test_a_province_pools_its_units_restated_counts(tmp_path):
    rows = render(tmp_path).tables["before-after-provinces"]
    hanoi = row_of(rows, "Thành phố Hà Nội")
    # (40 + 20 + 36) / (50 + 40 + 40) before; (45 + 36 + 20) / 130 after: pooled, not averaged
    assert hanoi[column_of(rows, "Đúng hạn trước")] == "73.8%"
    assert hanoi[column_of(rows, "Đúng hạn sau")] == "77.7%"
    assert hanoi[column_of(rows, "Hồ sơ tiếp nhận trước")] == "130"


def test_every_commune_level_unit_is_listed_with_its_absorbed_units(tmp_path):
    rows = render(tmp_path).tables["before-after-units"]
    assert sorted(r[0] for r in rows[1:]) == [
        "Phường Ba Đình",
        "Phường Hạ Long",
        "Xã Sóc Sơn",
        "Đặc khu Vân Đồn",
    ]
    ha_long = row_of(rows, "Phường Hạ Long")
    assert ha_long[column_of(rows, "Đơn vị cũ sáp nhập")] == "4"
    assert ha_long[column_of(rows, "Đủ hồ sơ")] == "không / no"


def test_empty_marts_give_notes_not_errors(tmp_path):
    page = render(tmp_path, fill=False)
    assert "before-after-provinces" not in page.tables
    assert any("No data yet" in c for c in page.captions)
