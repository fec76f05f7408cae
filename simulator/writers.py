"""Dialect writers: an event table → one landing file, written by DuckDB `COPY … TO`.

DuckDB formats every value (timestamps, codes, flags) and writes JSON Lines or CSV with a
header; Python only touches the bytes afterwards for the few files that arrive in a legacy
encoding, with a byte-order mark, or cut short. Files are written under a hidden name and
renamed, so an interrupted run never leaves a half-written file that looks finished.
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from orchestration.sql import literal
from simulator.events import EVENT_COLUMNS
from simulator.profiles import CSV, STATUS_CODES

ISO = "%Y-%m-%dT%H:%M:%S+07:00"
DAY_MONTH_YEAR = "%d/%m/%Y %H:%M"

# Canonical event types → the systems' status codes (a refusal at reception is 3,
# a stop during processing 8); unknown values pass through so bad input stays bad.
STATUS_OF_EVENT = """case when event_type in ('submitted', 'received', 'step_started',
        'supplement_requested', 'completed', 'result_returned', 'withdrawn', 'rejected')
    then case event_type
        when 'submitted' then '1' when 'received' then '2' when 'step_started' then '4'
        when 'supplement_requested' then '5' when 'completed' then '9'
        when 'result_returned' then '10' when 'withdrawn' then '7'
        when 'rejected' then (case when _slot = 19 then '3' else '8' end) end
    else event_type end"""
CHANNEL_CODE = """case channel when 'direct' then '1' when 'postal' then '3'
    when 'online_partial' then '2' when 'online_full' then '2' else channel end"""
# muc_do is written per dossier (4 only for a fully-online dossier), so kenh 2 + muc_do
# decodes back to the channel the dossier used.
SERVICE_LEVEL = """case channel when 'online_full' then '4' when 'online_partial' then '3'
    else _service_level end"""
APPLICANT_TYPE_CODE = """case applicant_type when 'citizen' then 'cong_dan'
    when 'business' then 'doanh_nghiep' else applicant_type end"""
EXTRA_NOTE = """case when channel in ('online_partial', 'online_full') then 'Nộp trực tuyến'
    when channel = 'postal' then 'Nộp qua bưu chính' end"""

OPTIONAL_COLUMN = {"canonical": "data_reused", STATUS_CODES: "tai_su_dung_du_lieu"}
REQUIRED_COLUMN = {"canonical": "event_at", STATUS_CODES: "thoi_diem"}
EXTRA_COLUMN = "ghi_chu"


@dataclass(frozen=True)
class FileStyle:
    """How one file departs from its province's usual export (all of it loads fine,
    except a truncated last line)."""

    encoding: str = "utf-8"  # utf-8 | utf-8-sig (byte-order mark) | cp1258
    shuffle_columns: int | None = None  # seed of a column permutation
    extra_column: bool = False
    drop: tuple[str, ...] = ()
    day_month_year: bool = False
    truncate_last_line: bool = False
    notes: tuple[str, ...] = field(default=(), compare=False)


def dialect_columns(dialect: str, day_month_year: bool = False) -> list[tuple[str, str]]:
    """(header, SQL over the event table) for each written column, in export order."""
    if dialect == STATUS_CODES:
        fmt = DAY_MONTH_YEAR
        return [
            ("ma_ho_so", "dossier_code"),
            ("ma_thu_tuc", "procedure_code"),
            ("ma_don_vi", "unit_code"),
            ("trang_thai", STATUS_OF_EVENT),
            ("thoi_diem", f"coalesce(_event_at_text, strftime(event_at, '{fmt}'))"),
            ("kenh", CHANNEL_CODE),
            ("muc_do", SERVICE_LEVEL),
            ("han_tra", f"strftime(due_at, '{fmt}')"),
            ("buoc_xu_ly", "step_name"),
            ("can_bo_xu_ly", "handler_ref"),
            ("ma_nguoi_nop", "applicant_id"),
            ("loai_nguoi_nop", APPLICANT_TYPE_CODE),
            ("thanh_toan_truc_tuyen", "fee_paid_online::int"),
            ("ket_qua_dien_tu", "result_digitised::int"),
            ("dong_bo_cong_quoc_gia", "synced_to_portal::int"),
            ("thanh_phan_so_hoa", "components_digitised::int"),
            ("tai_su_dung_du_lieu", "data_reused::int"),
            ("diem_hai_long", "satisfaction_score"),
        ]
    fmt = DAY_MONTH_YEAR if day_month_year else ISO
    timed = {
        "event_at": f"coalesce(_event_at_text, strftime(event_at, '{fmt}'))",
        "due_at": f"strftime(due_at, '{fmt}')",
    }
    return [(name, timed.get(name, name)) for name in EVENT_COLUMNS]


def write_events(
    con: duckdb.DuckDBPyConnection,
    table: pa.Table,
    path: Path,
    extension: str,
    dialect: str,
    style: FileStyle = FileStyle(),
) -> None:
    columns = dialect_columns(dialect, style.day_month_year)
    if style.extra_column:
        columns.append((EXTRA_COLUMN, EXTRA_NOTE))
    columns = [c for c in columns if c[0] not in style.drop]
    if style.shuffle_columns is not None:
        order = np.random.default_rng(style.shuffle_columns).permutation(len(columns))
        columns = [columns[i] for i in order]
    select = ", ".join(f'{expr} as "{name}"' for name, expr in columns)
    options = "format csv, header true" if extension == CSV else "format json"
    partial = hidden_partial(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    con.register("file_rows", table)
    try:
        con.execute(f"copy (select {select} from file_rows) to {literal(partial)} ({options})")
    finally:
        con.unregister("file_rows")
    if style.truncate_last_line or style.encoding != "utf-8":
        data = partial.read_bytes()
        if style.truncate_last_line:
            data = truncate_last_line(data, extension)
        partial.write_bytes(encode(data.decode("utf-8"), style.encoding))
    os.replace(partial, path)


def write_bytes(path: Path, data: bytes) -> None:
    partial = hidden_partial(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial.write_bytes(data)
    os.replace(partial, path)


def hidden_partial(path: Path) -> Path:
    """Ingest skips names starting with '.': a file being written is never picked up."""
    return path.with_name(f".{path.name}.partial")


def truncate_last_line(data: bytes, extension: str) -> bytes:
    """Cut the last record short with no newline, as an interrupted transfer leaves it:
    half a JSON object, or a CSV row missing its last fields."""
    body, _, last = data.rstrip(b"\n").rpartition(b"\n")
    text = last.decode("utf-8")
    if extension == CSV:
        fields = text.split(",")
        cut = ",".join(fields[: len(fields) // 2])
    else:
        cut = text[: len(text) // 2]
    return body + b"\n" + cut.encode("utf-8")


def encode(text: str, encoding: str) -> bytes:
    if encoding == "cp1258":
        return to_cp1258(text)
    return text.encode(encoding)


def to_cp1258(text: str) -> bytes:
    """Windows-1258 has the vowels with circumflex, breve and horn but writes tone marks as
    combining characters: spell each letter that way (one table for the file's distinct
    characters, then a single translate)."""
    table = {ord(ch): cp1258_spelling(ch) for ch in set(text) if ord(ch) > 127}
    return text.translate(table).encode("cp1258")


TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook, dot below


def cp1258_spelling(ch: str) -> str:
    """The letter with its vowel marks composed and its tone mark combining (ộ → ô + ̣)."""
    base, *marks = unicodedata.normalize("NFD", ch)
    tones = "".join(m for m in marks if m in TONE_MARKS)
    vowel = unicodedata.normalize("NFC", base + "".join(m for m in marks if m not in TONE_MARKS))
    for candidate in (unicodedata.normalize("NFC", ch), vowel + tones):
        try:
            candidate.encode("cp1258")
            return candidate
        except UnicodeEncodeError:
            continue
    raise ValueError(f"{ch!r} cannot be written in Windows-1258")
