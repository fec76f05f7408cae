"""The auditors' summary, scorecards and dbt pages, read from the history the warehouse keeps
(`audit.quality_runs`, `audit.ge_results`, `audit.dbt_results`, `audit.quarantine_trend`;
`history.py`) and the ingest ledger (`audit.ingest_files`, `audit.quarantine`).

Scorecards, per source and province (the province and month come from the landing layout's
file names, `<province>_<yyyy-mm>`):
- completeness: months the province delivered ÷ months the source has deliveries for;
- validity, uniqueness, consistency: 1 − rows quarantined for a reason of that dimension
  (`site.DIMENSION_OF_REASON`) ÷ rows read;
- timeliness: whether the province's latest file is for the source's latest month; a
  province behind it is shown late, by how many months.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd
import plotly.graph_objects as go

from orchestration.quality import site
from orchestration.sql import literal, table_exists
from reports.shell import HTML, INT, PCT, Page, esc, local_time, style_figure

LATEST_RUN = """
select run_id, max(recorded_at) as recorded_at from audit.quality_runs
group by run_id order by recorded_at desc limit 1
"""


def has(con: duckdb.DuckDBPyConnection | None, *tables: str) -> bool:
    return con is not None and all(table_exists(con, "audit", t) for t in tables)


def when(moment: Any) -> str:
    return "" if moment is None else local_time(moment, seconds=True)


# --- summary -----------------------------------------------------------------------------


def summary_page(con: duckdb.DuckDBPyConnection | None) -> Page:
    page = site.site_page(
        "index",
        "Lần chạy mới nhất: kết quả từng bộ kiểm định và từng kiểm thử dbt, số dòng bị cách "
        "ly theo nguồn và lý do, và xu hướng qua các lần chạy. Chi tiết ở các trang liên kết.",
        "The latest run: each validation suite and dbt test passed or failed, the rows "
        "quarantined per source and reason, and their trend across runs. Details on the "
        "linked pages.",
    )
    if not has(con, "quality_runs"):
        page.add_note("Chưa có lần chạy nào được ghi lại.", "No run recorded yet.")
        return page
    page.add_source("audit.quality_runs", "audit.ge_results", "audit.dbt_results")
    latest = con.execute(LATEST_RUN).fetchone()
    run_id, recorded_at = latest
    page.add_heading("Lần chạy mới nhất", "Latest run")
    page.add_markup(
        f"<p>Dagster run <code>{esc(run_id)}</code> — {esc(when(recorded_at))} "
        "(giờ Việt Nam / Vietnam time)</p>"
    )
    add_latest_suites(page, con, run_id)
    add_latest_dbt(page, con, run_id)
    if has(con, "quarantine_trend"):
        page.add_source("audit.quarantine_trend")
        add_quarantine_trend(page, con)
    return page


def add_latest_suites(page: Page, con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    suites = site.query_dicts(
        con,
        f"""select suite_name, relation, bool_and(suite_success) as success,
            count(*) as expectations, count(*) filter (where not success) as failed,
            string_agg(expectation_type || ' (' || column_name || ')', ', ')
                filter (where not success) as failures
        from audit.ge_results where run_id = {literal(run_id)}
        group by all order by success, suite_name""",
    )
    page.add_heading("Bộ kiểm định Great Expectations", "Great Expectations suites")
    if not suites:
        page.add_note("Lần chạy này không kiểm định bộ nào.", "No suite ran in this run.")
        return
    passed = sum(s["success"] for s in suites)
    page.add_markup(
        f"<p>{site.badge(passed == len(suites))} {passed} / {len(suites)} "
        'bộ đạt / suites passed — <a href="runs.html">chi tiết / details</a></p>'
    )
    frame = pd.DataFrame(
        [
            {
                "Bộ kiểm định / Suite": site.code(s["suite_name"]),
                "Bảng / Table": site.code(s["relation"]),
                "Kết quả / Result": site.badge(s["success"]),
                "Kỳ vọng không đạt / Failed expectations": f"{s['failed']} / {s['expectations']}"
                + (f": {s['failures']}" if s["failures"] else ""),
            }
            for s in suites
        ]
    )
    formats = {c: HTML for c in list(frame.columns)[:3]}
    page.add_table(frame, "Lỗi trước", "Failures first", formats=formats, table_id="suites")


def add_latest_dbt(page: Page, con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    page.add_heading("Kiểm thử dbt", "dbt tests")
    latest_dbt = con.execute(
        "select run_id from audit.quality_runs where kind = 'dbt' order by recorded_at desc limit 1"
    ).fetchone()
    if latest_dbt is None:
        page.add_note("Chưa có kết quả dbt.", "No dbt results recorded yet.")
        return
    counts = dict(
        con.execute(
            "select status, count(*) from audit.dbt_results"
            " where run_id = ? and resource_type = 'test' group by all",
            [latest_dbt[0]],
        ).fetchall()
    )
    total = sum(counts.values())
    bad = counts.get("fail", 0) + counts.get("error", 0)
    note = "" if latest_dbt[0] == run_id else " (from an earlier run: this one built no models)"
    page.add_markup(
        f"<p>{site.badge(bad == 0)} {counts.get('pass', 0)} / {total} đạt / passed; "
        f"{counts.get('fail', 0)} không đạt / failed, {counts.get('warn', 0)} cảnh báo / "
        f"warned, {counts.get('error', 0)} lỗi / errored{esc(note)} — "
        '<a href="dbt.html">mọi kiểm thử / every test</a></p>'
    )
    failing = dbt_results(con, latest_dbt[0], only_failing=True)
    if not failing.empty:
        page.add_table(
            failing,
            "Kiểm thử không đạt, kèm dòng sai mẫu",
            "Failing tests, with sample failing rows",
            formats={"Kiểm thử / Test": HTML, "Kết quả / Status": HTML},
            table_id="dbt-failing",
        )


def add_quarantine_trend(page: Page, con: duckdb.DuckDBPyConnection) -> None:
    """Quarantined rows per source and reason at each of the last runs: a new reason, or a
    count that grows faster than the deliveries, stands out."""
    trend = con.execute(
        f"""with runs as (
            select run_id, min(recorded_at) as run_at from audit.quarantine_trend
            group by all order by run_at desc limit {site.TREND_RUNS})
        select r.run_at, run_id, t.source, t.reason_code, t.rows_quarantined
        from audit.quarantine_trend t join runs r using (run_id) order by r.run_at"""
    ).df()
    page.add_heading(
        "Cách ly theo nguồn và lý do, qua các lần chạy", "Quarantine by source and reason, by run"
    )
    if trend.empty:
        page.add_note("Chưa có lần chạy nào ghi lại.", "No run recorded yet.")
        return
    # a column per run: its time, and the run's id to tell apart runs of the same second
    trend["run"] = [
        f"{when(t)} ({r[:8]})" for t, r in zip(trend["run_at"], trend["run_id"], strict=True)
    ]
    runs = list(dict.fromkeys(trend["run"]))
    table = trend.pivot_table(
        index=["source", "reason_code"], columns="run", values="rows_quarantined", aggfunc="sum"
    ).reindex(columns=runs)
    table = table.reset_index().rename(
        columns={"source": "Nguồn / Source", "reason_code": "Mã lý do / Reason code"}
    )
    page.add_table(
        table.astype(object),
        "Số dòng bị cách ly sau mỗi lần chạy (giờ Việt Nam), lần mới nhất ở cột cuối",
        "Rows quarantined after each run (Vietnam time), the latest run last",
        formats={r: INT for r in runs},
        table_id="quarantine-trend",
    )
    totals = trend.groupby(["run", "source"], sort=False)["rows_quarantined"].sum().reset_index()
    fig = go.Figure(
        [
            go.Scatter(x=rows["run"], y=rows["rows_quarantined"], mode="lines+markers", name=src)
            for src, rows in totals.groupby("source", sort=True)
        ]
    )
    style_figure(fig, height=320, yaxis_title="Dòng bị cách ly / Rows quarantined")
    page.add_figure(fig, "Tổng số dòng bị cách ly theo nguồn", "Rows quarantined per source")


# --- dbt -----------------------------------------------------------------------------------


def dbt_results(con: duckdb.DuckDBPyConnection, run_id: str, only_failing: bool) -> pd.DataFrame:
    rows = site.query_dicts(
        con,
        f"""select name, model, test_kind, column_name, status, failures, message,
            failing_rows_sample
        from audit.dbt_results
        where run_id = {literal(run_id)} and resource_type = 'test'
            {"and status in ('fail', 'warn', 'error')" if only_failing else ""}
        order by status = 'pass', model, name""",
    )
    return pd.DataFrame(
        [
            {
                "Kiểm thử / Test": site.code(r["name"]),
                "Mô hình / Model": r["model"],
                "Loại / Kind": r["test_kind"],
                "Cột / Column": r["column_name"],
                "Kết quả / Status": status_badge(r["status"]),
                "Số dòng sai / Failing rows": r["failures"],
                "Dòng sai mẫu / Sample failing rows": r["failing_rows_sample"] or "",
            }
            for r in rows
        ]
    )


def status_badge(status: str) -> str:
    return site.badge(True) if status == "pass" else f'<span class="fail">{esc(status)}</span>'


def dbt_page(con: duckdb.DuckDBPyConnection | None) -> Page:
    page = site.site_page(
        "dbt",
        "Mọi kiểm thử dbt của lần dựng mới nhất (từ run_results.json), lỗi trước.",
        "Every dbt test of the latest build (from run_results.json), failures first.",
    )
    if not has(con, "quality_runs", "dbt_results"):
        page.add_note("Chưa có kết quả dbt.", "No dbt results recorded yet.")
        return page
    page.add_source("audit.dbt_results")
    latest = con.execute(
        "select run_id, recorded_at from audit.quality_runs where kind = 'dbt'"
        " order by recorded_at desc limit 1"
    ).fetchone()
    if latest is None:
        page.add_note("Chưa có kết quả dbt.", "No dbt results recorded yet.")
        return page
    page.add_markup(
        f"<p>Dagster run <code>{esc(latest[0])}</code> — {esc(when(latest[1]))} "
        "(giờ Việt Nam / Vietnam time)</p>"
    )
    page.add_table(
        dbt_results(con, latest[0], only_failing=False),
        "Mọi kiểm thử",
        "Every test",
        formats={
            "Kiểm thử / Test": HTML,
            "Kết quả / Status": HTML,
            "Số dòng sai / Failing rows": INT,
        },
        table_id="dbt-tests",
    )
    return page


# --- scorecards ----------------------------------------------------------------------------

FILE_SLOT = r"(?:^|/)(\d{2})_(\d{4}-\d{2})"

SCORECARD_SQL = """
with files as (
    select source, file_id, path, rows_read, delivered_at,
        regexp_extract(path, '{slot}', 1) as province_code,
        regexp_extract(path, '{slot}', 2) as month
    from audit.ingest_files
    where status in ('loaded', 'rejected_file') and regexp_matches(path, '{slot}') {current}
),
reasons as (  -- one row per file: the rows it had quarantined, per dimension
    select q.file_id, q.path,
        count(*) filter (where d.dimension = 'validity') as invalid,
        count(*) filter (where d.dimension = 'uniqueness') as repeated,
        count(*) filter (where d.dimension = 'consistency') as inconsistent
    from audit.quarantine q join dimensions d using (reason_code) group by all
),
per_province as (
    select f.source, f.province_code,
        count(distinct f.month) as months_delivered,
        max(f.month) as latest_month,
        max(f.delivered_at) as latest_delivered_at,
        sum(f.rows_read) as rows_read,
        coalesce(sum(r.invalid), 0) as invalid,
        coalesce(sum(r.repeated), 0) as repeated,
        coalesce(sum(r.inconsistent), 0) as inconsistent
    from files f left join reasons r using (file_id, path) group by all
),
per_source as (
    select source, count(distinct month) as months_expected, max(month) as source_latest
    from files group by all
)
select p.*, s.months_expected, s.source_latest,
    p.months_delivered / s.months_expected as completeness,
    1 - p.invalid / nullif(p.rows_read, 0) as validity,
    1 - p.repeated / nullif(p.rows_read, 0) as uniqueness,
    1 - p.inconsistent / nullif(p.rows_read, 0) as consistency,
    datediff('month', strptime(p.latest_month, '%Y-%m'), strptime(s.source_latest, '%Y-%m'))
        as months_behind
from per_province p join per_source s using (source)
order by source, province_code
"""


def scorecards(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Superseded and retracted versions left raw: they count for no province."""
    current = (
        "and file_id not in (select file_id from audit.file_corrections)"
        if table_exists(con, "audit", "file_corrections")
        else ""
    )
    dimensions = ", ".join(
        f"({literal(reason)}, {literal(dimension)})"
        for reason, dimension in site.DIMENSION_OF_REASON.items()
    )
    return site.query_dicts(
        con,
        f"with dimensions(reason_code, dimension) as (values {dimensions}) "
        + SCORECARD_SQL.format(slot=FILE_SLOT, current=current).replace(
            "with files as", ", files as", 1
        ),
    )


def timeliness_cell(row: dict) -> str:
    if row["months_behind"] == 0:
        return f'<span class="pass">đúng hạn / on time</span> {esc(row["latest_month"])}'
    return (
        f'<span class="fail">trễ / late {row["months_behind"]} tháng / month(s)</span> '
        f"{esc(row['latest_month'])} &lt; {esc(row['source_latest'])}"
    )


def scorecards_page(con: duckdb.DuckDBPyConnection | None) -> Page:
    page = site.site_page(
        "scorecards",
        "Mỗi nguồn và mỗi tỉnh trên năm chiều chất lượng: đầy đủ (số tháng đã gửi), hợp lệ, "
        "không trùng lặp, nhất quán với danh mục (đơn vị, thủ tục, kỳ), đúng hạn (tệp mới "
        "nhất có phải của tháng mới nhất). Tỷ lệ = 1 − dòng bị cách ly vì lý do thuộc chiều "
        "đó ÷ dòng đọc.",
        "Each source and province on five quality dimensions: completeness (months "
        "delivered), validity, uniqueness, consistency with the reference data (units, "
        "procedures, period), timeliness (is the latest file for the latest month). Rates "
        "are 1 − rows quarantined for a reason of that dimension ÷ rows read.",
    )
    if not has(con, "ingest_files", "quarantine"):
        page.add_note("Chưa tiếp nhận tệp nào.", "No file ingested yet.")
        return page
    page.add_source("audit.ingest_files", "audit.quarantine")
    rows = scorecards(con)
    late = [r for r in rows if r["months_behind"]]
    page.add_markup(
        f"<p>{site.badge(not late)} {len(late)} tỉnh × nguồn có tệp mới nhất trễ / "
        "province × source pairs whose latest file is late</p>"
    )
    frame = pd.DataFrame(
        [
            {
                "Nguồn / Source": r["source"],
                "Tỉnh / Province": r["province_code"],
                "Đầy đủ / Completeness": r["completeness"],
                "Hợp lệ / Validity": r["validity"],
                "Không trùng / Uniqueness": r["uniqueness"],
                "Nhất quán / Consistency": r["consistency"],
                "Đúng hạn / Timeliness": timeliness_cell(r),
                "Tệp mới nhất gửi lúc (giờ Việt Nam) / Latest file delivered (Vietnam time)": when(
                    r["latest_delivered_at"]
                ),
                "Tháng đã gửi / Months delivered": f"{r['months_delivered']} / "
                f"{r['months_expected']}",
                "Dòng đọc / Rows read": r["rows_read"],
            }
            for r in rows
        ]
    )
    rates = [
        c
        for c in frame.columns
        if c.split(" /")[0] in ("Đầy đủ", "Hợp lệ", "Không trùng", "Nhất quán")
    ]
    page.add_table(
        frame,
        "Trễ hạn trước khi sắp xếp lại theo cột",
        "Click a column to sort",
        formats={"Đúng hạn / Timeliness": HTML, "Dòng đọc / Rows read": INT}
        | dict.fromkeys(rates, PCT),
        table_id="scorecards",
    )
    return page
