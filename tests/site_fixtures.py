"""A tiny warehouse holding every table the drill-down reads, for the site and browser tests:
two provinces, their communes, one commune (Phường Ba Đình, 00004) with a score, its groups,
its ratios, overdue dossiers, slow steps and assets, so a path from the nation to its dossiers
exists."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb
from warehouse_fixtures import PROVINCES, insert, report_warehouse

from reports import drilldown, render_site
from simulator.run import MANIFEST_NAME

WHOLE = dict(period="whole", period_start=date(2025, 7, 1))
COMMUNE = "00004"
OVERDUE_CODES = ["00004-250702-0001", "00004-250703-0007"]
# province / nation rows: on time 97.1% and 98.4%, nation 97.9% (close together on purpose)
ON_TIME = {"01": 0.971, "22": 0.984, "VN": 0.979}


def _area(scope: str, code: str) -> dict:
    return dict(
        scope=scope,
        area_code=code,
        unit_code=code if scope == "unit" else None,
        province_code=None if scope == "nation" else (code if scope == "province" else "01"),
        **WHOLE,
    )


def drilldown_warehouse(path: Path) -> duckdb.DuckDBPyConnection:
    # the service-delivery page's other tables (it expects them), empty
    service = ("marts.mart_procedure_processing", "marts.fct_dossiers")
    con = report_warehouse(path, *drilldown.SOURCES, *service)
    areas = [("province", c) for c in PROVINCES] + [("nation", "VN")]
    insert(
        con,
        drilldown.INDEX,
        [
            _area(s, c)
            | dict(
                score=70.0 + i,
                band_name_vi="Khá",
                band_name_en="Fair",
                rank_in_nation=len(areas) - i,
            )
            for i, (s, c) in enumerate(areas)
        ]
        + [
            _area("unit", COMMUNE)
            | dict(
                score=64.5,
                band_name_vi="Trung bình",
                band_name_en="Average",
                rank_in_province=1,
                ranked_in_province=2,
                rank_in_nation=1,
                ranked_in_nation=3,
                total_points=64.5,
                points_available=100.0,
            )
        ],
    )
    insert(
        con,
        drilldown.PERIODS,
        [
            _area(s, c)
            | dict(dossiers_received=1000, on_time_rate=ON_TIME[c], overdue_rate=1 - ON_TIME[c])
            for s, c in areas
        ]
        + [
            _area("unit", COMMUNE)
            | dict(
                dossiers_received=40,
                on_time_numerator=37,
                on_time_denominator=40,
                overdue_numerator=3,
                on_time_rate=37 / 40,
                overdue_rate=3 / 40,
            )
        ],
    )
    insert(
        con,
        drilldown.GROUPS,
        [
            _area("unit", COMMUNE)
            | dict(group_code="progress", group_points=17.5, points_available=20, max_points=20)
        ],
    )
    insert(
        con,
        drilldown.COMPONENTS,
        [
            _area("unit", COMMUNE)
            | dict(
                group_code="progress",
                component_code="on_time_rate",
                numerator=37,
                denominator=40,
                ratio=37 / 40,
                is_scored=True,
                points=12.95,
                max_points=14,
            )
        ],
    )
    insert(
        con,
        drilldown.BACKLOG,
        [
            dict(
                scope="unit",
                area_code=COMMUNE,
                province_code="01",
                month_start=date(2025, 9, 1),
                is_latest_month=True,
                open_dossiers=5,
                past_due_dossiers=2,
                past_due_1_5_days=1,
                past_due_6_10_days=1,
                past_due_11_20_days=0,
                past_due_over_20_days=0,
            )
        ],
    )
    insert(
        con,
        drilldown.OVERDUE,
        [
            dict(
                dossier_code=code,
                unit_code=COMMUNE,
                province_code="01",
                procedure_code="P1",
                overdue_status="open_past_due",
                received_at=datetime(2025, 7, 2, 8),
                promised_at=datetime(2025, 7, 9, 17),
                overdue_at=datetime(2025, 9, 30, 17),
                working_days_past_due=50 - i,
                supplement_requests=0,
                rank_in_unit=i + 1,
            )
            for i, code in enumerate(OVERDUE_CODES)
        ],
    )
    insert(
        con,
        drilldown.SLOW,
        [
            dict(
                scope="unit",
                area_code=COMMUNE,
                province_code="01",
                procedure_code="P1",
                step_name="Thẩm định",
                steps_completed=40,
                median_dwell_working_days=6.0,
                national_median_dwell_working_days=2.0,
                dwell_ratio=3.0,
                is_slow_stage=True,
            )
        ],
    )
    insert(con, drilldown.RESOURCES, [dict(unit_code=COMMUNE, province_code="01", headcount=21)])
    insert(
        con,
        drilldown.BEFORE_AFTER,
        [
            dict(
                unit_code=COMMUNE,
                unit_level="commune",
                province_code="01",
                period=period,
                on_time_rate=rate,
                old_units_absorbed=3,
            )
            for period, rate in (("before", 0.81), ("after", 0.925))
        ],
    )
    insert(
        con,
        drilldown.UNIT_ASSETS,
        [
            dict(
                unit_code=COMMUNE,
                province_code="01",
                month_start=date(2025, 9, 1),
                snapshot_date=date(2025, 9, 30),
                assets_total=5,
                offices_total=4,
                surplus_offices=3,
                waiting=1,
                repurposing=0,
                repurposed=2,
                disposed=0,
                repurposed_share=2 / 3,
                archive_records=200,
                archive_records_digitised=50,
                archive_digitised_share=0.25,
            )
        ],
    )
    insert(
        con,
        drilldown.CAPACITY,
        [dict(scope="province", area_code="01", province_code="01", specialist_coverage=0.8)],
    )
    insert(
        con,
        "marts.dim_procedure",
        [dict(procedure_code="P1", procedure_name="Đăng ký khai sinh", level="commune")],
    )
    return con


def render_drilldown_site(data_dir: Path) -> Path:
    """The whole site rendered from the drill-down warehouse into data_dir/reports, beside a
    simulator manifest (data_dir/landing), as `make run` lays them out."""
    (data_dir / "landing").mkdir(parents=True, exist_ok=True)
    (data_dir / "landing" / MANIFEST_NAME).write_text("{}", encoding="utf-8")
    con = drilldown_warehouse(data_dir / "site.duckdb")
    try:
        render_site(con, data_dir / "reports")
    finally:
        con.close()
    return data_dir / "reports"
