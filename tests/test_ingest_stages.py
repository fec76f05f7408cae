"""Each ingest stage alone: planning decides without DuckDB, batching groups by layout,
validation keeps one reason a row, settling balances every file's accounting."""

from __future__ import annotations

import pytest
from test_ingest import event, landing, run_ingest, write_csv, write_jsonl

from orchestration.ingest import batching
from orchestration.ingest.batching import batches
from orchestration.ingest.load import load_batch, prepare
from orchestration.ingest.parse import parse
from orchestration.ingest.plan import LandingFile, Plan, Verdict, plan_file
from orchestration.ingest.quarantine import Counts, quarantine_lines
from orchestration.ingest.settle import (
    UnbalancedCounts,
    record,
    settle_batch,
    transaction,
)
from orchestration.ingest.sources import (
    BUDGET_ALLOCATIONS,
    PROCEDURE_LOGS,
    SOURCES,
)
from orchestration.ingest.validate import validate
from orchestration.warehouse import connect

OTHERS = [c for c in SOURCES.values() if c is not PROCEDURE_LOGS]
FIELDS = [c.name for c in PROCEDURE_LOGS.columns]


@pytest.fixture
def con(settings):
    with connect(settings) as con:
        prepare(con, list(SOURCES.values()), settings.pseudonym_key)
        yield con


def plan(path, settings, duplicate_of=None) -> Plan | Verdict:
    return plan_file(LandingFile.open(path, PROCEDURE_LOGS, settings), duplicate_of, OTHERS)


def audit(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


# Planning: no connection exists in these tests, so nothing can have been parsed.


def test_a_missing_required_column_rejects_the_file_at_planning(settings, procedure):
    rows = [{k: v for k, v in event(procedure, n).items() if k != "event_at"} for n in (1, 2)]
    verdict = plan(write_csv(landing(settings) / "no_time.csv", rows), settings)
    assert isinstance(verdict, Verdict)
    assert (verdict.status, verdict.reason_code) == ("rejected_file", "missing_column")
    assert "event_at" in verdict.note
    assert verdict.text is not None  # its lines are kept as text, not as bytes


def test_another_sources_header_is_told_to_be_in_the_wrong_folder(settings):
    header = [c.name for c in BUDGET_ALLOCATIONS.columns]
    path = write_csv(landing(settings) / "budget.csv", [{"unit_code": "00004"}], fields=header)
    verdict = plan(path, settings)
    assert verdict.reason_code == "wrong_folder"
    assert BUDGET_ALLOCATIONS.name in verdict.note


def test_empty_copied_and_binary_files_are_judged_without_reading_rows(settings, procedure):
    folder = landing(settings)
    folder.mkdir(parents=True)
    (folder / "empty.csv").write_bytes(b"")
    (folder / "junk.csv").write_bytes(b"\x00\x01\x02\n\x03\n")
    copy = write_jsonl(folder / "copy.jsonl", [event(procedure)])
    empty = plan(folder / "empty.csv", settings)
    junk = plan(folder / "junk.csv", settings)
    duplicate = plan(copy, settings, duplicate_of="procedure_logs/first.jsonl")
    assert (empty.status, empty.reason_code) == ("empty_file", None)
    assert (junk.status, junk.reason_code, junk.text) == ("rejected_file", "undecodable", None)
    assert (duplicate.status, duplicate.reason_code) == ("duplicate_file", None)
    assert "procedure_logs/first.jsonl" in duplicate.note


def test_a_semicolon_export_with_an_extra_column_gets_a_plan(settings, procedure):
    path = landing(settings) / "excel_vn.csv"
    write_csv(path, [event(procedure)], fields=FIELDS + ["ghi_chu"])
    path.write_text(path.read_text().replace(",", ";"))
    planned = plan(path, settings)
    assert isinstance(planned, Plan)
    assert (planned.delimiter, planned.dialect.name) == (";", "canonical")
    assert "ghi_chu" in "; ".join(planned.file.notes)
    assert "ghi_chu" not in planned.fields  # read past, never loaded


# Batching


def test_files_share_a_batch_only_with_their_layout(settings, procedure, monkeypatch):
    folder = landing(settings)
    a = write_csv(folder / "a.csv", [event(procedure, 1)], fields=FIELDS)
    b = write_csv(folder / "b.csv", [event(procedure, 2)], fields=list(reversed(FIELDS)))
    c = write_csv(folder / "c.csv", [event(procedure, 3)], fields=FIELDS)
    plans = [plan(p, settings) for p in (a, b, c)]
    names = [[p.file.path.name for p in batch.plans] for batch in batches(plans)]
    assert names == [["a.csv", "c.csv"], ["b.csv"]]
    monkeypatch.setattr(batching, "BATCH_BYTES", a.stat().st_size)  # one file's worth
    names = [[p.file.path.name for p in batch.plans] for batch in batches(plans)]
    assert names == [["a.csv"], ["c.csv"], ["b.csv"]]


# Validation


def test_a_row_failing_several_checks_keeps_one_reason_the_first_column(con, settings, procedure):
    rows = [event(procedure, 1), event(procedure, 2, unit_code="99999", channel="fax")]
    [batch] = batches([plan(write_jsonl(landing(settings) / "x.jsonl", rows), settings)])
    parse(con, batch)
    failures = validate(con, PROCEDURE_LOGS)
    assert failures.select("line_no", "column_name", "reason_code").rows() == [
        (2, "unit_code", "unknown_unit")  # unit_code precedes channel in the contract
    ]


# Settling


def test_settling_a_batch_accounts_for_each_file_apart(con, settings, procedure):
    folder = landing(settings)
    clean = [event(procedure, n) for n in range(1, 4)]
    faulty = [event(procedure, 1), event(procedure, 2, event_type="teleported")]
    faulty.append(faulty[0])  # exact repeat: a parse problem, not a pandera failure
    plans = [
        plan(write_jsonl(folder / "a.jsonl", clean), settings),
        plan(write_jsonl(folder / "b.jsonl", faulty), settings),
    ]
    [batch] = batches(plans)
    with transaction(con):
        parse(con, batch)
        results = settle_batch(con, batch, validate(con, PROCEDURE_LOGS))
    counts = [(r.path, r.rows_read, r.rows_loaded, r.rows_quarantined) for r in results]
    assert counts == [("procedure_logs/a.jsonl", 3, 3, 0), ("procedure_logs/b.jsonl", 3, 1, 2)]
    ledger = audit(
        con,
        "select path, rows_read, rows_loaded, rows_quarantined "
        "from audit.ingest_files order by path",
    )
    assert ledger == counts
    held = audit(con, "select path, count(*) from audit.quarantine group by path")
    stored = audit(
        con,
        "select f.path, count(*) from raw.procedure_log_events r "
        "join audit.ingest_files f on f.file_id = r._file_id group by f.path "
        "order by 1",
    )
    assert held == [("procedure_logs/b.jsonl", 2)]
    assert stored == [("procedure_logs/a.jsonl", 3), ("procedure_logs/b.jsonl", 1)]


def test_unbalanced_counts_commit_nothing(con, settings):
    path = write_csv(landing(settings) / "other.csv", [{"x": "1"}, {"x": "2"}])
    verdict = plan(path, settings)
    with pytest.raises(UnbalancedCounts), transaction(con):
        counts = quarantine_lines(con, verdict.file, verdict.text, "missing_column", "test")
        assert counts == Counts(2, 0, 2)
        record(con, verdict.file, "rejected_file", "test", Counts(2, 0, 1))
    assert audit(con, "select count(*) from audit.quarantine") == [(0,)]
    assert audit(con, "select count(*) from audit.ingest_files") == [(0,)]


def test_a_file_duckdb_refuses_costs_only_itself(con, settings, procedure):
    folder = landing(settings)
    good = write_jsonl(folder / "a.jsonl", [event(procedure, 1)])
    bad = write_jsonl(folder / "b.jsonl", [event(procedure, 2), event(procedure, 3)])
    bad.write_bytes(bad.read_bytes().replace(b"\n", b"\r\n", 1))
    [batch] = batches([plan(good, settings), plan(bad, settings)])
    results = {r.path: r for r in load_batch(con, batch)}
    assert results["procedure_logs/a.jsonl"].rows_loaded == 1
    refused = results["procedure_logs/b.jsonl"]
    assert (refused.status, refused.rows_read, refused.rows_quarantined) == ("rejected_file", 2, 2)
    kept = audit(con, "select line_no, reason_code, record from audit.quarantine order by 1")
    assert [(line, code) for line, code, _ in kept] == [
        (1, "malformed_line"),
        (2, "malformed_line"),
    ]
    assert "HS-000003" in kept[1][2]  # the line itself, for the producer to resend


def test_converted_copies_do_not_outlive_the_ingest(settings, procedure):
    folder = landing(settings)
    write_csv(
        folder / "legacy.csv", [event(procedure, 1, step_name="Thẩm định")], encoding="cp1258"
    )
    write_csv(
        folder / "legacy_other.csv", [{"ghi_chu": "Thẩm định"}], encoding="cp1258"
    )  # rejected
    results = run_ingest(settings)
    assert sorted(r.status for r in results) == ["loaded", "rejected_file"]
    assert list(settings.tmp_dir.glob("*.utf8")) == []
