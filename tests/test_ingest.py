"""The ingest contract: every fault kind quarantined with its reason, accounting exact,
a file ingested once, personal data never stored in clear."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import unicodedata
from pathlib import Path

import pytest

from orchestration.ingest import plan
from orchestration.ingest.load import ingest_source, prepare
from orchestration.ingest.sniff import content_hash as sha256
from orchestration.ingest.sources import (
    PROCEDURE_LOGS,
    SOURCES,
    current_units,
    units_before_reform,
)
from orchestration.warehouse import connect

APPLICANT = "001203004567"
UNIT = "00004"  # Phường Ba Đình, Hà Nội
FIELDS = [c.name for c in PROCEDURE_LOGS.columns]


def event(procedure: str, n: int = 1, **overrides) -> dict:
    row = {
        "dossier_code": f"HS-{n:06d}",
        "procedure_code": procedure,
        "unit_code": UNIT,
        "event_type": "received",
        "event_at": f"2025-08-0{1 + n % 8}T09:{n % 60:02d}:00+07:00",
        "channel": "online_full",
        "due_at": "2025-08-20T17:00:00+07:00",
        "step_name": "",
        "handler_ref": "CB00004001",
        "applicant_id": APPLICANT,
        "applicant_type": "citizen",
        "fee_paid_online": "true",
        "result_digitised": "false",
        "synced_to_portal": "true",
        "components_digitised": "true",
        "data_reused": "false",
        "satisfaction_score": "",
    }
    return row | overrides


def write_jsonl(path: Path, rows: list[dict], tail: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows) + tail
    path.write_text(text, encoding="utf-8")
    return path


def write_csv(path: Path, rows: list[dict], encoding: str = "utf-8", fields=None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fields = fields or list(rows[0])
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    encode = to_cp1258 if encoding == "cp1258" else (lambda t: t.encode(encoding))
    path.write_bytes(encode(text.getvalue()))
    return path


def to_cp1258(text: str) -> bytes:
    """Windows-1258 has precomposed vowels (â, ơ) but writes tone marks as combining
    characters: encode each letter the way legacy Vietnamese software does."""
    out = bytearray()
    for char in text:
        base, *marks = unicodedata.normalize("NFD", char)
        for keep in range(len(marks), -1, -1):
            head = unicodedata.normalize("NFC", base + "".join(marks[:keep]))
            try:
                out += (head + "".join(marks[keep:])).encode("cp1258")
                break
            except UnicodeEncodeError:
                continue
    return bytes(out)


def landing(settings, source: str = "procedure_logs") -> Path:
    return settings.landing_dir / source


def run_ingest(settings, source: str = "procedure_logs"):
    contract = SOURCES[source]
    with connect(settings) as con:
        prepare(con, list(SOURCES.values()), settings.pseudonym_key)
        others = [c for c in SOURCES.values() if c is not contract]
        return ingest_source(con, contract, others, settings)


def query(settings, sql: str, params=()):
    with connect(settings, read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def quarantine(settings) -> dict[int, tuple[str, str]]:
    rows = query(settings, "select line_no, reason_code, reason from audit.quarantine")
    return {line: (code, reason) for line, code, reason in rows}


def test_clean_file_loads_every_row_with_types(settings, procedure):
    write_jsonl(landing(settings) / "01_2025-08.jsonl", [event(procedure, n) for n in range(5)])
    [result] = run_ingest(settings)
    assert (result.status, result.rows_read, result.rows_loaded) == ("loaded", 5, 5)
    row = query(
        settings,
        "select event_at, due_at, fee_paid_online, _line_no from "
        "raw.procedure_log_events order by _line_no limit 1",
    )[0]
    assert str(row[0]) == "2025-08-01 09:00:00"  # +07:00 kept as Vietnam local time
    assert str(row[1]) == "2025-08-20 17:00:00"
    assert row[2] is True and row[3] == 1


@pytest.mark.parametrize(
    ("fault", "expected_code", "in_reason"),
    [
        ({"unit_code": "99999"}, "unknown_unit", "99999"),
        ({"procedure_code": "9.999999"}, "unknown_procedure", "9.999999"),
        ({"event_type": "teleported"}, "not_allowed", "teleported"),
        ({"channel": "fax"}, "not_allowed", "fax"),
        ({"satisfaction_score": "9"}, "not_allowed", "9"),
        ({"event_at": "2025-13-45T99:00"}, "unparseable", "2025-13-45T99:00"),
        ({"satisfaction_score": "very good"}, "unparseable", "very good"),
        ({"dossier_code": ""}, "missing_value", "dossier_code"),
        ({"event_at": ""}, "missing_value", "event_at"),
    ],
)
def test_each_bad_field_is_quarantined_with_its_reason(
    settings, procedure, fault, expected_code, in_reason
):
    rows = [event(procedure, 1), event(procedure, 2, **fault), event(procedure, 3)]
    write_jsonl(landing(settings) / "01_2025-08.jsonl", rows)
    [result] = run_ingest(settings)
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (3, 2, 1)
    code, reason = quarantine(settings)[2]
    assert code == expected_code
    assert in_reason in reason


def test_truncated_last_line_and_duplicates(settings, procedure):
    rows = [event(procedure, n) for n in range(1, 4)]
    rows.append(rows[1])  # exact repeat of line 2 as line 4
    write_jsonl(landing(settings) / "01_2025-08.jsonl", rows, tail='{"dossier_code": "HS-0')
    [result] = run_ingest(settings)
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (5, 3, 2)
    found = quarantine(settings)
    assert found[4] == ("duplicate_row", "exact repeat of line 2")
    assert found[5][0] == "malformed_line"


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_repeats_are_judged_within_each_file_of_a_batch_by_physical_line(settings, procedure, fmt):
    """Files of one layout are parsed in one statement: a row sent again in another file is
    not a repeat, and a repeat after a line the reader refused still names the right line."""
    from orchestration.ingest.readers import MAX_LINE_BYTES

    write = write_jsonl if fmt == "jsonl" else write_csv
    header = 1 if fmt == "csv" else 0
    shared, own = event(procedure, 1), event(procedure, 2)
    huge = event(procedure, 3, handler_ref="x" * (MAX_LINE_BYTES + 10))
    folder = landing(settings)
    write(folder / f"01_2025-08.{fmt}", [shared, event(procedure, 4)])
    write(folder / f"02_2025-08.{fmt}", [shared, own, huge, own, shared])
    results = {Path(r.path).name: r for r in run_ingest(settings)}
    assert results[f"01_2025-08.{fmt}"].rows_quarantined == 0
    second = results[f"02_2025-08.{fmt}"]
    assert (second.rows_read, second.rows_loaded, second.rows_quarantined) == (5, 2, 3)
    found = quarantine(settings)
    assert sorted(found) == [3 + header, 4 + header, 5 + header]
    assert found[3 + header][0] == "line_too_long"
    assert found[4 + header] == ("duplicate_row", f"exact repeat of line {2 + header}")
    assert found[5 + header] == ("duplicate_row", f"exact repeat of line {1 + header}")


def test_csv_quirks_load_and_field_count_errors_keep_their_line(settings, procedure):
    rows = [
        event(procedure, 1, event_at="05/08/2025 08:30"),  # dd/mm/yyyy
        event(procedure, 2),
        event(procedure, 3),
    ]
    fields = list(reversed(FIELDS)) + ["ghi_chu"]  # other order, one extra column
    path = write_csv(landing(settings) / "01_2025-08.csv", rows, fields=fields)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("too,few,fields\n")
        handle.write(",".join(str(event(procedure, 5)[f]) for f in fields[:-1]) + ",\n")
    [result] = run_ingest(settings)
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (5, 4, 1)
    assert "extra column" in result.note and "ghi_chu" in result.note
    assert quarantine(settings)[5][0] == "malformed_line"
    lines = [
        r[0] for r in query(settings, "select _line_no from raw.procedure_log_events order by 1")
    ]
    assert lines == [2, 3, 4, 6]
    first = query(settings, "select event_at from raw.procedure_log_events where _line_no = 2")
    assert str(first[0][0]) == "2025-08-05 08:30:00"


def test_status_code_dialect_maps_to_the_canonical_values(settings, procedure):
    coded = {
        "ma_ho_so": "HS-1",
        "ma_thu_tuc": procedure,
        "ma_don_vi": UNIT,
        "trang_thai": "10",
        "thoi_diem": "05/08/2025 14:05",
        "kenh": "2",
        "muc_do": "4",
        "han_tra": "20/08/2025 17:00",
        "buoc_xu_ly": "",
        "can_bo_xu_ly": "CB1",
        "ma_nguoi_nop": APPLICANT,
        "loai_nguoi_nop": "doanh_nghiep",
        "thanh_toan_truc_tuyen": "1",
        "ket_qua_dien_tu": "1",
        "dong_bo_cong_quoc_gia": "1",
        "thanh_phan_so_hoa": "0",
        "tai_su_dung_du_lieu": "0",
        "diem_hai_long": "5",
    }
    write_csv(landing(settings) / "79_2025-08.csv", [coded, coded | {"kenh": "1"}])
    [result] = run_ingest(settings)
    assert result.rows_loaded == 2
    got = query(
        settings,
        "select event_type, channel, applicant_type, event_at, "
        "fee_paid_online from raw.procedure_log_events order by _line_no",
    )
    assert [g[:3] for g in got] == [
        ("result_returned", "online_full", "business"),
        ("result_returned", "direct", "business"),
    ]
    assert str(got[0][3]) == "2025-08-05 14:05:00" and got[0][4] is True


def test_encodings_bom_and_windows_1258(settings, procedure):
    rows = [event(procedure, 1, step_name="Thẩm định hồ sơ"), event(procedure, 2)]
    write_csv(landing(settings) / "01_2025-08.csv", rows, encoding="utf-8-sig")
    write_csv(
        landing(settings) / "01_2025-09.csv", rows[:1] + [event(procedure, 3)], encoding="cp1258"
    )
    results = run_ingest(settings)
    assert [r.rows_loaded for r in results] == [2, 2]
    assert "transcoded from cp1258" in results[1].note
    steps = query(
        settings,
        "select distinct step_name from raw.procedure_log_events where step_name is not null",
    )
    assert steps == [("Thẩm định hồ sơ",)]


def test_whole_file_faults_keep_every_line(settings, procedure):
    folder = landing(settings)
    folder.mkdir(parents=True)
    (folder / "junk.csv").write_bytes(bytes(b for b in range(256) if b != 10) + b"\n\x00\x01\n")
    missing = [{k: v for k, v in event(procedure, n).items() if k != "event_at"} for n in range(3)]
    write_csv(folder / "no_time.csv", missing)
    (folder / "empty.jsonl").write_bytes(b"")
    (folder / "empty_too.csv").write_bytes(b"")
    by_file = {Path(r.path).name: r for r in run_ingest(settings)}
    assert by_file["junk.csv"].status == "rejected_file"
    assert by_file["junk.csv"].rows_quarantined == 2
    assert by_file["no_time.csv"].rows_quarantined == 3
    assert by_file["empty.jsonl"].status == by_file["empty_too.csv"].status == "empty_file"
    codes = dict(
        query(settings, "select path, min(reason_code) from audit.quarantine group by path")
    )
    assert codes["procedure_logs/junk.csv"] == "undecodable"
    assert codes["procedure_logs/no_time.csv"] == "missing_column"


def test_a_file_is_ingested_once_and_a_copy_is_a_duplicate(settings, procedure):
    path = write_jsonl(landing(settings) / "01_2025-08.jsonl", [event(procedure, 1)])
    assert len(run_ingest(settings)) == 1
    assert run_ingest(settings) == []  # nothing new
    shutil.copy(path, path.with_name("01_2025-08_resent.jsonl"))
    [copy] = run_ingest(settings)
    assert copy.status == "duplicate_file" and copy.rows_read == 0
    assert query(settings, "select count(*) from raw.procedure_log_events") == [(1,)]


def test_an_untouched_file_is_not_read_again_but_one_rewritten_in_place_is(
    settings, procedure, monkeypatch
):
    """A run skips, unhashed, a file whose size, times and inode are those recorded at its
    ingest (hashing every landing file was seconds of every run); bytes rewritten in place,
    with the same size and the modification time put back, are still seen."""
    path = write_jsonl(landing(settings) / "01_2025-08.jsonl", [event(procedure, 1)])
    assert len(run_ingest(settings)) == 1
    hashed = []
    monkeypatch.setattr(plan, "content_hash", lambda p: hashed.append(p.name) or sha256(p))
    assert run_ingest(settings) == [] and hashed == []

    before = path.stat()
    path.write_text(path.read_text().replace("CB00004001", "CB00004002"), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    [rewritten] = run_ingest(settings)
    assert hashed == ["01_2025-08.jsonl"] and rewritten.status == "loaded"
    versions = "select count(*) from audit.ingest_files where path = ?"
    assert query(settings, versions, ["procedure_logs/01_2025-08.jsonl"]) == [(2,)]


def test_accounting_is_exact_and_applicant_ids_never_stored(settings, procedure):
    rows = [event(procedure, n, satisfaction_score=str(n % 7)) for n in range(50)]
    write_jsonl(landing(settings) / "01_2025-08.jsonl", rows)
    run_ingest(settings)
    audit = query(
        settings, "select rows_read, rows_loaded, rows_quarantined from audit.ingest_files"
    )
    read, loaded, quarantined = audit[0]
    assert loaded + quarantined == read == 50
    stored = query(settings, "select count(*) from raw.procedure_log_events")[0][0]
    held = query(settings, "select count(*) from audit.quarantine")[0][0]
    assert (stored, held) == (loaded, quarantined)
    dump = query(settings, "select string_agg(r::varchar, '|') from raw.procedure_log_events r")
    dump += query(settings, "select string_agg(q::varchar, '|') from audit.quarantine q")
    assert APPLICANT not in str(dump)
    keys = query(settings, "select distinct applicant_key from raw.procedure_log_events")
    assert len(keys) == 1 and len(keys[0][0]) == 64


# Codes are read with the record's date: 00001 (Phường Phúc Xá) and 001 (Quận Ba Đình) ended
# on 30 June 2025; 00004 was Phường Trúc Bạch's code and is Phường Ba Đình's today.
ABOLISHED_COMMUNE, ABOLISHED_DISTRICT, REUSED = "00001", "001", "00004"
BEFORE, AFTER = "2025-03-10T09:00:00+07:00", "2025-08-04T09:00:00+07:00"


def created_on_reform_day() -> str:
    """A code of today's units that no unit carried before the reform."""
    return sorted(current_units() - units_before_reform())[0]


@pytest.mark.parametrize(
    ("unit_code", "event_at"),
    [
        (ABOLISHED_COMMUNE, BEFORE),
        (ABOLISHED_DISTRICT, BEFORE),  # district-level procedures were handled at districts
        (REUSED, BEFORE),
        (REUSED, AFTER),
    ],
)
def test_a_code_valid_on_the_records_date_is_accepted(settings, procedure, unit_code, event_at):
    row = event(procedure, 1, unit_code=unit_code, event_at=event_at, due_at="")
    write_jsonl(landing(settings) / "01_2025-03.jsonl", [row])
    [result] = run_ingest(settings)
    assert (result.rows_loaded, result.rows_quarantined) == (1, 0)


@pytest.mark.parametrize(
    ("unit_code", "event_at", "in_reason"),
    [
        (
            ABOLISHED_COMMUNE,
            AFTER,
            "a code of a unit abolished on 1 July 2025, on a record dated after the reform",
        ),
        (ABOLISHED_DISTRICT, AFTER, "abolished on 1 July 2025"),
        (None, BEFORE, "a code of a unit created on 1 July 2025, on a record dated before"),
        ("99999", BEFORE, "is not a known administrative unit"),
    ],
)
def test_a_code_not_valid_on_the_records_date_is_quarantined_saying_which(
    settings, procedure, unit_code, event_at, in_reason
):
    unit_code = unit_code or created_on_reform_day()
    rows = [event(procedure, 1), event(procedure, 2, unit_code=unit_code, event_at=event_at)]
    write_jsonl(landing(settings) / "01_2025-08.jsonl", rows)
    [result] = run_ingest(settings)
    assert (result.rows_loaded, result.rows_quarantined) == (1, 1)
    code, reason = quarantine(settings)[2]
    assert code == "unknown_unit"
    assert f"'{unit_code}'" in reason and in_reason in reason


def test_a_budget_line_is_dated_by_its_period(settings):
    header = [c.name for c in SOURCES["budget_allocations"].columns]
    line = {
        "level": "commune",
        "flow": "expenditure",
        "category": "recurrent_operations",
        "budget_item": "chi thường xuyên",
        "planned_vnd": "100",
        "allocated_vnd": "100",
        "disbursed_vnd": "50",
        "treasury_account_opened_on": "",
    }
    rows = [
        line | {"fiscal_year": "2025", "period": "6", "unit_code": ABOLISHED_COMMUNE},
        line | {"fiscal_year": "2025", "period": "7", "unit_code": ABOLISHED_COMMUNE},
    ]
    write_csv(landing(settings, "budget_allocations") / "01_2025-07.csv", rows, fields=header)
    [result] = run_ingest(settings, "budget_allocations")
    assert (result.rows_loaded, result.rows_quarantined) == (1, 1)
    [(code, reason)] = quarantine(settings).values()
    assert code == "unknown_unit" and "abolished on 1 July 2025" in reason


# Hostile landing files (issue 9): links, names, sizes, dates, Unicode, personal data.


def test_links_in_a_landing_folder_are_refused_and_their_targets_never_read(
    settings, procedure, tmp_path
):
    outside = write_jsonl(tmp_path / "elsewhere" / "real.jsonl", [event(procedure, 1)])
    secret = tmp_path / "elsewhere" / "passwd"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n")
    folder = landing(settings)
    write_jsonl(folder / "01_2025-08.jsonl", [event(procedure, 2)])
    (folder / "02_2025-08.jsonl").symlink_to(outside)
    (folder / "03_2025-08.csv").symlink_to(secret)
    (folder / "04_2025-08.jsonl").symlink_to(folder / "01_2025-08.jsonl")  # inside, still a link
    by_file = {Path(r.path).name: r for r in run_ingest(settings)}
    assert by_file["01_2025-08.jsonl"].rows_loaded == 1
    for name in ("02_2025-08.jsonl", "03_2025-08.csv", "04_2025-08.jsonl"):
        refused = by_file[name]
        assert (refused.status, refused.rows_read) == ("rejected_file", 0)
        assert "link" in refused.note
    assert query(settings, "select count(*) from raw.procedure_log_events") == [(1,)]
    assert query(settings, "select count(*) from audit.quarantine") == [(0,)]
    paths = [p for (p,) in query(settings, "select path from audit.ingest_files order by 1")]
    assert paths == [
        f"procedure_logs/0{n}_2025-08.{ext}"
        for n, ext in ((1, "jsonl"), (2, "jsonl"), (3, "csv"), (4, "jsonl"))
    ]
    assert run_ingest(settings) == []  # a refused link is recorded once, not every run


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_file_names_are_data_never_glob_patterns(settings, procedure, fmt):
    write = write_jsonl if fmt == "jsonl" else write_csv
    folder = landing(settings)
    names = ["01_2025-08[1]", "01_2025-081", "02_2025-08*", "02_2025-08_b", "03_2025-0?"]
    for n, name in enumerate(names):
        write(folder / f"{name}.{fmt}", [event(procedure, 10 * n + k) for k in range(n + 1)])
    by_file = {Path(r.path).stem: r for r in run_ingest(settings)}
    assert {name: by_file[name].rows_loaded for name in names} == {
        name: n + 1 for n, name in enumerate(names)
    }
    loaded = query(
        settings, "select count(*), count(distinct dossier_code) from raw.procedure_log_events"
    )
    assert loaded == [(15, 15)]  # every row once: none lost, none read twice


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_a_line_over_the_size_limit_is_quarantined_and_the_rest_loads(settings, procedure, fmt):
    from orchestration.ingest.readers import MAX_LINE_BYTES

    write = write_jsonl if fmt == "jsonl" else write_csv
    huge = event(procedure, 2, handler_ref="x" * (MAX_LINE_BYTES + 10))
    folder = landing(settings)
    write(folder / f"01_2025-08.{fmt}", [event(procedure, 1), huge, event(procedure, 3)])
    write(folder / f"01_2025-09.{fmt}", [event(procedure, 4), event(procedure, 5)])
    results = {Path(r.path).name: r for r in run_ingest(settings)}
    first = results[f"01_2025-08.{fmt}"]
    assert (first.status, first.rows_read, first.rows_loaded, first.rows_quarantined) == (
        "loaded",
        3,
        2,
        1,
    )
    assert results[f"01_2025-09.{fmt}"].rows_loaded == 2  # the batch's later file unharmed
    header = 1 if fmt == "csv" else 0
    [(line, code, reason, size)] = query(
        settings, "select line_no, reason_code, reason, length(record) from audit.quarantine"
    )
    assert (line, code) == (2 + header, "line_too_long")
    assert f"{MAX_LINE_BYTES:,}" in reason
    assert size < 10_000  # where the line is and an excerpt, not megabytes
    lines = query(
        settings, "select _line_no from raw.procedure_log_events where dossier_code = 'HS-000003'"
    )
    assert lines == [(3 + header,)]
    assert run_ingest(settings) == []  # settled: not retried, not failing, every run


def test_a_whole_file_quarantine_keeps_a_line_over_the_size_limit(settings, procedure):
    from orchestration.ingest.readers import MAX_LINE_BYTES

    rows = [{k: v for k, v in event(procedure, n).items() if k != "event_at"} for n in (1, 2)]
    rows.insert(1, rows[0] | {"handler_ref": "x" * (MAX_LINE_BYTES + 10)})
    write_csv(landing(settings) / "no_time.csv", rows)
    [result] = run_ingest(settings)
    assert (result.status, result.rows_read, result.rows_quarantined) == ("rejected_file", 3, 3)
    kept = query(settings, "select line_no, reason_code from audit.quarantine order by 1")
    assert kept == [(2, "missing_column"), (3, "line_too_long"), (4, "missing_column")]


@pytest.mark.parametrize(
    ("fault", "column"),
    [
        ({"event_at": "2999-08-01T09:00:00+07:00"}, "event_at"),
        ({"event_at": "1900-08-01T09:00:00+07:00"}, "event_at"),
        ({"event_at": "2023-12-31T23:59:00+07:00"}, "event_at"),  # the day before the period
        ({"due_at": "2999-08-20T17:00:00+07:00"}, "due_at"),
    ],
)
def test_dates_outside_the_monitored_period_are_quarantined(settings, procedure, fault, column):
    from orchestration.project_vars import calendar_end

    rows = [
        event(procedure, 1),
        event(procedure, 2, **fault),
        event(procedure, 3),
        event(procedure, 4, event_at=f"{calendar_end()}T23:59:00+07:00"),
    ]  # last day: in
    write_jsonl(landing(settings) / "01_2025-08.jsonl", rows)
    [result] = run_ingest(settings)
    assert (result.rows_loaded, result.rows_quarantined) == (3, 1)
    code, reason = quarantine(settings)[2]
    assert code == "out_of_period"
    assert column in reason and "monitored period" in reason


def test_a_roster_snapshot_outside_the_monitored_period_is_quarantined(settings):
    header = [c.name for c in SOURCES["personnel_rosters"].columns]
    row = {
        "snapshot_date": "2025-08-31",
        "staff_code": "CB1",
        "unit_code": UNIT,
        "position": "cadre",
        "status": "active",
        "joined_on": "1991-03-01",
    }
    rows = [row, row | {"staff_code": "CB2", "snapshot_date": "2999-08-31"}]
    write_csv(landing(settings, "personnel_rosters") / "01_2025-08.csv", rows, fields=header)
    [result] = run_ingest(settings, "personnel_rosters")
    assert (result.rows_loaded, result.rows_quarantined) == (1, 1)  # 1991: history, not a period
    assert quarantine(settings)[3][0] == "out_of_period"


FULL_NAME, BIRTH_DATE, CITIZEN_ID = "Nguyễn Thị Minh Khai", "1968-04-12", "079 168 004 512"


def all_tables_text(settings) -> str:
    """Every value of every table, as text: what a BI user could ever see."""
    with connect(settings, read_only=True) as con:
        tables = con.execute("select schema_name, table_name from duckdb_tables()").fetchall()
        return "\n".join(
            str(con.execute(f'select * from "{schema}"."{table}"').fetchall())
            for schema, table in tables
        )


def test_no_personal_value_reaches_quarantine_from_a_malformed_roster_row(settings, procedure):
    header = [c.name for c in SOURCES["personnel_rosters"].columns]
    row = {
        "snapshot_date": "2025-08-31",
        "staff_code": "CB1",
        "full_name": FULL_NAME,
        "national_id": CITIZEN_ID,
        "birth_date": BIRTH_DATE,
        "unit_code": UNIT,
        "position": "cadre",
        "status": "active",
    }
    path = write_csv(
        landing(settings, "personnel_rosters") / "01_2025-08.csv",
        [row, row | {"staff_code": "CB2"}],
        fields=header,
    )
    with path.open("a", encoding="utf-8") as handle:  # one field too many, then a short row
        handle.write(",".join([row.get(f, "") for f in header] + ["ghi chú"]) + "\n")
        handle.write(f"2025-08-31,CB4,{FULL_NAME},{CITIZEN_ID}\n")
    no_time = [{k: v for k, v in row.items() if k != "snapshot_date"}]  # a whole-file reject
    write_csv(
        landing(settings, "personnel_rosters") / "01_2025-09.csv",
        no_time,
        fields=[h for h in header if h != "snapshot_date"],
    )
    # JSON lines too: a truncated line and a line that is not an object
    line = json.dumps(event(procedure, 1, applicant_id=CITIZEN_ID), ensure_ascii=False)
    write_jsonl(
        landing(settings) / "01_2025-08.jsonl",
        [event(procedure, 2)],
        tail=f"[{line}]\n{line[:-20]}\n",
    )
    run_ingest(settings, "personnel_rosters")
    run_ingest(settings)
    kept = query(
        settings,
        "select path, line_no, reason_code, record from audit.quarantine order by path, line_no",
    )
    assert [(p.split("/")[-1], n) for p, n, _, _ in kept] == [  # where each bad row is
        ("01_2025-08.csv", 4),
        ("01_2025-08.csv", 5),
        ("01_2025-09.csv", 2),
        ("01_2025-08.jsonl", 2),
        ("01_2025-08.jsonl", 3),
    ]
    everything = all_tables_text(settings)
    for personal in (
        FULL_NAME,
        BIRTH_DATE,
        "12/04/1968",
        CITIZEN_ID,
        CITIZEN_ID.replace(" ", ""),
        "Minh Khai",
    ):
        assert personal not in everything
    excerpt = json.loads(kept[0][3])  # the roster row with one field too many
    assert excerpt["fields"] == len(header) + 1 and UNIT in excerpt["excerpt"].values()
    assert json.loads(kept[2][3])["excerpt"]["staff_code"] == "CB1"  # aligned: by column


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_text_is_nfc_and_invisible_characters_in_codes_are_refused(settings, procedure, fmt):
    write = write_jsonl if fmt == "jsonl" else write_csv
    step = "Thẩm định hồ sơ"
    rows = [
        event(procedure, 1, step_name=unicodedata.normalize("NFD", step)),
        event(procedure, 2, step_name=step),
        event(procedure, 3, dossier_code="HS-000003\u200b"),  # zero-width space
        event(procedure, 4, handler_ref="CB\u2060004"),  # word joiner
        event(procedure, 5, unit_code="\ufeff" + UNIT),  # a byte-order mark inside the field
    ]
    write(landing(settings) / f"01_2025-08.{fmt}", rows)
    [result] = run_ingest(settings)
    assert (result.rows_loaded, result.rows_quarantined) == (2, 3)
    steps = query(settings, "select distinct step_name from raw.procedure_log_events")
    assert steps == [(step,)] and unicodedata.is_normalized("NFC", steps[0][0])
    found = quarantine(settings)
    header = 1 if fmt == "csv" else 0
    for line, column, code_point in (
        (3, "dossier_code", "U+200B"),
        (4, "handler_ref", "U+2060"),
        (5, "unit_code", "U+FEFF"),
    ):
        code, reason = found[line + header]
        assert code == "invisible_character"
        assert column in reason and code_point in reason


def test_pseudonyms_are_keyed_hmacs_and_the_key_is_recorded(settings, procedure):
    import hashlib
    import hmac

    write_jsonl(landing(settings) / "01_2025-08.jsonl", [event(procedure, 1)])
    run_ingest(settings)
    [(key,)] = query(settings, "select applicant_key from raw.procedure_log_events")
    secret = settings.pseudonym_key.encode()
    assert key == hmac.new(secret, APPLICANT.encode(), hashlib.sha256).hexdigest()
    [(fingerprint, algorithm)] = query(
        settings, "select fingerprint, algorithm from audit.pseudonym_keys"
    )
    assert algorithm == "hmac-sha256" and len(fingerprint) == 16
    assert settings.pseudonym_key not in all_tables_text(settings)


def test_a_run_with_another_pseudonym_key_stops_with_a_clear_message(settings, procedure):
    from dataclasses import replace

    from orchestration.ingest.pseudonym import PseudonymKeyChanged

    write_jsonl(landing(settings) / "01_2025-08.jsonl", [event(procedure, 1)])
    run_ingest(settings)
    write_jsonl(landing(settings) / "01_2025-09.jsonl", [event(procedure, 2)])
    other = replace(settings, pseudonym_key="another-key-entirely")
    with pytest.raises(PseudonymKeyChanged, match="REFORMWATCH_PSEUDONYM_KEY"):
        run_ingest(other)
    assert query(settings, "select count(*) from raw.procedure_log_events") == [(1,)]
    assert len(run_ingest(settings)) == 1  # the right key again: the new file loads


def test_a_warehouse_whose_pseudonyms_predate_key_records_stops(settings, procedure):
    from orchestration.ingest.pseudonym import PseudonymKeyChanged

    write_jsonl(landing(settings) / "01_2025-08.jsonl", [event(procedure, 1)])
    run_ingest(settings)
    with connect(settings) as con:  # as a warehouse built before keys were recorded
        con.execute("delete from audit.pseudonym_keys")
    with pytest.raises(PseudonymKeyChanged, match="no key recorded"):
        run_ingest(settings)
