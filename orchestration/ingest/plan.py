"""Planning: look at each landing file alone, before DuckDB reads any row of it.

The content hash says whether the file is new, the bytes say whether it is text and in which
encoding, the header says which of the contract's dialects it is written in. A file either
gets a `Plan` (how DuckDB will read it) or a `Verdict` (settled as a whole: empty, a copy, or
not this source), and no connection is needed to decide which.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from orchestration.ingest.contract import Dialect, SourceContract
from orchestration.ingest.sniff import (
    content_hash,
    csv_delimiter,
    detect_encoding,
    excel_to_csv,
    header_fields,
    stat_key,
    transcode_to_utf8,
)
from orchestration.settings import Settings

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
# A file named like an earlier one plus one of these declares itself a correction of it.
# `<province>_<yyyy-mm>` at the start of a landing file's name (docs/sources.md)
PROVINCE_MONTH = re.compile(r"^(\d{2})_(\d{4}-\d{2})")
CORRECTION_SUFFIX = re.compile(r"_(?:gui_lai|resent|correction)(?:_\d+)?$")
JSON_SUFFIXES = (".jsonl", ".json")


@dataclass
class LandingFile:
    """One landing file and what ingest has learnt about it so far."""

    path: Path
    contract: SourceContract
    file_id: str
    relpath: str
    size: int
    settings: Settings
    started: float
    # When the producer delivered it (the entry's modification time): versions of one
    # delivery are ordered by this, never by hash (`versions.py`).
    delivered_at: datetime
    stat_key: str  # `sniff.stat_key` of the entry when it was hashed
    notes: tuple[str, ...] = ()
    refusal: str | None = None  # why the entry is not a landing file at all

    @classmethod
    def open(cls, path: Path, contract: SourceContract, settings: Settings) -> LandingFile:
        """The entry as it is in the folder, never what a link points at: a link or any
        other non-regular entry is named and refused, its target never opened."""
        relpath = landing_relative(path, settings)
        entry = path.lstat()
        refusal = not_a_regular_file(path, entry)
        file_id = content_hash(path) if refusal is None else refused_entry_id(relpath, refusal)
        return cls(
            path,
            contract,
            file_id,
            relpath,
            entry.st_size,
            settings,
            time.perf_counter(),
            datetime.fromtimestamp(entry.st_mtime, UTC),
            stat_key(entry),
            refusal=refusal,
        )

    @property
    def delivery(self) -> str:
        return delivery_of(self.relpath)

    def work_file(self, suffix: str) -> Path:
        """A scratch path named by content hash: DuckDB's readers take a path as a glob
        pattern, so the only names they ever see are ours, never a producer's."""
        target = self.settings.tmp_dir / f"{self.file_id}.{suffix}"
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def safe_name(self, fmt: str) -> Path:
        """The landing file under a scratch name (a link, so nothing is copied): a name
        holding `[`, `]`, `*` or `?` is data, and DuckDB must not expand it into other
        files' names, or find none (it has no literal-path option)."""
        link = self.work_file(f"landing.{fmt}")
        link.unlink(missing_ok=True)
        link.symlink_to(self.path.resolve())
        return link


@dataclass(frozen=True)
class Text:
    """A path DuckDB can read as text: the landing file under a scratch name, or a
    converted copy of it; both are ingest's own and removed once read."""

    path: Path
    encoding: str  # as DuckDB's reader names it
    fmt: str  # "csv" or "jsonl"
    converted: bool = False  # a converted copy, not the landing file's own bytes

    def discard(self) -> None:
        """Scratch names and converted copies are ingest's own: removed once read."""
        self.path.unlink(missing_ok=True)


@dataclass
class Plan:
    """A file DuckDB can read as it is (or after conversion to `text.path`)."""

    file: LandingFile
    text: Text
    delimiter: str
    header: tuple[str, ...]
    dialect: Dialect
    fields: tuple[str, ...]  # the producer fields the parse statement selects


@dataclass(frozen=True)
class Verdict:
    """A file settled as a whole, without parsing.

    With a `reason_code`, every line of the file is quarantined with it: read from `text`,
    or as raw bytes when the file is not text at all."""

    file: LandingFile
    status: str  # empty_file, duplicate_file or rejected_file
    note: str
    reason_code: str | None = None
    text: Text | None = None


def landing_files(folder: Path) -> list[Path]:
    """Entries of a source's folder, oldest name first; hidden and `_` entries are not data,
    nor are sub-folders. Links and other non-regular entries are listed, to be refused with
    a reason (`LandingFile.open`), not silently skipped."""
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if not p.name.startswith((".", "_")) and not stat.S_ISDIR(p.lstat().st_mode)
    )


def delivery_of(relpath: str) -> str:
    """The delivery a file is a version of: its landing-relative name without extension or
    declared-correction suffix (`procedure_logs/01_2025-08_gui_lai_2.jsonl` →
    `procedure_logs/01_2025-08`; `versions.py`)."""
    path = PurePosixPath(relpath)
    return str(path.parent / CORRECTION_SUFFIX.sub("", path.stem))


def delivery_month(delivery: str) -> str | None:
    """`yyyy-mm` of a delivery or landing path named `<province>_<yyyy-mm>…`; None when the
    name carries no month."""
    found = PROVINCE_MONTH.match(PurePosixPath(delivery).name)
    return found.group(2) if found else None


def landing_relative(path: Path, settings: Settings) -> str:
    """Files are named relative to the landing zone, so a data folder can be moved or
    restored from backup without every file looking new. The folder is resolved, never
    the entry itself: a link is named where it lies, not where it points."""
    located = path.parent.resolve() / path.name
    try:
        return str(located.relative_to(settings.landing_dir))
    except ValueError:
        return str(located)


def not_a_regular_file(path: Path, entry: os.stat_result) -> str | None:
    """A landing file is a regular file inside the landing folder. A link could make ingest
    read a system file or a data file from elsewhere as if it had been delivered, so links
    (and pipes, sockets, devices) are refused whatever they point at."""
    if stat.S_ISLNK(entry.st_mode):
        return f"a symbolic link (to {os.readlink(path)}), not a delivered file: not read"
    if not stat.S_ISREG(entry.st_mode):
        return "not a regular file (a pipe, socket or device): not read"
    return None


def refused_entry_id(relpath: str, refusal: str) -> str:
    """A refused entry's bytes are never read, so its ledger id hashes what it is instead:
    the same link is recorded once, and a link replaced by a real file is judged anew."""
    return hashlib.sha256(f"refused:{relpath}:{refusal}".encode()).hexdigest()


def plan_file(
    file: LandingFile, duplicate_of: str | None, others: list[SourceContract]
) -> Plan | Verdict:
    """How to read the file, or why it is settled without reading its rows."""
    if file.refusal:
        return Verdict(file, "rejected_file", file.refusal)
    # Emptiness first: every empty file has the same hash, yet none is a copy of another.
    if file.size == 0:
        return Verdict(file, "empty_file", "the file is empty (0 bytes)")
    if duplicate_of:
        return Verdict(file, "duplicate_file", f"same content as {duplicate_of}: not loaded again")
    text = readable_text(file)
    if text is None:
        return Verdict(
            file,
            "rejected_file",
            "the bytes are not text in UTF-8, UTF-16 or Windows-1258",
            "undecodable",
        )
    header = header_fields(text.path, text.encoding, text.fmt)
    dialect = best_dialect(file.contract, header)
    if dialect is None:
        code, reason = unreadable_reason(file.contract, header, others)
        return Verdict(file, "rejected_file", reason, code, text)
    fields = dialect_fields(file.contract, dialect, header)
    file.notes += layout_notes(header, fields, dialect)
    delimiter = csv_delimiter(text.path, text.encoding) if text.fmt == "csv" else ","
    return Plan(file, text, delimiter, tuple(header), dialect, tuple(fields))


def readable_text(file: LandingFile) -> Text | None:
    """The file as text DuckDB can read (converted when it cannot); None when not text."""
    suffix = file.path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        converted, note = excel_to_csv(file.path, file.work_file("xlsx.csv"))
        file.notes += (note,)
        return Text(converted, "utf-8", "csv", converted=True)
    fmt = "jsonl" if suffix in JSON_SUFFIXES else "csv"
    encoding = detect_encoding(file.path)
    if encoding is None:
        return None
    if encoding.note:
        file.notes += (encoding.note,)
    if encoding.duckdb_name is None:  # DuckDB cannot decode it: read a UTF-8 copy
        converted = transcode_to_utf8(file.path, encoding.name, file.work_file("utf8"))
        return Text(converted, "utf-8", fmt, converted=True)
    return Text(file.safe_name(fmt), encoding.duckdb_name, fmt)


def best_dialect(contract: SourceContract, header: list[str]) -> Dialect | None:
    """The contract's dialect whose required fields the header carries, if any."""
    present = set(header)
    for dialect in contract.dialects:
        if dialect.source_fields(contract) <= present:
            return dialect
    return None


def unreadable_reason(
    contract: SourceContract, header: list[str], others: list[SourceContract]
) -> tuple[str, str]:
    """Why no dialect fits: the header is another source's, or required columns are absent."""
    owner = next((c for c in others if best_dialect(c, header)), None)
    if owner is not None:
        return "wrong_folder", (
            f"the columns are those of {owner.name}, not {contract.name}: file in the wrong folder"
        )
    missing = missing_columns(contract, header)
    return "missing_column", f"required column(s) {', '.join(missing)} absent from the file"


def missing_columns(contract: SourceContract, header: list[str]) -> list[str]:
    """Required fields absent, named in the dialect the header is closest to."""
    present = set(header)
    closest = max(contract.dialects, key=lambda d: len(d.source_fields(contract) & present))
    return sorted(closest.source_fields(contract) - present)


def dialect_fields(contract: SourceContract, dialect: Dialect, header: list[str]) -> list[str]:
    """The producer fields this dialect reads: renamed contract columns plus any field its
    decoding expressions use (e.g. `muc_do`, the service level behind the channel code)."""
    inverse = {v: k for k, v in dialect.renames.items()}
    fields = [inverse.get(c.name, c.name) for c in contract.columns]
    return fields + [f for f in dialect.uses if f not in fields]


def layout_notes(header: list[str], fields: list[str], dialect: Dialect) -> tuple[str, ...]:
    """What the file carries beyond or short of the contract, told in its audit note."""
    notes = ()
    extra = sorted(set(header) - set(fields) - {""})
    if extra:
        notes += (f"extra column(s) not in the contract, not loaded: {', '.join(extra)}",)
    absent = sorted({f for f in fields if f not in header} - set(dialect.uses))
    if absent:
        notes += (f"optional column(s) absent, loaded as empty: {', '.join(absent)}",)
    return notes
