"""The auditors' data-quality page: one self-contained HTML file, readable offline.

It shows every recorded validation run (from `quality_dir/runs/`, written by
`ge_runner.record_outcome`) and, when a warehouse connection is given, the ingest accounting
and quarantine from the `audit` schema. It is a page of the report shell (`reports.shell`):
the same stylesheet, the same escaping (`esc`: quarantined records are untrusted input) and
every time in Vietnam time, as on the report pages.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from orchestration.quality.ge_runner import recorded_runs
from orchestration.sql import table_exists
from reports.shell import HTML, INT, REPORTS_INDEX_HREF, Page, esc, local_time, table_html

RECENT_QUARANTINE_ROWS = 20
RUN_AT = "Thời điểm (giờ Việt Nam) / Run at (Vietnam time)"


def badge(passed: bool) -> str:
    if passed:
        return '<span class="pass">Đạt / Pass</span>'
    return '<span class="fail">Không đạt / Fail</span>'


def code(value: Any) -> str:
    return f"<code>{esc(value)}</code>"


def display_value(value: Any) -> Any:
    """Dates stored in the run log as midnight timestamps are shown as dates."""
    text = str(value)
    return text[:10] if text.endswith("T00:00:00") and len(text) == 19 else value


def new_page(sources: list[str]) -> Page:
    return Page(
        slug="index",
        title_vi="Chất lượng dữ liệu",
        title_en="Data quality",
        intro_vi="Mọi lần kiểm định dữ liệu (bộ Great Expectations trên các bảng của kho), "
        "đối soát số dòng tiếp nhận và các dòng bị cách ly, kèm lý do.",
        intro_en="Every data validation run (Great Expectations suites on warehouse tables), "
        "the row accounting of ingested files, and quarantined rows with their reasons.",
        sources=sources,
        contents_href=REPORTS_INDEX_HREF,
    )


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


def add_runs_summary(page: Page, runs: list[dict]) -> None:
    page.add_heading("Các lần kiểm định", "Validation runs")
    if not runs:
        page.add_note("Chưa có lần kiểm định nào.", "No validation run recorded yet.")
        return
    summary = pd.DataFrame(
        [
            {
                RUN_AT: f'<a class="nowrap" href="#{run_anchor(i)}">'
                f"{esc(local_time(run['run_at'], seconds=True))}</a>",
                "Bộ kiểm định / Suite": code(run["suite_name"]),
                "Bảng / Table": code(run["relation"]),
                "Kết quả / Result": badge(run["success"]),
                "Số dòng kiểm tra / Rows evaluated of total": rows_evaluated(run),
                "Kỳ vọng không đạt / Failed expectations": failed_summary(run),
            }
            for i, run in enumerate(runs)
        ]
    )
    formats = {c: HTML for c in list(summary.columns)[:4]}
    page.add_table(summary, "Mới nhất trước", "Newest first", formats=formats, table_id="runs")


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


def expectations_table(run: dict, table_id: str) -> str:
    """Failed expectations first: that is what an auditor opens the page for."""
    results = sorted(run["results"], key=lambda r: bool(r["success"]))
    frame = pd.DataFrame(
        [
            {
                "Kỳ vọng / Expectation": code(r["expectation_type"]),
                "Cột / Column(s)": code(r["column"]),
                "Bảo vệ điều gì / What it protects": r.get("notes") or "",
                "Kết quả / Result": badge(r["success"]),
                "Số dòng sai / Unexpected rows": unexpected_text(r),
            }
            for r in results
        ]
    )
    formats = {"Kỳ vọng / Expectation": HTML, "Cột / Column(s)": HTML, "Kết quả / Result": HTML}
    return table_html(frame, table_id, formats, sortable=False)


def sample_rows(result: dict, table_id: str) -> str:
    """The failed expectation's sample offending rows, as the run log kept them."""
    rows = result.get("sample_unexpected_rows") or []
    if not rows:
        return ""
    headers = list(dict.fromkeys(k for row in rows for k in row))
    frame = pd.DataFrame(
        [[display_value(row.get(h)) for h in headers] for row in rows], columns=headers
    ).astype(object)
    title = (
        f"Dòng sai mẫu / Sample offending rows ({len(rows)}): "
        f"{code(result['expectation_type'])} ({esc(result['column'])})"
    )
    return f"<h3>{title}</h3>{table_html(frame, table_id, {h: 'text' for h in headers}, False)}"


def run_block(run: dict, index: int, is_open: bool) -> str:
    summary = (
        f"{esc(local_time(run['run_at'], seconds=True))} — {code(run['suite_name'])} on "
        f"{code(run['relation'])} {badge(run['success'])} "
        f'<span class="en">{esc(rows_evaluated(run))} dòng / rows</span>'
    )
    anchor = run_anchor(index)
    samples = "".join(
        sample_rows(r, f"{anchor}-rows-{j}") for j, r in enumerate(failed_expectations(run))
    )
    return (
        f'<details id="{anchor}"{" open" if is_open else ""}><summary>{summary}</summary>'
        f"{expectations_table(run, f'{anchor}-expectations')}{samples}</details>"
    )


def add_run_details(page: Page, runs: list[dict]) -> None:
    """One collapsible block per run; the newest run of each suite starts open."""
    page.add_heading("Chi tiết từng kỳ vọng", "Expectations per run")
    seen: set[str] = set()
    blocks = []
    for i, run in enumerate(runs):
        blocks.append(run_block(run, i, is_open=run["suite_name"] not in seen))
        seen.add(run["suite_name"])
    if blocks:
        page.add_markup("".join(blocks))


# --- ingest accounting and quarantine -----------------------------------------------------


def query_dicts(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def audit_time(column: str) -> str:
    """The audit tables stamp `now()` into a plain timestamp, i.e. in the session's time zone;
    casting back in a session with the same setting recovers the instant (an aware value)."""
    return f"cast({column} as timestamptz) as {column}"


def shown_time(moment: datetime | None) -> str | None:
    return None if moment is None else local_time(moment, seconds=True)


def balance_gap(row: dict) -> int:
    """rows_read − (rows_loaded + rows_quarantined): 0 when no row went missing."""
    return (row["rows_read"] or 0) - (row["rows_loaded"] or 0) - (row["rows_quarantined"] or 0)


def balance_cell(gap: int) -> str:
    if gap == 0:
        return '<span class="pass">✓ khớp / balanced</span>'
    return f'<span class="fail">✗ lệch / off by {esc(f"{gap:+,}")}</span>'


def file_cell(path: Any) -> str:
    """The file's name, its full landing path on hover."""
    if not path:
        return ""
    return f'<code title="{esc(path)}">{esc(Path(str(path)).name)}</code>'


def add_ingest_accounting(page: Page, con: duckdb.DuckDBPyConnection) -> None:
    files = query_dicts(
        con,
        "select path, source, status, rows_read, rows_loaded, rows_quarantined, note,"
        f" {audit_time('ingested_at')}"
        " from audit.ingest_files order by ingested_at desc nulls last, path",
    )
    if not files:
        page.add_note("Chưa tiếp nhận tệp nào.", "No file ingested yet.")
        return
    gaps = [balance_gap(f) for f in files]
    unbalanced = sum(1 for g in gaps if g != 0)
    page.add_markup(
        f"<p>{badge(unbalanced == 0)} {len(files)} tệp / files; "
        f"{unbalanced} không khớp / unbalanced "
        "(kiểm tra / check: rows_loaded + rows_quarantined = rows_read)</p>"
    )
    balance = "Nạp + cách ly = đọc / Loaded + quarantined = read"
    frame = pd.DataFrame(
        [
            {
                "Tệp / File": file_cell(f["path"]),
                "Nguồn / Source": f["source"],
                "Trạng thái / Status": f["status"],
                "Đọc / Read": f["rows_read"],
                "Nạp / Loaded": f["rows_loaded"],
                "Cách ly / Quarantined": f["rows_quarantined"],
                balance: balance_cell(gap),
                "Ghi chú / Note": f["note"],
                "Thời điểm nạp (giờ Việt Nam) / Ingested at (Vietnam time)": shown_time(
                    f["ingested_at"]
                ),
            }
            for f, gap in zip(files, gaps, strict=True)
        ]
    )
    formats = {
        "Tệp / File": HTML,
        balance: HTML,
        "Đọc / Read": INT,
        "Nạp / Loaded": INT,
        "Cách ly / Quarantined": INT,
    }
    page.add_table(
        frame,
        "Từng tệp, mới nhất trước",
        "Each file, newest first",
        formats=formats,
        table_id="ingest-files",
    )


def add_quarantine_counts(page: Page, con: duckdb.DuckDBPyConnection) -> None:
    """Files × reason codes, so a file with one systematic fault stands out."""
    counts = query_dicts(
        con,
        "select path, source, reason_code, count(*) as n from audit.quarantine"
        " group by all order by path, reason_code",
    )
    if not counts:
        page.add_note("Không có dòng nào bị cách ly.", "No row quarantined.")
        return
    reasons = sorted({c["reason_code"] for c in counts})
    by_file: dict[tuple, dict[str, int]] = defaultdict(dict)
    for c in counts:
        by_file[(c["path"], c["source"])][c["reason_code"]] = c["n"]
    rows = [
        [file_cell(path), source, *[per.get(r) for r in reasons], sum(per.values())]
        for (path, source), per in by_file.items()
    ]
    total = sum(c["n"] for c in counts)
    per_reason = [sum(per.get(r, 0) for per in by_file.values()) for r in reasons]
    rows.append([esc("Tổng / Total"), "", *per_reason, total])
    headers = ["Tệp / File", "Nguồn / Source", *reasons, "Tổng / Total"]
    formats = {"Tệp / File": HTML} | {h: INT for h in headers[2:]}
    page.add_table(
        pd.DataFrame(rows, columns=headers).astype(object),
        "Số dòng bị cách ly theo tệp và mã lý do",
        "Quarantined rows by file and reason code",
        formats=formats,
        table_id="quarantine-counts",
    )


def add_recent_quarantine(page: Page, con: duckdb.DuckDBPyConnection) -> None:
    rows = query_dicts(
        con,
        f"""
        select reason_code, path, line_no, column_name, reason, {audit_time("quarantined_at")}
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
    for reason_code, items in grouped.items():
        frame = pd.DataFrame(
            [
                {
                    "Tệp / File": file_cell(r["path"]),
                    "Dòng / Line": r["line_no"],
                    "Cột / Column": r["column_name"],
                    "Lý do / Reason": r["reason"],
                    "Thời điểm (giờ Việt Nam) / Quarantined at (Vietnam time)": shown_time(
                        r["quarantined_at"]
                    ),
                }
                for r in items
            ]
        )
        page.add_table(
            frame,
            f"Mã lý do: {reason_code}",
            f"Reason code: {reason_code}",
            formats={"Tệp / File": HTML, "Dòng / Line": INT},
            table_id=f"quarantine-recent-{reason_code}",
        )


def add_corrections(page: Page, con: duckdb.DuckDBPyConnection) -> None:
    """Versions whose rows left raw: superseded by a later delivery, or retracted."""
    rows = query_dicts(
        con,
        "select action, path, replaced_by_path, rows_removed, keys_added, keys_removed,"
        " keys_changed, keys_unchanged, note, corrected_at"
        " from audit.file_corrections order by corrected_at desc, path",
    )
    page.add_heading("Bản sửa và tệp bị rút lại", "Corrections and retractions")
    if not rows:
        page.add_note(
            "Chưa có tệp nào được thay thế hay rút lại.", "No file replaced or retracted."
        )
        return
    frame = pd.DataFrame(
        [
            {
                "Tệp / File": file_cell(r["path"]),
                "Thao tác / Action": r["action"],
                "Thay bằng / Replaced by": file_cell(r["replaced_by_path"]),
                "Dòng rời raw / Rows removed": r["rows_removed"],
                "Khóa thêm / Keys added": r["keys_added"],
                "Khóa bỏ / Keys removed": r["keys_removed"],
                "Khóa đổi / Keys changed": r["keys_changed"],
                "Khóa giữ / Keys unchanged": r["keys_unchanged"],
                "Ghi chú / Note": r["note"],
                "Thời điểm (giờ Việt Nam) / At (Vietnam time)": shown_time(r["corrected_at"]),
            }
            for r in rows
        ]
    )
    counts = [c for c in frame.columns if c.split(" /")[0].startswith(("Dòng", "Khóa"))]
    page.add_table(
        frame,
        "Mới nhất trước; khóa theo khóa nghiệp vụ của nguồn",
        "Newest first; keys are the source's business key",
        formats={"Tệp / File": HTML, "Thay bằng / Replaced by": HTML} | dict.fromkeys(counts, INT),
        table_id="file-corrections",
    )


def add_audit_sections(page: Page, con: duckdb.DuckDBPyConnection | None) -> None:
    page.add_heading("Đối soát tiếp nhận", "Ingest accounting")
    if con is None:
        page.add_note("Không có kết nối kho dữ liệu.", "No warehouse connection given.")
        return
    if table_exists(con, "audit", "ingest_files"):
        page.add_source("audit.ingest_files")
        add_ingest_accounting(page, con)
    else:
        page.add_note("Chưa có bảng audit.ingest_files.", "No table audit.ingest_files.")
    if table_exists(con, "audit", "file_corrections"):
        page.add_source("audit.file_corrections")
        add_corrections(page, con)
    if table_exists(con, "audit", "quarantine"):
        page.add_source("audit.quarantine")
        page.add_heading("Cách ly theo tệp và lý do", "Quarantine by file and reason")
        add_quarantine_counts(page, con)
        page.add_heading(
            f"Dòng bị cách ly gần nhất ({RECENT_QUARANTINE_ROWS} mỗi lý do)",
            f"Most recent quarantined rows ({RECENT_QUARANTINE_ROWS} per reason)",
        )
        add_recent_quarantine(page, con)


# --- the site ----------------------------------------------------------------------------

# Which quality dimension a quarantine reason counts against on the scorecards.
DIMENSION_OF_REASON = {
    "malformed_line": "validity",
    "line_too_long": "validity",
    "missing_value": "validity",
    "unparseable": "validity",
    "invisible_character": "validity",
    "not_allowed": "validity",
    "missing_column": "validity",
    "undecodable": "validity",
    "duplicate_row": "uniqueness",
    "unknown_unit": "consistency",
    "unknown_procedure": "consistency",
    "out_of_period": "consistency",
    "wrong_folder": "consistency",
}
FILES_PER_PAGE = 50
TREND_RUNS = 8  # runs shown in the quarantine trend, newest last

SITE_PAGES = (
    ("index", "Tổng quan", "Summary"),
    ("scorecards", "Thẻ điểm theo nguồn và tỉnh", "Scorecards by source and province"),
    ("files", "Tệp tiếp nhận và cách ly", "Files received and quarantine"),
    ("dbt", "Kiểm thử dbt", "dbt tests"),
    ("runs", "Các lần kiểm định Great Expectations", "Great Expectations runs"),
)


def site_nav(current: str) -> str:
    links = [
        f'<a href="{slug}.html">{esc(vi)} / {esc(en)}</a>'
        for slug, vi, en in SITE_PAGES
        if slug != current
    ]
    links.append(f'<a href="{REPORTS_INDEX_HREF}">Báo cáo / Reports</a>')
    return "<p>" + " · ".join(links) + "</p>"


def site_page(slug: str, intro_vi: str, intro_en: str) -> Page:
    title_vi, title_en = next((vi, en) for s, vi, en in SITE_PAGES if s == slug)
    page = Page(
        slug=slug,
        title_vi=f"Chất lượng dữ liệu — {title_vi}" if slug != "index" else "Chất lượng dữ liệu",
        title_en=f"Data quality — {title_en}" if slug != "index" else "Data quality",
        intro_vi=intro_vi,
        intro_en=intro_en,
        contents_href=REPORTS_INDEX_HREF,
    )
    page.add_markup(site_nav(slug))
    return page


def render_quality_site(quality_dir: Path, con: duckdb.DuckDBPyConnection | None = None) -> Path:
    """Write the auditors' site under `quality_dir` (the summary is `index.html`) from the
    recorded runs and the audit tables; returns the summary page's path."""
    from orchestration.quality import summary

    runs = recorded_runs(quality_dir)
    pages = [
        summary.summary_page(con),
        summary.scorecards_page(con),
        files_page(con),
        summary.dbt_page(con),
        runs_page(runs),
    ]
    quality_dir.mkdir(parents=True, exist_ok=True)
    for page in pages:
        target = quality_dir / f"{page.slug}.html"
        partial = target.with_suffix(".html.tmp")
        partial.write_text(page.html(), encoding="utf-8")
        partial.replace(target)  # auditors may have a page open while it is rebuilt
    return quality_dir / "index.html"


def runs_page(runs: list[dict]) -> Page:
    page = site_page(
        "runs",
        "Mọi lần kiểm định dữ liệu (bộ Great Expectations trên các bảng của kho), từng kỳ vọng "
        "và các dòng sai mẫu.",
        "Every data validation run (Great Expectations suites on warehouse tables), each "
        "expectation and sample offending rows.",
    )
    add_runs_summary(page, runs)
    add_run_details(page, runs)
    return page


def files_page(con: duckdb.DuckDBPyConnection | None) -> Page:
    page = site_page(
        "files",
        "Đối soát số dòng tiếp nhận của từng tệp và các dòng bị cách ly, kèm lý do.",
        "The row accounting of every ingested file, and quarantined rows with their reasons.",
    )
    add_audit_sections(page, con)
    page.add_markup(paginate_script("ingest-files", FILES_PER_PAGE))
    return page


# Pages of rows among those the shell's filter keeps (same folding of case and diacritics),
# with previous / next buttons. Registered on DOMContentLoaded, so after the shell's table
# script: its filter and sort run first, then this re-pages. Offline, no library.
PAGINATE_JS = """
document.addEventListener('DOMContentLoaded', function () {
  var table = document.getElementById(__TABLE__); if (!table) return;
  var size = __SIZE__, page = 0, body = table.tBodies[0];
  var filter = document.querySelector('input.table-filter[data-table="' + table.id + '"]');
  function fold(s) { return s.normalize('NFD').replace(/[\\u0300-\\u036f]/g, '')
    .replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase(); }
  var bar = document.createElement('p'), prev = document.createElement('button'),
    next = document.createElement('button'), label = document.createElement('span');
  prev.textContent = '← Trước / Previous'; next.textContent = 'Sau / Next →';
  bar.append(prev, ' ', label, ' ', next); table.parentNode.after(bar);
  function show() {
    var q = filter ? fold(filter.value.trim()) : '';
    var rows = Array.prototype.filter.call(body.rows, function (r) {
      r.hidden = true; return q === '' || fold(r.textContent).indexOf(q) >= 0; });
    var pages = Math.max(1, Math.ceil(rows.length / size)); page = Math.min(page, pages - 1);
    rows.slice(page * size, (page + 1) * size).forEach(function (r) { r.hidden = false; });
    label.textContent = 'Trang / Page ' + (page + 1) + ' / ' + pages + ' (' + rows.length + ')';
    prev.disabled = page === 0; next.disabled = page >= pages - 1;
  }
  prev.addEventListener('click', function () { page -= 1; show(); });
  next.addEventListener('click', function () { page += 1; show(); });
  if (filter) filter.addEventListener('input', function () { page = 0; show(); });
  table.tHead.addEventListener('click', show);
  show();
});
"""


def paginate_script(table_id: str, per_page: int) -> str:
    js = PAGINATE_JS.replace("__TABLE__", json.dumps(table_id)).replace("__SIZE__", str(per_page))
    return f"<script>{js}</script>"
