"""The site around the pages: the drill-down (nation → province → commune → overdue dossiers),
the CSV beside every figure and table, the simulated-data banner, the glossary every caption
links to, data-driven rate axes and the tile grid map's layout."""

from __future__ import annotations

import csv
import json
import math
import re
from pathlib import Path
from urllib.parse import unquote

import pandas as pd
import plotly.graph_objects as go
import pytest
from report_html import PageHtml, column_of, figures_of, row_of
from site_fixtures import COMMUNE, OVERDUE_CODES, render_drilldown_site

from orchestration.settings import SEEDS_DIR
from reports import PAGE_MODULES, glossary, operating_quality, province_map, service_index
from reports.shell import (
    FIRST_ROWS,
    PLOTLY_JS_NAME,
    Page,
    data_is_simulated,
    format_value,
    mark_national,
    rate_axis,
    score_axis,
    table_html,
)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return render_drilldown_site(tmp_path_factory.mktemp("data"))


def _html(site: Path, name: str) -> str:
    return (site / name).read_text(encoding="utf-8")


def test_national_page_links_every_province_page(site):
    parsed = PageHtml(_html(site, "provinces.html"))
    assert {"province-01.html", "province-22.html"} <= set(parsed.anchors)
    assert "province-01.html#communes" in parsed.anchors  # the score leads to its communes
    hanoi = row_of(parsed.tables["provinces"], "Thành phố Hà Nội")
    assert hanoi[column_of(parsed.tables["provinces"], "Điểm")] == "70.0"
    assert (site / "province-01.html").exists() and (site / "province-22.html").exists()


def test_province_page_links_each_commune_score_down_to_its_groups(site):
    html = _html(site, "province-01.html")
    rows = PageHtml(html).tables["communes"]
    ba_dinh = row_of(rows, "1")
    assert ba_dinh[column_of(rows, "Điểm")] == "64.5"
    assert f"commune.html#{COMMUNE}/groups" in PageHtml(html).anchors
    assert f"commune.html#{COMMUNE}/overdue" in PageHtml(html).anchors


def test_explorer_data_carries_ratios_and_overdue_dossiers(site):
    text = (site / "data" / "communes-01.js").read_text(encoding="utf-8")
    payload = json.loads(text[text.index("=", text.index("RW_DATA[")) + 1 : -2])
    columns, unit = payload["columns"], payload["units"][COMMUNE]
    component = dict(zip(columns["components"], unit["components"][0], strict=True))
    assert (component["numerator"], component["denominator"]) == (37, 40)
    codes = [dict(zip(columns["overdue"], r, strict=True))["dossier_code"] for r in unit["overdue"]]
    assert codes == OVERDUE_CODES  # longest past due first, as the mart ranks them
    row = dict(zip(columns["unit"], unit["unit"], strict=True))
    assert (row["on_time_rate_before"], row["on_time_rate_after"]) == (0.81, 0.925)
    assert "06700" not in payload["units"]  # another province's unit is in its own file
    index = (site / "data" / "communes-index.js").read_text(encoding="utf-8")
    assert f'["{COMMUNE}","Phường Ba Đình","01","Thành phố Hà Nội"]' in index
    explorer = PageHtml(_html(site, "commune.html"))
    assert [s.get("src") for s in explorer.scripts if s.get("src")] == ["data/communes-index.js"]


def _downloads(html: str) -> list[str]:
    return [a for a in PageHtml(html).anchors if a.startswith("data/") and a.endswith(".csv")]


def test_every_figure_and_table_has_its_csv_beside_the_page(site):
    pages = sorted(site.glob("*.html"))
    assert len(pages) >= 8
    for page in pages:
        html = page.read_text(encoding="utf-8")
        blocks = html.count("Plotly.newPlot(") + len(PageHtml(html).tables)
        links = _downloads(html)
        if page.name not in ("glossary.html", "index.html", "commune.html"):
            assert len(links) == blocks, page.name  # one CSV per figure and per table
        for link in links:
            raw = (site / unquote(link)).read_bytes()
            assert raw.startswith(b"\xef\xbb\xbf"), link  # BOM: Excel reads UTF-8
    rows = list(csv.reader((site / "data" / "province-01-2.csv").open(encoding="utf-8-sig")))
    assert rows[0][:3] == ["rank_in_province", "unit_code", "unit_name"]
    assert rows[1][:3] == ["1", COMMUNE, "Phường Ba Đình"]  # raw values, not markup


def test_figure_csv_defaults_to_the_points_it_draws(tmp_path):
    page = Page("csv_test", "Thử", "Test")
    fig = go.Figure(go.Bar(x=["Hà Nội", "Huế"], y=[0.25, 0.5], name="Tỷ lệ"))
    page.add_figure(fig, "Hình", "Figure")
    path = page.write(tmp_path)
    link = _downloads(path.read_text(encoding="utf-8"))[0]
    frame = pd.read_csv(tmp_path / link, encoding="utf-8-sig")
    assert frame.to_dict("list") == {
        "series": ["Tỷ lệ"] * 2,
        "x": ["Hà Nội", "Huế"],
        "y": [0.25, 0.5],
    }
    assert (tmp_path / PLOTLY_JS_NAME).exists()


def test_banner_shows_when_the_simulator_manifest_is_beside_the_site(site, tmp_path):
    for page in site.glob("*.html"):
        assert "Dữ liệu mô phỏng" in page.read_text(encoding="utf-8"), page.name
    assert data_is_simulated(site)
    real = tmp_path / "reports"
    path = Page("real", "Thật", "Real").write(real)
    assert not data_is_simulated(real)
    assert "Dữ liệu mô phỏng" not in path.read_text(encoding="utf-8")


def test_every_definition_link_lands_on_a_glossary_entry(site):
    ids = set(re.findall(r'\sid="([^"]+)"', _html(site, "glossary.html")))
    assert {"mart_unit_overdue_dossiers", "mart_service_periods.on_time_rate"} <= ids
    checked = 0
    for page in site.glob("*.html"):
        for href in PageHtml(page.read_text(encoding="utf-8")).anchors:
            if href.startswith("glossary.html#"):
                assert unquote(href.split("#", 1)[1]) in ids, (page.name, href)
                checked += 1
    assert checked > 10


def test_glossary_lists_every_mart_and_column_of_the_dbt_yaml():
    models = list(glossary.models())
    assert len(models) > 30
    html = glossary.build().html()
    for model in models:
        assert f'id="{model["name"]}"' in html
        for column in model.get("columns", []):
            assert f'id="{model["name"]}.{column["name"]}"' in html


def _page_models() -> set[str]:
    """The marts the pages read (their SOURCES), by model name."""
    sources = {s for m in PAGE_MODULES for s in m.SOURCES} | set(service_index.SLOW_STAGE_SOURCES)
    return {s.split(".", 1)[1] for s in sources if s.startswith("marts.")}


def test_what_the_pages_show_is_defined_in_vietnamese(site):
    """Every model a page reads, every column of it the pages show under a label and every
    column a caption links to has its Vietnamese definition in the dbt YAML."""
    linked = {
        unquote(href.split("#", 1)[1])
        for page in site.glob("*.html")
        for href in PageHtml(page.read_text(encoding="utf-8")).anchors
        if href.startswith("glossary.html#")
    }
    shown, missing = _page_models(), []
    for model in glossary.models():
        name = model["name"]
        if (name in shown or name in linked) and not glossary.vietnamese(model):
            missing.append(name)
        for column in model.get("columns", []):
            key = f"{name}.{column['name']}"
            labelled = name in shown and column["name"] in glossary.LABELS_VI
            if (labelled or key in linked) and not glossary.vietnamese(column):
                missing.append(key)
    assert missing == [], missing
    assert len(shown) > 20


def test_glossary_shows_the_vietnamese_definition_first_and_the_english_beside_it():
    model = {
        "name": "mart_x",
        "description": "Share on time.",
        "config": {"meta": {"vi": "Tỷ lệ  đúng hạn."}},
        "columns": [{"name": "a", "description": "Only English."}],
    }
    html = glossary.model_markup(model)
    assert '<span class="vi" lang="vi">Tỷ lệ đúng hạn.</span>' in html
    assert '<span class="en" lang="en">Share on time.</span>' in html
    assert '<span lang="en">Only English.</span>' in html  # not yet written in Vietnamese


def _ticks(axis: dict) -> list[str]:
    low, high = axis["range"]
    step = axis["dtick"]
    decimals = int(axis["tickformat"][1:-1])
    first, last = math.ceil(low / step - 1e-9), math.floor(high / step + 1e-9)
    return [f"{i * step * 100:.{decimals}f}%" for i in range(first, last + 1)]


def test_rate_axes_tell_close_values_apart():
    on_time = rate_axis([0.962, 0.975, 0.991])
    assert on_time["range"][0] > 0.9 and on_time["range"][1] < 1.01  # not 0-100%
    digital = rate_axis([0.001, 0.004, 0.012])
    ticks = _ticks(digital)
    assert len(ticks) >= 3 and len(set(ticks)) == len(ticks), ticks  # not 0%, 0%, 0%, 1%
    assert digital["range"][0] == 0  # near zero: the axis starts there


def test_score_axes_of_dot_plots_hug_the_intervals():
    # provinces' composites at 70-82 out of 100: a 0-100 axis draws them as one bunch
    axis = score_axis([69.5, 72.4, 81.9, 83.0])
    low, high = axis["range"]
    assert 60 < low < 69.5 and 83.0 < high <= 100
    assert score_axis([])["range"] == [0, 100]  # nothing scored: the whole scale
    provinces = pd.DataFrame(
        {
            "province_name": ["A", "B"],
            "composite_score": [72.4, 81.9],
            "composite_lower": [69.5, 80.2],
            "composite_upper": [74.0, 83.0],
            "rank_in_nation": [2, 1],
        }
    )
    drawn = operating_quality.province_figure(provinces).layout.xaxis.range
    assert 60 < drawn[0] < 69.5 and 83.0 < drawn[1] <= 100


def test_national_value_is_drawn_and_labelled():
    fig = go.Figure(go.Bar(x=[0.97, 0.98], y=["A", "B"], orientation="h"))
    mark_national(fig, 0.979)
    assert fig.layout.shapes[0].x0 == 0.979
    assert "97.9%" in fig.layout.annotations[0].text


def test_service_delivery_axes_hug_the_provinces_with_the_nation_marked(tmp_path):
    from warehouse_fixtures import (
        SERVICE_ROLLUPS,
        SERVICE_TABLES,
        build_rollups,
        insert,
        report_warehouse,
    )

    from reports import service_delivery

    con = report_warehouse(tmp_path / "s.duckdb", *SERVICE_TABLES)
    rows = [("00004", 96, 4), ("06700", 99, 1)]
    insert(
        con,
        "marts.mart_unit_service_monthly",
        [
            dict(
                unit_code=u,
                province_code="01" if u == "00004" else "22",
                month_start=pd.Timestamp("2025-07-01").date(),
                dossiers_received=100,
                dossiers_finished=100,
                finished_early=0,
                finished_on_time=ok,
                finished_overdue=late,
                open_within_due=0,
                open_past_due=0,
                on_time_numerator=ok,
                overdue_numerator=late,
                on_time_denominator=100,
                on_time_rate=ok / 100,
                overdue_rate=late / 100,
            )
            for u, ok, late in rows
        ],
    )
    build_rollups(con, *SERVICE_ROLLUPS)
    html = service_delivery.build(con).html()
    con.close()
    layout = figures_of(html)[0]["layout"]
    low, high = layout["xaxis"]["range"]
    assert 0.9 < low < 0.96 and high < 1.01  # 96% and 99% read apart
    national = [a["text"] for a in layout["annotations"]]
    assert any("97.5%" in t for t in national)  # 195 / 200, the nation's pooled row


def test_tile_grid_places_each_of_the_34_provinces_once():
    tiles = province_map.tile_grid()
    units = pd.read_csv(SEEDS_DIR / "admin_units.csv", dtype=str)
    provinces = set(units.loc[units["unit_level"] == "province", "unit_code"])
    assert len(provinces) == 34 and set(tiles["province_code"]) == provinces
    assert not tiles.duplicated(["tile_row", "tile_col"]).any()
    # roughly the country: Hà Nội north of Huế, Huế north of Hồ Chí Minh City, Cà Mau last
    row = dict(zip(tiles["province_code"], tiles["tile_row"], strict=True))
    assert row["01"] < row["46"] < row["79"] < row["96"] == max(row.values())


def test_map_colours_by_a_selectable_indicator(site):
    html = _html(site, "map.html")
    figure = figures_of(html)[0]
    buttons = figure["layout"]["updatemenus"][0]["buttons"]
    assert [b["label"] for b in buttons] == [v[0] for v in province_map.INDICATORS.values()]
    names = [t for row in figure["data"][1]["text"] for t in row if t]
    assert sorted(names) == ["Quảng Ninh", "TP<br>Hà Nội"]  # a line per part of the name
    on_time = buttons[1]["args"][0]["customdata"][0]
    shown = {v for row in on_time for v in row if v}
    assert shown == {format_value(0.971, "pct"), format_value(0.984, "pct")}
    assert "province-01.html" in PageHtml(html).anchors


def test_a_long_table_draws_its_first_rows_and_keeps_the_rest_for_later():
    short = table_html(pd.DataFrame({"n": range(FIRST_ROWS)}), "short")
    assert "<template" not in short and "table-more" not in short
    html = table_html(pd.DataFrame({"n": range(FIRST_ROWS + 3)}), "long")
    drawn, later = html.split('<template class="rows-later">')
    assert drawn.count("<tr>") == 1 + FIRST_ROWS  # the header and the first rows
    assert later.count("<tr>") == 3
    assert f'data-table="long">Hiện tất cả {FIRST_ROWS + 3} dòng' in html
