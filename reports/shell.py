"""The one report shell every ReformWatch page uses.

A page is one HTML file that opens offline from its folder (auditors may have no network, and
no server): inline CSS and JS; plotly.js written once beside the pages (`plotly.min.js`) and
loaded by relative path; the data behind each figure and table written as a CSV
(`data/<slug>-<n>.csv`, UTF-8 with BOM so Excel reads Vietnamese) and linked next to it; a
banner when the data is simulated; each caption linked to its definitions in the glossary
(`glossary.html`, generated from the dbt YAML). Labels are Vietnamese
with the English alongside; every page ends with a footer naming the warehouse tables it
read and when it was generated. The data-quality site (`orchestration.quality.site`) is
rendered through this shell too: one stylesheet (`CSS`), one escaping function (`esc`), one
time zone (`VIETNAM_TIME`, shown by `local_time`).
"""

from __future__ import annotations

import html
import math
import os
import re
from collections.abc import Iterable, Mapping, Sequence, Sized
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from orchestration.project_vars import reform_date
from simulator.run import MANIFEST_NAME

# Every time a page shows is in Vietnam time (tzdata is pinned, so this resolves offline).
VIETNAM_TIME = ZoneInfo("Asia/Ho_Chi_Minh")
VIETNAM_TIME_LABEL = "ICT (UTC+07:00)"
QUALITY_INDEX_HREF = "../quality/index.html"
REPORTS_INDEX_HREF = "../reports/index.html"
DBT_DOCS_HREF = "dbt_docs/index.html"  # written by `make docs` (scripts/build_dbt_docs.py)
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}
REFORM_DATE = reform_date()  # two-tier local government in force (dbt var reform_date)
NO_DATA_VI, NO_DATA_EN = "Chưa có dữ liệu.", "No data yet."
FONT_FAMILY = "system-ui, Segoe UI, Roboto, Noto Sans, Arial, sans-serif"
PLOTLY_JS_NAME = "plotly.min.js"  # one copy per site folder, beside the pages
DATA_DIR_NAME = "data"  # the CSVs (and the commune explorer's data files) beside the pages
GLOSSARY_HREF = "glossary.html"
REPORTS_GLOSSARY_HREF = "../reports/glossary.html"  # from the reports and the quality site
# On every report page, beside "Contents": the drill-down, the map and the glossary.
SITE_LINKS = (
    ("provinces.html", "Tỉnh và xã / Provinces and communes"),
    ("map.html", "Bản đồ / Map"),
    (GLOSSARY_HREF, "Thuật ngữ / Glossary"),
)
CSV_ENCODING = "utf-8-sig"  # a BOM, so Excel opens Vietnamese text correctly

# The bilingual label of a mart column that several pages show: one wording everywhere. A
# page adds its own columns' labels to these (`COLUMN_LABELS | {...}`).
COLUMN_LABELS = {
    "province_name": "Tỉnh / Province",
    "unit_code": "Mã / Code",
    "unit_name": "Đơn vị / Unit",
    "unit_type": "Loại / Type",
    "procedure_code": "Mã / Code",
    "procedure_name": "Thủ tục / Procedure",
    "level": "Cấp / Level",
    "dossiers_received": "Hồ sơ tiếp nhận / Received",
    "satisfaction_share": "Hài lòng (4–5 điểm) / Satisfied (4–5)",
    "avg_processing_days": "Thời gian xử lý TB (ngày) / Avg processing days",
}

# Column formats for add_table; anything else is shown as escaped text. HTML: the cells are
# markup the caller assembled from `esc`-escaped parts (a link, a badge), inserted as is.
INT, PCT, NUM1, NUM2, HTML = "int", "pct", "num1", "num2", "html"
TEXT_KINDS = ("text", "short", HTML)
SHORT_TEXT = 28  # characters: text columns no longer than this do not wrap
LONG_TABLE_ROWS = 20  # taller tables scroll inside a box with a sticky header
# Rows a table draws when the page opens: a longer table keeps the rest in a <template> (parsed,
# not laid out), added when the reader scrolls near its end, filters, sorts, asks or prints.
# Laying out all 3,321 communes' rows was most of the time a page took to become usable.
FIRST_ROWS = 200

CSS = """
:root { --ink:#1d2733; --muted:#5b6775; --line:#d9dee4; --accent:#0b5394; --bg:#f6f7f9; }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",Arial,
  sans-serif; color:var(--ink); background:var(--bg); }
header, main, footer { max-width:1180px; margin:0 auto; padding:0 20px; }
header { padding-top:18px; }
nav a, a { color:var(--accent); }
nav { font-size:13px; }
h1 { margin:8px 0 0; font-size:26px; line-height:1.25; }
h1 .en { display:block; font-size:17px; font-weight:500; }
h2 { font-size:18px; margin:0 0 6px; }
.en { color:var(--muted); }
.intro p { margin:6px 0; max-width:900px; }
section.block { background:#fff; border:1px solid var(--line); border-radius:6px;
  margin:18px 0; padding:14px 16px; }
.caption { margin:0 0 10px; }
.caption .vi { font-weight:600; display:block; }
.caption .en { font-size:13px; display:block; }
.note { color:var(--muted); font-style:italic; }
.table-tools { margin:0 0 8px; }
.table-tools input { font:inherit; padding:4px 8px; width:min(360px,100%);
  border:1px solid var(--line); border-radius:4px; }
.table-wrap { overflow:auto; border:1px solid var(--line); }
.table-wrap.long { max-height:640px; }
table { border-collapse:collapse; width:100%; font-size:13px; }
th, td { padding:5px 8px; border-bottom:1px solid var(--line); text-align:left;
  vertical-align:top; }
td.nowrap { white-space:nowrap; }
td.num { text-align:right; font-variant-numeric:tabular-nums; white-space:nowrap; }
th { position:sticky; top:0; background:#eef1f4; z-index:1; }
th.num { text-align:right; }
th button { all:unset; cursor:pointer; display:block; }
th .en { display:block; font-weight:400; font-size:11px; }
th[aria-sort=ascending] button::after { content:" \\25B2"; }
th[aria-sort=descending] button::after { content:" \\25BC"; }
tbody tr:hover { background:#f3f7fb; }
ul.pages { list-style:none; padding:0; }
ul.pages li { background:#fff; border:1px solid var(--line); border-radius:6px;
  margin:10px 0; padding:12px 16px; }
ul.pages a { font-weight:600; font-size:16px; }
h3 { font-size:15px; margin:14px 0 6px; }
code { font-size:0.9em; overflow-wrap:anywhere; }
.nowrap { white-space:nowrap; }
.pass, .fail { font-weight:600; padding:0 6px; border-radius:4px; white-space:nowrap; }
.pass { background:#dafbe1; color:#116329; }
.fail { background:#ffebe9; color:#a40e26; }
details { border:1px solid var(--line); border-radius:6px; margin:8px 0; padding:6px 12px; }
details[open] { padding-bottom:12px; }
summary { cursor:pointer; font-weight:600; }
.banner { background:#fff4ce; border:1px solid #e0b400; border-radius:6px; padding:8px 14px;
  margin:12px 0 0; }
.downloads, .defs { font-size:12px; margin:6px 0 0; }
.defs { margin:0 0 8px; }
.crumbs { font-size:13px; }
footer { color:var(--muted); font-size:12px; padding-top:8px; padding-bottom:28px;
  border-top:1px solid var(--line); margin-top:24px; }
"""

# Sorts by data-sort (numbers) or text (Vietnamese collation); empty cells stay last.
# The filter ignores case and diacritics, so "thuan an" finds "Thuận An".
TABLE_JS = """
(function () {
  function fold(s) { return s.normalize('NFD').replace(/[\\u0300-\\u036f]/g, '')
    .replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase(); }
  function key(cell) { var s = cell.dataset.sort; return s === undefined ? cell.textContent : s; }
  function compare(a, b, num) {
    if (a === '' || b === '') return (a === '') - (b === '');
    return num ? a - b : a.localeCompare(b, 'vi');
  }
  // A long table's later rows wait in a <template> until they are needed.
  function complete(table) {
    var body = table.tBodies[0], later = body.querySelector('template.rows-later');
    if (!later) return;
    body.appendChild(later.content);
    body.removeChild(later);
    var more = document.querySelector('button.table-more[data-table="' + table.id + '"]');
    if (more) more.hidden = true;
  }
  document.querySelectorAll('template.rows-later').forEach(function (later) {
    var table = later.closest('table'), wrap = table.parentNode;
    wrap.addEventListener('scroll', function () {
      if (wrap.scrollTop + wrap.clientHeight > wrap.scrollHeight - 400) complete(table);
    }, {passive: true});
    var more = document.querySelector('button.table-more[data-table="' + table.id + '"]');
    if (more) more.addEventListener('click', function () { complete(table); });
  });
  window.addEventListener('beforeprint', function () {
    document.querySelectorAll('table').forEach(complete);
  });
  document.querySelectorAll('table.sortable').forEach(function (table) {
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, col) {
      th.querySelector('button').addEventListener('click', function () {
        complete(table);
        var asc = th.getAttribute('aria-sort') !== 'ascending', num = th.dataset.type === 'num';
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
        var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (r, s) {
          var a = key(r.cells[col]), b = key(s.cells[col]);
          if (a === '' || b === '') return compare(a, b, num);
          return compare(a, b, num) * (asc ? 1 : -1);
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
  document.querySelectorAll('input.table-filter').forEach(function (input) {
    var table = document.getElementById(input.dataset.table), body = table.tBodies[0];
    input.addEventListener('input', function () {
      complete(table);
      var q = fold(input.value.trim());
      Array.prototype.forEach.call(body.rows, function (r) {
        r.hidden = q !== '' && fold(r.textContent).indexOf(q) < 0;
      });
    });
  });
})();
"""


def esc(text: object) -> str:
    """The one escaping function: every value from data goes through it before it is markup."""
    return html.escape(str(text), quote=True)


def local_time(moment: datetime | str, seconds: bool = False) -> str:
    """An aware datetime (or ISO string with an offset) as Vietnam time: 2025-09-02 06:30.
    A naive time is refused: its zone is unknown, so showing it would be a guess."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        raise ValueError(f"{moment} has no time zone; pass an aware datetime")
    return moment.astimezone(VIETNAM_TIME).strftime(
        "%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M"
    )


def bilingual(vi: str, en: str, tag: str = "span") -> str:
    """Vietnamese first, English alongside (muted)."""
    return (
        f'<{tag} class="vi" lang="vi">{esc(vi)}</{tag}> '
        f'<{tag} class="en" lang="en">{esc(en)}</{tag}>'
    )


def _is_missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def format_value(value: object, kind: str) -> str:
    """Display text of one cell: thousands separators, one decimal, rates as percent."""
    if _is_missing(value):
        return "—"
    if kind == INT:
        return f"{round(float(value)):,}"
    if kind == PCT:
        return f"{float(value) * 100:.1f}%"
    if kind == NUM1:
        return f"{float(value):,.1f}"
    if kind == NUM2:
        return f"{float(value):,.2f}"
    return str(value)


def format_pct(value: object) -> str:
    """A rate as the text a caption quotes: 12.3%, or — when there is none."""
    return format_value(value, PCT)


def _column_kind(series: pd.Series, given: str | None) -> str:
    if given:
        return given
    if pd.api.types.is_bool_dtype(series):
        return "text"
    if pd.api.types.is_integer_dtype(series):
        return INT
    if pd.api.types.is_float_dtype(series):
        return NUM1
    return "text"


def _header_cell(name: str, kind: str) -> str:
    # "Tỷ lệ đúng hạn / On-time rate" -> Vietnamese on top, English below.
    vi, _, en = str(name).partition(" / ")
    label = esc(vi) + (f'<span class="en" lang="en">{esc(en)}</span>' if en else "")
    numeric = kind not in TEXT_KINDS
    cls = ' class="num" data-type="num"' if numeric else ""
    return f'<th scope="col"{cls}><button type="button">{label}</button></th>'


def _text_kind(series: pd.Series) -> str:
    # Short labels (names, codes, types) stay on one line; long ones (procedures) wrap.
    short = series.dropna().astype(str).str.len().max() <= SHORT_TEXT if len(series) else True
    return "short" if short else "text"


def _body_cell(value: object, kind: str) -> str:
    if kind == HTML:
        return f"<td>{'—' if _is_missing(value) else value}</td>"
    text = esc(format_value(value, kind))
    if kind in ("text", "short"):
        cls = ' class="nowrap"' if kind == "short" else ""
        return f"<td{cls}>{text}</td>"
    sort = "" if _is_missing(value) else repr(float(value))
    return f'<td class="num" data-sort="{sort}">{text}</td>'


def table_html(
    df: pd.DataFrame, table_id: str, formats: Mapping[str, str] | None = None, sortable=True
) -> str:
    formats = formats or {}
    kinds = [_column_kind(df[c], formats.get(c)) for c in df.columns]
    kinds = [
        _text_kind(df[c]) if k == "text" else k for c, k in zip(df.columns, kinds, strict=True)
    ]
    head = "".join(_header_cell(c, k) for c, k in zip(df.columns, kinds, strict=True))
    rows = [
        "<tr>" + "".join(_body_cell(v, k) for v, k in zip(row, kinds, strict=True)) + "</tr>"
        for row in df.itertuples(index=False, name=None)
    ]
    cls = ' class="sortable"' if sortable else ""
    wrap = "table-wrap long" if len(df) > LONG_TABLE_ROWS else "table-wrap"
    return (
        f'<div class="{wrap}"><table id="{esc(table_id)}"{cls}>'
        f"<thead><tr>{head}</tr></thead><tbody>{_first_rows_then_later(rows)}</tbody></table>"
        f"</div>{_show_all_button(table_id, len(rows))}"
    )


def _first_rows_then_later(rows: Sequence[str]) -> str:
    """The first FIRST_ROWS rows drawn, the rest in a <template> the table script adds."""
    if len(rows) <= FIRST_ROWS:
        return "".join(rows)
    later = "".join(rows[FIRST_ROWS:])
    return f'{"".join(rows[:FIRST_ROWS])}<template class="rows-later">{later}</template>'


def _show_all_button(table_id: str, rows: int) -> str:
    if rows <= FIRST_ROWS:
        return ""
    rows_vi = f"{rows:,}".replace(",", ".")  # 3.321 in Vietnamese, 3,321 in English
    return (
        f'<p class="table-tools"><button type="button" class="table-more" '
        f'data-table="{esc(table_id)}">Hiện tất cả {rows_vi} dòng (đang hiện {FIRST_ROWS}) / Show '
        f"all {rows:,} rows (showing {FIRST_ROWS})</button></p>"
    )


def figure_layout(**overrides: object) -> dict:
    """The layout every page's figures share: white template, legend on top, 1,234.5."""
    return (
        dict(
            template="plotly_white",
            margin=dict(l=10, r=20, t=40, b=50),
            legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0),
            font=dict(family=FONT_FAMILY, size=13),
            separators=".,",
        )
        | overrides
    )


def style_figure(fig: go.Figure, **layout: object) -> go.Figure:
    """The shared layout, then the figure's own (nested keys such as legend.y merge)."""
    fig.update_layout(figure_layout())
    fig.update_layout(**layout)
    return fig


def month_bars_range(months: pd.Series) -> list[pd.Timestamp]:
    """x range for bars that span their month (xperiod M1): the months and a little margin."""
    months = pd.to_datetime(months)
    pad = pd.Timedelta(days=6)
    return [months.min() - pad, months.max() + pd.offsets.MonthBegin(1) + pad]


def mark_reform(fig: go.Figure, months: pd.Series) -> None:
    """Dashed line at 1 July 2025 with its label, drawn only inside the plotted months."""
    reform = pd.Timestamp(REFORM_DATE)
    months = pd.to_datetime(months)
    if months.empty or not months.min() <= reform <= months.max():
        return
    # Shape + annotation rather than add_vline(annotation_text=...), which trips on dates.
    fig.add_shape(
        type="line",
        x0=reform,
        x1=reform,
        y0=0,
        y1=1,
        xref="x",
        yref="paper",
        line=dict(color="#555", dash="dash", width=1.5),
    )
    fig.add_annotation(
        x=reform,
        y=1,
        xref="x",
        yref="paper",
        yanchor="bottom",
        showarrow=False,
        xanchor="left",  # the label starts at the line, clear of the y axis if first
        text="Chính quyền hai cấp / two-tier government",
        font=dict(size=12, color="#333"),
        bgcolor="rgba(255,255,255,0.85)",
    )


def figure_height(rows: int, per_row: int = 28, base: int = 150) -> int:
    """Pixels for a figure with one band per row (a province, a category), at least 320."""
    return max(320, per_row * rows + base)


def province_axis(**extra: object) -> dict:
    """The category axis of horizontal bars: first row on top, room for long names."""
    return dict(autorange="reversed", automargin=True, **extra)


def legend_below(y: float) -> dict:
    """A horizontal legend under the plot (long bilingual names clear of the reform label)."""
    return dict(orientation="h", yanchor="top", y=y, xanchor="left", x=0)


def legend_at_bottom() -> dict:
    """A horizontal legend at the bottom of the figure, at a fixed distance however tall the
    plot grows with its rows, its items in stacking order."""
    return dict(
        orientation="h",
        yref="container",
        y=0,
        yanchor="bottom",
        xanchor="left",
        x=0,
        traceorder="normal",
    )


def month_axis(months: Sized, title: str, bars: bool = False) -> dict:
    """x axis of a monthly figure: 07/2025 ticks, every month up to a year, else quarterly.
    bars: for bars that span their month, each label under its bar and the months in view."""
    axis = dict(tickformat="%m/%Y", dtick="M1" if len(months) <= 12 else "M3")
    if bars:
        axis |= dict(ticklabelmode="period", range=month_bars_range(months))
    return axis | dict(title=title)


def month_bars_figure(
    monthly: pd.DataFrame,
    stacks: Mapping[str, tuple[str, str]],
    x_title: str,
    yaxis: dict,
    height: int,
    bottom: int,
    legend_y: float,
    **trace: object,
) -> go.Figure:
    """Stacked bars by month_start, one trace per column of stacks (column -> label, colour),
    each bar spanning its month so 1 July is July's left edge; the reform marked."""
    fig = go.Figure()
    for column, (label, colour) in stacks.items():
        fig.add_bar(
            x=monthly["month_start"],
            y=monthly[column],
            xperiod="M1",
            xperiodalignment="middle",
            name=label,
            marker_color=colour,
            hovertemplate="%{y:,}<extra>" + label + "</extra>",
            **trace,
        )
    style_figure(
        fig,
        height=height,
        margin=dict(l=10, r=20, t=60, b=bottom),
        barmode="stack",
        hovermode="x unified",
        xaxis=month_axis(monthly["month_start"], x_title, bars=True),
        yaxis=yaxis,
        legend=legend_below(legend_y),
    )
    mark_reform(fig, monthly["month_start"])
    return fig


# Commune-level unit types (dim_admin_unit.unit_type) as table and legend labels.
UNIT_TYPES = {
    "commune": "Xã / Commune",
    "ward": "Phường / Ward",
    "special_zone": "Đặc khu / Special zone",
}


def labelled(codes: pd.Series, labels: Mapping[str, str]) -> pd.Series:
    """Codes shown by their bilingual label; a code without one is shown as itself."""
    return codes.map(labels).fillna(codes)


def missing_relations(con: duckdb.DuckDBPyConnection, relations: Iterable[str]) -> list[str]:
    """The `schema.table` names (tables or views) not yet in the warehouse, in given order."""
    existing = {
        f"{schema}.{name}"
        for schema, name in con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = current_database()"
        ).fetchall()
    }
    return [r for r in relations if r not in existing]


def _nice_step(span: float, ticks: int = 5) -> float:
    """A round tick step (1, 2 or 5 × a power of ten) giving about `ticks` ticks over span."""
    raw = span / ticks
    power = 10 ** math.floor(math.log10(raw))
    return min((m * power for m in (1, 2, 5, 10)), key=lambda step: abs(math.log(step / raw)))


def rate_axis(values: Iterable[object], title: str = "", **extra: object) -> dict:
    """The axis of a rate (0..1) chosen from its values: the range hugs the data (a few
    provinces at 96-99% are told apart, not drawn on 0-100%), zero kept when the values sit
    near it, and as many decimals in the ticks as the step needs (0.2%, 0.4%, not 0%, 0%)."""
    found = [float(v) for v in values if not _is_missing(v)]
    if not found:
        return dict(tickformat=".0%", range=[0, 1], title=title) | extra
    low, high = min(found), max(found)
    span = max(high - low, 0.002, high * 0.05)
    low = 0.0 if low < span else low - span * 0.15
    high = high + span * 0.12  # room for an outside value label
    step = _nice_step(high - low)
    decimals = max(0, -math.floor(math.log10(step * 100) + 1e-9))
    return (
        dict(range=[low, high], dtick=step, tick0=0, tickformat=f".{decimals}%", title=title)
        | extra
    )


def score_axis(values: Iterable[object], title: str = "", **extra: object) -> dict:
    """The axis of a dot plot of 0-100 scores chosen from its values (points and interval
    bounds): provinces at 70-82 are told apart, not bunched at one end of 0-100. Bars keep
    a zero-based axis: their length is the value."""
    found = [float(v) for v in values if not _is_missing(v)]
    if not found:
        return dict(range=[0, 100], title=title) | extra
    low, high = min(found), max(found)
    margin = max(high - low, 1.0) * 0.1
    low, high = max(0.0, low - margin), min(100.0, high + margin)
    return dict(range=[low, high], dtick=_nice_step(high - low), tick0=0, title=title) | extra


def mark_national(
    fig: go.Figure, value: object, text: str = "Cả nước / National", axis: str = "x"
) -> None:
    """A dotted line across the plot at the national value, labelled with it, so each
    province's bar reads against the country (the value is the nation row of the mart).
    axis: the axis the value is on ("x", "x2" for a second panel, "y")."""
    if _is_missing(value):
        return
    value = float(value)
    vertical = axis.startswith("x")
    fig.add_shape(
        type="line",
        xref=axis if vertical else "paper",
        yref="paper" if vertical else axis,
        x0=value if vertical else 0,
        x1=value if vertical else 1,
        y0=0 if vertical else value,
        y1=1 if vertical else value,
        line=dict(color="#222", dash="dot", width=1.5),
    )
    fig.add_annotation(
        x=value if vertical else 1,
        y=1 if vertical else value,
        xref=axis if vertical else "paper",
        yref="paper" if vertical else axis,
        yanchor="bottom",
        xanchor="auto" if vertical else "right",  # auto: kept inside the plot near its edges
        showarrow=False,
        text=f"{text}: {format_pct(value)}",
        font=dict(size=12, color="#222"),
        bgcolor="rgba(255,255,255,0.85)",
    )


def figure_data(fig: go.Figure) -> pd.DataFrame:
    """The numbers a figure draws, one row per point: trace name, x, y (z, text, customdata
    when present). The CSV behind a figure whose page gave no table of its own."""
    frames = []
    for index, trace in enumerate(fig.data):
        columns: dict[str, list] = {}
        for attr in ("x", "y", "z", "text", "hovertext"):
            values = getattr(trace, attr, None)
            if values is not None and not isinstance(values, str) and len(values):
                columns[attr] = list(values)
        custom = getattr(trace, "customdata", None)
        if custom is not None and len(custom):
            for i, column in enumerate(zip(*[_as_row(row) for row in custom], strict=False)):
                columns[f"customdata_{i}"] = list(column)
        if not columns:
            continue
        length = max(len(v) for v in columns.values())
        columns = {k: v for k, v in columns.items() if len(v) == length}
        name = trace.name if trace.name is not None else f"trace {index + 1}"
        frames.append(pd.DataFrame({"series": [name] * length, **columns}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _as_row(value: object) -> tuple:
    if isinstance(value, (list, tuple)):
        return tuple(value)
    if hasattr(value, "tolist"):
        listed = value.tolist()
        return tuple(listed) if isinstance(listed, list) else (listed,)
    return (value,)


def csv_frame(df: pd.DataFrame, formats: Mapping[str, str] | None = None) -> pd.DataFrame:
    """A table as its CSV: the same columns, raw values (not the display text), markup
    cells reduced to their text."""
    formats = formats or {}
    out = df.copy()
    for column, kind in formats.items():
        if kind == HTML and column in out:
            out[column] = out[column].map(
                lambda v: v if _is_missing(v) else html.unescape(re.sub(r"<[^>]+>", "", str(v)))
            )
    return out


def write_csv(df: pd.DataFrame, path: Path) -> Path:
    """UTF-8 with a BOM (Excel then shows Vietnamese correctly), no index column."""
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=False, encoding=CSV_ENCODING)
    return path


# Loaded after plotly.js: a figure is drawn when it comes near the view (a screen ahead), not all
# on load. Drawing every chart of a long page first kept the browser busy past the 2 s a page
# has to become usable; off-screen charts now cost nothing until the reader scrolls to them.
# A figure waiting carries data-drawn-later; printing draws them all first.
LAZY_FIGURES_JS = """
(function () {
  if (!window.Plotly || !('IntersectionObserver' in window)) return;
  var draw = Plotly.newPlot;
  function now(el) {
    var args = el.rwArgs;
    if (!args) return;
    delete el.rwArgs;
    el.removeAttribute('data-drawn-later');
    seen.unobserve(el);
    draw.apply(Plotly, args);
  }
  var seen = new IntersectionObserver(function (entries) {
    entries.forEach(function (e) { if (e.isIntersecting) now(e.target); });
  }, {rootMargin: '100% 0px'});
  Plotly.newPlot = function (target) {
    var el = typeof target === 'string' ? document.getElementById(target) : target;
    if (!el || el._fullLayout) return draw.apply(Plotly, arguments);
    el.rwArgs = arguments;
    el.setAttribute('data-drawn-later', '');
    seen.observe(el);
    return Promise.resolve(el);
  };
  window.addEventListener('beforeprint', function () {
    document.querySelectorAll('[data-drawn-later]').forEach(now);
  });
})();
"""


def write_plotly_js(out_dir: Path) -> Path:
    """plotly.min.js beside the pages, written once per folder (rewritten only when the
    installed plotly differs), atomically so a page never loads half a file."""
    path = out_dir / PLOTLY_JS_NAME
    code = get_plotlyjs().encode("utf-8")
    if path.exists() and path.stat().st_size == len(code) and path.read_bytes() == code:
        return path
    out_dir.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{PLOTLY_JS_NAME}.{os.getpid()}")
    partial.write_bytes(code)
    partial.replace(path)
    return path


def data_is_simulated(out_dir: Path | str) -> bool:
    """Whether the site in out_dir (`<data dir>/reports`) shows simulated data: the
    simulator leaves its manifest in the landing folder beside it (`<data dir>/landing`)."""
    return (Path(out_dir).resolve().parent / "landing" / MANIFEST_NAME).exists()


SIMULATED_BANNER = (
    '<p class="banner" role="note"><strong lang="vi">Dữ liệu mô phỏng.</strong> '
    '<span lang="vi">Các con số trên trang này do bộ mô phỏng ReformWatch tạo ra, không phải '
    'số liệu thật của địa phương nào.</span> <strong class="en" lang="en">Simulated data.'
    '</strong> <span class="en" lang="en">The figures on this page were generated by the '
    "ReformWatch simulator; they describe no real place.</span></p>"
)


def glossary_href(term: str) -> str:
    """The glossary entry of a model (`mart_service_periods`) or of one of its columns
    (`mart_service_periods.on_time_rate`); a `schema.table` name is taken as its table."""
    parts = term.split(".")
    if len(parts) > 1 and parts[0] in ("marts", "reference", "audit"):
        parts = parts[1:]
    return f"{GLOSSARY_HREF}#{quote('.'.join(parts))}"


def _definitions(terms: Sequence[str]) -> str:
    if not terms:
        return ""
    links = ", ".join(
        f'<a href="{esc(glossary_href(t))}"><code>{esc(t.split(".")[-1])}</code></a>' for t in terms
    )
    return (
        '<p class="defs"><span lang="vi">Định nghĩa</span> / '
        f'<span lang="en">Definitions</span>: {links}</p>'
    )


def _download(href: str) -> str:
    return (
        f'<p class="downloads"><a href="{esc(href)}" download>⬇ '
        '<span lang="vi">Tải dữ liệu (CSV)</span> / <span lang="en">Download data (CSV)</span>'
        "</a></p>"
    )


def _caption(caption_vi: str, caption_en: str) -> str:
    return f'<p class="caption">{bilingual(caption_vi, caption_en)}</p>'


def _footer(sources: Iterable[str], generated_at: datetime) -> str:
    tables = ", ".join(f"<code>{esc(s)}</code>" for s in sources)
    stamp = f"{local_time(generated_at)} {VIETNAM_TIME_LABEL}"
    source = (
        f'<p><span lang="vi">Nguồn dữ liệu</span> / <span lang="en">Data source</span>: '
        f"ReformWatch warehouse — {tables}</p>"
        if tables
        else ""
    )
    return (
        "<footer>"
        f'<p><span lang="vi">Tạo lúc</span> / <span lang="en">Generated</span>: {esc(stamp)}</p>'
        f'{source}<p><a href="{QUALITY_INDEX_HREF}">Chất lượng dữ liệu / Data quality</a> · '
        f'<a href="{REPORTS_GLOSSARY_HREF}">Thuật ngữ / Glossary</a></p>'
        "</footer>"
    )


def document(
    title_vi: str,
    title_en: str,
    body: str,
    sources: Iterable[str],
    generated_at: datetime | None = None,
    with_plotly: bool = False,
    nav: str = "",
    simulated: bool = False,
    head: str = "",
) -> str:
    """The full HTML document around a body: the shell shared by pages and the index.
    with_plotly loads the site's one plotly.js by relative path (`write_plotly_js` puts it
    there); head is extra markup for <head> (a page's own data script)."""
    generated_at = generated_at or datetime.now(VIETNAM_TIME)
    plotly_js = (
        f'<script src="{PLOTLY_JS_NAME}"></script><script>{LAZY_FIGURES_JS}</script>'
        if with_plotly
        else ""
    )
    banner = SIMULATED_BANNER if simulated else ""
    return (
        '<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title_vi)} / {esc(title_en)} — ReformWatch</title>"
        f"<style>{CSS}</style>{plotly_js}{head}</head><body>"
        f"<header>{nav}<h1>{bilingual(title_vi, title_en)}</h1>{banner}</header>"
        f"<main>{body}</main>{_footer(sources, generated_at)}"
        f"<script>{TABLE_JS}</script></body></html>\n"
    )


@dataclass
class Page:
    """One report page: figures and tables in order, rendered into a single HTML file, each
    with the CSV of its data beside the page and a link to its definitions."""

    slug: str
    title_vi: str
    title_en: str
    intro_vi: str = ""
    intro_en: str = ""
    sources: list[str] = field(default_factory=list)
    blocks: list[str] = field(default_factory=list)
    has_figures: bool = False
    contents_href: str = "index.html"  # the "Contents" link: the reports' index
    csv_files: dict[str, pd.DataFrame] = field(default_factory=dict)  # data/<name> -> rows
    crumbs: list[tuple[str, str]] = field(default_factory=list)  # (href, label) above h1
    head: str = ""  # extra <head> markup (a data script the page's own JS reads)

    def add_source(self, *tables: str) -> None:
        self.sources.extend(t for t in tables if t not in self.sources)

    def add_heading(self, heading_vi: str, heading_en: str) -> None:
        self.blocks.append(f"<h2>{bilingual(heading_vi, heading_en)}</h2>")

    def add_figure(
        self,
        fig: go.Figure,
        caption_vi: str,
        caption_en: str,
        data: pd.DataFrame | None = None,
        terms: Sequence[str] | None = None,
    ) -> None:
        """data: the rows behind the figure, offered as CSV (default: the points it draws);
        terms: the glossary entries its caption links to (default: the page's mart sources)."""
        # plotly.js is loaded once in <head>; each figure carries only its own JSON.
        div = fig.to_html(
            full_html=False,
            include_plotlyjs=False,
            config=PLOTLY_CONFIG,
            default_height=f"{fig.layout.height or 450}px",
        )
        self.has_figures = True
        rows = figure_data(fig) if data is None else data
        self._add_block(
            _caption(caption_vi, caption_en) + self._terms(terms) + div + self._csv(rows)
        )

    def add_table(
        self,
        df: pd.DataFrame,
        caption_vi: str,
        caption_en: str,
        sortable: bool = True,
        formats: Mapping[str, str] | None = None,
        table_id: str | None = None,
        data: pd.DataFrame | None = None,
        terms: Sequence[str] | None = None,
    ) -> None:
        """formats maps a column to INT, PCT or NUM1; unmapped columns follow their dtype.
        data: the CSV's rows (default: the table itself, values unformatted)."""
        table_id = table_id or f"{self.slug}-table-{len(self.blocks) + 1}"
        tools = ""
        if sortable and len(df) > LONG_TABLE_ROWS:
            tools = (
                '<p class="table-tools"><input type="search" class="table-filter" '
                f'data-table="{esc(table_id)}" placeholder="Lọc / Filter" '
                'aria-label="Lọc bảng / Filter table"></p>'
            )
        rows = csv_frame(df, formats) if data is None else data
        self._add_block(
            _caption(caption_vi, caption_en)
            + self._terms(terms)
            + tools
            + table_html(df, table_id, formats, sortable)
            + self._csv(rows)
        )

    def _terms(self, terms: Sequence[str] | None) -> str:
        if terms is None:
            terms = [s for s in self.sources if s.startswith("marts.mart_")]
        return _definitions(terms)

    def _csv(self, rows: pd.DataFrame) -> str:
        if rows.empty:
            return ""
        name = f"{self.slug}-{len(self.blocks) + 1}.csv"
        self.csv_files[name] = rows
        return _download(f"{DATA_DIR_NAME}/{quote(name)}")

    def add_note(self, note_vi: str, note_en: str) -> None:
        self._add_block(f'<p class="note">{bilingual(note_vi, note_en)}</p>')

    def add_no_data(self, detail_vi: str = "", detail_en: str = "") -> None:
        """The note a section shows instead of a figure when its tables have no rows yet."""
        self.add_note(f"{NO_DATA_VI} {detail_vi}".strip(), f"{NO_DATA_EN} {detail_en}".strip())

    def sources_ready(self, con: duckdb.DuckDBPyConnection) -> bool:
        """True when every source table exists; otherwise a note naming the missing ones."""
        missing = missing_relations(con, self.sources)
        if missing:
            names = ", ".join(missing)
            self.add_no_data(f"Bảng chưa được tạo: {names}.", f"Not built yet: {names}.")
        return not missing

    def add_markup(self, inner: str) -> None:
        """A block of markup the caller assembled from `esc`-escaped parts (a badge, a
        collapsible run); prefer add_table / add_note, which escape for you."""
        self._add_block(inner)

    def _add_block(self, inner: str) -> None:
        self.blocks.append(f'<section class="block">{inner}</section>')

    def html(self, generated_at: datetime | None = None, simulated: bool = False) -> str:
        intro = (
            f'<div class="intro"><p lang="vi">{esc(self.intro_vi)}</p>'
            f'<p class="en" lang="en">{esc(self.intro_en)}</p></div>'
        )
        links = [(self.contents_href, "Mục lục / Contents"), *self.crumbs]
        trail = " › ".join(f'<a href="{esc(href)}">{esc(label)}</a>' for href, label in links)
        if self.contents_href == "index.html":  # a page of the reports' folder
            trail += " · " + " · ".join(
                f'<a href="{esc(href)}">{esc(label)}</a>' for href, label in SITE_LINKS
            )
        nav = f'<nav class="crumbs">← {trail}</nav>'
        return document(
            self.title_vi,
            self.title_en,
            intro + "".join(self.blocks),
            self.sources,
            generated_at,
            with_plotly=self.has_figures,
            nav=nav,
            simulated=simulated,
            head=self.head,
        )

    def write(self, out_dir: Path | str, generated_at: datetime | None = None) -> Path:
        """The page, its CSVs under data/, plotly.js beside it when it has figures."""
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        if self.has_figures:
            write_plotly_js(out_dir)
        for name, rows in self.csv_files.items():
            write_csv(rows, out_dir / DATA_DIR_NAME / name)
        path = out_dir / f"{self.slug}.html"
        path.write_text(self.html(generated_at, data_is_simulated(out_dir)), encoding="utf-8")
        return path


def write_index(
    out_dir: Path | str,
    pages: Iterable[tuple[str, str, str, str]],
    generated_at: datetime | None = None,
) -> Path:
    """index.html linking every report page (slug, title_vi, title_en, description) and the
    data-quality site."""
    out_dir = Path(out_dir)
    items = [
        f'<li><a href="{quote(slug)}.html">{bilingual(title_vi, title_en)}</a>'
        f"<p>{esc(description)}</p></li>"
        for slug, title_vi, title_en, description in pages
    ]
    items.append(
        f'<li><a href="{QUALITY_INDEX_HREF}">'
        f"{bilingual('Chất lượng dữ liệu', 'Data quality')}</a>"
        "<p>Kết quả kiểm tra dữ liệu, hồ sơ bị cách ly / "
        "Data-quality checks, quarantined records.</p></li>"
    )
    items.append(
        f'<li><a href="{DBT_DOCS_HREF}">'
        f"{bilingual('Tài liệu mô hình dữ liệu', 'Data model documentation')}</a>"
        "<p>Mọi bảng, cột, kiểm thử và dòng dữ liệu (dbt docs, tạo bằng make docs) / "
        "Every table, column, test and the lineage graph (dbt docs, built by make docs).</p></li>"
    )
    body = f'<ul class="pages">{"".join(items)}</ul>'
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "index.html"
    path.write_text(
        document(
            "Báo cáo ReformWatch",
            "ReformWatch reports",
            body,
            [],
            generated_at,
            simulated=data_is_simulated(out_dir),
        ),
        encoding="utf-8",
    )
    return path
