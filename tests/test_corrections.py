"""Corrections (issue 9, defect 7): a delivery's latest version supersedes the earlier ones
entirely, versions are ordered by delivery, and an operator can retract a file; every
removal is recorded in `audit.file_corrections` with what changed."""

from __future__ import annotations

import hashlib
import os

import pytest
from test_ingest import event, landing, query, run_ingest, write_jsonl

from orchestration.cli import main
from orchestration.warehouse import connect

EARLIER, LATER = 1_780_000_000, 1_780_086_400  # two delivery times a day apart (epoch s)


def deliver(path, rows, delivered_at: int):
    write_jsonl(path, rows)
    os.utime(path, (delivered_at, delivered_at))
    return path


def raw_events(settings) -> list[tuple]:
    return query(
        settings,
        "select dossier_code, event_type, strftime(event_at, '%H:%M'), handler_ref "
        "from raw.procedure_log_events order by all",
    )


def corrections(settings) -> list[tuple]:
    return query(
        settings,
        "select action, path, replaced_by_path, rows_removed, keys_added, keys_removed,"
        " keys_changed, keys_unchanged from audit.file_corrections order by corrected_at, path",
    )


def test_a_corrected_event_time_replaces_the_event_instead_of_adding_one(settings, procedure):
    path = landing(settings) / "01_2025-08.jsonl"
    first = [event(procedure, 1, event_at="2025-08-04T09:00:00+07:00"), event(procedure, 2)]
    deliver(path, first, EARLIER)
    run_ingest(settings)
    fixed = [event(procedure, 1, event_at="2025-08-04T10:00:00+07:00"), event(procedure, 2)]
    deliver(path, fixed, LATER)  # re-sent under the same name
    run_ingest(settings)
    times = [r[2] for r in raw_events(settings) if r[0] == "HS-000001"]
    assert times == ["10:00"]
    [(action, removed, by, rows, added, dropped, changed, same)] = corrections(settings)
    assert (action, removed, by) == ("superseded", "procedure_logs/01_2025-08.jsonl") + (
        "procedure_logs/01_2025-08.jsonl",
    )
    # the event time is part of the key: the old key goes, a new one comes
    assert (rows, added, dropped, changed, same) == (2, 1, 1, 0, 1)


def test_an_event_the_correction_no_longer_holds_goes(settings, procedure):
    deliver(
        landing(settings) / "01_2025-08.jsonl",
        [event(procedure, n) for n in (1, 2, 3)],
        EARLIER,
    )
    run_ingest(settings)
    changed = event(procedure, 2, handler_ref="CB00004999")
    deliver(
        landing(settings) / "01_2025-08_gui_lai.jsonl",  # declared a correction by its name
        [event(procedure, 1), changed],
        LATER,
    )
    [result] = run_ingest(settings)
    assert result.status == "loaded"
    assert [r[0] for r in raw_events(settings)] == ["HS-000001", "HS-000002"]
    assert ("HS-000002", "received", "09:02", "CB00004999") in raw_events(settings)
    [(_, removed, by, rows, added, dropped, changed_keys, same)] = corrections(settings)
    assert removed.endswith("01_2025-08.jsonl") and by.endswith("_gui_lai.jsonl")
    assert (rows, added, dropped, changed_keys, same) == (3, 0, 1, 1, 1)


def test_two_versions_in_one_run_are_ordered_by_delivery_not_hash_or_name(settings, procedure):
    """The later delivery wins although its name and its content hash both sort first."""
    folder = landing(settings)
    candidates = {
        handler: [event(procedure, 1, handler_ref=handler)]
        for handler in ("CB00004001", "CB00004002", "CB00004003", "CB00004004")
    }

    def digest(rows) -> str:
        write_jsonl(folder / "probe.jsonl", rows)
        return hashlib.sha256((folder / "probe.jsonl").read_bytes()).hexdigest()

    by_hash = sorted(candidates, key=lambda h: digest(candidates[h]))
    (folder / "probe.jsonl").unlink()
    newest, oldest = by_hash[0], by_hash[-1]  # the newest version has the smaller hash
    deliver(folder / "01_2025-08_resent.jsonl", candidates[oldest], EARLIER)
    deliver(folder / "01_2025-08.jsonl", candidates[newest], LATER)  # the smaller name too
    results = run_ingest(settings)
    assert sorted(r.status for r in results) == ["loaded", "loaded"]
    assert [r[3] for r in raw_events(settings)] == [newest]
    [(action, removed, by, *_)] = corrections(settings)
    assert (action, removed, by) == (
        "superseded",
        "procedure_logs/01_2025-08_resent.jsonl",
        "procedure_logs/01_2025-08.jsonl",
    )


def test_a_late_arriving_older_version_does_not_win(settings, procedure):
    deliver(landing(settings) / "01_2025-08.jsonl", [event(procedure, 1)], LATER)
    run_ingest(settings)
    old = [event(procedure, 1, handler_ref="CB00004999")]
    deliver(landing(settings) / "01_2025-08_gui_lai.jsonl", old, EARLIER)
    run_ingest(settings)
    assert [r[3] for r in raw_events(settings)] == ["CB00004001"]
    [(_, removed, by, *_)] = corrections(settings)
    assert removed.endswith("_gui_lai.jsonl") and by.endswith("01_2025-08.jsonl")


def test_other_deliveries_are_untouched(settings, procedure):
    deliver(landing(settings) / "01_2025-08.jsonl", [event(procedure, 1)], EARLIER)
    deliver(landing(settings) / "01_2025-08_bo_sung.jsonl", [event(procedure, 2)], LATER)
    deliver(landing(settings) / "01_2025-09.jsonl", [event(procedure, 3)], LATER)
    run_ingest(settings)
    assert len(raw_events(settings)) == 3
    assert corrections(settings) == []


def test_retract_removes_the_files_rows_and_records_it(settings, procedure, capsys):
    path = deliver(
        landing(settings) / "01_2025-08.jsonl", [event(procedure, n) for n in (1, 2)], EARLIER
    )
    deliver(landing(settings) / "01_2025-09.jsonl", [event(procedure, 3)], EARLIER)
    run_ingest(settings)
    assert main(["retract", str(path), "--reason", "sent to the wrong ministry"]) == 0
    assert "2 rows" in capsys.readouterr().out
    assert [r[0] for r in raw_events(settings)] == ["HS-000003"]
    [(action, removed, by, rows, added, dropped, changed, same)] = corrections(settings)
    assert (action, removed, by, rows) == ("retracted", "procedure_logs/01_2025-08.jsonl", None, 2)
    assert (added, dropped, changed, same) == (0, 2, 0, 0)
    note = query(settings, "select note from audit.file_corrections")[0][0]
    assert note == "sent to the wrong ministry"
    assert run_ingest(settings) == []  # still in the ledger: not loaded again
    assert len(raw_events(settings)) == 1


def test_retracting_a_file_that_holds_no_rows_says_so(settings, procedure, capsys):
    write_jsonl(landing(settings) / "01_2025-08.jsonl", [event(procedure, 1)])
    run_ingest(settings)
    assert main(["retract", "procedure_logs/01_2025-08.jsonl"]) == 0
    capsys.readouterr()
    assert main(["retract", "procedure_logs/01_2025-08.jsonl"]) == 1
    assert "no rows in raw" in capsys.readouterr().err


def test_retract_has_help(capsys):
    with pytest.raises(SystemExit):
        main(["retract", "--help"])
    assert "audit.file_corrections" in capsys.readouterr().out


def file_months(settings) -> list[tuple]:
    return query(
        settings,
        "select f.path, m.month from audit.file_months m join audit.ingest_files f "
        "using (file_id) order by all",
    )


def test_the_months_of_a_file_s_rows_are_recorded_and_outlive_its_rows(settings, procedure):
    """August's file carrying a late July event: both months, which the build redoes when the
    file comes or goes (build_scope.py), kept after its rows leave raw."""
    path = landing(settings) / "01_2025-08.jsonl"
    late = event(procedure, 1, event_at="2025-07-30T10:00:00+07:00")
    deliver(path, [late, event(procedure, 2)], EARLIER)
    run_ingest(settings)
    expected = [
        ("procedure_logs/01_2025-08.jsonl", "2025-07"),
        ("procedure_logs/01_2025-08.jsonl", "2025-08"),
    ]
    assert file_months(settings) == expected
    assert main(["retract", str(path), "--reason", "test"]) == 0
    assert raw_events(settings) == [] and file_months(settings) == expected


def test_files_loaded_before_months_were_recorded_get_them_from_raw(settings, procedure):
    deliver(
        landing(settings) / "01_2025-08.jsonl",
        [event(procedure, 1, event_at="2025-07-30T10:00:00+07:00")],
        EARLIER,
    )
    run_ingest(settings)
    with connect(settings) as con:
        con.execute("delete from audit.file_months")  # a warehouse older than the record
    run_ingest(settings)
    assert file_months(settings) == [("procedure_logs/01_2025-08.jsonl", "2025-07")]
