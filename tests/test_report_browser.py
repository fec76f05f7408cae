"""The site in a real browser: headless Chromium opens every page type from file://, sees no
console error and no request leaving the machine, and a user can follow the drill-down from
the national page to one commune's overdue dossiers by clicking. How fast pages become usable
(the 2 s budget) is measured by `make bench` on a site of real size, not here."""

from __future__ import annotations

import os
import time

import pandas as pd
import plotly.graph_objects as go
import pytest
from browser import (
    ALL_DRAWN,
    EXPLORER_READY,
    INSTALL_HINT,
    READY,
    chromium,
    file_url,
    find_chromium,
)
from site_fixtures import COMMUNE, OVERDUE_CODES, render_drilldown_site

from reports.shell import FIRST_ROWS, Page

PAGE_TYPES = [
    ("index.html", READY),
    ("service_delivery.html", READY),
    ("service_index.html", READY),
    ("provinces.html", READY),
    ("province-01.html", READY),
    ("map.html", READY),
    ("glossary.html", READY),
    (f"commune.html#{COMMUNE}", EXPLORER_READY),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return render_drilldown_site(tmp_path_factory.mktemp("data"))


@pytest.fixture(scope="module")
def browser(site):
    """One browser for the module, warmed on one page with a figure (starting the renderer
    and GPU processes and loading fonts is the browser's cost, once, not a page's)."""
    binary = find_chromium()
    if binary is None and os.environ.get("REFORMWATCH_REQUIRE_BROWSER"):
        pytest.fail(INSTALL_HINT)  # CI (.ci/run) must run these
    if binary is None:
        pytest.skip(INSTALL_HINT)
    with chromium(binary) as session:
        session.open(file_url(site / "service_delivery.html"), READY)
        yield session


@pytest.mark.parametrize(("page", "ready"), PAGE_TYPES, ids=[p for p, _ in PAGE_TYPES])
def test_page_opens_offline_without_errors(browser, site, page, ready):
    # how fast each page becomes usable is measured by `make bench` on a real-size site
    name, _, fragment = page.partition("#")
    url = file_url(site / name) + (f"#{fragment}" if fragment else "")
    browser.open(url, ready)
    assert browser.errors == []
    assert browser.outside == []  # nothing leaves the machine


def test_drill_down_from_the_nation_to_one_communes_overdue_dossiers(browser, site):
    browser.open(file_url(site / "provinces.html"), READY)
    browser.follow(
        '#provinces a[href="province-01.html"]',
        "location.pathname.endsWith('province-01.html') && " + READY,
    )
    browser.follow(f'#communes a[href="commune.html#{COMMUNE}/groups"]', EXPLORER_READY)
    assert browser.evaluate("document.getElementById('groups').rows.length") == 2  # head + progress
    summary = browser.evaluate("document.getElementById('summary').textContent")
    assert "81.0% → 92.5%" in summary  # on time, the 12 months before / after the reform
    assert "66.7%" in summary and "2 / 3" in summary  # surplus offices repurposed
    assert "25.0%" in summary and "50 / 200" in summary  # archive records digitised
    browser.follow(
        '#groups a[href$="/group-progress"]', "document.getElementById('components') !== null"
    )
    ratio = browser.evaluate(
        "Array.prototype.map.call(document.getElementById('components').rows[1].cells,"
        " function (c) { return c.textContent; })"
    )
    assert ratio[2:5] == ["37", "40", "92.5%"]  # numerator, denominator, ratio
    browser.follow(
        '#components a[href$="/overdue"]',
        "document.getElementById('overdue-open_past_due') !== null",
    )
    codes = browser.evaluate(
        "Array.prototype.map.call(document.querySelectorAll('#overdue-open_past_due tbody tr'),"
        " function (r) { return r.cells[0].textContent; })"
    )
    assert codes == OVERDUE_CODES
    downloads = browser.evaluate(
        "Array.prototype.map.call(document.querySelectorAll('#overdue-block a[download]'),"
        " function (a) { return a.getAttribute('download'); })"
    )
    assert downloads == [f"commune-{COMMUNE}-open_past_due.csv"]
    assert browser.errors == [] and browser.outside == []


def test_a_long_tables_later_rows_come_when_scrolled_to_filtered_sorted_or_asked_for(browser, site):
    rows = FIRST_ROWS + 50
    units = pd.DataFrame({"unit_name": [f"Xã {i:04d}" for i in range(rows)], "n": range(rows)})
    page = Page("long_table", "Bảng dài", "Long table")
    page.add_table(units, "Đơn vị", "Units", table_id="units")
    url = file_url(page.write(site))
    count = "document.getElementById('units').tBodies[0].rows.length"
    visible = (
        "Array.prototype.filter.call(document.getElementById('units').tBodies[0].rows,"
        " function (r) { return !r.hidden; }).length"
    )

    browser.open(url)
    assert browser.evaluate(count) == FIRST_ROWS  # the rest waits, not laid out
    browser.evaluate(
        "var i = document.querySelector('input.table-filter'); i.value = 'xa 0249';"
        " i.dispatchEvent(new Event('input'))"
    )
    assert browser.evaluate(count) == rows and browser.evaluate(visible) == 1  # a later row

    browser.open(url)
    browser.evaluate("document.querySelector('#units th button').click()")  # sort
    assert browser.evaluate(count) == rows
    browser.open(url)
    browser.evaluate(
        "var w = document.getElementById('units').parentNode; w.scrollTop = w.scrollHeight;"
        " w.dispatchEvent(new Event('scroll'))"
    )
    assert browser.evaluate(count) == rows
    browser.open(url)
    browser.evaluate("document.querySelector('button.table-more').click()")
    assert browser.evaluate(count) == rows
    assert browser.evaluate("document.querySelector('button.table-more').hidden") is True
    assert browser.errors == []


def test_figures_below_the_first_screen_are_drawn_when_scrolled_to_or_printed(browser, site):
    page = Page("many_figures", "Nhiều biểu đồ", "Many figures")
    for i in range(8):
        fig = go.Figure(go.Bar(x=["a", "b"], y=[i, i + 1]))
        page.add_figure(fig.update_layout(height=600), f"Hình {i}", f"Figure {i}")
    url = file_url(page.write(site))
    waiting = "document.querySelectorAll('[data-drawn-later]').length"

    browser.open(url, READY)
    assert browser.evaluate("document.querySelectorAll('.plotly-graph-div')[0]._fullLayout ? 1 : 0")
    assert browser.evaluate(waiting) > 0  # the last ones wait
    height = browser.evaluate("document.body.scrollHeight")
    for y in range(0, height, 400):
        browser.evaluate(f"window.scrollTo(0, {y})")
        time.sleep(0.05)
    browser.wait_for(ALL_DRAWN, timeout=20)
    assert browser.evaluate(waiting) == 0

    browser.open(url, READY)
    browser.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    browser.wait_for(ALL_DRAWN, timeout=20)
    assert browser.errors == []
