"""Capacity and resources page: staff against the norm, specialist gaps, workload, exits and
benefits, the resource-gap units, budget execution and treasury accounts (indicators D, E).

Every figure is a column of a mart (province and nation roll-ups at each province's latest
roster month, province × month workload, national exits, budget and treasury roll-ups): the
page selects rows and formats them.
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
    NUM2,
    PCT,
    UNIT_TYPES,
    Page,
    figure_height,
    format_pct,
    labelled,
    mark_national,
    mark_reform,
    month_axis,
    month_bars_figure,
    province_axis,
    rate_axis,
    style_figure,
)

SLUG = "capacity_resources"
TITLE_VI = "Năng lực và nguồn lực cấp xã"
TITLE_EN = "Commune capacity and resources"
DESCRIPTION = (
    "Biên chế so với định mức, thiếu chuyên môn, khối lượng công việc, nghỉ việc và chi trả "
    "chế độ, đơn vị thiếu nguồn lực, giải ngân ngân sách, tài khoản kho bạc / Staff against "
    "the norm, specialist gaps, workload, exits and benefits, resource-gap units, budget "
    "execution, treasury accounts."
)
CAPACITY = "marts.mart_capacity_latest"
GAPS = "marts.mart_staff_norm_gaps"
SPECIALISTS = "marts.mart_specialisation_gaps"
WORKLOAD = "marts.mart_province_workload_monthly"
EXITS = "marts.mart_exits_monthly"
EXITS_SINCE_REFORM = "marts.mart_exits_since_reform"
RESOURCES = "marts.mart_unit_resources"
BUDGET = "marts.mart_budget_execution_national"
DIGITAL = "marts.mart_digital_budget_share"
TREASURY = "marts.mart_treasury_accounts_monthly"
SOURCES = (
    CAPACITY,
    GAPS,
    SPECIALISTS,
    WORKLOAD,
    EXITS,
    EXITS_SINCE_REFORM,
    RESOURCES,
    BUDGET,
    DIGITAL,
    TREASURY,
    "marts.dim_admin_unit",
)
LABELLED_GAP_UNITS = 10  # flagged units named on the scatter; the table lists them all
# Labels go above their dot (the largest gaps sit near score 0) at staggered heights, so
# neighbouring names do not sit on each other.

ACTUAL_COLOUR, NORM_COLOUR, GAP_COLOUR, OTHER_COLOUR = "#0b5394", "#222", "#c0392b", "#9aa5b1"
UNIT_TYPE_COLOURS = {"commune": "#6aa84f", "ward": "#0b5394", "special_zone": "#e69138"}
LEVELS = {"commune": "Cấp xã / Commune level", "province": "Cấp tỉnh / Province level"}
LEVEL_COLOURS = {"commune": "#0b5394", "province": "#e69138"}
SPECIALISATIONS_EN = {
    "justice_civil_status": "Justice – civil status",
    "land": "Land administration",
    "finance_accounting": "Finance – accounting",
    "construction": "Construction – urban",
    "it_digital": "IT – digital transformation",
    "culture_social": "Culture – social affairs",
}
# mart column -> (label, colour); the order of the stack.
EXIT_REASONS = {
    "leavers_early_retirement": ("Nghỉ hưu trước tuổi / Early retirement", "#0b5394"),
    "leavers_resignation": ("Thôi việc / Resignation", "#e69138"),
    "leavers_retirement": ("Nghỉ hưu / Retirement", "#6aa84f"),
    "leavers_transfer": ("Chuyển công tác / Transfer", "#8e7cc3"),
    "leavers_dismissal": ("Buộc thôi việc / Dismissal", "#c0392b"),
}
CATEGORIES = {
    "recurrent_operations": "Chi thường xuyên / Recurrent operations",
    "development_investment": "Chi đầu tư phát triển / Development investment",
    "restructuring_benefits": "Chi chế độ tinh giản / Restructuring benefits",
    "digital_transformation": "Chi chuyển đổi số / Digital transformation",
    "devolved_revenue": "Thu phân cấp / Devolved revenue",
    "fees_and_charges": "Phí, lệ phí / Fees and charges",
    "land_use_fees": "Tiền sử dụng đất / Land-use fees",
    "transfers_from_province": "Bổ sung từ tỉnh / Transfers from province",
}
# Table headers: Vietnamese / English, a single " / " (the shell splits on it).
DEVOLVED_PER_10K = "Hồ sơ phân cấp trên 10.000 dân / Devolved per 10k residents"
STAFF_PER_10K = "Người làm việc trên 10.000 dân / Staff per 10k residents"
ALLOCATED_PER_RESIDENT = "Dự toán chi mỗi người dân (nghìn đồng) / Allocated per resident (kVND)"
FLOWS = {"expenditure": "Chi / Expenditure", "revenue": "Thu / Revenue"}

# Each province at its latest roster month (mart_capacity_latest), best staffed first.
STAFFING_SQL = f"""
with {PROVINCE_NAMES}
select
    coalesce(p.province_name, c.province_code) as province_name,
    strftime(c.month_start, '%m/%Y') as month,
    c.units,
    c.population,
    c.headcount,
    c.staff_norm,
    c.staff_per_10k_residents as staff_per_10k,
    c.staff_norm_per_10k_residents as norm_per_10k,
    c.headcount_to_norm,
    c.units_below_norm
from {CAPACITY} as c
left join province_names as p using (province_code)
where c.scope = 'province'
order by staff_per_10k desc nulls last, province_name
"""

# The nation: every province at its own latest roster month.
NATIONAL_CAPACITY_SQL = f"""
select first_month, month_start, units_with_norm, units_below_norm, specialisations_filled,
    specialisations_required, specialist_coverage
from {CAPACITY}
where scope = 'nation'
"""

GAP_DISTRIBUTION_SQL = f"""
select staff_norm_gap, unit_type, units, units_at_gap
from {GAPS}
order by staff_norm_gap, unit_type
"""

SPECIALIST_SQL = f"""
select specialisation, specialisation_name_vi, units, units_missing, missing_share
from {SPECIALISTS}
order by missing_share desc, specialisation
"""

COVERAGE_SQL = f"""
with {PROVINCE_NAMES}
select
    coalesce(p.province_name, c.province_code) as province_name,
    c.units,
    c.units_incomplete,
    c.incomplete_share,
    c.specialisations_filled,
    c.specialisations_required,
    c.specialist_coverage
from {CAPACITY} as c
left join province_names as p using (province_code)
where c.scope = 'province'
order by c.incomplete_share desc, province_name
"""

WORKLOAD_SQL = f"""
with {PROVINCE_NAMES}
select
    coalesce(p.province_name, w.province_code) as province_name,
    w.month_start,
    w.dossiers_finished,
    w.handling_staff,
    w.workload_per_handling_staff as workload,
    w.period_workload_per_handling_staff as period_workload
from {WORKLOAD} as w
left join province_names as p using (province_code)
order by period_workload desc nulls last, province_name, w.month_start
"""

EXITS_SQL = f"""
select month_start, {", ".join(EXIT_REASONS)}, leavers_total
from {EXITS}
order by month_start
"""

EXITS_SINCE_REFORM_SQL = f"""
select exit_reason, leavers, share
from {EXITS_SINCE_REFORM}
"""

BENEFITS_SQL = f"""
with {PROVINCE_NAMES}
select
    coalesce(p.province_name, c.province_code) as province_name,
    strftime(c.month_start, '%m/%Y') as month,
    c.benefits_due_since_reform_vnd / 1e6 as benefits_due_mvnd,
    c.benefits_paid_since_reform_vnd / 1e6 as benefits_paid_mvnd,
    c.benefit_payment_ratio,
    c.benefit_settled_leavers,
    c.benefit_delay_months_avg
from {CAPACITY} as c
left join province_names as p using (province_code)
where c.scope = 'province'
    and (c.benefits_due_since_reform_vnd > 0 or c.benefit_settled_leavers > 0)
order by c.benefit_payment_ratio nulls last, province_name
"""

RESOURCES_SQL = f"""
select
    coalesce(u.province_name, r.province_code) as province_name,
    r.unit_code,
    coalesce(u.unit_name, r.unit_code) as unit_name,
    r.devolved_dossiers,
    r.devolved_dossiers_per_10k_residents,
    r.staff_per_10k_residents,
    r.allocated_vnd_per_resident / 1e3 as allocated_kvnd_per_resident,
    r.workload_rank,
    coalesce(r.is_top_workload_quartile, false) as is_top_workload_quartile,
    r.resource_score,
    r.resource_rank,
    r.resource_gap,
    coalesce(r.resource_gap_flag, false) as resource_gap_flag
from {RESOURCES} as r
left join marts.dim_admin_unit as u using (unit_code)
order by r.resource_gap desc nulls last, r.unit_code
"""

# Latest fiscal year, national, by level and category.
BUDGET_SQL = f"""
select
    fiscal_year,
    level,
    flow,
    category,
    units_reporting,
    allocated_vnd / 1e6 as allocated_mvnd,
    disbursed_vnd / 1e6 as disbursed_mvnd,
    execution_rate
from {BUDGET}
where is_latest_year
order by flow, level, category
"""

# Latest fiscal year, each province by level, ordered by its share over both levels.
DIGITAL_SQL = f"""
with {PROVINCE_NAMES},
both_levels as (
    select province_code, digital_share as province_digital_share
    from {DIGITAL}
    where scope = 'province' and is_latest_year and level = 'all'
)
select
    coalesce(p.province_name, d.province_code) as province_name,
    d.level,
    d.digital_allocated_vnd / 1e6 as digital_allocated_mvnd,
    d.expenditure_allocated_vnd / 1e6 as expenditure_allocated_mvnd,
    d.digital_share,
    b.province_digital_share
from {DIGITAL} as d
inner join both_levels as b using (province_code)
left join province_names as p using (province_code)
where d.scope = 'province' and d.is_latest_year and d.level <> 'all'
order by b.province_digital_share desc nulls last, province_name, d.level
"""

NATIONAL_DIGITAL_SQL = f"""
select digital_share
from {DIGITAL}
where scope = 'nation' and is_latest_year and level = 'all'
"""

TREASURY_SQL = f"""
select month_start, opened, opened_cumulative, units
from {TREASURY}
order by month_start
"""


# ---- staffing against the norm ------------------------------------------------------------


def staffing_figure(staffing: pd.DataFrame) -> go.Figure:
    """Staff per 10,000 residents (bar) with the norm for the same units (tick)."""
    custom = staffing[["headcount", "staff_norm", "population", "month"]].to_numpy()
    fig = go.Figure()
    fig.add_bar(
        y=staffing["province_name"],
        x=staffing["staff_per_10k"],
        orientation="h",
        name="Biên chế thực tế / Headcount",
        marker_color=ACTUAL_COLOUR,
        customdata=custom,
        hovertemplate="<b>%{y}</b> (%{customdata[3]})<br>%{x:.1f} / 10.000 dân "
        "(%{customdata[0]:,} người / %{customdata[2]:,} dân)<extra>Biên chế / Headcount</extra>",
    )
    fig.add_scatter(
        y=staffing["province_name"],
        x=staffing["norm_per_10k"],
        mode="markers",
        name="Định mức / Staffing norm",
        marker=dict(symbol="line-ns", size=22, line=dict(width=3, color=NORM_COLOUR)),
        customdata=custom,
        hovertemplate="<b>%{y}</b><br>%{x:.1f} / 10.000 dân "
        "(%{customdata[1]:,} theo định mức / by norm)<extra>Định mức / Norm</extra>",
    )
    style_figure(
        fig,
        height=figure_height(len(staffing)),
        xaxis=dict(title="Người trên 10.000 dân / Staff per 10,000 residents", rangemode="tozero"),
        yaxis=province_axis(),
    )
    return fig


def gap_figure(gaps: pd.DataFrame) -> go.Figure:
    """How many units sit how far below (left) or above (right) their norm."""
    fig = go.Figure()
    for unit_type, label in UNIT_TYPES.items():
        part = gaps[gaps["unit_type"] == unit_type]
        if part.empty:
            continue
        fig.add_bar(
            x=part["staff_norm_gap"],
            y=part["units"],
            width=0.9,  # one bar per whole person of gap
            name=label,
            marker_color=UNIT_TYPE_COLOURS[unit_type],
            hovertemplate="%{x:+d}: %{y:,} đơn vị / units<extra>" + label + "</extra>",
        )
    fig.add_vline(x=0, line=dict(color="#555", dash="dash", width=1.5))
    tallest = gaps["units_at_gap"].max()
    style_figure(
        fig,
        height=380,
        barmode="stack",
        xaxis=dict(title="Chênh lệch so với định mức (người) / Gap to the norm (staff)"),
        yaxis=dict(title="Số đơn vị / Units", dtick=1 if tallest < 6 else None),
    )
    return fig


def staffing_table(staffing: pd.DataFrame) -> pd.DataFrame:
    return staffing.drop(columns=["norm_per_10k"]).rename(
        columns=COLUMN_LABELS
        | {
            "month": "Tháng / Month",
            "units": "Số đơn vị / Units",
            "population": "Dân số / Population",
            "headcount": "Biên chế / Headcount",
            "staff_norm": "Định mức / Norm",
            "staff_per_10k": STAFF_PER_10K,
            "headcount_to_norm": "Biên chế ÷ định mức / Headcount ÷ norm",
            "units_below_norm": "Đơn vị dưới định mức / Units below norm",
        }
    )


def _add_staffing(
    page: Page, staffing: pd.DataFrame, gaps: pd.DataFrame, national: pd.DataFrame
) -> None:
    page.add_heading("Biên chế so với định mức", "Staff against the staffing norm")
    if staffing.empty:
        page.add_no_data("Chưa có danh sách nhân sự cấp xã.", "No commune roster has arrived.")
        return
    page.add_figure(
        staffing_figure(staffing),
        "Số người làm việc (đang làm và đang nghỉ phép) trên 10.000 dân của các đơn vị cấp xã, "
        "so với định mức của chính các đơn vị đó; tháng có danh sách mới nhất của mỗi tỉnh",
        "Staff (active and on leave) per 10,000 residents of the province's commune-level "
        "units, against the norm for the same units; each province's latest roster month; "
        "pooled: sum of staff × 10,000 ÷ sum of residents",
    )
    if not gaps.empty:
        below, total = (int(national[c].iloc[0]) for c in ("units_below_norm", "units_with_norm"))
        page.add_figure(
            gap_figure(gaps),
            f"Phân bố chênh lệch biên chế − định mức của từng đơn vị: {below:,} / {total:,} "
            "đơn vị dưới định mức (bên trái đường 0)",
            f"Distribution of each unit's staff_norm_gap (headcount − norm): {below:,} of "
            f"{total:,} units are below their norm (left of the zero line)",
        )
    page.add_table(
        staffing_table(staffing),
        "Biên chế và định mức theo tỉnh",
        "Headcount and norm by province (numerators and denominators)",
        formats={
            STAFF_PER_10K: NUM1,
            "Biên chế ÷ định mức / Headcount ÷ norm": PCT,
        },
        table_id="staffing",
    )


# ---- specialists ----------------------------------------------------------------------------


def _share_bars(
    y: object, share: pd.Series, title: str, height: int, x_max: float, **bar: object
) -> go.Figure:
    """Horizontal bars of a share of units (0..1, gap colour, ticks at the quarters), one per
    row, the value label outside the bar: x_max leaves it room right of 100%."""
    fig = go.Figure(
        go.Bar(
            y=y,
            x=share,
            orientation="h",
            marker_color=GAP_COLOUR,
            textposition="outside",
            cliponaxis=False,
            **bar,
        )
    )
    style_figure(
        fig,
        height=height,
        xaxis=dict(
            tickformat=".0%", range=[0, x_max], tickvals=[0, 0.25, 0.5, 0.75, 1], title=title
        ),
        yaxis=province_axis(),
        showlegend=False,
    )
    return fig


# The hover of a share of units: the share, then how many units of how many.
UNITS_SHARE_HOVER = (
    "<b>%{y}</b><br>%{x:.1%} (%{customdata[0]:,} / %{customdata[1]:,} đơn vị / units)"
)


def specialist_figure(specialists: pd.DataFrame) -> go.Figure:
    labels = [
        f"{vi} / {SPECIALISATIONS_EN.get(code, code)}"
        for code, vi in zip(
            specialists["specialisation"], specialists["specialisation_name_vi"], strict=True
        )
    ]
    return _share_bars(
        labels,
        specialists["missing_share"],
        "Tỷ lệ đơn vị thiếu / Share of units missing it",
        figure_height(len(specialists), 44, 110),
        1.15,
        customdata=specialists[["units_missing", "units"]].to_numpy(),
        text=[
            f"{s:.1%} ({m:,} / {u:,})"
            for s, m, u in zip(
                specialists["missing_share"],
                specialists["units_missing"],
                specialists["units"],
                strict=True,
            )
        ],
        hovertemplate=UNITS_SHARE_HOVER + "<extra></extra>",
    )


def coverage_figure(coverage: pd.DataFrame) -> go.Figure:
    return _share_bars(
        coverage["province_name"],
        coverage["incomplete_share"],
        "Đơn vị chưa đủ chuyên môn / Units with coverage below 100%",
        figure_height(len(coverage)),
        1.1,
        customdata=coverage[["units_incomplete", "units", "specialist_coverage"]].to_numpy(),
        texttemplate="%{x:.1%}",
        hovertemplate=UNITS_SHARE_HOVER
        + "<br>Độ phủ / Coverage: %{customdata[2]:.1%}<extra></extra>",
    )


def coverage_table(coverage: pd.DataFrame) -> pd.DataFrame:
    return coverage.rename(
        columns=COLUMN_LABELS
        | {
            "units": "Số đơn vị / Units",
            "units_incomplete": "Đơn vị chưa đủ / Units below 100%",
            "incomplete_share": "Tỷ lệ chưa đủ / Share below 100%",
            "specialisations_filled": "Chuyên môn có người / Specialisations filled",
            "specialisations_required": "Chuyên môn cần có / Specialisations required",
            "specialist_coverage": "Độ phủ chuyên môn / Specialist coverage",
        }
    )


def _add_specialists(
    page: Page, specialists: pd.DataFrame, coverage: pd.DataFrame, national: pd.DataFrame
) -> None:
    page.add_heading("Thiếu cán bộ chuyên môn", "Specialist gaps")
    if specialists.empty and coverage.empty:
        page.add_no_data()
        return
    if not specialists.empty:
        page.add_figure(
            specialist_figure(specialists),
            "Tỷ lệ đơn vị cấp xã không có người đang làm việc thuộc từng chuyên môn bắt buộc "
            "(người nghỉ phép không tính; tháng có danh sách mới nhất của mỗi tỉnh)",
            "Share of commune-level units with nobody at work (status active; on leave does "
            "not count) in each required specialisation, at each province's latest roster month",
        )
    if not coverage.empty:
        nation = national.iloc[0]
        filled, required = nation["specialisations_filled"], nation["specialisations_required"]
        national = format_pct(nation["specialist_coverage"])
        page.add_figure(
            coverage_figure(coverage),
            f"Tỷ lệ đơn vị chưa có đủ sáu chuyên môn bắt buộc, theo tỉnh; độ phủ toàn quốc "
            f"{national} ({filled:,} / {required:,} vị trí chuyên môn)",
            f"Share of units whose specialist coverage is below 100%, by province; national "
            f"coverage {national} ({filled:,} of {required:,} required specialisations filled)",
        )
        page.add_table(
            coverage_table(coverage),
            "Độ phủ chuyên môn theo tỉnh",
            "Specialist coverage by province",
            formats={
                "Tỷ lệ chưa đủ / Share below 100%": PCT,
                "Độ phủ chuyên môn / Specialist coverage": PCT,
            },
            table_id="specialist-coverage",
        )


# ---- workload -------------------------------------------------------------------------------


def workload_figure(workload: pd.DataFrame) -> go.Figure:
    """Province × month heatmap; the busiest provinces (whole period, pooled) on top."""
    order = workload["province_name"].drop_duplicates().tolist()  # busiest first (SQL)
    months = sorted(workload["month_start"].unique())
    z = workload.pivot(index="province_name", columns="month_start", values="workload")
    z = z.reindex(index=order, columns=months)
    finished = workload.pivot(
        index="province_name", columns="month_start", values="dossiers_finished"
    ).reindex(index=order, columns=months)
    staff = workload.pivot(
        index="province_name", columns="month_start", values="handling_staff"
    ).reindex(index=order, columns=months)
    text = [
        [
            "" if pd.isna(f) else f"{int(f):,} hồ sơ / dossiers ÷ {int(s):,} người / staff"
            for f, s in zip(frow, srow, strict=True)
        ]
        for frow, srow in zip(finished.to_numpy(), staff.to_numpy(), strict=True)
    ]
    fig = go.Figure(
        go.Heatmap(
            z=z.to_numpy(),
            x=pd.to_datetime(pd.Series(months)),
            y=order,
            text=text,
            texttemplate="%{z:.0f}",
            colorscale="Blues",
            colorbar=dict(title=dict(text="Hồ sơ / người<br>Dossiers / staff", side="right")),
            hovertemplate="<b>%{y}</b>, %{x|%m/%Y}<br>%{z:.1f} hồ sơ / người / dossiers per "
            "staff<br>%{text}<extra></extra>",
            xgap=1,
            ygap=1,
        )
    )
    style_figure(
        fig,
        height=figure_height(len(order), 26, 140),
        xaxis=month_axis(months, "Tháng / Month"),
        yaxis=province_axis(),
    )
    return fig


def _add_workload(page: Page, workload: pd.DataFrame) -> None:
    page.add_heading("Khối lượng công việc", "Workload per handling staff member")
    if workload.empty:
        page.add_no_data()
        return
    page.add_figure(
        workload_figure(workload),
        "Hồ sơ đã giải quyết trên mỗi người trực tiếp xử lý hồ sơ, theo tỉnh và tháng "
        "(ô trống: tỉnh chưa gửi danh sách nhân sự tháng đó)",
        "Dossiers finished per staff member who handled dossiers, by province and month, "
        "pooled (sum of dossiers ÷ sum of handling staff); blank cells: no roster that month",
    )


# ---- exits and benefits -------------------------------------------------------------------


def exits_figure(exits: pd.DataFrame) -> go.Figure:
    return month_bars_figure(
        exits,
        EXIT_REASONS,
        "Tháng nghỉ việc / Month of leaving",
        yaxis=dict(
            title="Số người nghỉ / Leavers", dtick=1 if exits["leavers_total"].max() < 6 else None
        ),
        height=460,
        bottom=120,
        legend_y=-0.22,
    )


def exits_table(since_reform: pd.DataFrame) -> pd.DataFrame:
    """One row per reason, in the order of the chart's stack."""
    reasons = [column.removeprefix("leavers_") for column in EXIT_REASONS]
    ordered = since_reform.set_index("exit_reason").reindex(reasons)
    return pd.DataFrame(
        {
            "Lý do / Reason": [label for label, _ in EXIT_REASONS.values()],
            "Số người / Leavers": ordered["leavers"].fillna(0).astype("int64").to_numpy(),
            "Tỷ trọng / Share": ordered["share"].to_numpy(),
        }
    )


def benefits_figure(benefits: pd.DataFrame) -> go.Figure:
    fig = make_subplots(
        rows=1,
        cols=2,
        shared_yaxes=True,
        horizontal_spacing=0.06,
        subplot_titles=(
            "Đã chi ÷ phải chi / Paid ÷ due",
            "Số tháng chậm trung bình / Average months of delay",
        ),
    )
    fig.add_bar(
        y=benefits["province_name"],
        x=benefits["benefit_payment_ratio"],
        orientation="h",
        marker_color=ACTUAL_COLOUR,
        customdata=benefits[["benefits_paid_mvnd", "benefits_due_mvnd"]].to_numpy(),
        texttemplate="%{x:.1%}",
        textposition="outside",
        cliponaxis=False,
        hovertemplate="<b>%{y}</b><br>%{x:.1%} (%{customdata[0]:,.1f} / %{customdata[1]:,.1f} "
        "triệu đồng / million VND)<extra></extra>",
        row=1,
        col=1,
    )
    fig.add_bar(
        y=benefits["province_name"],
        x=benefits["benefit_delay_months_avg"],
        orientation="h",
        marker_color=GAP_COLOUR,
        customdata=benefits[["benefit_settled_leavers"]].to_numpy(),
        texttemplate="%{x:.1f}",
        textposition="outside",
        cliponaxis=False,
        hovertemplate="<b>%{y}</b><br>%{x:.1f} tháng / months (%{customdata[0]:,} người đã "
        "nhận đủ / leavers settled)<extra></extra>",
        row=1,
        col=2,
    )
    style_figure(
        fig,
        height=figure_height(len(benefits)),
        showlegend=False,
        margin=dict(l=10, r=20, t=70, b=50),
    )
    fig.update_xaxes(tickformat=".0%", range=[0, 1.15], tickvals=[0, 0.5, 1], row=1, col=1)
    fig.update_xaxes(rangemode="tozero", title="Tháng / Months", row=1, col=2)
    fig.update_yaxes(province_axis())
    return fig


def benefits_table(benefits: pd.DataFrame) -> pd.DataFrame:
    return benefits.rename(
        columns=COLUMN_LABELS
        | {
            "month": "Tháng / Month",
            "benefits_due_mvnd": "Phải chi (triệu đồng) / Due (million VND)",
            "benefits_paid_mvnd": "Đã chi (triệu đồng) / Paid (million VND)",
            "benefit_payment_ratio": "Đã chi ÷ phải chi / Paid ÷ due",
            "benefit_settled_leavers": "Người đã nhận đủ / Leavers settled",
            "benefit_delay_months_avg": "Chậm TB (tháng) / Avg delay (months)",
        }
    )


def _add_exits(
    page: Page, exits: pd.DataFrame, since_reform: pd.DataFrame, benefits: pd.DataFrame
) -> None:
    page.add_heading(
        "Nghỉ việc sau sắp xếp và chi trả chế độ",
        "Exits since the restructuring and benefit payments",
    )
    if exits.empty or (exits["leavers_total"] == 0).all():
        page.add_no_data("Chưa có người nghỉ việc trong danh sách.", "No exits in the rosters.")
    else:
        page.add_figure(
            exits_figure(exits),
            "Số người nghỉ việc theo tháng và lý do, mọi đơn vị trong danh sách nhân sự",
            "Leavers by month of leaving and reason, every unit in the rosters",
        )
        page.add_table(
            exits_table(since_reform),
            "Nghỉ việc từ 01/07/2025 theo lý do",
            "Exits since 1 July 2025 by reason",
            formats={"Tỷ trọng / Share": PCT},
            table_id="exits-by-reason",
        )
    if benefits.empty:
        page.add_no_data(
            "Chưa có chế độ phải chi cho người nghỉ từ 01/07/2025.",
            "No benefits due to leavers since 1 July 2025.",
        )
        return
    page.add_figure(
        benefits_figure(benefits),
        "Chế độ cho người nghỉ từ 01/07/2025: đã chi trên phải chi (cộng dồn) và số tháng "
        "chậm trung bình của những người đã nhận đủ, tháng có danh sách mới nhất của mỗi tỉnh",
        "Benefits of people who left since 1 July 2025: paid ÷ due (cumulative) and the "
        "average months of delay of those fully paid, each province's latest roster month",
    )
    page.add_table(
        benefits_table(benefits),
        "Chi trả chế độ theo tỉnh",
        "Benefit payments by province",
        formats={
            "Phải chi (triệu đồng) / Due (million VND)": NUM1,
            "Đã chi (triệu đồng) / Paid (million VND)": NUM1,
            "Đã chi ÷ phải chi / Paid ÷ due": PCT,
            "Chậm TB (tháng) / Avg delay (months)": NUM1,
        },
        table_id="benefits",
    )


# ---- resource gap ---------------------------------------------------------------------------


def _unit_label(units: pd.DataFrame) -> pd.Series:
    return units["unit_name"] + " (" + units["province_name"] + ")"


def resource_gap_figure(resources: pd.DataFrame) -> go.Figure:
    """Devolved workload (x) against resources (y); flagged units red, the worst named."""
    plotted = resources.dropna(subset=["devolved_dossiers", "resource_score"])
    custom_cols = ["province_name", "workload_rank", "resource_rank", "resource_gap"]
    hover = (
        "<b>%{text}</b><br>%{customdata[0]}<br>"
        "Hồ sơ phân cấp trên 10.000 dân / Devolved per 10k: %{x:,.1f}<br>"
        "Điểm nguồn lực / Resource score: %{y:.2f}<br>"
        "Hạng khối lượng / Workload rank: %{customdata[1]:,}<br>"
        "Hạng nguồn lực / Resource rank: %{customdata[2]:,}<br>"
        "Chênh lệch hạng / Rank gap: %{customdata[3]:,}<extra></extra>"
    )
    fig = go.Figure()
    others = plotted[~plotted["resource_gap_flag"]]
    fig.add_scatter(
        x=others["devolved_dossiers"],
        y=others["resource_score"],
        mode="markers",
        name="Đơn vị khác / Other units",
        marker=dict(color=OTHER_COLOUR, size=6, opacity=0.55),
        text=others["unit_name"],
        customdata=others[custom_cols].to_numpy(),
        hovertemplate=hover,
    )
    # The largest gaps are numbered 1..N in the table's order (largest gap first): short
    # numbers beside the dots do not collide the way names did; hover names every dot.
    flagged = plotted[plotted["resource_gap_flag"]].sort_values(
        "resource_gap", ascending=False, kind="stable"
    )
    numbers = [str(i) if i <= LABELLED_GAP_UNITS else "" for i in range(1, len(flagged) + 1)]
    fig.add_scatter(
        x=flagged["devolved_dossiers"],
        y=flagged["resource_score"],
        mode="markers+text",
        name="Thiếu nguồn lực / Resource gap",
        marker=dict(color=GAP_COLOUR, size=10, line=dict(color="#fff", width=1)),
        text=numbers,
        textposition="top center",
        textfont=dict(size=11, color="#1d2733"),
        hovertext=_unit_label(flagged),
        customdata=flagged[custom_cols].to_numpy(),
        hovertemplate=hover.replace("%{text}", "%{hovertext}"),
    )
    top = plotted.loc[plotted["is_top_workload_quartile"], "devolved_dossiers"]
    if not top.empty:
        fig.add_vline(
            x=float(top.min()),
            line=dict(color="#555", dash="dot", width=1.5),
            annotation_text="25% khối lượng cao nhất → / top workload quartile →",
            annotation_position="top right",
            annotation_font=dict(size=11, color="#333"),
        )
    style_figure(
        fig,
        height=580,
        margin=dict(l=10, r=20, t=70, b=60),
        xaxis=dict(
            title="Hồ sơ thủ tục phân cấp (từ 01/07/2025) / Devolved dossiers (since 1 July 2025)",
            rangemode="tozero",
        ),
        yaxis=dict(
            title="Điểm nguồn lực / Resource score (0–1)",
            range=[-0.05, 1.05],
        ),
    )
    return fig


def flagged_table(flagged: pd.DataFrame) -> pd.DataFrame:
    return flagged.drop(columns=["resource_gap_flag", "is_top_workload_quartile"]).rename(
        columns=COLUMN_LABELS
        | {
            "devolved_dossiers": "Hồ sơ phân cấp / Devolved dossiers",
            "devolved_dossiers_per_10k_residents": DEVOLVED_PER_10K,
            "staff_per_10k_residents": STAFF_PER_10K,
            "allocated_kvnd_per_resident": ALLOCATED_PER_RESIDENT,
            "workload_rank": "Hạng khối lượng / Workload rank",
            "resource_score": "Điểm nguồn lực / Resource score",
            "resource_rank": "Hạng nguồn lực / Resource rank",
            "resource_gap": "Chênh lệch hạng / Rank gap",
        }
    )


FLAGGED_FORMATS = {
    "Mã / Code": "text",
    "Hồ sơ phân cấp / Devolved dossiers": INT,
    DEVOLVED_PER_10K: NUM1,
    STAFF_PER_10K: NUM1,
    ALLOCATED_PER_RESIDENT: NUM1,
    "Hạng khối lượng / Workload rank": INT,
    "Điểm nguồn lực / Resource score": NUM2,
    "Hạng nguồn lực / Resource rank": INT,
    "Chênh lệch hạng / Rank gap": INT,
}


def _add_resource_gap(page: Page, resources: pd.DataFrame) -> None:
    page.add_heading("Phân cấp có đi kèm nguồn lực?", "Devolved work matched with resources")
    if resources["resource_score"].isna().all():  # also when the mart has no rows
        page.add_no_data(
            "Chưa xếp hạng được đơn vị nào: cần hồ sơ, danh sách nhân sự và dự toán chi.",
            "No unit can be ranked yet: it takes dossiers, a roster and expenditure lines.",
        )
        return
    flagged = resources[resources["resource_gap_flag"]]
    named = min(len(flagged), LABELLED_GAP_UNITS)
    unranked = len(resources[resources["resource_score"].isna()])  # rows not plotted
    note_vi = (
        f" {unranked:,} đơn vị chưa xếp hạng (dân số 0, chưa có danh sách nhân sự hoặc dự "
        "toán chi) không có trên biểu đồ."
        if unranked
        else ""
    )
    note_en = (
        f" {unranked:,} {'unit is' if unranked == 1 else 'units are'} not ranked (population "
        "0, no roster or no expenditure line) and not plotted."
        if unranked
        else ""
    )
    page.add_figure(
        resource_gap_figure(resources),
        f"Mỗi điểm một đơn vị cấp xã. Điểm nguồn lực: trung bình thứ hạng phần trăm của biên "
        f"chế và dự toán chi. Màu đỏ: {len(flagged):,} đơn vị thuộc 25% "
        f"khối lượng phân cấp cao nhất nhưng hạng nguồn lực thấp hơn hẳn; ghi tên {named} đơn "
        "vị chênh lệch lớn nhất bằng số thứ tự trong bảng dưới." + note_vi,
        "One dot per commune-level unit. Resource score: the mean percentile of staff and of "
        f"allocated expenditure. Red: the {len(flagged):,} units in the top "
        "quartile of devolved workload whose resource rank is far below their workload rank; "
        f"the {named} largest gaps are numbered as in the table below." + note_en,
    )
    if flagged.empty:
        page.add_note(
            "Không có đơn vị nào bị gắn cờ thiếu nguồn lực.",
            "No unit is flagged with a resource gap.",
        )
        return
    page.add_table(
        flagged_table(flagged),
        "Đơn vị thiếu nguồn lực so với khối lượng phân cấp, chênh lệch hạng (hạng nguồn lực − "
        "hạng khối lượng; hạng 1 = cao nhất) lớn nhất trước",
        "Units flagged with a resource gap, largest rank gap first (resource rank − workload "
        "rank; rank 1 = highest); click a header to sort",
        formats=FLAGGED_FORMATS,
        table_id="resource-gap-units",
    )


# ---- budget and treasury --------------------------------------------------------------------


def budget_figure(budget: pd.DataFrame) -> go.Figure:
    spend = budget[budget["flow"] == "expenditure"]
    fig = go.Figure()
    for level, label in LEVELS.items():
        part = spend[spend["level"] == level]
        if part.empty:
            continue
        fig.add_bar(
            y=labelled(part["category"], CATEGORIES),
            x=part["execution_rate"],
            orientation="h",
            name=label,
            marker_color=LEVEL_COLOURS[level],
            customdata=part[["disbursed_mvnd", "allocated_mvnd"]].to_numpy(),
            texttemplate="%{x:.1%}",
            textposition="outside",
            cliponaxis=False,
            hovertemplate="<b>%{y}</b><br>%{x:.1%} (%{customdata[0]:,.1f} / "
            "%{customdata[1]:,.1f} triệu đồng / million VND)<extra>" + label + "</extra>",
        )
    top = max(1.0, float(spend["execution_rate"].max() or 0))
    categories = spend["category"].nunique()
    style_figure(
        fig,
        height=figure_height(categories, 30 * max(1, spend["level"].nunique()), 130),
        barmode="group",
        xaxis=dict(
            tickformat=".0%",
            range=[0, top * 1.12],
            title="Giải ngân ÷ dự toán / Disbursed ÷ allocated",
        ),
        yaxis=province_axis(),
    )
    return fig


def digital_figure(digital: pd.DataFrame, national: object = None) -> go.Figure:
    """Bars by province and level, highest share first; the axis from the data (shares of a
    few percent get ticks with decimals), the national share marked."""
    fig = go.Figure()
    for level, label in LEVELS.items():
        part = digital[digital["level"] == level]
        if part.empty:
            continue
        fig.add_bar(
            y=part["province_name"],
            x=part["digital_share"],
            orientation="h",
            name=label,
            marker_color=LEVEL_COLOURS[level],
            customdata=part[["digital_allocated_mvnd", "expenditure_allocated_mvnd"]].to_numpy(),
            hovertemplate="<b>%{y}</b><br>%{x:.1%} (%{customdata[0]:,.1f} / "
            "%{customdata[1]:,.1f} triệu đồng / million VND)<extra>" + label + "</extra>",
        )
    order = digital["province_name"].drop_duplicates().tolist()  # highest share first
    style_figure(
        fig,
        height=figure_height(len(order), 34),
        barmode="group",
        xaxis=rate_axis(
            [*digital["digital_share"], national],
            "Chi chuyển đổi số ÷ tổng dự toán chi / Digital ÷ all expenditure",
        ),
        yaxis=province_axis(categoryorder="array", categoryarray=order),
    )
    mark_national(fig, national)
    return fig


def budget_table(budget: pd.DataFrame) -> pd.DataFrame:
    budget = budget.assign(
        level=labelled(budget["level"], LEVELS),
        flow=labelled(budget["flow"], FLOWS),
        category=labelled(budget["category"], CATEGORIES),
    )
    return budget.rename(
        columns=COLUMN_LABELS
        | {
            "fiscal_year": "Năm NS / Fiscal year",
            "flow": "Thu, chi / Flow",
            "category": "Nội dung / Category",
            "units_reporting": "Đơn vị báo cáo / Units reporting",
            "allocated_mvnd": "Dự toán (triệu đồng) / Allocated (million VND)",
            "disbursed_mvnd": "Thực hiện (triệu đồng) / Disbursed (million VND)",
            "execution_rate": "Tỷ lệ thực hiện / Execution rate",
        }
    )


def treasury_figure(treasury: pd.DataFrame) -> go.Figure:
    units = int(treasury["units"].iloc[0])
    fig = go.Figure(
        go.Scatter(
            x=treasury["month_start"],
            y=treasury["opened_cumulative"],
            mode="lines+markers",
            line=dict(shape="hv", color=ACTUAL_COLOUR, width=2.5),
            customdata=treasury[["opened"]].to_numpy(),
            hovertemplate="%{x|%m/%Y}: %{y:,} / " + f"{units:,}" + " (+%{customdata[0]:,})"
            "<extra></extra>",
            name="Đã mở / Opened",
        )
    )
    fig.add_hline(
        y=units,
        line=dict(color="#555", dash="dot", width=1.5),
        annotation_text=f"{units:,} đơn vị cấp xã / commune-level units",
        annotation_position="bottom right",
    )
    style_figure(
        fig,
        height=400,
        showlegend=False,
        margin=dict(l=10, r=20, t=60, b=50),
        xaxis=month_axis(treasury["month_start"], "Tháng mở tài khoản / Month opened"),
        yaxis=dict(
            title="Số đơn vị (cộng dồn) / Units (cumulative)",
            rangemode="tozero",
            range=[0, units * 1.08],
        ),
    )
    mark_reform(fig, treasury["month_start"])
    return fig


def _add_budget(
    page: Page,
    budget: pd.DataFrame,
    digital: pd.DataFrame,
    national_digital: pd.DataFrame,
    treasury: pd.DataFrame,
    units: int,
) -> None:
    page.add_heading("Ngân sách và kho bạc", "Budget execution and treasury accounts")
    if budget.empty:
        page.add_no_data("Chưa có số liệu phân bổ ngân sách.", "No budget allocations yet.")
    else:
        year = int(budget["fiscal_year"].iloc[0])
        if (budget["flow"] == "expenditure").any():
            page.add_figure(
                budget_figure(budget),
                f"Năm ngân sách {year}: số đã giải ngân trên dự toán được giao, theo nội dung "
                "chi và cấp",
                f"Fiscal year {year}: disbursed ÷ allocated by expenditure category and level, "
                "pooled over every province",
            )
        if not digital.empty:
            share = format_pct(national_digital["digital_share"].iloc[0])
            page.add_figure(
                digital_figure(digital, national_digital["digital_share"].iloc[0]),
                f"Năm {year}: tỷ trọng dự toán chi chuyển đổi số trong tổng dự toán chi, theo "
                f"tỉnh và cấp; toàn quốc {share}",
                f"Fiscal year {year}: digital-transformation share of allocated expenditure, "
                f"by province and level; national {share}",
            )
        page.add_table(
            budget_table(budget),
            f"Dự toán và thực hiện năm {year}, toàn quốc",
            f"Allocated and disbursed in fiscal year {year}, national",
            formats={
                "Năm NS / Fiscal year": "text",
                "Dự toán (triệu đồng) / Allocated (million VND)": NUM1,
                "Thực hiện (triệu đồng) / Disbursed (million VND)": NUM1,
                "Tỷ lệ thực hiện / Execution rate": PCT,
            },
            table_id="budget-execution",
        )
    if treasury.empty:
        page.add_no_data(
            "Chưa đơn vị cấp xã nào có ngày mở tài khoản kho bạc.",
            "No commune-level unit has a treasury account opening date yet.",
        )
        return
    opened = int(treasury["opened_cumulative"].iloc[-1])
    page.add_figure(
        treasury_figure(treasury),
        f"Số đơn vị cấp xã đã mở tài khoản tại Kho bạc, cộng dồn theo tháng mở: {opened:,} / "
        f"{units:,}",
        f"Commune-level units with a treasury account, cumulative by month opened: {opened:,} "
        f"of {units:,}",
    )


def build(con: duckdb.DuckDBPyConnection) -> Page:
    page = Page(
        SLUG,
        TITLE_VI,
        TITLE_EN,
        intro_vi="Xã, phường, đặc khu có đủ người, đủ chuyên môn và đủ ngân sách cho những "
        "việc được phân cấp từ 01/07/2025 hay không; ai đã nghỉ việc và đã được chi trả chế độ "
        "chưa.",
        intro_en="Do communes, wards and special zones have the staff, the specialists and the "
        "money for the tasks devolved to them since 1 July 2025; who left, and were their "
        "benefits paid.",
        sources=list(SOURCES),
    )
    if not page.sources_ready(con):
        return page
    national = frame(con, NATIONAL_CAPACITY_SQL)
    if not national.empty:
        first, last = national["first_month"].iloc[0], national["month_start"].iloc[0]
        span = f"{first:%m/%Y}–{last:%m/%Y}"
        page.intro_vi += f" Danh sách nhân sự {span}."
        page.intro_en += f" Rosters {span}."
    _add_staffing(page, frame(con, STAFFING_SQL), frame(con, GAP_DISTRIBUTION_SQL), national)
    _add_specialists(page, frame(con, SPECIALIST_SQL), frame(con, COVERAGE_SQL), national)
    _add_workload(page, frame(con, WORKLOAD_SQL))
    _add_exits(
        page,
        frame(con, EXITS_SQL),
        frame(con, EXITS_SINCE_REFORM_SQL),
        frame(con, BENEFITS_SQL),
    )
    resources = frame(con, RESOURCES_SQL)
    _add_resource_gap(page, resources)
    _add_budget(
        page,
        frame(con, BUDGET_SQL),
        frame(con, DIGITAL_SQL),
        frame(con, NATIONAL_DIGITAL_SQL),
        frame(con, TREASURY_SQL),
        len(resources),
    )
    return page


def render(con: duckdb.DuckDBPyConnection, out_dir: Path | str) -> Path:
    return build(con).write(out_dir)
