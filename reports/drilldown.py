"""Drill-down pages: the nation → 34 province pages → a commune explorer for the 3,321 units.

`provinces.html` lists the provinces with their headline figures, each linking to its page;
`province-<code>.html` shows one province's headline figures, its communes (each score links to
the explorer), its slow stages and its past-due backlog; `commune.html#<unit_code>` is one
page for every commune-level unit, fed by one data script per province beside it
(`data/communes-<province>.js`, loaded with a <script> tag so the folder opens from file://
without a server). A unit's score links to its six groups, each group to its ratios with
numerator and denominator, and the ratios of progress to the unit's overdue dossiers
(mart_unit_overdue_dossiers) and its slowest steps (mart_slow_stages); the unit's summary
also carries its resources (mart_unit_resources) and its surplus offices and archives
(mart_unit_assets). Every number is a mart column: this module selects rows and arranges them.
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from reports.queries import frame
from reports.service_index import COMPONENT_LABELS, GROUP_LABELS
from reports.shell import (
    COLUMN_LABELS,
    DATA_DIR_NAME,
    HTML,
    INT,
    NUM1,
    PCT,
    UNIT_TYPES,
    Page,
    data_is_simulated,
    document,
    esc,
    labelled,
)

SLUG = "provinces"
TITLE_VI = "Các tỉnh và xã/phường"
TITLE_EN = "Provinces and communes"
DESCRIPTION = (
    "Trang của từng tỉnh và tra cứu từng xã/phường: điểm → nhóm → tỷ lệ (tử số/mẫu số) → hồ sơ "
    "quá hạn, bước chậm nhất / A page per province and an explorer for each commune: score → "
    "groups → ratios (numerator/denominator) → overdue dossiers and slowest steps."
)
INDEX = "marts.mart_service_index"
GROUPS = "marts.mart_service_index_groups"
COMPONENTS = "marts.mart_service_index_components"
PERIODS = "marts.mart_service_periods"
CAPACITY = "marts.mart_capacity_latest"
ASSETS = "marts.mart_assets_latest"
UNIT_ASSETS = "marts.mart_unit_assets"
BACKLOG = "marts.mart_backlog_ageing"
RESOURCES = "marts.mart_unit_resources"
SLOW = "marts.mart_slow_stages"
OVERDUE = "marts.mart_unit_overdue_dossiers"
BEFORE_AFTER = "marts.mart_unit_service_before_after"
SOURCES = (
    INDEX,
    GROUPS,
    COMPONENTS,
    PERIODS,
    CAPACITY,
    ASSETS,
    UNIT_ASSETS,
    BACKLOG,
    RESOURCES,
    SLOW,
    OVERDUE,
    BEFORE_AFTER,
    "marts.dim_admin_unit",
    "marts.dim_procedure",
)
EXPLORER = "commune"
OVERDUE_LISTED = 20  # per unit and status: the longest past due (the mart's rank_in_unit)
SLOW_LISTED = 10  # per unit: its slowest steps against the nation, slow stages first
FLOAT_DECIMALS = 4  # in the explorer's data files

# One row per area (provinces and the nation): headline figures from each topic's mart.
AREAS_SQL = f"""
with areas as (
    select 'province' as scope, province_code as area_code, province_name as area_name
    from marts.dim_admin_unit
    where unit_level = 'province'
    union all
    select 'nation', 'VN', 'Toàn quốc / Nation'
)
select
    a.scope,
    a.area_code,
    a.area_name,
    i.score,
    i.band_name_vi,
    i.band_name_en,
    i.rank_in_nation,
    s.dossiers_received,
    s.on_time_rate,
    s.overdue_rate,
    b.past_due_dossiers,
    c.staff_per_10k_residents,
    c.specialist_coverage,
    c.units_below_norm,
    t.surplus_offices,
    t.repurposed_share
from areas as a
left join {INDEX} as i
    on i.scope = a.scope and i.area_code = a.area_code and i.period = 'whole'
left join {PERIODS} as s
    on s.scope = a.scope and s.area_code = a.area_code and s.period = 'whole'
left join {BACKLOG} as b
    on b.scope = a.scope and b.area_code = a.area_code and b.is_latest_month
left join {CAPACITY} as c
    on c.scope = a.scope and c.area_code = a.area_code
left join {ASSETS} as t
    on t.scope = a.scope and t.area_code = a.area_code
order by a.scope desc, i.rank_in_nation nulls last, a.area_name
"""

# One row per commune-level unit, every unit whether or not it has activity.
UNITS_SQL = f"""
select
    u.province_code,
    u.province_name,
    u.unit_code,
    u.unit_name,
    u.unit_type,
    u.population,
    i.score,
    i.band_name_vi,
    i.band_name_en,
    i.rank_in_province,
    i.ranked_in_province,
    i.rank_in_nation,
    i.ranked_in_nation,
    i.total_points,
    i.points_available,
    s.dossiers_received,
    s.on_time_numerator,
    s.on_time_denominator,
    s.on_time_rate,
    s.overdue_numerator,
    s.overdue_rate,
    s.online_share,
    b.open_dossiers,
    b.past_due_dossiers,
    b.past_due_1_5_days,
    b.past_due_6_10_days,
    b.past_due_11_20_days,
    b.past_due_over_20_days,
    r.headcount,
    r.staff_per_10k_residents,
    r.devolved_dossiers,
    r.devolved_dossiers_per_10k_residents,
    r.expenditure_allocated_vnd,
    r.budget_execution_rate,
    r.digital_transformation_share,
    r.resource_gap_flag,
    before.on_time_rate as on_time_rate_before,
    after.on_time_rate as on_time_rate_after,
    before.old_units_absorbed,
    t.snapshot_date as assets_snapshot_date,
    t.offices_total,
    t.surplus_offices,
    t.waiting,
    t.repurposing,
    t.repurposed,
    t.disposed,
    t.repurposed_share,
    t.archive_records,
    t.archive_records_digitised,
    t.archive_digitised_share
from marts.dim_admin_unit as u
left join {INDEX} as i
    on i.scope = 'unit' and i.area_code = u.unit_code and i.period = 'whole'
left join {PERIODS} as s
    on s.scope = 'unit' and s.area_code = u.unit_code and s.period = 'whole'
left join {BACKLOG} as b
    on b.scope = 'unit' and b.area_code = u.unit_code and b.is_latest_month
left join {RESOURCES} as r
    on r.unit_code = u.unit_code
left join {BEFORE_AFTER} as before
    on before.unit_code = u.unit_code and before.period = 'before'
left join {BEFORE_AFTER} as after
    on after.unit_code = u.unit_code and after.period = 'after'
left join {UNIT_ASSETS} as t
    on t.unit_code = u.unit_code
where u.unit_level = 'commune'
order by u.province_code, i.rank_in_province nulls last, u.unit_name, u.unit_code
"""

UNIT_GROUPS_SQL = f"""
select area_code as unit_code, group_code, group_points, points_available, max_points
from {GROUPS}
where scope = 'unit' and period = 'whole'
order by area_code, group_code
"""

UNIT_COMPONENTS_SQL = f"""
select
    area_code as unit_code, group_code, component_code, numerator, denominator, ratio,
    is_scored, points, max_points, full_points_at, direction
from {COMPONENTS}
where scope = 'unit' and period = 'whole'
order by area_code, group_code, component_code
"""

OVERDUE_SQL = f"""
select
    o.unit_code,
    o.overdue_status,
    o.dossier_code,
    o.procedure_code,
    o.received_at,
    o.promised_at,
    o.overdue_at,
    o.working_days_past_due,
    o.supplement_requests
from {OVERDUE} as o
where o.rank_in_unit <= {OVERDUE_LISTED}
order by o.unit_code, o.overdue_status desc, o.rank_in_unit
"""

UNIT_SLOW_SQL = f"""
select
    s.area_code as unit_code,
    s.procedure_code,
    s.step_name,
    s.steps_completed,
    s.median_dwell_working_days,
    s.national_median_dwell_working_days,
    s.dwell_ratio,
    s.is_slow_stage
from {SLOW} as s
where s.scope = 'unit' and s.dwell_ratio is not null
order by s.area_code, s.is_slow_stage desc, s.dwell_ratio desc, s.procedure_code, s.step_name
"""

# The explorer's files name each procedure once (its rows carry the code).
PROCEDURE_NAMES_SQL = """
select procedure_code, procedure_name
from marts.dim_procedure
order by procedure_code
"""

PROVINCE_SLOW_SQL = f"""
select
    s.province_code,
    s.procedure_code,
    p.procedure_name,
    s.step_name,
    s.steps_completed,
    s.median_dwell_working_days,
    s.national_median_dwell_working_days,
    s.dwell_ratio
from {SLOW} as s
left join marts.dim_procedure as p using (procedure_code)
where s.scope = 'province' and s.is_slow_stage
order by s.province_code, s.dwell_ratio desc, s.procedure_code, s.step_name
"""

LABELS = COLUMN_LABELS | {
    "area_name": "Tỉnh / Province",
    "score": "Điểm (/100) / Score (/100)",
    "band": "Xếp loại / Band",
    "rank_in_nation": "Hạng / Rank",
    "rank_in_province": "Hạng trong tỉnh / Rank in province",
    "on_time_rate": "Tỷ lệ đúng hạn / On-time rate",
    "overdue_rate": "Tỷ lệ quá hạn / Overdue rate",
    "online_share": "Tỷ lệ trực tuyến / Online share",
    "past_due_dossiers": "Đang quá hạn (cuối kỳ) / Open past due (latest)",
    "staff_per_10k_residents": "Cán bộ / 10.000 dân / Staff per 10,000",
    "specialist_coverage": "Đủ chuyên môn / Specialist coverage",
    "units_below_norm": "Xã dưới định mức / Units below norm",
    "surplus_offices": "Trụ sở dôi dư / Surplus offices",
    "repurposed_share": "Đã chuyển đổi / Repurposed share",
    "headcount": "Cán bộ / Staff",
    "resource_gap_flag": "Thiếu nguồn lực / Resource gap",
    "procedure_name": "Thủ tục / Procedure",
    "step_name": "Bước / Step",
    "steps_completed": "Số lượt / Steps",
    "median_dwell_working_days": "Trung vị (ngày làm việc) / Median working days",
    "national_median_dwell_working_days": "Cả nước / National median",
    "dwell_ratio": "Gấp / Times national",
}
AREA_FORMATS = {
    LABELS["score"]: NUM1,
    LABELS["on_time_rate"]: PCT,
    LABELS["overdue_rate"]: PCT,
    LABELS["specialist_coverage"]: PCT,
    LABELS["repurposed_share"]: PCT,
    LABELS["staff_per_10k_residents"]: NUM1,
}


def province_href(code: object) -> str:
    return f"province-{code}.html"


def commune_href(code: object) -> str:
    return f"{EXPLORER}.html#{code}"


def _link(href: str, text: object) -> str:
    return f'<a href="{esc(href)}">{esc(text)}</a>'


def _band(row: pd.Series) -> object:
    if pd.isna(row["band_name_vi"]):
        return None
    return f"{row['band_name_vi']} / {row['band_name_en']}"


def area_table(areas: pd.DataFrame, link_names: bool) -> tuple[pd.DataFrame, dict[str, str]]:
    """The headline table of provinces (and the nation): names link to the province pages."""
    shown = areas.assign(band=areas.apply(_band, axis=1))
    if link_names:  # the name and the score lead to the province's page and its communes
        provinces = list(zip(shown["scope"], shown["area_code"], strict=True))
        shown["area_name"] = [
            _link(province_href(c), n) if s == "province" else esc(n)
            for (s, c), n in zip(provinces, shown["area_name"], strict=True)
        ]
        shown["score"] = [
            None
            if pd.isna(v)
            else (
                _link(province_href(c) + "#communes", f"{v:.1f}") if s == "province" else f"{v:.1f}"
            )
            for (s, c), v in zip(provinces, shown["score"], strict=True)
        ]
    columns = [
        "area_name",
        "score",
        "band",
        "rank_in_nation",
        "dossiers_received",
        "on_time_rate",
        "overdue_rate",
        "past_due_dossiers",
        "staff_per_10k_residents",
        "specialist_coverage",
        "units_below_norm",
        "surplus_offices",
        "repurposed_share",
    ]
    formats = AREA_FORMATS | (
        {LABELS["area_name"]: HTML, LABELS["score"]: HTML} if link_names else {}
    )
    return shown[columns].rename(columns=LABELS), formats


def commune_table(units: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str], pd.DataFrame]:
    """A province's communes, best first; the name, the score and the past-due count link to
    the explorer (its unit, groups and overdue dossiers). Also the CSV's rows (raw values)."""
    shown = units.assign(
        unit_type=labelled(units["unit_type"], UNIT_TYPES),
        band=units.apply(_band, axis=1),
        unit_name=[
            _link(commune_href(c), n)
            for c, n in zip(units["unit_code"], units["unit_name"], strict=True)
        ],
        score=[
            None if pd.isna(s) else _link(commune_href(c) + "/groups", f"{s:.1f}")
            for c, s in zip(units["unit_code"], units["score"], strict=True)
        ],
        past_due_dossiers=[
            None if pd.isna(n) else _link(commune_href(c) + "/overdue", f"{int(n):,}")
            for c, n in zip(units["unit_code"], units["past_due_dossiers"], strict=True)
        ],
    )
    columns = [
        "rank_in_province",
        "unit_code",
        "unit_name",
        "unit_type",
        "score",
        "band",
        "dossiers_received",
        "on_time_rate",
        "overdue_rate",
        "past_due_dossiers",
        "headcount",
        "staff_per_10k_residents",
        "resource_gap_flag",
    ]
    formats = {
        LABELS["unit_name"]: HTML,
        LABELS["score"]: HTML,
        LABELS["past_due_dossiers"]: HTML,
        LABELS["on_time_rate"]: PCT,
        LABELS["overdue_rate"]: PCT,
        LABELS["staff_per_10k_residents"]: NUM1,
        LABELS["rank_in_province"]: INT,
    }
    data = units[[c for c in columns if c != "band"] + ["band_name_vi", "band_name_en"]]
    return shown[columns].rename(columns=LABELS), formats, data


def slow_table(slow: pd.DataFrame) -> pd.DataFrame:
    columns = [
        "procedure_name",
        "step_name",
        "steps_completed",
        "median_dwell_working_days",
        "national_median_dwell_working_days",
        "dwell_ratio",
    ]
    return slow[columns].rename(columns=LABELS)


def national_page() -> Page:
    return Page(
        SLUG,
        TITLE_VI,
        TITLE_EN,
        "Mỗi tỉnh một trang; mỗi xã/phường một mục trong trang tra cứu. Bấm tên tỉnh để xem các "
        "xã/phường của tỉnh, rồi bấm điểm của một xã để xem nhóm, tỷ lệ và hồ sơ quá hạn.",
        "A page per province; an entry per commune in the explorer. Click a province to see its "
        "communes, then a commune's score to see its groups, ratios and overdue dossiers.",
        sources=list(SOURCES),
    )


def add_areas(page: Page, areas: pd.DataFrame) -> None:
    table, formats = area_table(areas, link_names=True)
    page.add_table(
        table,
        "Toàn quốc và 34 tỉnh, cả kỳ theo dõi: điểm chỉ số phục vụ, đúng hạn, tồn đọng quá hạn, "
        "cán bộ, trụ sở dôi dư",
        "Nation and the 34 provinces, whole period: service-index score, on time, past-due "
        "backlog, staff, surplus offices",
        formats=formats,
        table_id="provinces",
        data=areas,
    )


def province_page(
    code: str, name: str, area: pd.DataFrame, units: pd.DataFrame, slow: pd.DataFrame
) -> Page:
    page = Page(
        f"province-{code}",
        name,
        f"Province {code}",
        "Các con số của tỉnh, rồi từng xã/phường: bấm tên hoặc điểm để xem chi tiết.",
        "The province's figures, then each commune: click a name or a score for its detail.",
        sources=list(SOURCES),
        contents_href="index.html",
        crumbs=[(f"{SLUG}.html", "Toàn quốc / Nation")],
    )
    table, formats = area_table(area, link_names=False)
    page.add_table(table, "Chỉ số chính của tỉnh", "Headline figures", formats=formats, data=area)
    shown, formats, data = commune_table(units)
    page.add_table(
        shown,
        f"{len(units)} xã/phường, xếp theo điểm chỉ số phục vụ",
        f"{len(units)} commune-level units, by service-index score",
        formats=formats,
        table_id="communes",
        data=data,
    )
    if slow.empty:
        page.add_note(
            "Không có bước xử lý nào chậm gấp đôi cả nước.",
            "No processing step at twice the national median.",
        )
    else:
        page.add_table(
            slow_table(slow),
            "Bước xử lý chậm (trung vị ≥ 2 lần cả nước)",
            "Slow stages (median ≥ twice the national median)",
            formats={LABELS["dwell_ratio"]: NUM1},
            table_id="slow-stages",
            data=slow,
        )
    return page


def _json_value(value: object) -> object:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float):
        # NaN is no value; 4 decimals is more than any page shows and halves the files
        return None if math.isnan(value) else round(value, FLOAT_DECIMALS)
    if isinstance(value, (pd.Timestamp, datetime)):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "item"):
        return _json_value(value.item())
    return value


def _rows_by_unit(df: pd.DataFrame, limit: int | None = None) -> dict[str, list[list]]:
    """Each unit's rows as JSON-safe lists without `unit_code` (the column names are sent
    once), in the frame's order, at most `limit` per unit. One pass over the frame: sliced
    per unit with pandas, the province pages took 0.6 s each (20 s a run at any size)."""
    columns = [c for c in df.columns if c != "unit_code"]
    rows: dict[str, list[list]] = {}
    codes = df["unit_code"].tolist()
    for code, row in zip(codes, df[columns].itertuples(index=False, name=None), strict=True):
        kept = rows.setdefault(code, [])
        if limit is None or len(kept) < limit:
            kept.append([_json_value(v) for v in row])
    return rows


def unit_data(
    units: pd.DataFrame,
    groups: pd.DataFrame,
    components: pd.DataFrame,
    overdue: pd.DataFrame,
    slow: pd.DataFrame,
    procedures: pd.DataFrame,
) -> dict:
    """The explorer's data for some units: column names once, then each unit's rows, and the
    names of the procedures their rows name by code."""
    frames = {"groups": groups, "components": components, "overdue": overdue, "slow": slow}
    by = {k: _rows_by_unit(f, SLOW_LISTED if k == "slow" else None) for k, f in frames.items()}
    unit_columns = list(units.columns)
    code_at = unit_columns.index("unit_code")
    named = set(overdue["procedure_code"]) | set(slow["procedure_code"])
    shown = procedures[procedures["procedure_code"].isin(named)]
    return {
        "procedures": dict(zip(shown["procedure_code"], shown["procedure_name"], strict=True)),
        "columns": {"unit": unit_columns}
        | {k: [c for c in f.columns if c != "unit_code"] for k, f in frames.items()},
        "units": {
            row[code_at]: {
                "unit": [_json_value(v) for v in row],
                **{k: by[k].get(row[code_at], []) for k in frames},
            }
            for row in units.itertuples(index=False, name=None)
        },
    }


def data_script(name: str, payload: object) -> str:
    """A data file a page loads with <script src>: no fetch, so it opens from file://."""
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return f"window.RW_DATA=window.RW_DATA||{{}};window.RW_DATA[{json.dumps(name)}]={text};\n"


def write_data_script(out_dir: Path, name: str, payload: object) -> Path:
    path = out_dir.joinpath(DATA_DIR_NAME, f"{name}.js")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data_script(name, payload), encoding="utf-8")
    return path


EXPLORER_LABELS = {
    "groups": GROUP_LABELS,
    "components": COMPONENT_LABELS | {"avg_processing_days": COLUMN_LABELS["avg_processing_days"]},
    "statuses": {
        "open_past_due": "Đang mở, quá hạn / Open, past due",
        "finished_overdue": "Đã trả, quá hạn / Finished overdue",
    },
    "unit_types": UNIT_TYPES,
    "overdue_listed": OVERDUE_LISTED,
    "slow_listed": SLOW_LISTED,
}

EXPLORER_JS = (Path(__file__).with_name("commune_explorer.js")).read_text(encoding="utf-8")


def explorer_html(simulated: bool) -> str:
    body = (
        '<div class="intro"><p lang="vi">Chọn một xã/phường (gõ tên hoặc mã). Mỗi con số dẫn '
        "xuống các thành phần của nó: điểm → nhóm → tỷ lệ (tử số/mẫu số) → hồ sơ quá hạn.</p>"
        '<p class="en" lang="en">Pick a commune (type a name or code). Each number leads down '
        "to what it is made of: score → groups → ratios (numerator/denominator) → overdue "
        "dossiers.</p></div>"
        '<section class="block"><label for="unit-search">Xã/phường / Commune: </label>'
        '<input id="unit-search" list="unit-list" autocomplete="off" '
        'placeholder="Tên hoặc mã / Name or code"><datalist id="unit-list"></datalist></section>'
        '<div id="explorer" aria-live="polite"></div>'
        f"<script>window.RW_LABELS={json.dumps(EXPLORER_LABELS, ensure_ascii=False)};</script>"
        f'<script src="{DATA_DIR_NAME}/communes-index.js"></script>'
        f"<script>{EXPLORER_JS}</script>"
    )
    nav = (
        '<nav class="crumbs">← <a href="index.html">Mục lục / Contents</a> › '
        f'<a href="{SLUG}.html">Toàn quốc / Nation</a> › <span id="crumb-province"></span></nav>'
    )
    return document(
        "Tra cứu xã/phường",
        "Commune explorer",
        body,
        list(SOURCES),
        nav=nav,
        simulated=simulated,
    )


def build_pages(con: duckdb.DuckDBPyConnection) -> tuple[Page, list[Page], dict[str, dict], list]:
    """The national page, the province pages and the explorer's data per province (none
    until every source table exists: the national page then names the missing ones)."""
    national = national_page()
    if not national.sources_ready(con):
        return national, [], {}, []
    areas = frame(con, AREAS_SQL)
    units = frame(con, UNITS_SQL)
    groups = frame(con, UNIT_GROUPS_SQL)
    components = frame(con, UNIT_COMPONENTS_SQL)
    overdue = frame(con, OVERDUE_SQL)
    unit_slow = frame(con, UNIT_SLOW_SQL)
    province_slow = frame(con, PROVINCE_SLOW_SQL)
    procedures = frame(con, PROCEDURE_NAMES_SQL)
    add_areas(national, areas)
    provinces, data = [], {}
    index = []
    for area in areas[areas["scope"] == "province"].itertuples(index=False):
        code = area.area_code
        mine = units[units["province_code"] == code]
        slow = province_slow[province_slow["province_code"] == code]
        headline = areas[(areas["area_code"] == code) | (areas["scope"] == "nation")]
        provinces.append(province_page(code, area.area_name, headline, mine, slow))
        codes = set(mine["unit_code"])
        data[code] = unit_data(
            mine,
            groups[groups["unit_code"].isin(codes)],
            components[components["unit_code"].isin(codes)],
            overdue[overdue["unit_code"].isin(codes)],
            unit_slow[unit_slow["unit_code"].isin(codes)],
            procedures,
        )
        index += [
            [u.unit_code, u.unit_name, code, area.area_name] for u in mine.itertuples(index=False)
        ]
    return national, provinces, data, index


def build(con: duckdb.DuckDBPyConnection) -> Page:
    """The national page alone (the province pages and the explorer: render)."""
    return build_pages(con)[0]


def render(con: duckdb.DuckDBPyConnection, out_dir: Path | str) -> Path:
    out_dir = Path(out_dir)
    national, provinces, data, index = build_pages(con)
    for page in provinces:
        page.write(out_dir)
    for code, payload in data.items():
        write_data_script(out_dir, f"communes-{code}", payload)
    if data:
        write_data_script(out_dir, "communes-index", index)
        out_dir.joinpath(f"{EXPLORER}.html").write_text(
            explorer_html(data_is_simulated(out_dir)), encoding="utf-8"
        )
    return national.write(out_dir)
