"""Fast tests of the report shell and the service-delivery page on a tiny warehouse."""

from __future__ import annotations

import ast
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest
from plotly.offline import get_plotlyjs
from report_html import PageHtml, column_of, row_of
from warehouse_fixtures import (
    PROVINCES,
    SERVICE_ROLLUPS,
    SERVICE_TABLES,
    UNITS,
    build_rollups,
    insert,
    province_of,
    report_warehouse,
)

from reports import PAGE_MODULES, queries, render_site, service_delivery
from reports.shell import PCT, PLOTLY_JS_NAME, Page, write_index

COMMUNE_CODES = {u[0] for u in UNITS if u[2] == "commune"}

# unit, month, early, on_time, overdue, open_within_due, open_past_due, online, received.
# Denominators differ widely, so an average of unit-month rates differs from the pooled rate.
MART_ROWS = [
    ("00004", "2025-06-01", 5, 3, 2, 0, 0, 1, 10),
    ("00004", "2025-07-01", 0, 1, 20, 0, 9, 12, 30),
    ("00008", "2025-07-01", 2, 0, 0, 1, 0, 3, 3),
    ("01", "2025-07-01", 1, 1, 0, 0, 0, 0, 2),
    ("06700", "2025-06-01", 10, 5, 5, 0, 0, 4, 20),
    ("06700", "2025-07-01", 0, 10, 0, 2, 0, 9, 12),
]


def _mart_frame() -> pd.DataFrame:
    records = []
    for unit, month, early, on_time, overdue, within, past, online, received in MART_ROWS:
        finished = early + on_time + overdue
        numerator, denominator = early + on_time + within, finished + within + past
        records.append(
            dict(
                unit_code=unit,
                province_code=province_of(unit),
                month_start=date.fromisoformat(month),
                dossiers_received=received,
                dossiers_finished=finished,
                finished_early=early,
                finished_on_time=on_time,
                finished_overdue=overdue,
                open_within_due=within,
                open_past_due=past,
                on_time_numerator=numerator,
                on_time_denominator=denominator,
                on_time_rate=numerator / denominator,
                overdue_rate=(overdue + past) / denominator,
                full_online_numerator=online // 2,
                full_online_denominator=received,
                online_payment_numerator=1,
                online_payment_denominator=2,
                online_numerator=online,
                online_share=online / received,
                processing_days_sum=4.0 * finished,
                processing_days_count=finished,
                satisfaction_high=finished // 2,
                satisfaction_rated=finished,
            )
        )
    return pd.DataFrame.from_records(records)


# procedure, finished dossiers, processing days each, of which overdue, open dossiers.
# P2 has the longest times but too few finished dossiers (19 < 20) to be listed.
DOSSIER_SPECS = [("P1", 25, 10.0, 5, 0), ("P2", 19, 50.0, 19, 0), ("P3", 20, 3.0, 0, 3)]


def _dossier_frame() -> pd.DataFrame:
    start = datetime(2025, 7, 1, 8)
    records = []
    for procedure, finished, days, overdue, open_ in DOSSIER_SPECS:
        for i in range(finished + open_):
            done = i < finished
            records.append(
                dict(
                    dossier_code=f"{procedure}-{i}",
                    procedure_code=procedure,
                    unit_code="00004",
                    province_code="01",
                    channel="direct",
                    received_at=start,
                    submitted_at=start,
                    finished_at=start + timedelta(days=days) if done else None,
                    # calendar time counts a weekend the working-day time leaves out
                    processing_days=days + 4 if done else None,
                    processing_working_days=days if done else None,
                    timeliness=("overdue" if i < overdue else "on_time") if done else None,
                )
            )
    return pd.DataFrame.from_records(records)


PROCEDURES = pd.DataFrame(
    {
        "procedure_code": ["P1", "P2", "P3"],
        "procedure_name": ["Đăng ký khai sinh", "Cấp giấy phép xây dựng", "Chứng thực bản sao"],
        "sector": ["Hộ tịch", "Xây dựng", "Chứng thực"],
        "level": ["commune", "commune", "commune"],
        "statutory_days": [3, 15, 1],
    }
)


@pytest.fixture
def warehouse(tmp_path: Path):
    con = report_warehouse(tmp_path / "tiny.duckdb", *SERVICE_TABLES)
    insert(con, "marts.dim_procedure", PROCEDURES)
    insert(con, "marts.mart_unit_service_monthly", _mart_frame())
    insert(con, "marts.fct_dossiers", _dossier_frame())
    build_rollups(con, *SERVICE_ROLLUPS)
    yield con
    con.close()


def _pooled_on_time(province_code: str) -> float:
    """The on-time rate re-derived from the inserted rows, not from the mart's columns."""
    num = den = 0
    for unit, _month, early, on_time, overdue, within, past, _o, _r in MART_ROWS:
        if province_of(unit) == province_code:
            num += early + on_time + within
            den += early + on_time + overdue + within + past
    return num / den


def _assert_offline(html: str, parsed: PageHtml) -> None:
    sources = [s["src"] for s in parsed.scripts if "src" in s]
    assert sources in ([], [PLOTLY_JS_NAME]), "scripts inline, or the site's plotly.js beside"
    assert not parsed.links, "no <link> (stylesheets or otherwise)"
    css = "".join(parsed.styles)
    assert "@import" not in css and not re.search(r"url\(\s*['\"]?(https?:)?//", css)
    assert not re.search(r"<(?:script|link|img|iframe)[^>]+(?:src|href)=[\"']?(?:https?:)?//", html)


@pytest.fixture
def site(warehouse, tmp_path: Path) -> dict[str, Path]:
    out = tmp_path / "reports"
    paths = render_site(warehouse, out)
    return {p.name: p for p in paths}


PLOTLY_SIGNATURE = get_plotlyjs()[:200]


def test_page_opens_offline_with_the_sites_one_plotly_js(site):
    page = site["service_delivery.html"]
    assert page.exists() and page.parent.name == "reports"
    html = page.read_text(encoding="utf-8")
    # plotly.js is not embedded: loaded once, by relative path, from the copy beside the pages
    assert PLOTLY_SIGNATURE not in html
    assert html.count(f'<script src="{PLOTLY_JS_NAME}"></script>') == 1
    assert page.with_name(PLOTLY_JS_NAME).read_text(encoding="utf-8") == get_plotlyjs()
    assert html.count("Plotly.newPlot(") == 2  # province bars + monthly lines
    _assert_offline(html, PageHtml(html))
    # plotly's JSON writes "/" as \u002f, so look for the two halves of the marker label.
    assert "Chính quyền hai cấp" in html and "two-tier government" in html


def test_province_rates_are_pooled_not_averaged(site):
    html = site["service_delivery.html"].read_text(encoding="utf-8")
    rows = PageHtml(html).tables["provinces"]
    col = column_of(rows, "Tỷ lệ đúng hạn")
    for code, name in PROVINCES.items():
        assert name in html
        assert row_of(rows, name)[col] == f"{_pooled_on_time(code) * 100:.1f}%"
    # Hà Nội: 14 / 45 pooled = 31.1%; the mean of its unit-month rates would be 70.8%.
    assert row_of(rows, "Thành phố Hà Nội")[col] == "31.1%"
    # Sorted by on-time rate, best first.
    assert [r[0] for r in rows[1:]] == ["Tỉnh Quảng Ninh", "Thành phố Hà Nội"]


def test_an_open_dossier_counts_once_in_the_whole_period(tmp_path: Path):
    """One dossier received in June and still open, past due, at four month ends: the
    monthly mart holds it at each; the whole-period province row counts it once."""
    con = report_warehouse(tmp_path / "open.duckdb", *SERVICE_TABLES)
    months = ["2025-06-01", "2025-07-01", "2025-08-01", "2025-09-01"]
    zeros = dict.fromkeys(
        [
            "dossiers_finished",
            "finished_early",
            "finished_on_time",
            "finished_overdue",
            "open_within_due",
            "on_time_numerator",
        ],
        0,
    )
    insert(
        con,
        "marts.mart_unit_service_monthly",
        [
            dict(
                zeros,
                unit_code="00004",
                province_code="01",
                month_start=date.fromisoformat(m),
                dossiers_received=int(m == months[0]),
                open_past_due=1,
                overdue_numerator=1,
                on_time_denominator=1,
                on_time_rate=0.0,
                overdue_rate=1.0,
            )
            for m in months
        ],
    )
    build_rollups(con, *SERVICE_ROLLUPS)
    html = service_delivery.build(con).write(tmp_path / "out").read_text(encoding="utf-8")
    con.close()
    rows = PageHtml(html).tables["provinces"]
    hanoi = row_of(rows, "Thành phố Hà Nội")
    assert hanoi[column_of(rows, "Hồ sơ tiếp nhận")] == "1"
    assert hanoi[column_of(rows, "Mẫu số")] == "1"  # not 4: judged once, at the period's end
    assert hanoi[column_of(rows, "Quá hạn (tử số)")] == "1"
    assert hanoi[column_of(rows, "Tỷ lệ quá hạn")] == "100.0%"


def test_commune_table_has_one_row_per_commune_unit(site):
    rows = PageHtml(site["service_delivery.html"].read_text(encoding="utf-8")).tables["communes"]
    code = column_of(rows, "Mã")
    codes = [r[code] for r in rows[1:]]
    assert sorted(codes) == sorted(COMMUNE_CODES)
    idle = next(r for r in rows[1:] if r[code] == "06800")
    assert idle[column_of(rows, "Hồ sơ tiếp nhận")] == "0"
    assert idle[column_of(rows, "Tỷ lệ đúng hạn")] == "—"
    ba_dinh = next(r for r in rows[1:] if r[code] == "00004")
    assert ba_dinh[column_of(rows, "Tỷ lệ đúng hạn")] == f"{9 / 40 * 100:.1f}%"
    assert ba_dinh[column_of(rows, "Loại")] == "Phường / Ward"


def test_slowest_procedures_need_enough_finished_dossiers(site):
    rows = PageHtml(site["service_delivery.html"].read_text(encoding="utf-8")).tables[
        "slowest-procedures"
    ]
    assert [r[0] for r in rows[1:]] == ["P1", "P3"]  # P2 is slower but has 19 finished
    p1 = row_of(rows, "P1")
    assert p1[column_of(rows, "Thời gian xử lý TB")] == "10.0"  # working days, not 14 calendar
    assert p1[column_of(rows, "Tỷ lệ quá hạn")] == "20.0%"
    assert p1[column_of(rows, "Hồ sơ đã xử lý")] == "25"
    assert row_of(rows, "P3")[column_of(rows, "Hồ sơ đã xử lý")] == "20"  # open ones left out


def test_footer_names_the_warehouse_tables(site):
    html = site["service_delivery.html"].read_text(encoding="utf-8")
    footer = html[html.index("<footer>") :]
    for table in service_delivery.SOURCES:
        assert table in footer
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", footer)


def test_index_links_pages_and_quality_site(site):
    index = site["index.html"]
    html = index.read_text(encoding="utf-8")
    parsed = PageHtml(html)
    assert "service_delivery.html" in parsed.anchors
    assert "../quality/index.html" in parsed.anchors
    assert PLOTLY_SIGNATURE not in html  # no figures, no 4.8 MB of plotly.js
    _assert_offline(html, parsed)


def test_shell_escapes_and_formats(tmp_path: Path):
    page = Page("shell_test", "Thử <b>", "Test & check", "giới thiệu", "intro")
    page.add_figure(go.Figure(go.Bar(x=[1], y=[2])), "Hình 1", "Figure 1")
    page.add_figure(go.Figure(go.Bar(x=[1], y=[3])), "Hình 2", "Figure 2")
    frame = pd.DataFrame(
        {
            "Tên / Name": ["<script>alert(1)</script>"],
            "Số / Count": [1234567],
            "Tỷ lệ / Rate": [0.12345],
            "Ngày / Days": [float("nan")],
        }
    )
    page.add_table(frame, "Bảng", "Table", formats={"Tỷ lệ / Rate": PCT}, table_id="t")
    html = page.write(tmp_path).read_text(encoding="utf-8")
    assert html.count(f'src="{PLOTLY_JS_NAME}"') == 1  # two figures, plotly.js once
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)" in html
    assert "Thử &lt;b&gt;" in html and "Test &amp; check" in html
    row = PageHtml(html).tables["t"][1]
    assert row[1:] == ["1,234,567", "12.3%", "—"]
    assert write_index(tmp_path, []).name == "index.html"


# What computing an indicator looks like in SQL: aggregates, window functions, grouping,
# arithmetic. A page's SQL selects mart rows and columns; the one arithmetic it may do is to
# show an amount in another unit (a division by a literal power of ten: VND -> million VND).
SQL_AGGREGATE = re.compile(
    r"\b(sum|count|avg|mean|min|max|median|quantile\w*|mode|stddev\w*|variance|var_\w+"
    r"|any_value|arg_?max|arg_?min|first|last|string_agg|list|array_agg|bool_and|bool_or"
    r"|product|histogram|approx_\w+)\s*\(",
    re.IGNORECASE,
)
SQL_COMPUTING = re.compile(
    r"\bover\s*\(|\bgroup\s+by\b|\bhaving\b|\bqualify\b|\b(un)?pivot\b"
    r"|/(?!\s*1e\d+\b)|[\w)]\s*[-+]\s*[\w(]|\bfilter\s*\(",
    re.IGNORECASE,
)
# ... and in Python: dividing, or pandas reducing a column.
PY_REDUCERS = {
    "sum",
    "mean",
    "median",
    "groupby",
    "agg",
    "aggregate",
    "cumsum",
    "pct_change",
    "div",
    "truediv",
    "value_counts",
    "pivot_table",
    "describe",
    "resample",
}


def _sql_constants(module) -> dict[str, str]:
    """The module's SQL: every module-level string constant that reads a table."""
    return {
        name: value
        for name, value in vars(module).items()
        if isinstance(value, str) and re.search(r"\bselect\b.*\bfrom\b", value, re.I | re.S)
    }


def _without_literals(sql: str) -> str:
    return re.sub(r"--[^\n]*", " ", re.sub(r"'[^']*'", "''", sql))


def sql_computations(sql: str) -> list[str]:
    text = _without_literals(sql)
    return [m.group(0) for m in (*SQL_AGGREGATE.finditer(text), *SQL_COMPUTING.finditer(text))]


def python_computations(source: str) -> list[str]:
    def computes(node: ast.AST) -> bool:
        if isinstance(node, ast.BinOp):
            return isinstance(node.op, (ast.Div, ast.FloorDiv))
        return (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in PY_REDUCERS
        )

    return [ast.unparse(node) for node in ast.walk(ast.parse(source)) if computes(node)]


def test_the_guard_catches_report_side_computation():
    """The rule below must see what report code used to do (and let selection through)."""
    assert sql_computations("select sum(a) / nullif(sum(b), 0) as r from marts.x group by c")
    assert sql_computations("select a, rank() over (order by b) from marts.x")
    assert sql_computations("select finished_overdue + open_past_due as n from marts.x")
    assert sql_computations("select count(*) filter (where t = 'overdue') from marts.x")
    assert python_computations("share = filled / required")
    assert python_computations("total = frame['units'].sum()")
    assert not sql_computations(
        "with p as (select * from marts.d) select coalesce(p.name, t.code) as name, "
        "t.rate, t.amount_vnd / 1e6 as amount_mvnd, strftime(t.day, '%Y-%m-%d') from marts.t "
        "as t left join p using (code) where t.scope = 'nation' order by t.rate desc nulls last"
    )
    assert not python_computations("label = f'{share:.1%}'; below = len(rows[rows['x'] < 0])")


@pytest.mark.parametrize(
    "module", [*PAGE_MODULES, queries], ids=lambda m: m.__name__.rsplit(".", 1)[-1]
)
def test_report_modules_only_select_and_format(module):
    """Every figure a page shows is a mart column: its SQL selects and its Python formats."""
    found = {name: sql_computations(sql) for name, sql in _sql_constants(module).items()}
    assert {name: f for name, f in found.items() if f} == {}
    assert python_computations(Path(module.__file__).read_text(encoding="utf-8")) == []
