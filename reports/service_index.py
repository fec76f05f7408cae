"""Service index page (Decision 766): score and band per province, the six groups, trends,
and the slowest stages behind the progress group.

Every figure is a column of a mart (mart_service_index, mart_service_index_groups,
mart_service_index_components, mart_service_govuk: commune-level unit, province and nation ×
month, quarter, year and whole period; mart_slow_stages and mart_procedure_steps through the
queries of the slow-stages page): the page selects rows and formats them.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import plotly.graph_objects as go

from reports import slow_stages
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
    labelled,
    mark_reform,
    missing_relations,
    month_axis,
    province_axis,
    style_figure,
)

SLUG = "service_index"
TITLE_VI = "Chỉ số phục vụ"
TITLE_EN = "Service index"
DESCRIPTION = (
    "Điểm Bộ chỉ số phục vụ (Quyết định 766) và xếp loại theo tỉnh, sáu nhóm chỉ số, diễn biến "
    "theo tháng, khâu chậm nhất, chỉ số GOV.UK / Decision 766 service-index score and band by "
    "province, the six groups, monthly trends, the slowest stages, GOV.UK service KPIs."
)
INDEX = "marts.mart_service_index"
GROUPS = "marts.mart_service_index_groups"
COMPONENTS = "marts.mart_service_index_components"
GOVUK = "marts.mart_service_govuk"
SOURCES = (INDEX, GROUPS, COMPONENTS, GOVUK, "marts.dim_admin_unit")
# The slow-stages section reads these; without them the score is still shown.
SLOW_STAGE_SOURCES = (slow_stages.STEPS, slow_stages.FLAGS, "marts.dim_procedure")
SLOW_STAGE_ROWS = 10

# The six groups in the decision's order, bilingual, with a colour each.
GROUP_LABELS = {
    "transparency": "Công khai, minh bạch / Transparency",
    "progress": "Tiến độ giải quyết / Progress",
    "online_service": "Dịch vụ trực tuyến / Online service",
    "online_payment": "Thanh toán trực tuyến / Online payment",
    "digitisation": "Số hóa hồ sơ / Digitisation",
    "satisfaction": "Mức độ hài lòng / Satisfaction",
}
GROUP_COLOURS = {
    "transparency": "#1f77b4",
    "progress": "#1a7f5a",
    "online_service": "#9467bd",
    "online_payment": "#e6a700",
    "digitisation": "#17becf",
    "satisfaction": "#c0392b",
}
COMPONENT_LABELS = {
    "synced_share": "Đồng bộ lên Cổng quốc gia / Synced to the national portal",
    "on_time_rate": "Đúng hạn / On time",
    "processing_time_ratio": "Thời gian xử lý ÷ hẹn trả / Days taken ÷ days promised",
    "avg_processing_days": "Số ngày xử lý bình quân / Average days taken",
    "full_online_share": "Toàn trình / Fully online",
    "online_payment_share": "Thanh toán trực tuyến / Paid online",
    "result_digitised_share": "Kết quả điện tử / Result issued electronically",
    "components_digitised_share": "Thành phần hồ sơ số hóa / Components digitised",
    "data_reused_share": "Tái sử dụng dữ liệu / Data reused",
    "overdue_rate": "Quá hạn / Overdue",
    "complaint_rate": "Phản ánh, kiến nghị / Complaints",
    "handling_satisfaction": "Hài lòng về giải quyết / Handling satisfaction",
    "feedback_on_time_share": "Trả lời phản ánh đúng hạn / Complaints answered on time",
}
BAND_COLOURS = {
    "excellent": "#1a7f5a",
    "good": "#4caf50",
    "fair": "#e6a700",
    "average": "#e67e22",
    "weak": "#c0392b",
}
OTHER_BAND_COLOUR = "#7f8c8d"  # a band the seed adds that the page has no colour for

# Whole period, one row per province, best first (the mart's rank).
PROVINCE_SQL = f"""
with {PROVINCE_NAMES}
select
    t.rank_in_nation,
    coalesce(p.province_name, t.province_code) as province_name,
    t.score,
    t.band_code,
    t.band_name_vi,
    t.band_name_en,
    t.total_points,
    t.points_available
from {INDEX} as t
left join province_names as p using (province_code)
where t.scope = 'province' and t.period = 'whole'
order by t.rank_in_nation nulls last, province_name
"""

NATION_SQL = f"""
select score, band_name_vi, band_name_en, total_points, points_available
from {INDEX}
where scope = 'nation' and period = 'whole'
"""

GROUPS_SQL = f"""
with {PROVINCE_NAMES}
select
    coalesce(p.province_name, g.province_code) as province_name,
    g.group_code,
    g.group_points,
    g.points_available,
    g.max_points,
    i.rank_in_nation
from {GROUPS} as g
inner join {INDEX} as i
    on g.scope = i.scope and g.area_code = i.area_code
    and g.period = i.period and g.period_start = i.period_start
left join province_names as p on g.province_code = p.province_code
where g.scope = 'province' and g.period = 'whole'
order by i.rank_in_nation nulls last, province_name
"""

MONTHLY_SQL = f"""
with {PROVINCE_NAMES}
select
    t.period_start as month_start,
    t.scope,
    coalesce(p.province_name, 'Toàn quốc / Nation') as area_name,
    t.score
from {INDEX} as t
left join province_names as p using (province_code)
where t.scope in ('province', 'nation') and t.period = 'month'
order by t.scope, area_name, t.period_start
"""

COMPONENTS_SQL = f"""
select
    component_code,
    group_code,
    numerator,
    denominator,
    ratio,
    max_points,
    full_points_at,
    direction,
    points
from {COMPONENTS}
where scope = 'nation' and period = 'whole'
"""

GOVUK_SQL = f"""
with {PROVINCE_NAMES}
select
    coalesce(p.province_name, 'Toàn quốc / Nation') as area_name,
    t.completed_online,
    t.dossiers_completed,
    t.digital_take_up,
    t.completion_numerator,
    t.completion_denominator,
    t.completion_rate,
    t.satisfaction_share,
    t.recurrent_spending_vnd,
    t.commune_dossiers_completed,
    t.cost_per_transaction_vnd
from {GOVUK} as t
left join province_names as p using (province_code)
where t.scope in ('province', 'nation') and t.period = 'whole'
order by t.scope desc, area_name
"""

# Every commune-level unit with a score over the whole period, lowest first.
COMMUNE_SQL = f"""
select
    u.province_name,
    u.unit_code,
    u.unit_name,
    u.unit_type,
    t.score,
    t.band_name_vi,
    t.rank_in_province,
    t.ranked_in_province,
    t.rank_in_nation,
    t.ranked_in_nation
from {INDEX} as t
inner join marts.dim_admin_unit as u using (unit_code)
where t.scope = 'unit' and t.period = 'whole' and t.score is not null
order by t.score, u.province_name, u.unit_name
"""


def band_colour(codes: pd.Series) -> list[str]:
    return [BAND_COLOURS.get(code, OTHER_BAND_COLOUR) for code in codes]


def province_figure(provinces: pd.DataFrame) -> go.Figure:
    """Horizontal bars, best score on top, coloured by band."""
    fig = go.Figure()
    fig.add_bar(
        y=provinces["province_name"],
        x=provinces["score"],
        orientation="h",
        marker_color=band_colour(provinces["band_code"]),
        customdata=provinces[["band_name_vi", "band_name_en", "rank_in_nation"]].to_numpy(),
        texttemplate="%{x:.1f}",
        textposition="outside",
        cliponaxis=False,
        hovertemplate="<b>%{y}</b><br>%{x:.1f} / 100 — %{customdata[0]} / %{customdata[1]}"
        "<br>Hạng / Rank %{customdata[2]}<extra></extra>",
        showlegend=False,
    )
    style_figure(
        fig,
        height=figure_height(len(provinces), 26, 140),
        xaxis=dict(range=[0, 108], tickvals=[0, 20, 40, 60, 80, 100], title="Điểm / Score"),
        yaxis=province_axis(),
    )
    return fig


def groups_figure(groups: pd.DataFrame, provinces: int) -> go.Figure:
    """One stacked bar per province: each group's points, side by side in one bar."""
    fig = go.Figure()
    for code, label in GROUP_LABELS.items():
        rows = groups[groups["group_code"] == code]
        fig.add_bar(
            y=rows["province_name"],
            x=rows["group_points"],
            name=label,
            orientation="h",
            marker_color=GROUP_COLOURS[code],
            customdata=rows[["points_available", "max_points"]].to_numpy(),
            hovertemplate="<b>%{y}</b><br>%{x:.1f} / %{customdata[0]:.0f}<extra>"
            + label
            + "</extra>",
        )
    style_figure(
        fig,
        barmode="stack",
        height=figure_height(provinces, 26, 230),
        xaxis=dict(range=[0, 100], title="Điểm / Points"),
        yaxis=province_axis(),
        # six long bilingual names above the bars: a short plot has no room below its axis
        legend=dict(orientation="h", x=0, y=1.02, xanchor="left", yanchor="bottom"),
        margin=dict(t=110),
    )
    return fig


def monthly_figure(monthly: pd.DataFrame) -> go.Figure:
    fig = go.Figure()
    for name in monthly["area_name"].unique():
        rows = monthly[monthly["area_name"] == name]
        scope = rows["scope"].iloc[0]
        fig.add_scatter(
            x=rows["month_start"],
            y=rows["score"],
            name=name,
            mode="lines+markers",
            line=dict(width=4 if scope == "nation" else 1.5),
            hovertemplate="%{y:.1f}",
        )
    style_figure(
        fig,
        height=460,
        xaxis=month_axis(monthly["month_start"].unique(), "Tháng / Month"),
        yaxis=dict(range=[0, 100], title="Điểm / Score"),
        hovermode="x unified",
    )
    mark_reform(fig, monthly["month_start"])
    return fig


def components_table(components: pd.DataFrame) -> pd.DataFrame:
    # the decision's group order, then the component order of COMPONENT_LABELS
    components = components.assign(
        group_order=pd.Categorical(components["group_code"], list(GROUP_LABELS), ordered=True),
        component_order=pd.Categorical(
            components["component_code"], list(COMPONENT_LABELS), ordered=True
        ),
    ).sort_values(["group_order", "component_order"])
    components = components.drop(columns=["group_order", "component_order"]).assign(
        component_code=labelled(components["component_code"], COMPONENT_LABELS),
        group_code=labelled(components["group_code"], GROUP_LABELS),
    )
    return components.rename(
        columns=COLUMN_LABELS
        | {
            "component_code": "Chỉ tiêu / Component",
            "group_code": "Nhóm / Group",
            "numerator": "Tử số / Numerator",
            "denominator": "Mẫu số / Denominator",
            "ratio": "Tỷ lệ / Ratio",
            "max_points": "Điểm tối đa / Max points",
            "full_points_at": "Đạt tối đa tại / Full points at",
            "direction": "Chiều / Direction",
            "points": "Điểm / Points",
        }
    )


def province_table(provinces: pd.DataFrame) -> pd.DataFrame:
    return provinces.drop(columns=["band_code"]).rename(
        columns=COLUMN_LABELS
        | {
            "rank_in_nation": "Hạng / Rank",
            "score": "Điểm / Score",
            "band_name_vi": "Xếp loại",
            "band_name_en": "Band",
            "total_points": "Điểm đạt / Points earned",
            "points_available": "Điểm có thể chấm / Points available",
        }
    )


def govuk_table(govuk: pd.DataFrame) -> pd.DataFrame:
    return govuk.rename(
        columns=COLUMN_LABELS
        | {
            "area_name": "Tỉnh / Province",
            "completed_online": "Hoàn thành, nộp trực tuyến / Completed online",
            "dossiers_completed": "Hoàn thành / Completed",
            "digital_take_up": "Tỷ lệ sử dụng số / Digital take-up",
            "completion_numerator": "Có kết quả / With a result",
            "completion_denominator": "Kết thúc xử lý / Ended",
            "completion_rate": "Tỷ lệ hoàn thành / Completion rate",
            "recurrent_spending_vnd": "Chi thường xuyên cấp xã (VND) / Commune recurrent spending",
            "commune_dossiers_completed": "Hồ sơ hoàn thành cấp xã / Commune completed",
            "cost_per_transaction_vnd": "Chi phí mỗi giao dịch (VND) / Cost per transaction",
        }
    )


def commune_table(communes: pd.DataFrame) -> pd.DataFrame:
    communes = communes.assign(unit_type=labelled(communes["unit_type"], UNIT_TYPES))
    return communes.rename(
        columns=COLUMN_LABELS
        | {
            "score": "Điểm / Score",
            "band_name_vi": "Xếp loại / Band",
            "rank_in_province": "Hạng trong tỉnh / Rank in province",
            "ranked_in_province": "Số đơn vị trong tỉnh / Units in province",
            "rank_in_nation": "Hạng toàn quốc / Rank in nation",
            "ranked_in_nation": "Số đơn vị toàn quốc / Units in nation",
        }
    )


COLUMN_FORMATS = {
    "Hạng / Rank": INT,
    "Điểm / Score": NUM1,
    "Điểm đạt / Points earned": NUM1,
    "Điểm có thể chấm / Points available": NUM1,
    "Tử số / Numerator": NUM1,
    "Mẫu số / Denominator": NUM1,
    "Tỷ lệ / Ratio": NUM2,
    "Điểm tối đa / Max points": NUM1,
    "Đạt tối đa tại / Full points at": NUM2,
    "Điểm / Points": NUM1,
    "Hoàn thành, nộp trực tuyến / Completed online": INT,
    "Hoàn thành / Completed": INT,
    "Tỷ lệ sử dụng số / Digital take-up": PCT,
    "Có kết quả / With a result": INT,
    "Kết thúc xử lý / Ended": INT,
    "Tỷ lệ hoàn thành / Completion rate": PCT,
    "Hài lòng (4–5 điểm) / Satisfied (4–5)": PCT,
    "Chi thường xuyên cấp xã (VND) / Commune recurrent spending": INT,
    "Hồ sơ hoàn thành cấp xã / Commune completed": INT,
    "Chi phí mỗi giao dịch (VND) / Cost per transaction": INT,
    "Mã / Code": "text",
    "Hạng trong tỉnh / Rank in province": INT,
    "Số đơn vị trong tỉnh / Units in province": INT,
    "Hạng toàn quốc / Rank in nation": INT,
    "Số đơn vị toàn quốc / Units in nation": INT,
}


def _add_provinces(page: Page, provinces: pd.DataFrame, nation: pd.DataFrame) -> None:
    page.add_heading("Điểm và xếp loại theo tỉnh", "Score and band by province")
    if provinces.empty:
        page.add_no_data()
        return
    if not nation.empty and pd.notna(nation["score"].iloc[0]):
        row = nation.iloc[0]
        page.add_note(
            f"Toàn quốc: {row['score']:.1f}/100 ({row['band_name_vi']}).",
            f"Nation: {row['score']:.1f}/100 ({row['band_name_en']}).",
        )
    page.add_figure(
        province_figure(provinces),
        "Điểm Bộ chỉ số phục vụ (trên 100), cả giai đoạn, xếp hạng; màu theo xếp loại. Chỉ "
        "tiêu không có mẫu số trong giai đoạn không được chấm: điểm là điểm đạt trên điểm có "
        "thể chấm × 100",
        "Service-index score out of 100, whole period, ranked; colour by band. A component "
        "with no denominator in the period is not scored: the score is points earned ÷ points "
        "available × 100",
    )
    page.add_table(
        province_table(provinces),
        "Xếp hạng các tỉnh",
        "Provinces ranked",
        formats=COLUMN_FORMATS,
        table_id="provinces",
    )


def _add_groups(page: Page, groups: pd.DataFrame, provinces: int) -> None:
    page.add_heading("Sáu nhóm chỉ số", "The six groups")
    if groups.empty:
        page.add_no_data()
        return
    page.add_figure(
        groups_figure(groups, provinces),
        "Điểm từng nhóm theo tỉnh, cả giai đoạn (di chuột: điểm có thể chấm của nhóm)",
        "Each group's points by province, whole period (hover: the group's points available)",
    )


def _add_monthly(page: Page, monthly: pd.DataFrame) -> None:
    page.add_heading("Diễn biến theo tháng", "Monthly trend")
    if monthly.empty:
        page.add_no_data()
        return
    page.add_figure(
        monthly_figure(monthly),
        "Điểm theo tháng: toàn quốc (nét đậm) và từng tỉnh",
        "Score by month: the nation (bold) and each province",
    )


def _add_components(page: Page, components: pd.DataFrame) -> None:
    page.add_heading("Các chỉ tiêu thành phần (toàn quốc)", "Components (nation)")
    if components.empty:
        page.add_no_data()
        return
    page.add_table(
        components_table(components),
        "Mỗi chỉ tiêu với tử số, mẫu số và điểm theo bảng điểm (seeds/service_index_points.csv); "
        "chỉ tiêu không có điểm tối đa chỉ để theo dõi",
        "Each component with its numerator, denominator and points from the points seed "
        "(seeds/service_index_points.csv); components with no max points are shown, not scored",
        formats=COLUMN_FORMATS,
        table_id="components",
    )


def _add_govuk(page: Page, govuk: pd.DataFrame) -> None:
    page.add_heading("Chỉ số dịch vụ kiểu GOV.UK", "GOV.UK service KPIs")
    if govuk.empty:
        page.add_no_data()
        return
    page.add_table(
        govuk_table(govuk),
        "Cả giai đoạn: sử dụng số = hoàn thành nộp trực tuyến ÷ hoàn thành; hoàn thành = có kết "
        "quả ÷ kết thúc xử lý (rút, từ chối là không hoàn thành); chi phí = chi thường xuyên "
        "cấp xã ÷ hồ sơ hoàn thành cấp xã",
        "Whole period: digital take-up = completed online ÷ completed; completion = with a "
        "result ÷ ended (withdrawn and rejected fail); cost = commune recurrent spending ÷ "
        "dossiers completed by commune-level units",
        formats=COLUMN_FORMATS,
        table_id="govuk",
    )


def _add_communes(page: Page, communes: pd.DataFrame) -> None:
    page.add_heading("Xã, phường, đặc khu", "Commune-level units")
    if communes.empty:
        page.add_no_data()
        return
    page.add_table(
        commune_table(communes),
        "Đơn vị cấp xã có điểm, cả giai đoạn, điểm thấp nhất trước",
        "Commune-level units with a score, whole period, lowest first",
        formats=COLUMN_FORMATS,
        table_id="communes",
    )


def _add_slow_stages(page: Page, con: duckdb.DuckDBPyConnection) -> None:
    """The slowest stages, selected by the slow-stages page's own queries: the steps
    flagged in a province, then the slowest step of the procedures with most overdue."""
    page.add_heading("Khâu chậm nhất", "The slowest stages")
    missing = missing_relations(con, SLOW_STAGE_SOURCES)
    if missing:
        names = ", ".join(missing)
        page.add_no_data(f"Bảng chưa được tạo: {names}.", f"Not built yet: {names}.")
        return
    page.add_source(*SLOW_STAGE_SOURCES)
    flags = frame(con, slow_stages.FLAGS_SQL)
    flags = flags[flags["scope"] == "province"].drop(columns=["scope", "area_name"])
    flags = flags.head(SLOW_STAGE_ROWS)
    if flags.empty:
        page.add_note(
            "Không có bước nào chậm bất thường ở cấp tỉnh.", "No step is flagged in any province."
        )
    else:
        page.add_table(
            slow_stages.table(flags),
            f"Bước xử lý chậm nhất so với toàn quốc (tối đa {SLOW_STAGE_ROWS}): trung vị trong "
            "tỉnh gấp từ 2 lần trung vị toàn quốc của cùng thủ tục, cùng bước; chi tiết ở trang "
            "Khâu chậm và tồn đọng",
            f"The steps slowest against the nation (up to {SLOW_STAGE_ROWS}): the province's "
            "median at least twice the national median of the same procedure's step; details "
            "on the Slow stages and backlog page",
            formats=slow_stages.FORMATS,
            table_id="slowest-stages",
        )
    slowest = frame(con, slow_stages.SLOWEST_SQL).head(SLOW_STAGE_ROWS)
    if slowest.empty:
        return
    page.add_table(
        slow_stages.table(slowest),
        f"Thủ tục có nhiều hồ sơ quá hạn nhất (tối đa {SLOW_STAGE_ROWS}) và bước chậm nhất của "
        "mỗi thủ tục, ngày làm việc",
        f"The procedures with the most overdue dossiers (up to {SLOW_STAGE_ROWS}) and the slowest "
        "step of each, in working days",
        formats=slow_stages.FORMATS,
        table_id="slowest-steps",
    )


def build(con: duckdb.DuckDBPyConnection) -> Page:
    page = Page(
        SLUG,
        TITLE_VI,
        TITLE_EN,
        intro_vi="Bộ chỉ số chỉ đạo, điều hành và đánh giá chất lượng phục vụ người dân, doanh "
        "nghiệp (Quyết định 766/QĐ-TTg): sáu nhóm, 100 điểm; điểm và ngưỡng theo bảng điểm có "
        "thể chỉnh sửa.",
        intro_en="The national service index (Decision 766/QĐ-TTg): six groups, 100 points; "
        "points and thresholds from an editable seed.",
        sources=list(SOURCES),
    )
    if not page.sources_ready(con):
        return page
    provinces = frame(con, PROVINCE_SQL)
    _add_provinces(page, provinces, frame(con, NATION_SQL))
    _add_groups(page, frame(con, GROUPS_SQL), len(provinces))
    _add_monthly(page, frame(con, MONTHLY_SQL))
    _add_slow_stages(page, con)
    _add_components(page, frame(con, COMPONENTS_SQL))
    _add_govuk(page, frame(con, GOVUK_SQL))
    _add_communes(page, frame(con, COMMUNE_SQL))
    return page


def render(con: duckdb.DuckDBPyConnection, out_dir: Path | str) -> Path:
    return build(con).write(out_dir)
