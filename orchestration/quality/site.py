"""The auditors' data-quality page: one self-contained HTML file, readable offline.

It shows every recorded validation run (from `quality_dir/runs/`, written by
`ge_runner.record_outcome`) and, when a warehouse connection is given, the ingest accounting
and quarantine from the `audit` schema. Inline CSS only, no scripts, no external assets;
every value from data is HTML-escaped (quarantined records are untrusted input).
"""

from __future__ import annotations

import html
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from orchestration.quality.ge_runner import recorded_runs

RECENT_QUARANTINE_ROWS = 20

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2rem;
       color: #1f2328; line-height: 1.45; max-width: 1400px; }
h1 { margin-bottom: 0.2rem; } h2 { margin-top: 2.5rem; border-bottom: 2px solid #d0d7de; }
.sub { color: #59636e; margin-top: 0; }
table { border-collapse: collapse; margin: 0.6rem 0 1rem; font-size: 0.9rem; }
th, td { border: 1px solid #d0d7de; padding: 0.3rem 0.55rem; text-align: left;
         vertical-align: top; }
th { background: #f6f8fa; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.rows { font-size: 0.8rem; margin: 0; } table.rows th { background: #fff8c5; }
.pass { background: #dafbe1; color: #116329; font-weight: 600; padding: 0 0.4rem;
        border-radius: 4px; white-space: nowrap; }
.fail { background: #ffebe9; color: #a40e26; font-weight: 600; padding: 0 0.4rem;
        border-radius: 4px; white-space: nowrap; }
tr.failed td { background: #fff5f5; }
details { margin: 0.5rem 0; border: 1px solid #d0d7de; border-radius: 6px; padding: 0.4rem 0.8rem; }
summary { cursor: pointer; font-weight: 600; }
.notes { color: #3d444d; max-width: 38rem; }
code { font-size: 0.85em; }
.muted { color: #59636e; }
.time, td code { white-space: nowrap; }
"""


class Html(str):
    """Markup built here from escaped parts; every other value is escaped when rendered."""


class Td(Html):
    """A complete table cell (`<td ...>...</td>`), for cells that need a class or markup."""


def esc(value: Any) -> Html:
    if isinstance(value, Html):
        return value
    return Html(html.escape("" if value is None else display_value(value)))


def display_value(value: Any) -> str:
    """Dates read from DuckDB arrive as midnight timestamps: show them as dates."""
    text = str(value)
    return text[:10] if text.endswith("T00:00:00") and len(text) == 19 else text


def display_time(iso: str) -> str:
    """`2025-09-01T10:00:00.123+00:00` → `2025-09-01 10:00:00 UTC` (runs are stamped in UTC)."""
    moment = datetime.fromisoformat(iso).astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def badge(passed: bool) -> Html:
    if passed:
        return Html('<span class="pass">Đạt / Pass</span>')
    return Html('<span class="fail">Không đạt / Fail</span>')


def number(value: Any) -> Html:
    text = "" if value is None else f"{value:,}" if isinstance(value, int) else str(value)
    return Td(f'<td class="num">{esc(text)}</td>')


def cell(value: Any) -> Html:
    return value if isinstance(value, Td) else Td(f"<td>{esc(value)}</td>")


def table_html(headers: list[str], body: str, css_class: str = "") -> Html:
    """A table around rows already rendered from escaped parts."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    attr = f' class="{css_class}"' if css_class else ""
    return Html(f"<table{attr}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def table(headers: list[str], rows: list[list[Any]], css_class: str = "",
          row_classes: list[str] | None = None) -> Html:
    body = []
    for i, row in enumerate(rows):
        klass = row_classes[i] if row_classes else ""
        attr = f' class="{klass}"' if klass else ""
        body.append(f"<tr{attr}>" + "".join(cell(v) for v in row) + "</tr>")
    return table_html(headers, "".join(body), css_class)


def section(title: str, *parts: str) -> Html:
    return Html(f"<section><h2>{esc(title)}</h2>{''.join(parts)}</section>")


def paragraph(text: Any, css_class: str = "") -> Html:
    attr = f' class="{css_class}"' if css_class else ""
    return Html(f"<p{attr}>{esc(text)}</p>")


# --- validation runs ----------------------------------------------------------------------


def run_anchor(index: int) -> str:
    return f"run-{index}"


def rows_evaluated(run: dict) -> str:
    text = f"{run['evaluated_rows']:,} / {run['total_rows']:,}"
    return text + " (mẫu / sample)" if run["evaluated_rows"] < run["total_rows"] else text


def failed_expectations(run: dict) -> list[dict]:
    return [r for r in run["results"] if not r["success"]]


def failed_summary(run: dict) -> str:
    failed = failed_expectations(run)
    names = ", ".join(f"{r['expectation_type']} ({r['column']})" for r in failed)
    return f"{len(failed)} / {len(run['results'])}" + (f": {names}" if names else "")


def runs_summary(runs: list[dict]) -> Html:
    if not runs:
        return paragraph("Chưa có lần kiểm định nào / No validation run recorded yet.", "muted")
    rows = []
    for i, run in enumerate(runs):
        link = f'<a href="#{run_anchor(i)}">{esc(display_time(run["run_at"]))}</a>'
        rows.append([
            Td(f'<td class="time">{link}</td>'),
            Td(f"<td><code>{esc(run['suite_name'])}</code></td>"),
            Td(f"<td><code>{esc(run['relation'])}</code></td>"),
            Td(f"<td>{badge(run['success'])}</td>"),
            Td(f'<td class="num">{esc(rows_evaluated(run))}</td>'),
            failed_summary(run),
        ])
    headers = ["Thời điểm / Run at", "Bộ kiểm định / Suite", "Bảng / Table",
               "Kết quả / Result", "Số dòng kiểm tra / Rows evaluated of total",
               "Kỳ vọng không đạt / Failed expectations"]
    classes = ["" if run["success"] else "failed" for run in runs]
    return table(headers, rows, row_classes=classes)


def sample_rows_table(rows: list[dict]) -> Html:
    if not rows:
        return Html("")
    headers = list(dict.fromkeys(k for row in rows for k in row))
    return table(headers, [[row.get(h) for h in headers] for row in rows], "rows")


def unexpected_text(result: dict) -> str:
    if result.get("exception"):
        return f"lỗi / error: {result['exception']}"
    if result.get("unexpected_count") is None:
        observed = result.get("observed_value")
        return "" if observed is None else f"quan sát / observed: {observed}"
    text = f"{result['unexpected_count']:,}"
    if result.get("unexpected_percent") is not None:
        text += f" ({result['unexpected_percent']:.2f}%)"
    return text


EXPECTATION_HEADERS = [
    "Kỳ vọng / Expectation", "Cột / Column(s)", "Bảo vệ điều gì / What it protects",
    "Kết quả / Result", "Số dòng sai / Unexpected rows",
]


def expectation_row(result: dict) -> str:
    """The expectation, then (when it failed) its sample rows across the full width."""
    klass = "" if result["success"] else ' class="failed"'
    cells = (
        f"<td><code>{esc(result['expectation_type'])}</code></td>"
        f"<td><code>{esc(result['column'])}</code></td>"
        f'<td class="notes">{esc(result.get("notes"))}</td>'
        f"<td>{badge(result['success'])}</td>"
        f'<td class="num">{esc(unexpected_text(result))}</td>'
    )
    row = f"<tr{klass}>{cells}</tr>"
    samples = result.get("sample_unexpected_rows") or []
    if samples:
        row += (
            f'<tr{klass}><td></td><td colspan="{len(EXPECTATION_HEADERS) - 1}">'
            '<div class="muted">Dòng sai mẫu / Sample offending rows '
            f"({esc(len(samples))})</div>{sample_rows_table(samples)}</td></tr>"
        )
    return row


def expectation_rows(run: dict) -> Html:
    """Failed expectations first: that is what an auditor opens the page for."""
    results = sorted(run["results"], key=lambda r: bool(r["success"]))
    return table_html(EXPECTATION_HEADERS, "".join(expectation_row(r) for r in results))


def run_details(runs: list[dict]) -> Html:
    """One collapsible block per run; the newest run of each suite starts open."""
    seen: set[str] = set()
    blocks = []
    for i, run in enumerate(runs):
        is_newest = run["suite_name"] not in seen
        seen.add(run["suite_name"])
        summary = (
            f"{esc(display_time(run['run_at']))} — <code>{esc(run['suite_name'])}</code> on "
            f"<code>{esc(run['relation'])}</code> {badge(run['success'])} "
            f"<span class=\"muted\">{esc(rows_evaluated(run))} dòng / rows</span>"
        )
        blocks.append(
            f'<details id="{run_anchor(i)}"{" open" if is_newest else ""}>'
            f"<summary>{summary}</summary>{expectation_rows(run)}</details>"
        )
    return Html("".join(blocks))


# --- ingest accounting and quarantine -----------------------------------------------------


def table_exists(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    found = con.execute(
        "select count(*) from information_schema.tables where table_catalog = current_database()"
        " and table_schema = ? and table_name = ?",
        [schema, name],
    ).fetchone()[0]
    return found > 0


def query_dicts(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def balance_gap(row: dict) -> int:
    """rows_read − (rows_loaded + rows_quarantined): 0 when no row went missing."""
    return (row["rows_read"] or 0) - (row["rows_loaded"] or 0) - (row["rows_quarantined"] or 0)


def balance_cell(gap: int) -> Html:
    if gap == 0:
        return Td('<td><span class="pass">✓ khớp / balanced</span></td>')
    return Td(f'<td><span class="fail">✗ lệch / off by {esc(f"{gap:+,}")}</span></td>')


def file_cell(path: Any) -> Html:
    name = Path(str(path)).name if path else ""
    return Td(f'<td title="{esc(path)}"><code>{esc(name)}</code></td>')


def ingest_accounting(con: duckdb.DuckDBPyConnection) -> Html:
    files = query_dicts(
        con,
        "select path, source, status, rows_read, rows_loaded, rows_quarantined, note,"
        " ingested_at from audit.ingest_files order by ingested_at desc nulls last, path",
    )
    if not files:
        return paragraph("Chưa tiếp nhận tệp nào / No file ingested yet.", "muted")
    gaps = [balance_gap(f) for f in files]
    unbalanced = sum(1 for g in gaps if g != 0)
    verdict = Html(
        f"<p>{badge(unbalanced == 0)} {esc(len(files))} tệp / files; "
        f"{esc(unbalanced)} không khớp / unbalanced "
        "(kiểm tra / check: rows_loaded + rows_quarantined = rows_read)</p>"
    )
    rows = [
        [file_cell(f["path"]), f["source"], f["status"], number(f["rows_read"]),
         number(f["rows_loaded"]), number(f["rows_quarantined"]), balance_cell(gap),
         f["note"], f["ingested_at"]]
        for f, gap in zip(files, gaps, strict=True)
    ]
    headers = ["Tệp / File", "Nguồn / Source", "Trạng thái / Status", "Đọc / Read",
               "Nạp / Loaded", "Cách ly / Quarantined",
               "Nạp + cách ly = đọc / Loaded + quarantined = read",
               "Ghi chú / Note", "Thời điểm nạp / Ingested at"]
    classes = ["" if gap == 0 else "failed" for gap in gaps]
    return Html(verdict + table(headers, rows, row_classes=classes))


def quarantine_counts(con: duckdb.DuckDBPyConnection) -> Html:
    """Files × reason codes, so a file with one systematic fault stands out."""
    counts = query_dicts(
        con,
        "select path, source, reason_code, count(*) as n from audit.quarantine"
        " group by all order by path, reason_code",
    )
    if not counts:
        return paragraph("Không có dòng nào bị cách ly / No row quarantined.", "muted")
    reasons = sorted({c["reason_code"] for c in counts})
    by_file: dict[tuple, dict[str, int]] = defaultdict(dict)
    for c in counts:
        by_file[(c["path"], c["source"])][c["reason_code"]] = c["n"]
    rows = [
        [file_cell(path), source, *[number(per.get(r)) for r in reasons],
         number(sum(per.values()))]
        for (path, source), per in by_file.items()
    ]
    totals = ["Tổng / Total", "", *[number(sum(p.get(r, 0) for p in by_file.values()))
                                  for r in reasons], number(sum(c["n"] for c in counts))]
    headers = ["Tệp / File", "Nguồn / Source", *reasons, "Tổng / Total"]
    return table(headers, [*rows, totals])


def recent_quarantine(con: duckdb.DuckDBPyConnection) -> Html:
    rows = query_dicts(
        con,
        f"""
        select reason_code, path, line_no, column_name, reason, quarantined_at
        from (
            select *, row_number() over (
                partition by reason_code order by quarantined_at desc, path, line_no
            ) as recency
            from audit.quarantine
        )
        where recency <= {RECENT_QUARANTINE_ROWS}
        order by reason_code, recency
        """,
    )
    grouped: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        grouped[row["reason_code"]].append(row)
    headers = ["Tệp / File", "Dòng / Line", "Cột / Column", "Lý do / Reason",
               "Thời điểm / Quarantined at"]
    parts = [
        Html(f"<h3><code>{esc(code)}</code></h3>")
        + table(headers, [[file_cell(r["path"]), number(r["line_no"]), r["column_name"],
                           r["reason"], r["quarantined_at"]] for r in items])
        for code, items in grouped.items()
    ]
    return Html("".join(parts))


def audit_sections(con: duckdb.DuckDBPyConnection | None) -> list[Html]:
    if con is None:
        note = paragraph("Không có kết nối kho dữ liệu / No warehouse connection given.", "muted")
        return [section("Đối soát tiếp nhận / Ingest accounting", note)]
    sections = []
    if table_exists(con, "audit", "ingest_files"):
        sections.append(section("Đối soát tiếp nhận / Ingest accounting", ingest_accounting(con)))
    else:
        sections.append(section("Đối soát tiếp nhận / Ingest accounting",
                                paragraph("Chưa có bảng / No table audit.ingest_files.", "muted")))
    if table_exists(con, "audit", "quarantine"):
        sections.append(section("Cách ly theo tệp và lý do / Quarantine by file and reason",
                                quarantine_counts(con)))
        sections.append(section(
            f"Dòng bị cách ly gần nhất ({RECENT_QUARANTINE_ROWS} mỗi lý do) / "
            f"Most recent quarantined rows ({RECENT_QUARANTINE_ROWS} per reason)",
            recent_quarantine(con),
        ))
    return sections


# --- the page -------------------------------------------------------------------------------


def page(body: str, generated_at: datetime) -> str:
    stamp = display_time(generated_at.isoformat())
    return (
        '<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>ReformWatch — Chất lượng dữ liệu / Data quality</title>"
        f"<style>{CSS}</style></head><body>"
        "<h1>Chất lượng dữ liệu / Data quality</h1>"
        f'<p class="sub">ReformWatch — tạo lúc / generated at {esc(stamp)}</p>'
        f"{body}</body></html>\n"
    )


def render_quality_site(
    quality_dir: Path, con: duckdb.DuckDBPyConnection | None = None
) -> Path:
    """Write `quality_dir/index.html` from the recorded runs and the audit tables."""
    runs = recorded_runs(quality_dir)
    body = "".join([
        section("Các lần kiểm định / Validation runs", runs_summary(runs)),
        section("Chi tiết từng kỳ vọng / Expectations per run", run_details(runs)),
        *audit_sections(con),
    ])
    quality_dir.mkdir(parents=True, exist_ok=True)
    target = quality_dir / "index.html"
    partial = target.with_suffix(".html.tmp")
    partial.write_text(page(body, datetime.now(UTC)), encoding="utf-8")
    partial.replace(target)  # auditors may have the page open while it is rebuilt
    return target
