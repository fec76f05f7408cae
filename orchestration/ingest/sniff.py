"""Look at a landing file before DuckDB reads it: its hash, its encoding, its header."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path

HASH_CHUNK = 8 << 20
SNIFF_BYTES = 1 << 20
# Legacy Vietnamese exports come in Windows-1258; Python decodes it, DuckDB does not.
LEGACY_ENCODINGS = ("cp1258",)
CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 13))


def content_hash(path: Path) -> str:
    """sha256 of the bytes: a file is ingested once whatever its name."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def stat_key(entry: os.stat_result) -> str:
    """What says an entry was not touched since it was hashed, as git's index does: size,
    modification and change times, inode. Writing the bytes moves the change time, which no
    tool sets back (a copy that keeps the modification time is a new inode), so an entry with
    the key recorded at its ingest still holds the bytes hashed then, and is not hashed again:
    hashing every landing file was 3-6 s of each run at the default size, more at 10x."""
    return f"{entry.st_size}:{entry.st_mtime_ns}:{entry.st_ctime_ns}:{entry.st_ino}"


@dataclass(frozen=True)
class Encoding:
    name: str  # utf-8, utf-16 or a legacy codec to transcode from
    duckdb_name: str | None  # what DuckDB's reader is told; None when we must transcode
    note: str = ""


def looks_binary(sample: bytes) -> bool:
    """NUL bytes or many control characters: not text in any encoding we accept."""
    if b"\x00" in sample:
        return True
    controls = len(sample) - len(sample.translate(None, CONTROL_BYTES))
    return controls > max(8, len(sample) // 100)


def detect_encoding(path: Path) -> Encoding | None:
    """The file's text encoding, or None when it is not text (quarantined as undecodable)."""
    with path.open("rb") as handle:
        sample = handle.read(SNIFF_BYTES)
    whole = path.stat().st_size <= SNIFF_BYTES
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Encoding("utf-16", "utf-16", "UTF-16 with byte-order mark")
    if looks_binary(sample):
        return None
    note = "UTF-8 with byte-order mark (ignored)" if sample.startswith(b"\xef\xbb\xbf") else ""
    try:
        # A character cut at the sample's end is not an error: final only for the whole file.
        codecs.getincrementaldecoder("utf-8")("strict").decode(sample, final=whole)
        return Encoding("utf-8", "utf-8", note)
    except UnicodeDecodeError:
        pass
    for legacy in LEGACY_ENCODINGS:
        try:
            sample.decode(legacy)
            return Encoding(legacy, None, f"transcoded from {legacy}")
        except UnicodeDecodeError:
            continue
    return None


def transcode_to_utf8(path: Path, encoding: str, target: Path) -> Path:
    """Rewrite a legacy-encoded file as UTF-8 (NFC) so DuckDB's readers can take it.

    Windows-1258 spells Vietnamese with combining diacritics; NFC makes the text compare
    equal to the same words from UTF-8 sources. Lines are read whole so a letter and its
    diacritic are never split between chunks."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with (
        path.open(encoding=encoding, newline="") as src,
        target.open("w", encoding="utf-8", newline="") as dst,
    ):
        for line in src:
            dst.write(unicodedata.normalize("NFC", line))
    return target


def first_line(path: Path, encoding: str) -> str:
    with path.open(encoding=encoding, errors="replace", newline="") as handle:
        return handle.readline().lstrip("\ufeff").rstrip("\r\n")


def csv_delimiter(path: Path, encoding: str) -> str:
    """Real exports use ',' or ';' (Excel in a Vietnamese locale) and sometimes tabs."""
    line = first_line(path, encoding)
    try:
        return csv.Sniffer().sniff(line, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def header_fields(path: Path, encoding: str, fmt: str) -> list[str]:
    """Field names: the CSV header, or the keys of the first JSON object that parses."""
    if fmt == "csv":
        line = first_line(path, encoding)
        reader = csv.reader(io.StringIO(line), delimiter=csv_delimiter(path, encoding))
        return [name.strip() for name in next(reader, [])]
    with path.open(encoding=encoding, errors="replace") as handle:
        for line in handle:
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(record, dict):
                return list(record)
    return []


def excel_to_csv(path: Path, target: Path) -> tuple[Path, str]:
    """The first sheet of a workbook as a UTF-8 CSV, cell for cell, so the one CSV reader
    takes it: text keeps its diacritics, dates become ISO dates, whole numbers stay whole."""
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    sheet = workbook.get_sheet_by_index(0)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        for row in sheet.iter_rows():  # rosters are thousands of rows, not millions
            writer.writerow([_cell_text(cell) for cell in row])
    return target, f"read from Excel sheet '{sheet.name}'"


def _cell_text(cell) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if hasattr(cell, "isoformat"):
        text = cell.isoformat()
        return text[:10] if text.endswith("T00:00:00") else text
    return "" if cell is None else str(cell)
