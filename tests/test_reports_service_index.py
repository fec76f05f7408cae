"""Fast tests of the service-index page on a tiny warehouse of its marts."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from plotly.offline import get_plotlyjs
from report_html import PageHtml, column_of, row_of
from warehouse_fixtures import insert, report_warehouse

from reports import service_index

TABLES = (
    "marts.dim_admin_unit",
    "marts.mart_service_index",
    "marts.mart_service_index_groups",
    "marts.mart_service_index_components",
    "marts.mart_service_govuk",
)
WHOLE = dict(period="whole", period_start=date(2025, 6, 1), period_end_month=date(2025, 7, 1))


def _index_rows() -> list[dict]:
    # Quảng Ninh ranks first though Hà Nội has more points: the page shows the mart's rank.
    def area(scope, code, unit, province, score, band_vi, band_en, band, rank, **extra):
        # extra: more columns, or other values (another period) for these
        return (
            dict(
                scope=scope,
                area_code=code,
                unit_code=unit,
                province_code=province,
                score=score,
                band_name_vi=band_vi,
                band_name_en=band_en,
                band_code=band,
                rank_in_nation=rank,
                total_points=score,
                points_available=100.0,
                max_points=100.0,
                ranked_in_nation=2,
            )
            | WHOLE
            | extra
        )

    units = [  # code, province, score, band (vi, en, code), ranks in nation and province
        ("00004", "01", 40.0, "Yếu", "Weak", "weak", 3, 2, 2),
        ("00008", "01", 55.0, "Trung bình", "Average", "average", 2, 1, 2),
        ("06700", "22", 91.0, "Xuất sắc", "Excellent", "excellent", 1, 1, 1),
    ]
    monthly = [  # for the trend
        (dict(period="month", period_start=day, period_end_month=day), score)
        for day, score in ((date(2025, 6, 1), 70.0), (date(2025, 7, 1), 72.5))
    ]
    return [
        area("nation", "VN", None, None, 71.25, "Khá", "Fair", "fair", 1),
        area("province", "22", None, "22", 82.5, "Tốt", "Good", "good", 1),
        area("province", "01", None, "01", 48.0, "Yếu", "Weak", "weak", 2),
        *(
            area("unit", code, code, province, *shown, rank_in_province=p, ranked_in_province=of)
            for code, province, *shown, p, of in units
        ),
        *(
            area(
                "nation", "VN", None, None, score, None, None, None, 1, ranked_in_nation=1, **month
            )
            for month, score in monthly
        ),
    ]


@pytest.fixture
def page_html(tmp_path: Path) -> str:
    con = report_warehouse(tmp_path / "tiny.duckdb", *TABLES)
    insert(con, "marts.mart_service_index", _index_rows())
    insert(
        con,
        "marts.mart_service_index_groups",
        [
            dict(
                scope="province",
                area_code=code,
                province_code=code,
                group_code=group,
                group_points=points,
                points_available=available,
                max_points=available,
                **WHOLE,
            )
            for code in ("01", "22")
            for group, points, available in (("transparency", 9.0, 18.0), ("progress", 10.0, 20.0))
        ],
    )
    insert(
        con,
        "marts.mart_service_index_components",
        [
            dict(
                scope="nation",
                area_code="VN",
                component_code="synced_share",
                group_code="transparency",
                numerator=9.0,
                denominator=12.0,
                ratio=0.75,
                is_scored=True,
                max_points=18.0,
                full_points_at=1.0,
                direction="higher_is_better",
                points=13.5,
                **WHOLE,
            ),
            dict(
                scope="nation",
                area_code="VN",
                component_code="complaint_rate",
                group_code="satisfaction",
                numerator=3.0,
                denominator=12.0,
                ratio=0.25,
                is_scored=False,
                **WHOLE,
            ),
        ],
    )
    insert(
        con,
        "marts.mart_service_govuk",
        [
            dict(
                scope="province",
                area_code="01",
                province_code="01",
                completed_online=3,
                dossiers_completed=4,
                digital_take_up=0.75,
                completion_numerator=4,
                completion_denominator=5,
                completion_rate=0.8,
                recurrent_spending_vnd=1_000_000,
                commune_dossiers_completed=4,
                cost_per_transaction_vnd=250_000.0,
                **WHOLE,
            ),
        ],
    )
    html = service_index.render(con, tmp_path / "reports").read_text(encoding="utf-8")
    con.close()
    return html


def test_every_component_and_group_of_the_mart_has_a_label_in_the_marts_order():
    """The components table sorts by the labels' order: a component the mart defines and the
    page does not (avg_processing_days was one) showed as a bare code, sorted after the
    satisfaction group, and pandas 4 refuses such a category."""
    model = Path(__file__).resolve().parents[1] / "dbt_project" / "models" / "marts"
    defined = re.findall(
        r"\('(\w+)', '(\w+)', ", (model / "mart_service_index_components.sql").read_text()
    )
    assert list(service_index.COMPONENT_LABELS) == [code for code, _ in defined]
    assert list(service_index.GROUP_LABELS) == list(dict.fromkeys(group for _, group in defined))


def test_provinces_are_listed_by_the_marts_rank_with_score_and_band(page_html):
    rows = PageHtml(page_html).tables["provinces"]
    assert [r[column_of(rows, "Tỉnh")] for r in rows[1:]] == ["Tỉnh Quảng Ninh", "Thành phố Hà Nội"]
    hanoi = row_of(rows, "2")
    assert hanoi[column_of(rows, "ĐiểmScore")] == "48.0"
    assert hanoi[column_of(rows, "Xếp loại")] == "Yếu" and hanoi[column_of(rows, "Band")] == "Weak"
    assert "Toàn quốc: 71.2/100 (Khá). Nation: 71.2/100 (Fair)." in PageHtml(page_html).captions


def test_page_is_offline_with_three_figures_and_bilingual_labels(page_html):
    assert get_plotlyjs()[:200] not in page_html  # the site's one copy, beside the page
    assert page_html.count('<script src="plotly.min.js"></script>') == 1
    assert page_html.count("Plotly.newPlot(") == 3  # provinces, groups, monthly trend
    assert not re.search(r"<(?:script|link)[^>]+(?:src|href)=[\"']?(?:https?:)?//", page_html)
    components = PageHtml(page_html).tables["components"]
    synced = row_of(components, "Đồng bộ lên Cổng quốc gia / Synced to the national portal")
    assert synced[column_of(components, "ĐiểmPoints")] == "13.5"
    unscored = row_of(components, "Phản ánh, kiến nghị / Complaints")
    assert unscored[column_of(components, "ĐiểmPoints")] == "—"


def test_communes_lowest_first_with_ranks_in_province(page_html):
    rows = PageHtml(page_html).tables["communes"]
    assert [r[column_of(rows, "Mã")] for r in rows[1:]] == ["00004", "00008", "06700"]
    assert rows[1][column_of(rows, "Hạng trong tỉnh")] == "2"


def test_missing_marts_render_a_note_not_an_error(tmp_path: Path):
    con = report_warehouse(tmp_path / "empty.duckdb", "marts.dim_admin_unit")
    html = service_index.render(con, tmp_path / "reports").read_text(encoding="utf-8")
    assert "Not built yet: marts.mart_service_index" in html


def test_the_slowest_stages_are_named_from_the_slow_stage_marts(tmp_path: Path):
    """Flagged province stages (not unit ones, not unflagged ones) and the slowest step of
    each procedure, with the procedure's name: rows of mart_slow_stages and
    mart_procedure_steps."""
    relations = (*TABLES, *service_index.SLOW_STAGE_SOURCES)
    with report_warehouse(tmp_path / "w.duckdb", *relations) as con:
        insert(
            con,
            "marts.dim_procedure",
            [{"procedure_code": "1.000001", "procedure_name": "Đăng ký khai sinh"}],
        )
        flag = dict(
            province_code="01",
            procedure_code="1.000001",
            step_name="Thẩm định hồ sơ",
            steps_completed=80,
            median_dwell_working_days=3.0,
            national_median_dwell_working_days=1.2,
            dwell_ratio=2.5,
        )
        insert(
            con,
            "marts.mart_slow_stages",
            [
                dict(flag, scope="province", area_code="01", is_slow_stage=True),
                dict(
                    flag,
                    scope="province",
                    area_code="22",
                    province_code="22",
                    dwell_ratio=1.1,
                    is_slow_stage=False,
                ),
                dict(flag, scope="unit", area_code="00004", dwell_ratio=4.0, is_slow_stage=True),
            ],
        )
        insert(
            con,
            "marts.mart_procedure_steps",
            [
                dict(
                    procedure_code="1.000001",
                    step_name="Thẩm định hồ sơ",
                    steps_completed=100,
                    median_dwell_working_days=1.2,
                    is_slowest_step=True,
                    overdue_dossiers=9,
                    overdue_over_usual_share=0.8,
                ),
                dict(
                    procedure_code="1.000001",
                    step_name="Trình ký",
                    steps_completed=100,
                    median_dwell_working_days=0.4,
                    is_slowest_step=False,
                    overdue_dossiers=9,
                ),
            ],
        )
        page = PageHtml(service_index.render(con, tmp_path / "r").read_text(encoding="utf-8"))
    flags = page.tables["slowest-stages"]
    assert len(flags) == 2  # header + the one flagged province stage
    row = flags[1]
    assert row[column_of(flags, "Thủ tục")] == "Đăng ký khai sinh"
    assert row[column_of(flags, "Bước")] == "Thẩm định hồ sơ"
    assert row[column_of(flags, "Gấp")] == "2.5"
    steps = page.tables["slowest-steps"]
    assert [r[column_of(steps, "Bước")] for r in steps[1:]] == ["Thẩm định hồ sơ"]


def test_without_the_slow_stage_marts_the_score_is_still_shown(page_html):
    assert "Not built yet: marts.mart_procedure_steps" in page_html
    assert "provinces" in PageHtml(page_html).tables
