"""Service delivery page: timeliness by province, online take-up, slow procedures, communes.

Every figure is a column of a mart (mart_service_periods: unit, province and nation ×
month, quarter, year and whole period; mart_procedure_processing): the page selects rows
and formats them.
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
    UNIT_TYPES,
    Page,
    figure_height,
    labelled,
    legend_below,
    mark_national,
    mark_reform,
    month_axis,
    province_axis,
    rate_axis,
    style_figure,
)

SLUG = "service_delivery"
TITLE_VI = "Cung cấp dịch vụ công"
TITLE_EN = "Public service delivery"
DESCRIPTION = (
    "Tỷ lệ đúng hạn và quá hạn theo tỉnh, mức độ trực tuyến theo tháng, thủ tục chậm nhất, "
    "bảng xã/phường / On-time and overdue rates by province, online take-up by month, "
    "slowest procedures, commune table."
)
MART = "marts.mart_service_periods"
PROCEDURES = "marts.mart_procedure_processing"
SOURCES = (MART, PROCEDURES, "marts.dim_admin_unit", "marts.dim_procedure")
MIN_FINISHED_DOSSIERS = 20
SLOWEST_LIMIT = 15

ON_TIME_COLOUR, OVERDUE_COLOUR = "#1a7f5a", "#c0392b"
LEVELS = {"commune": "Xã / Commune", "province": "Tỉnh / Province"}
# the rate columns this page's tables and charts share, labelled once
RATE_LABELS = {
    "on_time_rate": "Tỷ lệ đúng hạn / On-time rate",
    "overdue_rate": "Tỷ lệ quá hạn / Overdue rate",
    "online_share": "Tỷ lệ trực tuyến / Online share",
}

# Whole period, each province's row of the mart: open dossiers judged once, at the end.
PROVINCE_SQL = f"""
with {PROVINCE_NAMES}
select
    coalesce(p.province_name, t.province_code) as province_name,
    t.dossiers_received,
    t.on_time_numerator,
    t.overdue_numerator,
    t.on_time_denominator,
    t.on_time_rate,
    t.overdue_rate
from {MART} as t
left join province_names as p using (province_code)
where t.scope = 'province' and t.period = 'whole'
order by t.on_time_rate desc nulls last, province_name
"""

NATION_SQL = f"""
select on_time_rate, overdue_rate
from {MART}
where scope = 'nation' and period = 'whole'
"""

MONTHLY_SQL = f"""
select period_start as month_start, online_share, full_online_share, online_payment_share
from {MART}
where scope = 'nation' and period = 'month'
order by period_start
"""

SLOWEST_SQL = f"""
select
    p.procedure_code,
    p.procedure_name,
    p.sector,
    p.level,
    p.statutory_days,
    t.avg_processing_days,
    t.overdue_share,
    t.finished_dossiers
from {PROCEDURES} as t
inner join marts.dim_procedure as p using (procedure_code)
where t.completed_dossiers >= {MIN_FINISHED_DOSSIERS}
order by t.avg_processing_days desc, p.procedure_code
limit {SLOWEST_LIMIT}
"""

# Every commune-level unit appears, with or without activity (left join from the dimension).
COMMUNE_SQL = f"""
with totals as (
    select *
    from {MART}
    where scope = 'unit' and period = 'whole'
)
select
    u.province_name,
    u.unit_code,
    u.unit_name,
    u.unit_type,
    coalesce(t.dossiers_received, 0) as dossiers_received,
    t.on_time_rate,
    t.overdue_rate,
    t.online_share,
    t.avg_processing_days,
    t.satisfaction_share
from marts.dim_admin_unit as u
left join totals as t using (unit_code)
where u.unit_level = 'commune'
order by u.province_name, u.unit_name, u.unit_code
"""


def _period(monthly: pd.DataFrame) -> tuple[str, str] | None:
    if monthly.empty:
        return None
    months = pd.to_datetime(monthly["month_start"])
    return months.min().strftime("%m/%Y"), months.max().strftime("%m/%Y")


def province_figure(provinces: pd.DataFrame, nation: pd.DataFrame) -> go.Figure:
    """On-time and overdue rates side by side, each on its own axis chosen from the data (a
    few points apart at 96-99% must read apart), best on-time rate on top, the national rate
    marked on each; numerator / denominator on hover."""
    custom = provinces[["on_time_numerator", "overdue_numerator", "on_time_denominator"]]
    hover = "<b>%{y}</b><br>%{x:.1%} (%{customdata[IDX]:,} / %{customdata[2]:,})<extra>NAME</extra>"
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.04)
    for col, (idx, column, name, colour) in enumerate(
        (
            (0, "on_time_rate", "Đúng hạn / On time", ON_TIME_COLOUR),
            (1, "overdue_rate", "Quá hạn / Overdue", OVERDUE_COLOUR),
        ),
        start=1,
    ):
        fig.add_bar(
            y=provinces["province_name"],
            x=provinces[column],
            name=name,
            orientation="h",
            marker_color=colour,
            customdata=custom.to_numpy(),
            texttemplate="%{x:.1%}",
            textposition="outside",
            cliponaxis=False,
            hovertemplate=hover.replace("IDX", str(idx)).replace("NAME", name),
            row=1,
            col=col,
        )
        national = nation[column].iloc[0] if not nation.empty else None
        values = [*provinces[column], national]
        fig.update_xaxes(rate_axis(values, name), row=1, col=col)
        mark_national(fig, national, axis="x" if col == 1 else f"x{col}")
    style_figure(
        fig,
        height=figure_height(len(provinces), 24, 170),
        margin=dict(t=60),
        yaxis=province_axis(),
        showlegend=False,
    )
    return fig


def monthly_figure(monthly: pd.DataFrame) -> go.Figure:
    fig = go.Figure()
    for column, name in (
        ("online_share", RATE_LABELS["online_share"]),
        ("full_online_share", "Toàn trình (trên hồ sơ đủ điều kiện) / Fully online of eligible"),
        ("online_payment_share", "Thanh toán trực tuyến / Online payment share"),
    ):
        fig.add_scatter(
            x=monthly["month_start"],
            y=monthly[column],
            name=name,
            mode="lines+markers",
            hovertemplate="%{y:.1%}",
        )
    style_figure(
        fig,
        height=440,
        xaxis=month_axis(monthly["month_start"], "Tháng / Month"),
        yaxis=dict(tickformat=".0%", range=[0, 1.05], title="Tỷ lệ / Share"),
        hovermode="x unified",
        # Three long bilingual names: legend below the plot, clear of the reform marker label.
        legend=legend_below(-0.22),
        margin=dict(t=60, b=110),
    )
    mark_reform(fig, monthly["month_start"])
    return fig


def slowest_table(slowest: pd.DataFrame) -> pd.DataFrame:
    slowest = slowest.assign(level=labelled(slowest["level"], LEVELS))
    return slowest.rename(
        columns=COLUMN_LABELS
        | {
            "sector": "Lĩnh vực / Sector",
            "statutory_days": "Thời hạn luật định (ngày làm việc) / Statutory working days",
            "avg_processing_days": (
                "Thời gian xử lý TB (ngày làm việc) / Avg processing working days"
            ),
            "overdue_share": "Tỷ lệ quá hạn / Overdue share",
            "finished_dossiers": "Hồ sơ đã xử lý / Finished dossiers",
        }
    )


def province_table(provinces: pd.DataFrame) -> pd.DataFrame:
    return provinces.rename(
        columns=COLUMN_LABELS
        | RATE_LABELS
        | {
            "on_time_numerator": "Đúng hạn (tử số) / On time (numerator)",
            "overdue_numerator": "Quá hạn (tử số) / Overdue (numerator)",
            "on_time_denominator": "Mẫu số / Denominator",
        }
    )


def commune_table(communes: pd.DataFrame) -> pd.DataFrame:
    communes = communes.assign(unit_type=labelled(communes["unit_type"], UNIT_TYPES))
    return communes.rename(columns=COLUMN_LABELS | RATE_LABELS)


COLUMN_FORMATS = {
    **dict.fromkeys(RATE_LABELS.values(), PCT),
    "Tỷ lệ quá hạn / Overdue share": PCT,
    "Hài lòng (4–5 điểm) / Satisfied (4–5)": PCT,
    "Thời gian xử lý TB (ngày làm việc) / Avg processing working days": NUM1,
    "Thời gian xử lý TB (ngày) / Avg processing days": NUM1,
    "Thời hạn luật định (ngày làm việc) / Statutory working days": INT,
    "Mã / Code": "text",
    "Hồ sơ tiếp nhận / Received": INT,
    "Hồ sơ đã xử lý / Finished dossiers": INT,
    "Đúng hạn (tử số) / On time (numerator)": INT,
    "Quá hạn (tử số) / Overdue (numerator)": INT,
    "Mẫu số / Denominator": INT,
}


def _add_provinces(page: Page, provinces: pd.DataFrame, nation: pd.DataFrame) -> None:
    page.add_heading("Đúng hạn và quá hạn theo tỉnh", "On-time and overdue rates by province")
    if provinces.empty:
        page.add_no_data()
        return
    page.add_figure(
        province_figure(provinces, nation),
        "Tỷ lệ hồ sơ đúng hạn (sớm, đúng hạn, còn trong hạn) và quá hạn, cả giai đoạn, "
        "xếp theo tỷ lệ đúng hạn, đường chấm: cả nước; hồ sơ chưa giải quyết xong được tính "
        "một lần, tại cuối giai đoạn; trục không bắt đầu từ 0 để thấy khác biệt giữa các tỉnh",
        "Share of dossiers on time (early, on time, open within due) and overdue, whole "
        "period, sorted by on-time rate, dotted line: the nation; rates are pooled sums of "
        "numerators over denominators, a dossier still open counted once, at the period's end; "
        "the axes do not start at 0, so provinces can be told apart",
        data=provinces,
        terms=[f"{MART}.on_time_rate", f"{MART}.overdue_rate", f"{MART}.on_time_denominator"],
    )
    page.add_table(
        province_table(provinces),
        "Số liệu theo tỉnh",
        "Province figures (numerators and denominators)",
        formats=COLUMN_FORMATS,
        table_id="provinces",
    )


def _add_monthly(page: Page, monthly: pd.DataFrame) -> None:
    page.add_heading("Mức độ sử dụng dịch vụ trực tuyến", "Online take-up over time")
    if monthly.empty:
        page.add_no_data()
        return
    page.add_figure(
        monthly_figure(monthly),
        "Toàn quốc theo tháng: hồ sơ trực tuyến trên hồ sơ tiếp nhận; toàn trình trên hồ sơ của "
        "thủ tục đủ điều kiện toàn trình; thanh toán trực tuyến trên hồ sơ có phí",
        "National, monthly: online dossiers of all received; fully online of dossiers whose "
        "procedure can be done fully online; paid online of fee-bearing dossiers",
    )


def _add_slowest(page: Page, slowest: pd.DataFrame) -> None:
    page.add_heading("Thủ tục chậm nhất", "Slowest procedures")
    if slowest.empty:
        page.add_note(
            f"Chưa có thủ tục nào đủ {MIN_FINISHED_DOSSIERS} hồ sơ đã xử lý.",
            f"No procedure has {MIN_FINISHED_DOSSIERS} finished dossiers yet.",
        )
        return
    page.add_table(
        slowest_table(slowest),
        f"{SLOWEST_LIMIT} thủ tục có thời gian xử lý trung bình (ngày làm việc) dài nhất, "
        f"hồ sơ đã có kết quả (tối thiểu {MIN_FINISHED_DOSSIERS} hồ sơ)",
        f"Top {SLOWEST_LIMIT} procedures by average processing time in working days, of "
        f"dossiers processed to a result (at least {MIN_FINISHED_DOSSIERS} of them)",
        formats=COLUMN_FORMATS,
        table_id="slowest-procedures",
    )


def _add_communes(page: Page, communes: pd.DataFrame) -> None:
    page.add_heading("Xã, phường, đặc khu", "Commune-level units")
    page.add_table(
        commune_table(communes),
        "Mỗi đơn vị cấp xã một dòng, cả giai đoạn; bấm tiêu đề cột để sắp xếp",
        "One row per commune-level unit, whole period; click a column header to sort",
        formats=COLUMN_FORMATS,
        table_id="communes",
    )


def build(con: duckdb.DuckDBPyConnection) -> Page:
    monthly = frame(con, MONTHLY_SQL)
    period = _period(monthly)
    span_vi = f" Giai đoạn {period[0]}–{period[1]}." if period else ""
    span_en = f" Period {period[0]}–{period[1]}." if period else ""
    page = Page(
        SLUG,
        TITLE_VI,
        TITLE_EN,
        intro_vi="Hồ sơ thủ tục hành chính được giải quyết đúng hạn đến đâu, người dân dùng "
        "dịch vụ trực tuyến đến đâu, và khâu nào chậm." + span_vi,
        intro_en="How many dossiers are handled on time, how far citizens use online "
        "services, and where processing is slow." + span_en,
        sources=list(SOURCES),
    )
    _add_provinces(page, frame(con, PROVINCE_SQL), frame(con, NATION_SQL))
    _add_monthly(page, monthly)
    _add_slowest(page, frame(con, SLOWEST_SQL))
    _add_communes(page, frame(con, COMMUNE_SQL))
    return page


def render(con: duckdb.DuckDBPyConnection, out_dir: Path | str) -> Path:
    return build(con).write(out_dir)
