"""Operating-quality page: the index ranked, with its uncertainty (docs/indicators.md G).

Every figure is a column of mart_operating_quality (commune-level units and provinces ×
quarter, year and the months since the reform: group scores, composite and its interval, ranks, rank
intervals, weak / watch flags and their two reasons) or mart_operating_quality_weak_levels
(provinces with more weak communes than chance): the page selects rows and formats them.
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
    UNIT_TYPES,
    Page,
    figure_height,
    labelled,
    score_axis,
    style_figure,
)

SLUG = "operating_quality"
TITLE_VI = "Chất lượng vận hành"
TITLE_EN = "Operating quality"
DESCRIPTION = (
    "Chỉ số chất lượng vận hành (hiệu quả, hiệu lực, hiệu suất): xếp hạng tỉnh và xã kèm "
    "khoảng tin cậy, đơn vị yếu và cần theo dõi cùng hai lý do / Operating-quality index "
    "(performance, effectiveness, efficiency): provinces and communes ranked with their "
    "uncertainty, weak and watch units with their two reasons."
)
INDEX = "marts.mart_operating_quality"
WEAK_LEVELS = "marts.mart_operating_quality_weak_levels"
SOURCES = (INDEX, WEAK_LEVELS, "marts.dim_admin_unit")

FLAG_LABELS = {"weak": "Yếu / Weak", "watch": "Cần theo dõi / Watch"}
# a unit whose interval says weak but whose few dossiers cannot prove it (is_weak_withheld)
WITHHELD_LABEL = (
    "Cần theo dõi: quá ít hồ sơ để kết luận yếu / Watch: too few dossiers for a firm flag"
)
FIRM_LABELS = {True: "Vững / Firm", False: "Phụ thuộc trọng số / Depends on the weights"}
FLAG_COLOURS = {"weak": "#c0392b", "watch": "#e6a700"}

# Whole period, one row per province, best first (the mart's rank), with its weak level.
PROVINCE_SQL = f"""
with {PROVINCE_NAMES}
select
    t.rank_in_nation,
    coalesce(p.province_name, t.province_code) as province_name,
    t.composite_score,
    t.composite_lower,
    t.composite_upper,
    t.performance_score,
    t.effectiveness_score,
    t.efficiency_score,
    t.rank_spread,
    w.units_ranked,
    w.units_weak,
    w.units_watch,
    w.excess_z,
    w.is_weak_level
from {INDEX} as t
left join province_names as p using (province_code)
left join {WEAK_LEVELS} as w
    on t.province_code = w.province_code
    and t.period = w.period
    and t.period_start = w.period_start
where t.scope = 'province' and t.period = 'since_reform' and t.is_scored
order by t.rank_in_nation, province_name
"""

# Every scored commune-level unit, since the reform: the distribution of the composite.
COMMUNE_SCORES_SQL = f"""
select composite_score, quality_flag
from {INDEX}
where scope = 'unit' and period = 'since_reform' and is_scored
"""

# Weak and watch units, since the reform, lowest first, with their rank interval and reasons.
FLAGGED_SQL = f"""
select
    u.province_name,
    u.unit_code,
    u.unit_name,
    u.unit_type,
    t.quality_flag,
    t.is_weak_withheld,
    t.dossiers_on_hand,
    t.composite_score,
    t.composite_lower,
    t.composite_upper,
    t.rank_in_nation,
    t.rank_best_in_nation,
    t.rank_worst_in_nation,
    t.ranked_in_nation,
    t.rank_spread,
    t.is_rank_firm,
    t.reason_1_name_vi,
    t.reason_1_name_en,
    t.reason_1_points_lost,
    t.reason_2_name_vi,
    t.reason_2_name_en,
    t.reason_2_points_lost,
    t.slow_stages
from {INDEX} as t
inner join marts.dim_admin_unit as u using (unit_code)
where t.scope = 'unit' and t.period = 'since_reform' and t.quality_flag is not null
order by t.rank_in_nation desc, u.unit_code
"""


def province_figure(provinces: pd.DataFrame) -> go.Figure:
    """Each province's composite with its interval drawn as a segment, best on top."""
    fig = go.Figure()
    _add_intervals(
        fig, provinces["province_name"], provinces["composite_lower"], provinces["composite_upper"]
    )
    fig.add_scatter(
        y=provinces["province_name"],
        x=provinces["composite_score"],
        mode="markers",
        marker=dict(size=9, color="#0b5394"),
        customdata=provinces[["composite_lower", "composite_upper", "rank_in_nation"]].to_numpy(),
        hovertemplate="<b>%{y}</b><br>%{x:.1f} (%{customdata[0]:.1f}–%{customdata[1]:.1f})"
        "<br>Hạng / Rank %{customdata[2]}<extra></extra>",
        showlegend=False,
    )
    style_figure(
        fig,
        height=figure_height(len(provinces), 26, 140),
        xaxis=score_axis(
            pd.concat([provinces["composite_lower"], provinces["composite_upper"]]),
            "Điểm tổng hợp / Composite score",
        ),
        yaxis=dict(autorange="reversed", automargin=True),
    )
    return fig


def distribution_figure(scores: pd.DataFrame) -> go.Figure:
    fig = go.Figure()
    fig.add_histogram(
        x=scores["composite_score"],
        xbins=dict(start=0, end=100, size=2.5),
        marker_color="#7f8c8d",
        hovertemplate="%{x}: %{y}<extra></extra>",
        showlegend=False,
    )
    style_figure(
        fig,
        height=340,
        xaxis=dict(range=[0, 100], title="Điểm tổng hợp / Composite score"),
        yaxis=dict(title="Số đơn vị / Units"),
        bargap=0.05,
    )
    return fig


def rank_interval_figure(flagged: pd.DataFrame) -> go.Figure:
    """Weak and watch units: rank in the nation, the rank interval as an error bar."""
    names = flagged["unit_name"] + " (" + flagged["province_name"] + ")"
    fig = go.Figure()
    _add_intervals(fig, names, flagged["rank_best_in_nation"], flagged["rank_worst_in_nation"])
    for flag, label in FLAG_LABELS.items():
        rows = flagged["quality_flag"] == flag
        fig.add_scatter(
            y=names[rows],
            x=flagged.loc[rows, "rank_in_nation"],
            mode="markers",
            name=label,
            marker=dict(size=9, color=FLAG_COLOURS[flag]),
            customdata=flagged.loc[
                rows, ["rank_best_in_nation", "rank_worst_in_nation", "ranked_in_nation"]
            ].to_numpy(),
            hovertemplate="<b>%{y}</b><br>Hạng / Rank %{x} (%{customdata[0]}–%{customdata[1]})"
            " / %{customdata[2]}<extra></extra>",
        )
    style_figure(
        fig,
        height=figure_height(len(flagged), 22, 160),
        xaxis=dict(title="Hạng toàn quốc (1 = tốt nhất) / Rank in the nation (1 = best)"),
        yaxis=dict(autorange="reversed", automargin=True),
    )
    return fig


def _add_intervals(fig: go.Figure, names: pd.Series, low: pd.Series, high: pd.Series) -> None:
    """One horizontal segment per row from low to high (gaps between rows: None)."""
    xs, ys = [], []
    for name, start, end in zip(names, low, high, strict=True):
        xs += [start, end, None]
        ys += [name, name, None]
    fig.add_scatter(
        x=xs,
        y=ys,
        mode="lines",
        line=dict(color="#9aa5b1", width=3),
        hoverinfo="skip",
        name="Khoảng / Interval",
    )


def province_table(provinces: pd.DataFrame) -> pd.DataFrame:
    return provinces.assign(
        is_weak_level=provinces["is_weak_level"].map({True: "Có / Yes", False: "Không / No"})
    ).rename(columns=COLUMN_LABELS | PROVINCE_COLUMNS)


PROVINCE_COLUMNS = {
    "rank_in_nation": "Hạng / Rank",
    "composite_score": "Điểm tổng hợp / Composite",
    "composite_lower": "Cận dưới / Lower bound",
    "composite_upper": "Cận trên / Upper bound",
    "performance_score": "Hiệu quả phục vụ / Performance",
    "effectiveness_score": "Hiệu lực / Effectiveness",
    "efficiency_score": "Hiệu suất / Efficiency",
    "rank_spread": "Độ lệch hạng theo trọng số / Rank spread across weightings",
    "units_ranked": "Số xã được xếp hạng / Communes ranked",
    "units_weak": "Xã yếu / Weak communes",
    "units_watch": "Xã cần theo dõi / Watch communes",
    "excess_z": "Mức vượt ngẫu nhiên (z) / Excess over chance (z)",
    "is_weak_level": "Cấp yếu / Weak level",
}


def flagged_table(flagged: pd.DataFrame) -> pd.DataFrame:
    flagged = flagged.assign(
        unit_type=labelled(flagged["unit_type"], UNIT_TYPES),
        quality_flag=labelled(flagged["quality_flag"], FLAG_LABELS).where(
            ~flagged["is_weak_withheld"].astype(bool), WITHHELD_LABEL
        ),
        is_rank_firm=flagged["is_rank_firm"].map(FIRM_LABELS),
        reason_1=flagged["reason_1_name_vi"] + " / " + flagged["reason_1_name_en"],
        reason_2=flagged["reason_2_name_vi"] + " / " + flagged["reason_2_name_en"],
    )
    columns = [
        "province_name",
        "unit_code",
        "unit_name",
        "unit_type",
        "quality_flag",
        "dossiers_on_hand",
        "composite_score",
        "composite_lower",
        "composite_upper",
        "rank_in_nation",
        "rank_best_in_nation",
        "rank_worst_in_nation",
        "rank_spread",
        "is_rank_firm",
        "reason_1",
        "reason_1_points_lost",
        "reason_2",
        "reason_2_points_lost",
        "slow_stages",
    ]
    return flagged[columns].rename(columns=COLUMN_LABELS | PROVINCE_COLUMNS | FLAGGED_COLUMNS)


FLAGGED_COLUMNS = {
    "quality_flag": "Mức / Flag",
    "dossiers_on_hand": "Hồ sơ phải giải quyết / Dossiers on hand",
    "is_rank_firm": "Hạng vững? / Firm rank?",
    "rank_in_nation": "Hạng toàn quốc / Rank in nation",
    "rank_best_in_nation": "Hạng tốt nhất có thể / Best possible rank",
    "rank_worst_in_nation": "Hạng kém nhất có thể / Worst possible rank",
    "reason_1": "Lý do 1 / Reason 1",
    "reason_1_points_lost": "Điểm mất (1) / Points lost (1)",
    "reason_2": "Lý do 2 / Reason 2",
    "reason_2_points_lost": "Điểm mất (2) / Points lost (2)",
    "slow_stages": "Công đoạn chậm / Slow stages",
}

COLUMN_FORMATS = {
    "Hạng / Rank": INT,
    "Hồ sơ phải giải quyết / Dossiers on hand": INT,
    "Điểm tổng hợp / Composite": NUM1,
    "Cận dưới / Lower bound": NUM1,
    "Cận trên / Upper bound": NUM1,
    "Hiệu quả phục vụ / Performance": NUM1,
    "Hiệu lực / Effectiveness": NUM1,
    "Hiệu suất / Efficiency": NUM1,
    "Độ lệch hạng theo trọng số / Rank spread across weightings": INT,
    "Số xã được xếp hạng / Communes ranked": INT,
    "Xã yếu / Weak communes": INT,
    "Xã cần theo dõi / Watch communes": INT,
    "Mức vượt ngẫu nhiên (z) / Excess over chance (z)": NUM2,
    "Mã / Code": "text",
    "Hạng toàn quốc / Rank in nation": INT,
    "Hạng tốt nhất có thể / Best possible rank": INT,
    "Hạng kém nhất có thể / Worst possible rank": INT,
    "Điểm mất (1) / Points lost (1)": NUM1,
    "Điểm mất (2) / Points lost (2)": NUM1,
    "Công đoạn chậm / Slow stages": INT,
}


def _add_provinces(page: Page, provinces: pd.DataFrame) -> None:
    page.add_heading("Các tỉnh", "Provinces")
    if provinces.empty:
        page.add_no_data()
        return
    page.add_figure(
        province_figure(provinces),
        "Điểm tổng hợp của mỗi tỉnh từ khi sắp xếp, với khoảng tin cậy (đoạn xám)",
        "Each province's composite score since the reform, with its interval (grey segment)",
    )
    page.add_table(
        province_table(provinces),
        "Xếp hạng các tỉnh; cấp yếu: tỉnh có nhiều xã thuộc nhóm 10% kém nhất cả nước hơn mức "
        "ngẫu nhiên (z một phía ≥ 1,645)",
        "Provinces ranked; weak level: more communes in the nation's bottom decile than chance "
        "would put there (one-sided z ≥ 1.645)",
        formats=COLUMN_FORMATS,
        table_id="provinces",
    )


def _add_distribution(page: Page, scores: pd.DataFrame) -> None:
    page.add_heading("Phân bố điểm cấp xã", "Distribution of commune scores")
    if scores.empty:
        page.add_no_data()
        return
    page.add_figure(
        distribution_figure(scores),
        "Số đơn vị cấp xã theo điểm tổng hợp, từ khi sắp xếp (1/7/2025)",
        "Commune-level units by composite score, since the reform (1 July 2025)",
    )


def _add_flagged(page: Page, flagged: pd.DataFrame) -> None:
    page.add_heading("Đơn vị yếu và cần theo dõi", "Weak and watch units")
    if flagged.empty:
        page.add_no_data(
            "Không đơn vị nào thuộc nhóm 10% kém nhất.", "No unit is in the bottom decile."
        )
        return
    page.add_figure(
        rank_interval_figure(flagged),
        "Hạng toàn quốc và khoảng hạng: yếu khi cả hạng tốt nhất có thể vẫn thuộc nhóm 10% "
        "kém nhất; cần theo dõi khi chỉ hạng ước lượng thuộc nhóm đó",
        "Rank in the nation and its interval: weak when even the best possible rank is in the "
        "bottom decile; watch when only the point rank is",
    )
    page.add_table(
        flagged_table(flagged),
        "Đơn vị yếu và cần theo dõi, từ khi sắp xếp, với hai tiêu chí kéo điểm xuống nhiều nhất. "
        "Độ lệch hạng: chênh lệch giữa hạng cao nhất và thấp nhất khi đổi trọng số (trọng số "
        "đều, bỏ từng nhóm); lệch quá 40 bậc thì hạng chỉ đúng với bộ trọng số đã chọn",
        "Weak and watch units, since the reform, with the two criteria that pull the score down "
        "most. Rank spread: highest minus lowest rank when the weights change (equal weights, "
        "each group left out); beyond 40 places the rank holds for the chosen weights only",
        formats=COLUMN_FORMATS,
        table_id="flagged",
    )


def build(con: duckdb.DuckDBPyConnection) -> Page:
    page = Page(
        SLUG,
        TITLE_VI,
        TITLE_EN,
        intro_vi="Bộ tiêu chí hiệu quả phục vụ, hiệu lực và hiệu suất (seeds/"
        "operating_quality_criteria.csv, chỉnh sửa được): mỗi tiêu chí quy về thang 0–100 và "
        "gộp theo trọng số; điểm và hạng kèm khoảng tin cậy, đơn vị ít hồ sơ có khoảng rộng.",
        intro_en="Criteria of performance, effectiveness and efficiency (an editable seed, "
        "seeds/operating_quality_criteria.csv): each scaled to 0–100 and weighted; scores and "
        "ranks carry their interval, wide for units with few dossiers.",
        sources=list(SOURCES),
    )
    if not page.sources_ready(con):
        return page
    _add_provinces(page, frame(con, PROVINCE_SQL))
    _add_distribution(page, frame(con, COMMUNE_SCORES_SQL))
    _add_flagged(page, frame(con, FLAGGED_SQL))
    return page


def render(con: duckdb.DuckDBPyConnection, out_dir: Path | str) -> Path:
    return build(con).write(out_dir)
