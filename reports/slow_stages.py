"""Slow stages and backlog page: which processing step of each procedure is slowest and
explains its overdue dossiers, where a step is far slower than nationally, how often
dossiers are sent back for supplements, and how old the backlog past due is (indicators C).

Every figure is a column of a mart (mart_procedure_steps, mart_slow_stages,
mart_procedure_supplements, mart_backlog_ageing): the page selects rows and formats them.
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
    NUM2,
    PCT,
    Page,
    figure_height,
    legend_at_bottom,
    month_bars_figure,
    province_axis,
    style_figure,
)

SLUG = "slow_stages"
TITLE_VI = "Khâu chậm và tồn đọng"
TITLE_EN = "Slow stages and backlog"
DESCRIPTION = (
    "Bước xử lý chậm nhất của mỗi thủ tục, khâu chậm bất thường theo tỉnh và xã, tỷ lệ yêu "
    "cầu bổ sung hồ sơ, hồ sơ quá hạn tồn đọng theo thời gian quá hạn / The slowest step of "
    "each procedure, steps far slower than nationally by province and unit, supplement-request "
    "rates, the backlog past due by age."
)
STEPS = "marts.mart_procedure_steps"
FLAGS = "marts.mart_slow_stages"
SUPPLEMENTS = "marts.mart_procedure_supplements"
BACKLOG = "marts.mart_backlog_ageing"
SOURCES = (STEPS, FLAGS, SUPPLEMENTS, BACKLOG, "marts.dim_procedure", "marts.dim_admin_unit")
# A procedure's figures are shown once this many of its steps / dossiers are counted.
MIN_SHOWN = 30
TOP_ROWS = 25

# mart column -> (label, colour), youngest first.
AGES = {
    "past_due_1_5_days": ("Quá hạn 1–5 ngày làm việc / 1–5 working days", "#f6b26b"),
    "past_due_6_10_days": ("6–10 ngày / 6–10 days", "#e69138"),
    "past_due_11_20_days": ("11–20 ngày / 11–20 days", "#cc4125"),
    "past_due_over_20_days": ("Trên 20 ngày / over 20 days", "#85200c"),
}

SLOWEST_SQL = f"""
select
    coalesce(p.procedure_name, s.procedure_code) as procedure_name,
    s.procedure_code,
    s.step_name,
    s.statutory_days,
    s.median_dwell_working_days,
    s.usual_deadline_share,
    s.steps_completed,
    s.overdue_dossiers,
    s.overdue_over_usual_share
from {STEPS} as s
left join marts.dim_procedure as p using (procedure_code)
where s.is_slowest_step
    and s.steps_completed >= {MIN_SHOWN}
order by s.overdue_dossiers desc, s.median_dwell_working_days desc, s.procedure_code
limit {TOP_ROWS}
"""

FLAGS_SQL = f"""
with {PROVINCE_NAMES}
select
    f.scope,
    coalesce(u.unit_name, f.area_code) as area_name,
    coalesce(pn.province_name, f.province_code) as province_name,
    coalesce(p.procedure_name, f.procedure_code) as procedure_name,
    f.step_name,
    f.steps_completed,
    f.median_dwell_working_days,
    f.national_median_dwell_working_days,
    f.dwell_ratio
from {FLAGS} as f
left join marts.dim_admin_unit as u on f.area_code = u.unit_code
left join province_names as pn on f.province_code = pn.province_code
left join marts.dim_procedure as p on f.procedure_code = p.procedure_code
where f.is_slow_stage
order by f.dwell_ratio desc, area_name, procedure_name, f.step_name
"""

SUPPLEMENTS_SQL = f"""
select
    coalesce(p.procedure_name, s.procedure_code) as procedure_name,
    s.procedure_code,
    s.dossiers_received,
    s.dossiers_with_supplement_request,
    s.dossiers_with_repeat_request,
    s.supplement_request_rate
from {SUPPLEMENTS} as s
left join marts.dim_procedure as p using (procedure_code)
where s.dossiers_received >= {MIN_SHOWN}
order by s.supplement_request_rate desc, s.dossiers_received desc, s.procedure_code
limit {TOP_ROWS}
"""

BACKLOG_SQL = f"""
with {PROVINCE_NAMES}
select
    coalesce(p.province_name, b.province_code) as province_name,
    strftime(b.month_start, '%m/%Y') as month,
    b.open_dossiers,
    b.past_due_dossiers,
    b.past_due_share,
    b.past_due_1_5_days,
    b.past_due_6_10_days,
    b.past_due_11_20_days,
    b.past_due_over_20_days
from {BACKLOG} as b
left join province_names as p using (province_code)
where b.scope = 'province'
    and b.is_latest_month
order by b.past_due_share desc nulls last, province_name
"""

NATION_SQL = f"""
select
    month_start,
    open_dossiers,
    past_due_dossiers,
    past_due_share,
    past_due_1_5_days,
    past_due_6_10_days,
    past_due_11_20_days,
    past_due_over_20_days
from {BACKLOG}
where scope = 'nation'
order by month_start
"""

SCOPES = {"province": "Tỉnh / Province", "unit": "Xã, phường / Unit"}
COLUMNS = (
    COLUMN_LABELS
    | {
        "scope": "Cấp / Level",
        "area_name": "Địa bàn / Area",
        "step_name": "Bước / Step",
        "statutory_days": "Thời hạn (ngày LV) / Deadline (working days)",
        "median_dwell_working_days": (
            "Thời gian bước (trung vị, ngày LV) / Step time (median, working days)"
        ),
        "national_median_dwell_working_days": "Trung vị toàn quốc / National median",
        "dwell_ratio": "Gấp / Times national",
        "usual_deadline_share": "Tỷ trọng thường lệ trong thời hạn / Usual share of the deadline",
        "steps_completed": "Số lượt / Steps",
        "overdue_dossiers": "Hồ sơ quá hạn / Overdue dossiers",
        "overdue_over_usual_share": "Quá hạn do bước này / Overdue that overran this step",
        "dossiers_with_supplement_request": "Yêu cầu bổ sung / Sent back",
        "dossiers_with_repeat_request": "Bổ sung từ 2 lần / Sent back twice or more",
        "supplement_request_rate": "Tỷ lệ yêu cầu bổ sung / Supplement-request rate",
        "month": "Cuối tháng / Month end",
        "open_dossiers": "Đang giải quyết / Open",
        "past_due_dossiers": "Quá hạn / Past due",
        "past_due_share": "Tỷ lệ quá hạn / Past-due share",
    }
    | {column: label for column, (label, _) in AGES.items()}
)
FORMATS = {
    COLUMNS["statutory_days"]: INT,
    COLUMNS["median_dwell_working_days"]: NUM2,
    COLUMNS["national_median_dwell_working_days"]: NUM2,
    COLUMNS["dwell_ratio"]: NUM1,
    COLUMNS["usual_deadline_share"]: PCT,
    COLUMNS["overdue_over_usual_share"]: PCT,
    COLUMNS["supplement_request_rate"]: PCT,
    COLUMNS["past_due_share"]: PCT,
}


def flags_figure(flags: pd.DataFrame) -> go.Figure:
    """The flagged steps of the provinces: how many times the national median they take."""
    labels = (
        flags["province_name"]
        + " · "
        + flags["procedure_name"].str.slice(0, 48)
        + " · "
        + flags["step_name"]
    )
    fig = go.Figure(
        go.Bar(
            y=labels,
            x=flags["dwell_ratio"],
            orientation="h",
            marker_color="#cc4125",
            customdata=flags[
                [
                    "median_dwell_working_days",
                    "national_median_dwell_working_days",
                    "steps_completed",
                ]
            ].to_numpy(),
            texttemplate="%{x:.1f}×",
            textposition="outside",
            cliponaxis=False,
            hovertemplate="<b>%{y}</b><br>%{customdata[0]:.2f} / %{customdata[1]:.2f} "
            "ngày LV / working days (%{customdata[2]:,})<extra></extra>",
        )
    )
    style_figure(
        fig,
        height=figure_height(len(flags)),
        showlegend=False,
        xaxis=dict(title="Gấp trung vị toàn quốc / Times the national median", rangemode="tozero"),
        yaxis=province_axis(),
    )
    return fig


def backlog_figure(backlog: pd.DataFrame) -> go.Figure:
    fig = go.Figure()
    for column, (label, colour) in AGES.items():
        fig.add_bar(
            y=backlog["province_name"],
            x=backlog[column],
            orientation="h",
            name=label,
            marker_color=colour,
            hovertemplate="<b>%{y}</b><br>%{x:,}<extra>" + label + "</extra>",
        )
    style_figure(
        fig,
        height=figure_height(len(backlog), 28, 190),
        barmode="stack",
        margin=dict(l=10, r=20, t=40, b=90),
        legend=legend_at_bottom(),
        xaxis=dict(title="Hồ sơ quá hạn / Dossiers past due", rangemode="tozero"),
        yaxis=province_axis(),
    )
    return fig


def table(df: pd.DataFrame) -> pd.DataFrame:
    shown = df.copy()
    if "scope" in shown:
        shown["scope"] = shown["scope"].map(SCOPES).fillna(shown["scope"])
    return shown.rename(columns=COLUMNS)


def build(con: duckdb.DuckDBPyConnection) -> Page:
    page = Page(
        SLUG,
        TITLE_VI,
        TITLE_EN,
        intro_vi="Hồ sơ chậm ở bước nào: bước xử lý chậm nhất của mỗi thủ tục và phần hồ sơ "
        "quá hạn đã vượt thời gian thường lệ ở bước đó; các bước chậm bất thường (gấp nhiều lần "
        "trung vị toàn quốc) theo tỉnh và xã; tỷ lệ hồ sơ bị yêu cầu bổ sung; hồ sơ quá hạn tồn "
        "đọng cuối tháng theo số ngày làm việc quá hạn.",
        intro_en="Where dossiers are slow: the slowest processing step of each procedure and "
        "the share of its overdue dossiers that overran the step's usual time; steps far slower "
        "than nationally by province and unit; how often dossiers are sent back for a "
        "supplement; the backlog past due at month end by working days past due.",
        sources=list(SOURCES),
    )
    if not page.sources_ready(con):
        return page
    page.add_heading("Bước chậm nhất của mỗi thủ tục", "The slowest step of each procedure")
    slowest = frame(con, SLOWEST_SQL)
    if slowest.empty:
        page.add_no_data("Chưa có bước xử lý nào hoàn thành.", "No processing step completed yet.")
    else:
        page.add_table(
            table(slowest),
            f"Thủ tục có nhiều hồ sơ quá hạn nhất (tối đa {TOP_ROWS}, từ {MIN_SHOWN} lượt): bước "
            "có thời gian trung vị dài nhất, tính bằng ngày làm việc (giờ hành chính), trừ thời "
            "gian chờ bổ sung; tỷ lệ hồ sơ quá hạn đã vượt thời gian thường lệ của bước",
            f"Procedures with the most overdue dossiers (up to {TOP_ROWS}, at least {MIN_SHOWN} "
            "steps): the step with the longest median time in working days (office hours), "
            "supplement waits excluded; the share of overdue dossiers that overran its usual "
            "time (the median over dossiers finished within due)",
            formats=FORMATS,
            table_id="slowest-steps",
        )
    page.add_heading("Khâu chậm bất thường", "Slow stages: far slower than nationally")
    flags = frame(con, FLAGS_SQL)
    if flags.empty:
        page.add_no_data("Không có bước nào bị gắn cờ.", "No step is flagged.")
    else:
        provinces = flags[flags["scope"] == "province"]
        if not provinces.empty:
            page.add_figure(
                flags_figure(provinces),
                "Bước xử lý có thời gian trung vị trong tỉnh gấp từ 2 lần trung vị toàn quốc của "
                "cùng thủ tục, cùng bước",
                "Steps whose median time in the province is at least twice the national median "
                "of the same procedure's step (dbt var slow_stage_min_ratio)",
            )
        page.add_table(
            table(flags),
            "Các khâu chậm theo tỉnh và xã, phường; bấm tiêu đề cột để sắp xếp",
            "Slow stages by province and unit; click a column header to sort",
            formats=FORMATS,
            table_id="slow-stage-flags",
        )
    page.add_heading("Yêu cầu bổ sung hồ sơ", "Supplement requests")
    supplements = frame(con, SUPPLEMENTS_SQL)
    if supplements.empty:
        page.add_no_data()
    else:
        page.add_table(
            table(supplements),
            f"Thủ tục có tỷ lệ hồ sơ bị yêu cầu bổ sung cao nhất (tối đa {TOP_ROWS}, từ "
            f"{MIN_SHOWN} hồ sơ)",
            f"Procedures sending the largest share of dossiers back for a supplement (up to "
            f"{TOP_ROWS}, at least {MIN_SHOWN} dossiers received)",
            formats=FORMATS,
            table_id="supplement-rates",
        )
    page.add_heading("Hồ sơ quá hạn tồn đọng", "Backlog past due")
    backlog = frame(con, BACKLOG_SQL)
    nation = frame(con, NATION_SQL)
    if backlog.empty:
        page.add_no_data("Không có hồ sơ đang giải quyết.", "No dossier is open.")
        return page
    month = backlog["month"].iloc[0]
    page.add_figure(
        backlog_figure(backlog),
        f"Hồ sơ quá hạn chưa giải quyết cuối tháng {month}, theo số ngày làm việc quá hạn; "
        "tỉnh có tỷ lệ quá hạn cao nhất ở trên",
        f"Dossiers open past due at the end of {month}, by working days past due; the province "
        "with the highest past-due share on top",
    )
    page.add_figure(
        month_bars_figure(
            nation,
            AGES,
            "Tháng / Month",
            yaxis=dict(title="Hồ sơ quá hạn / Dossiers past due"),
            height=420,
            bottom=110,
            legend_y=-0.22,
        ),
        "Toàn quốc: hồ sơ quá hạn tồn đọng cuối mỗi tháng theo số ngày làm việc quá hạn",
        "National: dossiers open past due at each month end, by working days past due",
    )
    page.add_table(
        table(backlog),
        f"Theo tỉnh, cuối tháng {month}",
        f"By province, end of {month}",
        formats=FORMATS,
        table_id="backlog-provinces",
    )
    return page


def render(con: duckdb.DuckDBPyConnection, out_dir: Path | str) -> Path:
    return build(con).write(out_dir)
