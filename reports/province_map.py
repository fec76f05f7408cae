"""The tile grid map: one square per province, laid out roughly as the country (positions in
seeds/province_tile_grid.csv: a layout, not data, so no boundary file is needed), coloured by a
headline indicator chosen from a drop-down. The figures are the drill-down's headline columns
(mart rows, `drilldown.AREAS_SQL`); each province's square names it, the table below links to
its page.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import plotly.graph_objects as go

from orchestration.settings import SEEDS_DIR
from reports import drilldown
from reports.queries import frame
from reports.shell import Page, format_value, style_figure

SLUG = "map"
TITLE_VI = "Bản đồ các tỉnh"
TITLE_EN = "Province map"
DESCRIPTION = (
    "Bản đồ ô vuông 34 tỉnh, tô màu theo chỉ số chọn được / A tile grid map of the 34 "
    "provinces, coloured by a chosen indicator."
)
SOURCES = (
    drilldown.INDEX,
    drilldown.PERIODS,
    drilldown.BACKLOG,
    drilldown.CAPACITY,
    drilldown.ASSETS,
    "marts.dim_admin_unit",
)
TILE_GRID = SEEDS_DIR.joinpath("province_tile_grid.csv")

# column -> (label, display format, colour scale: the greener end is the better one)
INDICATORS = {
    "score": ("Điểm chỉ số phục vụ / Service-index score", "num1", "RdYlGn"),
    "on_time_rate": ("Tỷ lệ đúng hạn / On-time rate", "pct", "RdYlGn"),
    "overdue_rate": ("Tỷ lệ quá hạn / Overdue rate", "pct", "RdYlGn_r"),
    "past_due_dossiers": ("Hồ sơ đang quá hạn / Open past due", "int", "RdYlGn_r"),
    "staff_per_10k_residents": ("Cán bộ / 10.000 dân / Staff per 10,000", "num1", "Blues"),
    "specialist_coverage": ("Đủ chuyên môn / Specialist coverage", "pct", "RdYlGn"),
    "surplus_offices": ("Trụ sở dôi dư / Surplus offices", "int", "Oranges"),
}


def tile_grid(path: Path = TILE_GRID) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"province_code": str})


def short_name(name: str) -> str:
    """The name a tile has room for, one word a line: "TP<br>Hồ<br>Chí Minh" style breaks
    for "Thành phố Hồ Chí Minh" (two-syllable place names stay together)."""
    words = name.replace("Thành phố ", "TP ").replace("Tỉnh ", "").split()
    if len(words) <= 2:
        return " ".join(words)
    return "<br>".join([" ".join(words[:-2]), " ".join(words[-2:])])


def _grid(tiles: pd.DataFrame, values: pd.Series) -> list[list]:
    """values (indexed like tiles) laid out as rows × columns, None where no province sits."""
    rows, cols = tiles["tile_row"].max() + 1, tiles["tile_col"].max() + 1
    grid: list[list] = [[None] * cols for _ in range(rows)]
    for (row, col), value in zip(
        tiles[["tile_row", "tile_col"]].itertuples(index=False), values, strict=True
    ):
        grid[row][col] = None if pd.isna(value) else value
    return grid


def map_figure(tiles: pd.DataFrame) -> go.Figure:
    """tiles: the grid joined to the provinces' headline figures. One heatmap of squares; the
    drop-down swaps its values, colour scale and hover text."""
    names = [
        ["" if n is None else n for n in row]
        for row in _grid(tiles, tiles["area_name"].map(short_name))
    ]
    first, *_ = INDICATORS

    def values(column: str) -> tuple[list, list]:
        label, kind, _ = INDICATORS[column]
        shown = tiles[column].map(lambda v: format_value(v, kind))
        return _grid(tiles, tiles[column]), [
            ["" if v is None else v for v in row] for row in _grid(tiles, shown)
        ]

    z, custom = values(first)
    # a grey square under every province, so one without a value still shows where it is
    ground = _grid(tiles, pd.Series(0, index=tiles.index))
    fig = go.Figure(
        go.Heatmap(
            z=ground,
            colorscale=[[0, "#e3e6ea"], [1, "#e3e6ea"]],
            showscale=False,
            hoverinfo="skip",
            xgap=3,
            ygap=3,
        )
    )
    fig.add_trace(
        go.Heatmap(
            z=z,
            text=names,
            customdata=custom,
            texttemplate="%{text}",
            textfont=dict(size=11),
            hovertemplate="<b>%{text}</b><br>%{customdata}<extra></extra>",
            colorscale=INDICATORS[first][2],
            xgap=3,
            ygap=3,
            colorbar=dict(title=dict(text=INDICATORS[first][0], side="right")),
            hoverongaps=False,
        )
    )
    buttons = []
    for column, (label, _kind, scale) in INDICATORS.items():
        z, custom = values(column)
        buttons.append(
            dict(
                label=label,
                method="restyle",
                args=[
                    {
                        "z": [z],
                        "customdata": [custom],
                        "colorscale": [scale],
                        "colorbar.title.text": label,
                    },
                    [1],  # the coloured layer; the grey ground stays
                ],
            )
        )
    rows = int(tiles["tile_row"].max()) + 1
    style_figure(
        fig,
        height=80 + rows * 58,
        margin=dict(l=10, r=10, t=50, b=10),
        updatemenus=[dict(buttons=buttons, x=0, y=1.0, xanchor="left", yanchor="bottom")],
        xaxis=dict(visible=False, constrain="domain"),
        yaxis=dict(visible=False, autorange="reversed", scaleanchor="x", constrain="domain"),
    )
    return fig


def build(con: duckdb.DuckDBPyConnection) -> Page:
    page = Page(
        SLUG,
        TITLE_VI,
        TITLE_EN,
        "Mỗi ô là một tỉnh, đặt gần đúng vị trí trên bản đồ (miền Bắc ở trên). Chọn chỉ số ở "
        "danh sách phía trên bản đồ; bấm tên tỉnh trong bảng để xem trang của tỉnh.",
        "Each square is a province, placed roughly where it lies (north at the top). Pick the "
        "indicator from the list above the map; click a province in the table for its page.",
        sources=list(SOURCES),
    )
    if not page.sources_ready(con):
        return page
    areas = frame(con, drilldown.AREAS_SQL)
    provinces = areas[areas["scope"] == "province"]
    tiles = tile_grid().merge(provinces, left_on="province_code", right_on="area_code", how="inner")
    if tiles.empty:
        page.add_no_data()
        return page
    page.add_figure(
        map_figure(tiles),
        "Bản đồ ô vuông 34 tỉnh, cả kỳ theo dõi",
        "Tile grid map of the 34 provinces, whole period",
        data=tiles.drop(columns=["scope", "area_code"]),
        terms=[
            "mart_service_index.score",
            "mart_service_periods.on_time_rate",
            "mart_backlog_ageing.past_due_dossiers",
            "mart_capacity_latest",
            "mart_assets_latest.surplus_offices",
        ],
    )
    table, formats = drilldown.area_table(areas, link_names=True)
    page.add_table(
        table,
        "Các tỉnh: chỉ số chính (bấm tên để xem trang của tỉnh)",
        "Provinces: headline figures (click a name for its page)",
        formats=formats,
        table_id="map-provinces",
        data=areas,
    )
    return page


def render(con: duckdb.DuckDBPyConnection, out_dir: Path | str) -> Path:
    return build(con).write(out_dir)
