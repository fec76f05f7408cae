"""Fast tests of the capacity/resources and assets pages on a tiny warehouse.

The marts are created with every column DEVELOPERS.md lists for them, so a renamed or dropped
column fails here; the expected numbers are re-derived from the inserted rows in Python.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from plotly.offline import get_plotlyjs
from report_html import PageHtml, column_of, figures_of, row_of
from warehouse_fixtures import (
    PROVINCES,
    ROLLUP_MODELS,
    SERVICE_TABLES,
    UNITS,
    build_rollups,
    columns,
    insert,
    province_of,
    report_warehouse,
)

from reports import PAGE_MODULES, capacity_resources, public_assets, render_site
from reports.shell import PLOTLY_JS_NAME

MART_TABLES = (
    "marts.mart_unit_capacity_monthly",
    "marts.mart_unit_resources",
    "marts.mart_province_assets",
    "marts.mart_budget_execution",
    "marts.fct_staffing_monthly",
    "marts.fct_assets",
    "marts.mart_unit_service_before_after",  # the before/after change roll-up's source
)
# render_site renders the service page too (empty here)
RELATIONS = (*SERVICE_TABLES, "marts.dim_specialisation", *MART_TABLES)
UNIT_NAMES = {u[0]: u[1] for u in UNITS}
REQUIRED = {
    "justice_civil_status": "Tư pháp - Hộ tịch",
    "land": "Địa chính",
    "finance_accounting": "Tài chính - Kế toán",
    "construction": "Xây dựng - Đô thị",
    "it_digital": "Công nghệ thông tin - Chuyển đổi số",
    "culture_social": "Văn hóa - Xã hội",
}
ALL_SIX = tuple(REQUIRED)


def _type_of(unit_code: str) -> str:
    return next(u[3] for u in UNITS if u[0] == unit_code)


# Hà Nội has rosters for July and August; Quảng Ninh only for July, so its latest is July.
# unit, month, population, headcount, norm, required specialisations held (headcount > 0),
# handling staff, dossiers finished, benefits due / paid since the reform (million VND),
# settled leavers, delay months summed.
CAPACITY = [
    ("00004", "2025-07-01", 50000, 30, 35, ALL_SIX, 10, 400, 100, 40, 1, 2),
    ("00004", "2025-08-01", 50000, 28, 35, ALL_SIX[:4] + ALL_SIX[5:], 8, 360, 200, 150, 2, 5),
    ("00008", "2025-07-01", 15000, 20, 26, ALL_SIX[:4], 5, 100, 0, 0, 0, 0),
    ("00008", "2025-08-01", 15000, 27, 26, ALL_SIX, 6, 90, 50, 50, 1, 1),
    ("06700", "2025-07-01", 4000, 12, 15, ALL_SIX[:3], 4, 20, 80, 20, 1, 4),
    ("06800", "2025-07-01", 60000, 30, 35, ALL_SIX, 12, 600, 0, 0, 0, 0),
]
# Exits by month (fct_staffing_monthly): unit, month, reason, leavers.
EXITS = [
    ("00004", "2025-06-01", "retirement", 1),  # before the reform: charted, not counted since
    ("00004", "2025-07-01", "early_retirement", 2),
    ("06700", "2025-07-01", "resignation", 1),
    ("00008", "2025-08-01", "early_retirement", 1),
    ("00008", "2025-08-01", "transfer", 1),
]
REASONS = ("early_retirement", "resignation", "retirement", "transfer", "dismissal")

# unit, devolved dossiers, devolved per 10k, resource score, treasury account opened on.
# Ranks follow the mart (1 = most devolved work per resident, 1 = highest score); the flag
# rule is the mart's scaled to four units: top three by workload and a rank gap >= 1.
RESOURCES = [
    ("00004", 900, 180.0, 0.21, "2025-07-10"),
    ("00008", 300, 200.0, 0.55, "2025-08-05"),
    ("06700", 100, 250.0, 0.30, "2025-07-20"),
    ("06800", 600, 100.0, 0.90, None),
]


def _ranks() -> dict[str, tuple[int, int, int, bool, bool]]:
    """unit -> workload rank, resource rank, gap, top workload, flagged."""
    by_workload = sorted(RESOURCES, key=lambda r: -r[2])
    by_score = sorted(RESOURCES, key=lambda r: -r[3])
    ranks = {}
    for r in RESOURCES:
        workload, resource = by_workload.index(r) + 1, by_score.index(r) + 1
        top = workload <= 3
        ranks[r[0]] = (workload, resource, resource - workload, top, top and resource > workload)
    return ranks


RANKS = _ranks()
FLAGGED = sorted((u for u in RANKS if RANKS[u][4]), key=lambda u: -RANKS[u][2])

# province, fiscal year, level, flow, category, allocated, disbursed (million VND).
BUDGET = [
    ("01", 2025, "commune", "expenditure", "recurrent_operations", 1000, 600),
    ("22", 2025, "commune", "expenditure", "recurrent_operations", 3000, 2400),
    ("01", 2025, "commune", "expenditure", "digital_transformation", 500, 100),
    ("22", 2025, "commune", "expenditure", "digital_transformation", 100, 50),
    ("01", 2025, "province", "expenditure", "recurrent_operations", 2000, 1000),
    ("01", 2025, "commune", "revenue", "devolved_revenue", 800, 700),
    ("01", 2024, "commune", "expenditure", "recurrent_operations", 999, 1),  # older year
]

# province, month, snapshot date, offices, waiting, repurposing, repurposed, disposed,
# surplus land m2, repurposed to priority uses, archive records, digitised.
ASSET_MONTHS = [
    ("01", "2025-07-01", "2025-07-31", 40, 6, 2, 2, 0, 5000.0, 1, 1000, 200),
    ("01", "2025-08-01", "2025-08-31", 40, 4, 3, 4, 1, 8000.0, 3, 1000, 400),
    ("22", "2025-07-01", "2025-07-30", 20, 5, 1, 2, 0, 12000.0, 1, 500, 50),
]
# Asset rows of the snapshots: province, snapshot, type, status, repurposed_to, days to decision.
ASSET_ROWS = [
    ("01", "2025-07-31", "office_building", "repurposed", "education", 1),  # older snapshot
    ("01", "2025-08-31", "office_building", "repurposed", "education", 10),
    ("01", "2025-08-31", "land", "repurposed", "healthcare", 40),
    ("01", "2025-08-31", "office_building", "repurposed", "education", 45),
    ("01", "2025-08-31", "office_building", "repurposed", "other", 50),
    ("01", "2025-08-31", "land", "disposed", None, 90),
    ("01", "2025-08-31", "office_building", "surplus", None, None),
    ("01", "2025-08-31", "vehicle", "repurposed", "education", 5),  # not an office
    ("22", "2025-07-30", "office_building", "repurposed", "culture", 60),
    ("22", "2025-07-30", "land", "repurposed", "other", 70),
]


def _median(values: list[float]) -> float:
    ordered, n = sorted(values), len(values)
    return (ordered[n // 2] + ordered[(n - 1) // 2]) / 2


def _decision_days(province: str, snapshot: str) -> list[int]:
    return [
        r[5]
        for r in ASSET_ROWS
        if r[0] == province and r[1] == snapshot and r[2] != "vehicle" and r[5] is not None
    ]


def _capacity_frame() -> pd.DataFrame:
    records = []
    for (
        unit,
        month,
        pop,
        head,
        norm,
        held,
        handling,
        finished,
        due,
        paid,
        settled,
        delay,
    ) in CAPACITY:
        leavers = {
            reason: sum(n for u, m, r, n in EXITS if u == unit and m == month and r == reason)
            for reason in REASONS
        }
        records.append(
            dict(
                unit_code=unit,
                province_code=province_of(unit),
                unit_type=_type_of(unit),
                month_start=date.fromisoformat(month),
                population=pop,
                headcount=head,
                staff_per_10k_residents=head * 10000 / pop,
                staff_norm=norm,
                staff_norm_gap=head - norm,
                specialisations_required=6,
                specialisations_filled=len(held),
                specialist_coverage=len(held) / 6,
                handling_staff=handling,
                dossiers_finished=finished,
                workload_per_handling_staff=finished / handling,
                leavers_total=sum(leavers.values()),
                **{f"leavers_{reason}": n for reason, n in leavers.items()},
                benefits_due_since_reform_vnd=due * 1_000_000,
                benefits_paid_since_reform_vnd=paid * 1_000_000,
                benefit_payment_ratio=paid / due if due else None,
                benefit_settled_leavers=settled,
                benefit_delay_months_sum=float(delay),
                benefit_delay_months_avg=delay / settled if settled else None,
            )
        )
    return pd.DataFrame.from_records(records)


def _staffing_frame() -> pd.DataFrame:
    records = []
    for unit, month, *_rest in CAPACITY:
        held = _rest[3]
        for specialisation in held:
            records.append(
                dict(
                    unit_code=unit,
                    month_start=month,
                    position="civil_servant",
                    specialisation=specialisation,
                    headcount=1,
                    active_staff=1,
                )
            )
        if unit == "00004" and month == "2025-08-01":
            # The IT specialist is on leave: counted in headcount, but the post is not filled.
            records.append(
                dict(
                    unit_code=unit,
                    month_start=month,
                    position="civil_servant",
                    specialisation="it_digital",
                    headcount=1,
                    active_staff=0,
                )
            )
    for unit, month, reason, n in EXITS:
        records.append(
            dict(
                unit_code=unit,
                month_start=month,
                position="cadre",
                specialisation=None,
                headcount=0,
                active_staff=0,
                leavers_total=n,
                **{f"leavers_{reason}": n},
            )
        )
    frame = pd.DataFrame.from_records(records)
    for reason in REASONS:
        column = f"leavers_{reason}"
        frame[column] = frame[column].fillna(0) if column in frame else 0
    return frame.assign(
        leavers_total=frame["leavers_total"].fillna(0),
        province_code=frame["unit_code"].map(province_of),
        month_start=pd.to_datetime(frame["month_start"]),
    )


def _resources_frame() -> pd.DataFrame:
    records = []
    for unit, devolved, per_10k, score, opened in RESOURCES:
        w_rank, r_rank, gap, top, flag = RANKS[unit]
        records.append(
            dict(
                unit_code=unit,
                province_code=province_of(unit),
                unit_type=_type_of(unit),
                population=int(devolved * 10000 / per_10k),
                devolved_dossiers=devolved,
                devolved_dossiers_per_10k_residents=per_10k,
                headcount=20,
                staff_per_10k_residents=20 * 10000 / (devolved * 10000 / per_10k),
                allocated_vnd_per_resident=900_000_000 / (devolved * 10000 / per_10k),
                staff_per_1000_devolved_dossiers=20 * 1000 / devolved,
                expenditure_allocated_vnd=900_000_000,
                allocated_vnd_per_devolved_dossier=900_000_000 / devolved,
                budget_execution_rate=0.5,
                workload_rank=w_rank,
                is_top_workload_quartile=top,
                resource_score=score,
                resource_rank=r_rank,
                resource_gap=gap,
                resource_gap_flag=flag,
                treasury_account_opened_on=date.fromisoformat(opened) if opened else None,
            )
        )
    return pd.DataFrame.from_records(records)


def _budget_frame() -> pd.DataFrame:
    frame = pd.DataFrame(
        BUDGET,
        columns=[
            "province_code",
            "fiscal_year",
            "level",
            "flow",
            "category",
            "allocated",
            "disbursed",
        ],
    )
    return frame.assign(
        units_reporting=2,
        allocated_vnd=frame["allocated"] * 1_000_000,
        disbursed_vnd=frame["disbursed"] * 1_000_000,
        execution_rate=frame["disbursed"] / frame["allocated"],
    ).drop(columns=["allocated", "disbursed"])


def _province_assets_frame() -> pd.DataFrame:
    records = []
    for (
        province,
        month,
        snapshot,
        offices,
        waiting,
        repurposing,
        repurposed,
        disposed,
        land,
        priority,
        archive,
        digitised,
    ) in ASSET_MONTHS:
        surplus = waiting + repurposing + repurposed + disposed
        days = _decision_days(province, snapshot)
        records.append(
            dict(
                province_code=province,
                month_start=date.fromisoformat(month),
                snapshot_date=date.fromisoformat(snapshot),
                offices_total=offices,
                surplus_offices=surplus,
                waiting=waiting,
                repurposing=repurposing,
                repurposed=repurposed,
                disposed=disposed,
                surplus_land_area_m2=land,
                repurposed_priority=priority,
                repurposed_share=repurposed / surplus,
                priority_share=priority / repurposed,
                decisions_timed=len(days),
                median_days_to_decision=_median(days) if days else None,
                archive_records=archive,
                archive_records_digitised=digitised,
                archive_digitised_share=digitised / archive,
            )
        )
    return pd.DataFrame.from_records(records)


def _assets_frame() -> pd.DataFrame:
    records = []
    for i, (province, snapshot, asset_type, status, use, days) in enumerate(ASSET_ROWS):
        records.append(
            dict(
                asset_code=f"A{i}",
                snapshot_date=date.fromisoformat(snapshot),
                province_code=province,
                asset_type=asset_type,
                is_office=asset_type in ("office_building", "land"),
                status=status,
                repurposed_to=use,
                days_to_decision=days,
            )
        )
    return pd.DataFrame.from_records(records)


def _warehouse(path: Path, with_marts: bool = True) -> duckdb.DuckDBPyConnection:
    con = report_warehouse(path, *RELATIONS)
    specialisations = pd.DataFrame(
        {
            "specialisation": list(REQUIRED) + ["security"],
            "specialisation_name_vi": list(REQUIRED.values()) + ["An ninh"],
            "is_required": [True] * 6 + [False],
        }
    )
    insert(con, "marts.dim_specialisation", specialisations)
    if with_marts:
        for table, frame in (
            ("marts.mart_unit_capacity_monthly", _capacity_frame()),
            ("marts.fct_staffing_monthly", _staffing_frame()),
            ("marts.mart_unit_resources", _resources_frame()),
            ("marts.mart_budget_execution", _budget_frame()),
            ("marts.mart_province_assets", _province_assets_frame()),
            ("marts.fct_assets", _assets_frame()),
        ):
            insert(con, table, frame)
    build_rollups(con)
    return con


@pytest.fixture
def site(tmp_path: Path) -> dict[str, str]:
    con = _warehouse(tmp_path / "tiny.duckdb")
    try:
        paths = render_site(con, tmp_path / "reports")
    finally:
        con.close()
    return {p.name: p.read_text(encoding="utf-8") for p in paths}


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%"


PLOTLY_JS = get_plotlyjs()


def _assert_offline(html: str) -> None:
    parsed = PageHtml(html)
    # scripts are inline or the site's own plotly.js, by relative path; nothing names a URL
    assert [s["src"] for s in parsed.scripts if "src" in s] in ([], [PLOTLY_JS_NAME])
    assert not parsed.links
    assert PLOTLY_JS[:200] not in html
    assert not re.search(r"https?://|https?:\\u002f\\u002f|//cdn", html)


@pytest.mark.parametrize(("page", "figures"), [("capacity_resources", 11), ("public_assets", 5)])
def test_pages_render_offline_with_plotly_once(site, page, figures):
    html = site[f"{page}.html"]
    assert html.count(f'<script src="{PLOTLY_JS_NAME}"></script>') == 1
    assert html.count("Plotly.newPlot(") == figures
    assert "Chưa có dữ liệu" not in html  # every section has data
    _assert_offline(html)


def test_staffing_uses_each_provinces_latest_month_pooled(site):
    rows = PageHtml(site["capacity_resources.html"]).tables["staffing"]
    per_10k, ratio = (
        column_of(rows, "Người làm việc trên 10.000 dân"),
        column_of(rows, "Biên chế ÷ định mức"),
    )
    latest = {"01": "2025-08-01", "22": "2025-07-01"}
    for code, name in PROVINCES.items():
        picked = [r for r in CAPACITY if province_of(r[0]) == code and r[1] == latest[code]]
        head, pop, norm = (sum(r[i] for r in picked) for i in (3, 2, 4))
        row = row_of(rows, name)
        assert row[per_10k] == f"{head * 10000 / pop:.1f}"
        assert row[ratio] == _pct(head / norm)
    # Hà Nội, August: 55 staff for 65,000 residents = 8.5 (July alone would give 7.7).
    assert row_of(rows, "Thành phố Hà Nội")[per_10k] == "8.5"
    assert row_of(rows, "Thành phố Hà Nội")[column_of(rows, "Tháng")] == "08/2025"


def test_specialist_coverage_and_benefits_by_province(site):
    parsed = PageHtml(site["capacity_resources.html"])
    coverage = parsed.tables["specialist-coverage"]
    # Hà Nội August: Ba Đình lost its IT specialist (1 of 2 units); Quảng Ninh: Vân Đồn.
    assert row_of(coverage, "Thành phố Hà Nội")[column_of(coverage, "Tỷ lệ chưa đủ")] == "50.0%"
    assert row_of(coverage, "Tỉnh Quảng Ninh")[column_of(coverage, "Độ phủ")] == _pct(9 / 12)
    # IT posts: Ba Đình's specialist is on leave, Vân Đồn has none: 2 of the 4 units (bar
    # label in the figure JSON, where plotly writes "/" as \u002f).
    assert "50.0% (2 \\u002f 4)" in site["capacity_resources.html"]
    benefits = parsed.tables["benefits"]
    ratio, delay = column_of(benefits, "Đã chi ÷ phải chi"), column_of(benefits, "Chậm TB")
    assert row_of(benefits, "Thành phố Hà Nội")[ratio] == _pct((150 + 50) / (200 + 50))
    assert row_of(benefits, "Thành phố Hà Nội")[delay] == f"{(5 + 1) / (2 + 1):.1f}"
    assert row_of(benefits, "Tỉnh Quảng Ninh")[ratio] == _pct(20 / 80)


def test_exits_since_the_reform_by_reason(site):
    rows = PageHtml(site["capacity_resources.html"]).tables["exits-by-reason"]
    since = [e for e in EXITS if e[1] >= "2025-07-01"]
    early = sum(n for *_r, reason, n in since if reason == "early_retirement")
    total = sum(n for *_r, n in since)
    row = row_of(rows, "Nghỉ hưu trước tuổi / Early retirement")
    assert row[1:] == [str(early), _pct(early / total)]
    assert row_of(rows, "Nghỉ hưu / Retirement")[1] == "0"  # June's retirement is before


def test_resource_gap_units_are_listed_and_labelled(site):
    html = site["capacity_resources.html"]
    rows = PageHtml(html).tables["resource-gap-units"]
    code = column_of(rows, "Mã")
    assert FLAGGED == ["06700", "00004"]
    assert [r[code] for r in rows[1:]] == FLAGGED  # largest rank gap first
    ba_dinh = next(r for r in rows[1:] if r[code] == "00004")
    assert ba_dinh[column_of(rows, "Đơn vị")] == "Phường Ba Đình"
    assert ba_dinh[column_of(rows, "Tỉnh")] == "Thành phố Hà Nội"
    assert ba_dinh[column_of(rows, "Hồ sơ phân cấp trên")] == "180.0"
    assert ba_dinh[column_of(rows, "Chênh lệch hạng")] == str(RANKS["00004"][2])
    assert ba_dinh[column_of(rows, "Điểm nguồn lực")] == "0.21"
    # Both numbered on the scatter in the table's order, named with their province on hover.
    gap_trace = next(
        t for f in figures_of(html) for t in f["data"] if t.get("name", "").startswith("Thiếu")
    )
    assert gap_trace["text"] == ["1", "2"]
    names = [f"{UNIT_NAMES[u]} ({PROVINCES[province_of(u)]})" for u in FLAGGED]
    assert gap_trace["hovertext"] == names
    assert "Màu đỏ: 2 đơn vị" in " ".join(PageHtml(html).captions)


def test_budget_execution_is_pooled_over_provinces(site):
    parsed = PageHtml(site["capacity_resources.html"])
    rows = parsed.tables["budget-execution"]
    rate, category = column_of(rows, "Tỷ lệ thực hiện"), column_of(rows, "Nội dung")
    level = column_of(rows, "Cấp")
    recurrent = next(
        r
        for r in rows[1:]
        if r[category].startswith("Chi thường xuyên") and r[level].startswith("Cấp xã")
    )
    spent = [
        b for b in BUDGET if b[1] == 2025 and b[2] == "commune" and b[4] == "recurrent_operations"
    ]
    assert recurrent[rate] == _pct(sum(b[6] for b in spent) / sum(b[5] for b in spent))
    assert recurrent[rate] == "75.0%"  # the mean of the two provinces' rates would be 70.0%
    assert all(r[column_of(rows, "Năm")] == "2025" for r in rows[1:])
    digital = [b for b in BUDGET if b[1] == 2025 and b[3] == "expenditure"]
    share = sum(b[5] for b in digital if b[4] == "digital_transformation") / sum(
        b[5] for b in digital
    )
    assert any(f"national {_pct(share)}" in c for c in parsed.captions)
    opened = sum(1 for r in RESOURCES if r[4])
    assert any(f"{opened:,} of {len(RESOURCES):,}" in c for c in parsed.captions)


def test_assets_province_table_and_national_pooling(site):
    parsed = PageHtml(site["public_assets.html"])
    rows = parsed.tables["assets-provinces"]
    share = column_of(rows, "Tỷ lệ đã sử dụng lại")
    latest = {"01": ASSET_MONTHS[1], "22": ASSET_MONTHS[2]}
    for code, name in PROVINCES.items():
        _p, _m, snapshot, _o, waiting, repurposing, repurposed, disposed, *_ = latest[code]
        row = row_of(rows, name)
        assert row[share] == _pct(repurposed / (waiting + repurposing + repurposed + disposed))
        assert row[column_of(rows, "Ngày kiểm kê")] == snapshot
    assert row_of(rows, "Thành phố Hà Nội")[share] == "33.3%"  # August, not July's 20.0%
    national = parsed.tables["assets-national"]
    row = national[1]
    repurposed = sum(m[6] for m in latest.values())
    surplus = sum(sum(m[4:8]) for m in latest.values())
    assert row[column_of(national, "Tỷ lệ đã sử dụng lại")] == _pct(repurposed / surplus)
    archive = sum(m[10] for m in latest.values())
    digitised = sum(m[11] for m in latest.values())
    assert row[column_of(national, "Tỷ lệ số hóa")] == _pct(digitised / archive)
    days = _decision_days("01", "2025-08-31") + _decision_days("22", "2025-07-30")
    assert row[column_of(national, "Ngày đến quyết định")] == f"{_median(days):.1f}"
    assert _median(days) == 50  # not the mean of the province medians (55)


def test_empty_marts_render_a_no_data_note(tmp_path: Path):
    con = _warehouse(tmp_path / "empty.duckdb", with_marts=False)
    # Dossiers but no roster or budget yet: every unit has a row, none can be ranked.
    unranked = _resources_frame().assign(
        headcount=None,
        resource_score=None,
        workload_rank=None,
        resource_rank=None,
        resource_gap=None,
        resource_gap_flag=False,
        treasury_account_opened_on=None,
    )
    insert(con, "marts.mart_unit_resources", unranked)
    build_rollups(con)
    try:
        paths = {p.name: p.read_text(encoding="utf-8") for p in render_site(con, tmp_path / "r")}
    finally:
        con.close()
    for page in ("capacity_resources.html", "public_assets.html"):
        html = paths[page]
        assert "Chưa có dữ liệu" in html and "No data yet" in html
        assert PLOTLY_JS[:200] not in html  # no figure, no plotly.js
        _assert_offline(html)


def test_missing_mart_tables_are_named_not_a_crash(tmp_path: Path):
    con = duckdb.connect(str(tmp_path / "bare.duckdb"))
    con.execute("create schema marts")
    try:
        for module in (capacity_resources, public_assets):
            html = module.render(con, tmp_path / "r").read_text(encoding="utf-8")
            assert "No data yet" in html and module.SOURCES[0] in html
    finally:
        con.close()


def test_index_links_the_new_pages(site):
    anchors = PageHtml(site["index.html"]).anchors
    for module in (capacity_resources, public_assets):
        assert module in PAGE_MODULES
        assert f"{module.SLUG}.html" in anchors
        assert {"SLUG", "TITLE_VI", "TITLE_EN", "DESCRIPTION", "SOURCES"} <= set(dir(module))
        assert all(s.startswith("marts.") for s in module.SOURCES)


@pytest.mark.parametrize("model", ROLLUP_MODELS)
def test_rollup_marts_build_the_columns_and_types_their_yaml_declares(tmp_path: Path, model):
    """The roll-ups are built here by their compiled SQL: what they produce is what their YAML
    (and so the manifest and every test warehouse) declares, name, order and data_type."""
    con = _warehouse(tmp_path / "contract.duckdb", with_marts=False)
    try:
        built = [(r[0], r[1].lower()) for r in con.execute(f"describe marts.{model}").fetchall()]
    finally:
        con.close()
    assert built == columns(f"marts.{model}")
