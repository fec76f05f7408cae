"""Before and after page: the service indicators of each of today's provinces and units in
the twelve months before the 1 July 2025 reform beside the twelve after it, on the same
footing (before restated from the codes of its time through the lineage), the units whose
on-time rate rose or fell most, and how many old units each new one absorbed (issue 13).

Every figure is a column of marts.mart_service_before_after_change: the page selects rows
and columns and formats them.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import plotly.graph_objects as go

from reports.queries import PROVINCE_NAMES, frame
from reports.shell import (
    COLUMN_LABELS,
    INT,
    NUM1,
    PCT,
    UNIT_TYPES,
    Page,
    figure_height,
    labelled,
    legend_at_bottom,
    province_axis,
    style_figure,
)

SLUG = "before_after"
TITLE_VI = "Trước và sau sắp xếp"
TITLE_EN = "Before and after the reform"
DESCRIPTION = (
    "Chỉ số phục vụ của mỗi tỉnh và xã, phường hiện nay trong 12 tháng trước và 12 tháng sau "
    "ngày 1/7/2025, cùng một cách tính; đơn vị cải thiện và giảm sút nhiều nhất; số đơn vị cũ "
    "được sáp nhập / The service indicators of today's provinces and units in the twelve months "
    "before and after 1 July 2025 on the same footing; the units that improved or declined "
    "most; how many old units each absorbed."
)
CHANGE = "marts.mart_service_before_after_change"
SOURCES = (CHANGE, "marts.dim_admin_unit")
TOP_ROWS = 20

# The indicators shown side by side: mart column stem -> (label vi, label en, format).
INDICATORS = {
    "on_time_rate": ("Đúng hạn", "On time", PCT),
    "avg_processing_days": ("Thời gian xử lý TB (ngày)", "Avg processing days", NUM1),
    "online_share": ("Trực tuyến", "Online", PCT),
    "satisfaction_share": ("Hài lòng (4–5)", "Satisfied (4–5)", PCT),
    "dossiers_received": ("Hồ sơ tiếp nhận", "Received", INT),
}
PERIODS = {"before": ("trước", "before"), "after": ("sau", "after")}
BAR_NAMES = {"before": "Đúng hạn trước / On time before", "after": "Đúng hạn sau / On time after"}
SIDE_BY_SIDE = ",\n    ".join(f"c.{stem}_{period}" for stem in INDICATORS for period in PERIODS)

PROVINCES_SQL = f"""
with {PROVINCE_NAMES}
select
    coalesce(p.province_name, c.province_code) as province_name,
    c.old_units_absorbed,
    {SIDE_BY_SIDE},
    c.on_time_rate_change
from {CHANGE} as c
left join province_names as p using (province_code)
where c.scope = 'province'
order by c.on_time_rate_change desc nulls last, province_name
"""

UNITS_COLUMNS = """
    coalesce(u.unit_name, c.area_code) as unit_name,
    c.area_code as unit_code,
    u.unit_type,
    coalesce(p.province_name, c.province_code) as province_name,
    c.old_units_absorbed,
    c.on_time_denominator_before,
    c.on_time_denominator_after,
    c.on_time_rate_before,
    c.on_time_rate_after,
    c.on_time_rate_change"""


def top_units_sql(rank: str) -> str:
    """The TOP_ROWS units first by `rank` (improvement_rank or decline_rank, from the mart)."""
    return f"""
with {PROVINCE_NAMES}
select {UNITS_COLUMNS}
from {CHANGE} as c
left join marts.dim_admin_unit as u on c.area_code = u.unit_code
left join province_names as p on c.province_code = p.province_code
where c.{rank} <= {TOP_ROWS}
order by c.{rank}, unit_name
"""


IMPROVED_SQL = top_units_sql("improvement_rank")
DECLINED_SQL = top_units_sql("decline_rank")

ALL_UNITS_SQL = f"""
with {PROVINCE_NAMES}
select
    coalesce(u.unit_name, c.area_code) as unit_name,
    c.area_code as unit_code,
    u.unit_type,
    coalesce(p.province_name, c.province_code) as province_name,
    c.old_units_absorbed,
    {SIDE_BY_SIDE},
    c.on_time_rate_change,
    c.is_comparable
from {CHANGE} as c
left join marts.dim_admin_unit as u on c.area_code = u.unit_code
left join province_names as p on c.province_code = p.province_code
where c.scope = 'unit' and c.unit_level = 'commune'
order by province_name, unit_name
"""

COLUMNS = (
    COLUMN_LABELS
    | {
        "old_units_absorbed": "Đơn vị cũ sáp nhập / Old units absorbed",
        "on_time_denominator_before": "Hồ sơ được đánh giá trước / Judged before",
        "on_time_denominator_after": "Hồ sơ được đánh giá sau / Judged after",
        "on_time_rate_change": "Thay đổi đúng hạn (điểm %) / On-time change (points)",
        "is_comparable": "Đủ hồ sơ để so sánh / Enough dossiers to compare",
    }
    | {
        f"{stem}_{period}": f"{vi} {period_vi} / {en} {period_en}"
        for stem, (vi, en, _) in INDICATORS.items()
        for period, (period_vi, period_en) in PERIODS.items()
    }
)
FORMATS = {
    COLUMNS[f"{stem}_{period}"]: kind
    for stem, (_, _, kind) in INDICATORS.items()
    for period in PERIODS
} | {
    COLUMNS["old_units_absorbed"]: INT,
    COLUMNS["on_time_denominator_before"]: INT,
    COLUMNS["on_time_denominator_after"]: INT,
    COLUMNS["on_time_rate_change"]: PCT,
}
COLOURS = {"before": "#9fa8b3", "after": "#1f6f8b"}


def provinces_figure(provinces: pd.DataFrame) -> go.Figure:
    """Each province's on-time rate before and after the reform, the most improved on top."""
    fig = go.Figure()
    for period, (period_vi, period_en) in PERIODS.items():
        fig.add_bar(
            y=provinces["province_name"],
            x=provinces[f"on_time_rate_{period}"],
            orientation="h",
            name=BAR_NAMES[period],
            marker_color=COLOURS[period],
            hovertemplate=f"<b>%{{y}}</b><br>%{{x:.1%}}<extra>{period_vi} / {period_en}</extra>",
        )
    style_figure(
        fig,
        height=figure_height(len(provinces), 34, 190),
        barmode="group",
        margin=dict(l=10, r=20, t=40, b=90),
        legend=legend_at_bottom(),
        xaxis=dict(title="Tỷ lệ đúng hạn / On-time rate", tickformat=".0%", rangemode="tozero"),
        yaxis=province_axis(),
    )
    return fig


def table(df: pd.DataFrame) -> pd.DataFrame:
    shown = df.copy()
    if "unit_type" in shown:
        shown["unit_type"] = labelled(shown["unit_type"], UNIT_TYPES)
    if "is_comparable" in shown:
        shown["is_comparable"] = shown["is_comparable"].map({True: "có / yes", False: "không / no"})
    return shown.rename(columns=COLUMNS)


def build(con: duckdb.DuckDBPyConnection) -> Page:
    page = Page(
        SLUG,
        TITLE_VI,
        TITLE_EN,
        intro_vi="Chỉ số phục vụ của các tỉnh và xã, phường hiện nay trong 12 tháng trước và 12 "
        "tháng sau ngày 1/7/2025. Số liệu trước sắp xếp được ghi theo mã đơn vị của thời điểm "
        "đó (tỉnh, huyện, xã cũ) và được quy đổi về đơn vị hiện nay theo quan hệ kế thừa: đơn vị "
        "cũ chia cho nhiều đơn vị mới được phân bổ theo dân số (hoặc chia đều khi thiếu số liệu), "
        "nên số hồ sơ có thể là số thập phân. Hồ sơ chưa giải quyết được đánh giá một lần, vào "
        "cuối mỗi giai đoạn.",
        intro_en="The service indicators of today's provinces and units in the twelve months "
        "before and the twelve after 1 July 2025. Records before the reform carry the unit "
        "codes of their time (old provinces, districts and communes) and are restated on "
        "today's units through the lineage: an old unit split among several new ones is "
        "shared by population (equal shares where it is not known), so counts may be "
        "fractional. Open dossiers are judged once, at the end of each period.",
        sources=list(SOURCES),
    )
    if not page.sources_ready(con):
        return page
    page.add_heading("Theo tỉnh", "By province")
    provinces = frame(con, PROVINCES_SQL)
    if provinces.empty:
        page.add_no_data()
        return page
    page.add_figure(
        provinces_figure(provinces),
        "Tỷ lệ hồ sơ đúng hạn trước và sau sắp xếp; tỉnh cải thiện nhiều nhất ở trên",
        "On-time rate before and after the reform; the most improved province on top",
    )
    page.add_table(
        table(provinces),
        "Các chỉ số trước và sau, theo tỉnh hiện nay (đơn vị cũ sáp nhập: số tỉnh cũ)",
        "The indicators before and after, by today's province (old units absorbed: old provinces)",
        formats=FORMATS,
        table_id="before-after-provinces",
    )
    page.add_heading("Cải thiện và giảm sút nhiều nhất", "Most improved and most declined")
    page.add_note(
        "Chỉ xếp hạng xã, phường có đủ hồ sơ được đánh giá ở cả hai giai đoạn (dbt var "
        "before_after_min_judged).",
        "Only units with enough dossiers judged in both periods are ranked (dbt var "
        "before_after_min_judged).",
    )
    for sql, heading_vi, heading_en, table_id in (
        (IMPROVED_SQL, "Cải thiện nhiều nhất", "Most improved", "most-improved"),
        (DECLINED_SQL, "Giảm sút nhiều nhất", "Most declined", "most-declined"),
    ):
        units = frame(con, sql)
        if units.empty:
            page.add_no_data("Chưa có đơn vị đủ hồ sơ.", "No unit has enough dossiers yet.")
            continue
        page.add_table(
            table(units),
            f"{heading_vi}: thay đổi tỷ lệ đúng hạn (tối đa {TOP_ROWS} đơn vị)",
            f"{heading_en}: change of the on-time rate (up to {TOP_ROWS} units)",
            formats=FORMATS,
            table_id=table_id,
        )
    page.add_heading("Tất cả xã, phường", "Every commune-level unit")
    page.add_table(
        table(frame(con, ALL_UNITS_SQL)),
        "Các chỉ số trước và sau của mỗi xã, phường hiện nay và số xã cũ đã sáp nhập; bấm tiêu "
        "đề cột để sắp xếp",
        "The indicators before and after of each of today's units and how many old communes "
        "it absorbed; click a column header to sort",
        formats=FORMATS,
        table_id="before-after-units",
    )
    return page


def render(con: duckdb.DuckDBPyConnection, out_dir: Path | str) -> Path:
    return build(con).write(out_dir)
