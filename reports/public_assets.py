"""Public assets page: surplus offices and land after the mergers, what became of them, how
long decisions took, and how far archives are digitised (indicators F).

Every figure is a column of a mart (mart_assets_latest: each province at its latest asset
snapshot and the nation pooled over them; the national monthly timeline; the uses of
repurposed offices): the page selects rows and formats them.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from reports.queries import PROVINCE_NAMES, frame
from reports.shell import (
    COLUMN_LABELS,
    INT,
    NUM1,
    PCT,
    Page,
    figure_height,
    format_pct,
    legend_at_bottom,
    month_bars_figure,
    province_axis,
    style_figure,
)

SLUG = "public_assets"
TITLE_VI = "Tài sản công sau sắp xếp"
TITLE_EN = "Public assets after the mergers"
DESCRIPTION = (
    "Trụ sở và đất dôi dư theo tỉnh, tiến độ xử lý theo tháng, tỷ lệ chuyển sang giáo dục, "
    "y tế, văn hóa, thể thao, an sinh, thời gian ra quyết định, số hóa hồ sơ lưu trữ / "
    "Surplus offices and land by province, their repurposing over time, share repurposed to "
    "priority uses, days to a decision, archive digitisation."
)
MART = "marts.mart_assets_latest"
TIMELINE = "marts.mart_assets_status_monthly"
USES_MART = "marts.mart_asset_uses_latest"
SOURCES = (MART, TIMELINE, USES_MART, "marts.dim_admin_unit")

# mart column -> (label, colour), in the order an office moves through them.
STATUSES = {
    "waiting": ("Chờ xử lý / Waiting for a decision", "#c0392b"),
    "repurposing": ("Đang chuyển đổi / Being repurposed", "#e69138"),
    "repurposed": ("Đã sử dụng lại / Repurposed", "#1a7f5a"),
    "disposed": ("Đã thanh lý, bán / Disposed", "#7f8c99"),
}
# The five priority uses first, then the rest.
USES = {
    "education": ("Giáo dục / Education", "#0b5394"),
    "healthcare": ("Y tế / Healthcare", "#3d85c6"),
    "culture": ("Văn hóa / Culture", "#6aa84f"),
    "sports": ("Thể thao / Sports", "#93c47d"),
    "social_welfare": ("An sinh xã hội / Social welfare", "#8e7cc3"),
    "other": ("Mục đích khác / Other use", "#b7b7b7"),
    "not_recorded": ("Chưa ghi mục đích / Use not recorded", "#e0e0e0"),
}

# Each province at its latest asset snapshot.
PROVINCE_SQL = f"""
with {PROVINCE_NAMES}
select
    coalesce(p.province_name, l.province_code) as province_name,
    strftime(l.snapshot_date, '%Y-%m-%d') as snapshot_date,
    l.offices_total,
    l.surplus_offices,
    l.waiting,
    l.repurposing,
    l.repurposed,
    l.disposed,
    l.surplus_land_area_m2 / 1e4 as surplus_land_ha,
    l.repurposed_share,
    l.priority_share,
    l.median_days_to_decision,
    l.decisions_timed,
    l.archive_digitised_share,
    l.surplus_land_area_m2,
    l.repurposed_priority,
    l.archive_records,
    l.archive_records_digitised
from {MART} as l
left join province_names as p using (province_code)
where l.scope = 'province'
order by l.surplus_offices desc nulls last, province_name
"""

# The nation, pooled over the provinces' latest snapshots.
NATIONAL_SQL = f"""
select
    provinces,
    offices_total,
    surplus_offices,
    waiting,
    repurposing,
    repurposed,
    disposed,
    surplus_land_area_m2 / 1e4 as surplus_land_ha,
    repurposed_share,
    priority_share,
    decisions_timed,
    median_days_to_decision,
    archive_digitised_share
from {MART}
where scope = 'nation'
"""

TIMELINE_SQL = f"""
select month_start, provinces, waiting, repurposing, repurposed, disposed
from {TIMELINE}
order by month_start
"""

USES_SQL = f"""
with {PROVINCE_NAMES}
select
    coalesce(p.province_name, u.province_code) as province_name,
    u.repurposed_to,
    u.offices,
    u.share,
    u.province_priority_share
from {USES_MART} as u
left join province_names as p using (province_code)
order by province_name, u.repurposed_to
"""


def surplus_figure(provinces: pd.DataFrame) -> go.Figure:
    """Left: surplus offices by where they stand; right: surplus land area."""
    fig = make_subplots(
        rows=1,
        cols=2,
        shared_yaxes=True,
        column_widths=[0.62, 0.38],
        horizontal_spacing=0.05,
        subplot_titles=(
            "Trụ sở, đất dôi dư / Surplus offices and land plots",
            "Diện tích đất dôi dư (ha) / Surplus land (ha)",
        ),
    )
    for column, (label, colour) in STATUSES.items():
        fig.add_bar(
            y=provinces["province_name"],
            x=provinces[column],
            orientation="h",
            name=label,
            marker_color=colour,
            hovertemplate="<b>%{y}</b><br>%{x:,}<extra>" + label + "</extra>",
            row=1,
            col=1,
        )
    fig.add_bar(
        y=provinces["province_name"],
        x=provinces["surplus_land_ha"],
        orientation="h",
        name="Đất dôi dư / Surplus land",
        marker_color="#a67c52",
        showlegend=False,
        texttemplate="%{x:,.1f}",
        textposition="outside",
        cliponaxis=False,
        hovertemplate="<b>%{y}</b><br>%{x:,.2f} ha<extra></extra>",
        row=1,
        col=2,
    )
    style_figure(
        fig,
        height=figure_height(len(provinces), 28, 210),
        barmode="stack",
        margin=dict(l=10, r=20, t=70, b=70),
        # under the plot at a fixed distance however many provinces; order as stacked
        legend=legend_at_bottom(),
    )
    fig.update_yaxes(province_axis())
    fig.update_xaxes(rangemode="tozero")
    return fig


def timeline_figure(timeline: pd.DataFrame) -> go.Figure:
    return month_bars_figure(
        timeline,
        STATUSES,
        "Tháng / Month",
        yaxis=dict(title="Trụ sở, đất dôi dư / Surplus offices and land"),
        height=440,
        bottom=110,
        legend_y=-0.2,
        customdata=timeline[["provinces"]].to_numpy(),
    )


def uses_figure(uses: pd.DataFrame) -> go.Figure:
    """100% stacked bars of what repurposed offices became; most priority use on top."""
    order = (
        uses.drop_duplicates("province_name")
        .sort_values("province_priority_share", ascending=False, kind="stable")["province_name"]
        .tolist()
    )
    fig = go.Figure()
    for use, (label, colour) in USES.items():
        part = uses[uses["repurposed_to"] == use]
        if part.empty:
            continue
        fig.add_bar(
            y=part["province_name"],
            x=part["share"],
            orientation="h",
            name=label,
            marker_color=colour,
            customdata=part[["offices"]].to_numpy(),
            hovertemplate="<b>%{y}</b><br>%{x:.1%} (%{customdata[0]:,})<extra>"
            + label
            + "</extra>",
        )
    style_figure(
        fig,
        height=figure_height(len(order), 28, 190),
        margin=dict(l=10, r=20, t=90, b=50),
        barmode="stack",
        legend=dict(traceorder="normal"),  # left to right as stacked
        xaxis=dict(
            tickformat=".0%",
            range=[0, 1],
            title="Tỷ trọng trong số đã sử dụng lại / Share of repurposed offices and land",
        ),
        yaxis=province_axis(categoryorder="array", categoryarray=order),
    )
    return fig


def _province_bars(
    provinces: pd.DataFrame, column: str, title: str, colour: str, hover: str, pct: bool
) -> go.Figure:
    ordered = provinces.sort_values(column, ascending=False, na_position="last")
    fig = go.Figure(
        go.Bar(
            y=ordered["province_name"],
            x=ordered[column],
            orientation="h",
            marker_color=colour,
            customdata=ordered[["a", "b"]].to_numpy(),
            texttemplate="%{x:.1%}" if pct else "%{x:,.0f}",
            textposition="outside",
            cliponaxis=False,
            hovertemplate="<b>%{y}</b><br>" + hover + "<extra></extra>",
        )
    )
    xaxis = dict(title=title, rangemode="tozero")
    if pct:
        xaxis |= dict(tickformat=".0%", range=[0, 1.1], tickvals=[0, 0.25, 0.5, 0.75, 1])
    style_figure(
        fig,
        height=figure_height(len(ordered)),
        showlegend=False,
        xaxis=xaxis,
        yaxis=province_axis(),
    )
    return fig


def decision_figure(provinces: pd.DataFrame, national: float | None) -> go.Figure:
    timed = provinces.dropna(subset=["median_days_to_decision"]).assign(
        a=lambda d: d["decisions_timed"], b=lambda d: d["snapshot_date"]
    )
    fig = _province_bars(
        timed,
        "median_days_to_decision",
        "Số ngày (trung vị) / Median days",
        "#e69138",
        "%{x:,.0f} ngày / days (%{customdata[0]:,} quyết định / decisions)",
        pct=False,
    )
    if national is not None and not pd.isna(national):
        fig.add_vline(
            x=float(national),
            line=dict(color="#555", dash="dash", width=1.5),
            annotation_text=f"Toàn quốc / National: {national:,.0f}",
            annotation_position="top",
        )
        fig.update_layout(margin=dict(t=60))
    return fig


def archive_figure(provinces: pd.DataFrame) -> go.Figure:
    withrecords = provinces[provinces["archive_records"].fillna(0) > 0].assign(
        a=lambda d: d["archive_records_digitised"], b=lambda d: d["archive_records"]
    )
    return _province_bars(
        withrecords,
        "archive_digitised_share",
        "Hồ sơ lưu trữ đã số hóa / Archive records digitised",
        "#0b5394",
        "%{x:.1%} (%{customdata[0]:,} / %{customdata[1]:,})",
        pct=True,
    )


# Table headers of the province and the national table (each has only some of the columns).
COLUMNS = COLUMN_LABELS | {
    "snapshot_date": "Ngày kiểm kê / Snapshot",
    "provinces": "Tỉnh báo cáo / Provinces reporting",
    "offices_total": "Trụ sở, đất / Offices and land",
    "surplus_offices": "Dôi dư / Surplus",
    "waiting": "Chờ xử lý / Waiting",
    "repurposing": "Đang chuyển đổi / Repurposing",
    "repurposed": "Đã sử dụng lại / Repurposed",
    "disposed": "Đã thanh lý / Disposed",
    "surplus_land_ha": "Đất dôi dư (ha) / Surplus land (ha)",
    "repurposed_share": "Tỷ lệ đã sử dụng lại / Repurposed share",
    "priority_share": "Tỷ lệ ưu tiên / Priority share",
    "decisions_timed": "Quyết định / Decisions",
    "median_days_to_decision": "Ngày đến quyết định (trung vị) / Median days to decision",
    "archive_digitised_share": "Tỷ lệ số hóa / Digitised share",
}


def province_table(provinces: pd.DataFrame) -> pd.DataFrame:
    # repurposed_priority and the archive counts stay in the figures' hover, not in the table
    shown = provinces.drop(
        columns=[
            "surplus_land_area_m2",
            "repurposed_priority",
            "archive_records",
            "archive_records_digitised",
        ]
    )
    return shown.rename(columns=COLUMNS)


def national_table(national: pd.DataFrame) -> pd.DataFrame:
    return national.rename(columns=COLUMNS)


FORMATS = {
    "Đất dôi dư (ha) / Surplus land (ha)": NUM1,
    "Tỷ lệ đã sử dụng lại / Repurposed share": PCT,
    "Tỷ lệ ưu tiên / Priority share": PCT,
    "Ngày đến quyết định (trung vị) / Median days to decision": NUM1,
    "Tỷ lệ số hóa / Digitised share": PCT,
    "Trụ sở, đất / Offices and land": INT,
    "Dôi dư / Surplus": INT,
    "Chờ xử lý / Waiting": INT,
    "Đang chuyển đổi / Repurposing": INT,
    "Đã sử dụng lại / Repurposed": INT,
    "Đã thanh lý / Disposed": INT,
    "Quyết định / Decisions": INT,
    "Tỉnh báo cáo / Provinces reporting": INT,
}


def build(con: duckdb.DuckDBPyConnection) -> Page:
    page = Page(
        SLUG,
        TITLE_VI,
        TITLE_EN,
        intro_vi="Sau khi hợp nhất tỉnh và xã, bao nhiêu trụ sở và đất công trở nên dôi dư, đã "
        "được xử lý ra sao, bao lâu mới có quyết định, bao nhiêu được dành cho giáo dục, y tế, "
        "văn hóa, thể thao, an sinh xã hội; hồ sơ lưu trữ đã số hóa đến đâu.",
        intro_en="After provinces and communes merged, how many offices and plots of public "
        "land became surplus, what became of them, how long a decision took, how many went to "
        "education, healthcare, culture, sports and social welfare; how far archives are "
        "digitised.",
        sources=list(SOURCES),
    )
    if not page.sources_ready(con):
        return page
    provinces = frame(con, PROVINCE_SQL)
    national = frame(con, NATIONAL_SQL)
    timeline = frame(con, TIMELINE_SQL)
    if not timeline.empty:
        months = pd.to_datetime(timeline["month_start"])
        span = f"{months.min():%m/%Y}–{months.max():%m/%Y}"
        page.intro_vi += f" Kiểm kê {span}."
        page.intro_en += f" Inventories {span}."
    page.add_heading("Trụ sở và đất dôi dư theo tỉnh", "Surplus offices and land by province")
    if provinces.empty:
        page.add_no_data("Chưa có số liệu kiểm kê tài sản.", "No asset inventory has arrived.")
        return page
    row = national.iloc[0]
    page.add_table(
        national_table(national),
        f"Toàn quốc, kiểm kê mới nhất của mỗi tỉnh: {int(row['surplus_offices']):,} trụ sở, "
        f"đất dôi dư, {format_pct(row['repurposed_share'])} đã được sử dụng lại",
        f"National, each province's latest inventory: {int(row['surplus_offices']):,} surplus "
        f"offices and plots, {format_pct(row['repurposed_share'])} repurposed; shares pooled over "
        "provinces",
        sortable=False,
        formats=FORMATS,
        table_id="assets-national",
    )
    page.add_figure(
        surplus_figure(provinces),
        "Trụ sở và đất dôi dư theo tình trạng xử lý, và diện tích đất dôi dư; kiểm kê mới nhất "
        "của mỗi tỉnh",
        "Surplus offices and land by where they stand, and the surplus land area; each "
        "province's latest inventory",
    )
    page.add_heading("Tiến độ xử lý theo tháng", "Repurposing over time")
    page.add_figure(
        timeline_figure(timeline),
        "Toàn quốc theo tháng: trụ sở, đất dôi dư chờ xử lý, đang chuyển đổi, đã sử dụng lại, "
        "đã thanh lý (tỉnh chưa gửi kiểm kê trong tháng giữ số của lần kiểm kê trước)",
        "National, monthly: surplus offices and land waiting, being repurposed, repurposed, "
        "disposed (a province without an inventory that month keeps its previous figures)",
    )
    page.add_heading(
        "Sử dụng lại cho giáo dục, y tế, văn hóa, thể thao, an sinh",
        "Repurposed to the five priority uses",
    )
    uses = frame(con, USES_SQL)
    if uses.empty:
        page.add_no_data(
            "Chưa có trụ sở, đất nào được sử dụng lại.",
            "No office or plot has been repurposed yet.",
        )
    else:
        page.add_figure(
            uses_figure(uses),
            "Mục đích mới của trụ sở, đất đã sử dụng lại, theo tỉnh; tỉnh có tỷ trọng năm lĩnh "
            "vực ưu tiên cao nhất ở trên; toàn quốc "
            f"{format_pct(row['priority_share'])} cho năm lĩnh vực ưu tiên",
            "New use of repurposed offices and land, by province, highest priority share on "
            f"top; nationally {format_pct(row['priority_share'])} went to the five priority uses",
        )
    page.add_heading("Thời gian ra quyết định", "Days from surplus to a decision")
    if provinces["median_days_to_decision"].isna().all():
        page.add_no_data("Chưa có quyết định xử lý nào.", "No decision has been taken yet.")
    else:
        page.add_figure(
            decision_figure(provinces, row["median_days_to_decision"]),
            "Số ngày từ khi dôi dư đến quyết định sử dụng lại hoặc thanh lý (trung vị), theo tỉnh",
            "Days from becoming surplus to the decision to repurpose or dispose (median), "
            "by province; the dashed line is the national median over the same inventories",
        )
    page.add_heading("Số hóa hồ sơ lưu trữ", "Archive digitisation")
    if (provinces["archive_records"].fillna(0) == 0).all():
        page.add_no_data("Chưa có số liệu hồ sơ lưu trữ.", "No archive records reported yet.")
    else:
        page.add_figure(
            archive_figure(provinces),
            f"Hồ sơ lưu trữ đã số hóa trên tổng hồ sơ lưu trữ, theo tỉnh; toàn quốc "
            f"{format_pct(row['archive_digitised_share'])}",
            f"Archive records digitised ÷ archive records, by province; national "
            f"{format_pct(row['archive_digitised_share'])}",
        )
    page.add_heading("Bảng theo tỉnh", "Province table")
    page.add_table(
        province_table(provinces),
        "Kiểm kê mới nhất của mỗi tỉnh; bấm tiêu đề cột để sắp xếp",
        "Each province's latest inventory; click a column header to sort",
        formats=FORMATS,
        table_id="assets-provinces",
    )
    return page


def render(con: duckdb.DuckDBPyConnection, out_dir: Path | str) -> Path:
    return build(con).write(out_dir)
