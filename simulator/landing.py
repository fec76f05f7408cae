"""The personnel, budget and asset landing files: which files a run writes, the known bad
input they carry (recorded in the same manifest as the dossier logs), and how they are
written — CSV by polars (byte for byte what DuckDB's `COPY … TO` writes for the dossier
logs: quotes only where needed, ISO dates), Excel workbooks by openpyxl.

Layout (DEVELOPERS.md, "raw tables of the other three sources"):
- `personnel_rosters/<province>_<yyyy-mm>.<csv|xlsx>` — a province's month-end roster;
- `budget_allocations/<province>_<yyyy-mm>.csv` — a province's budget lines of one month;
- `asset_inventories/<province>_<yyyy-mm>.csv` — a quarterly inventory snapshot.
Headers are the contract's column names (`orchestration/ingest/sources.py`).

Faults follow the dossier logs' rule: a faulty row is an *extra* row — a corrupted copy of a
real row, or an exact repeat — so what ingest loads is exactly the clean simulation and its
quarantine can be reconciled line by line (CSV header = line 1; in a workbook, the sheet's
row number). File quirks that load fine (dd/mm/yyyy dates, another column order, thousands
separators) are file notes; an export with a header and no rows and a re-sent copy are
extra files. (The 0-byte empty file is the dossier logs': a second 0-byte file anywhere in the
landing zone has the same content hash, and ingest would report whichever it meets second as
a duplicate.)
"""

from __future__ import annotations

import datetime as dt
import io
import math
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from simulator import faults as ft
from simulator.asset_inventories import simulate_assets, snapshot_months
from simulator.budget import simulate_budget
from simulator.calendar import REFORM_DAY
from simulator.profiles import CSV, XLSX, roster_extension
from simulator.reference import Reference
from simulator.staffing import roster_table, simulate_staff, unit_month_amounts
from simulator.units import (
    ASSET_STREAM,
    BUDGET_STREAM,
    PERSONNEL_STREAM,
    History,
    ProvinceUnits,
    province_units,
)
from simulator.writers import hidden_partial, write_bytes

ROSTERS, BUDGETS, ASSETS = "personnel_rosters", "budget_allocations", "asset_inventories"
SNAPSHOT_SOURCES = (ROSTERS, BUDGETS, ASSETS)
COLUMNS = {
    ROSTERS: (
        "snapshot_date",
        "staff_code",
        "full_name",
        "national_id",
        "birth_date",
        "unit_code",
        "position",
        "specialisation",
        "qualification",
        "salary_coefficient",
        "status",
        "joined_on",
        "left_on",
        "exit_reason",
        "benefit_due_vnd",
        "benefit_paid_vnd",
    ),
    BUDGETS: (
        "fiscal_year",
        "period",
        "unit_code",
        "level",
        "flow",
        "category",
        "budget_item",
        "planned_vnd",
        "allocated_vnd",
        "disbursed_vnd",
        "treasury_account_opened_on",
    ),
    ASSETS: (
        "snapshot_date",
        "asset_code",
        "asset_type",
        "unit_code",
        "former_unit_code",
        "address",
        "area_m2",
        "book_value_vnd",
        "status",
        "repurposed_to",
        "status_since",
        "archive_records",
        "archive_records_digitised",
    ),
}
DATE_COLUMNS = {
    ROSTERS: ("snapshot_date", "birth_date", "joined_on", "left_on"),
    BUDGETS: ("treasury_account_opened_on",),
    ASSETS: ("snapshot_date", "status_since"),
}
AMOUNT_COLUMNS = {BUDGETS: ("planned_vnd", "allocated_vnd", "disbursed_vnd")}
SHEET_TITLE = "Danh sách cán bộ"  # the roster workbook's first (only) sheet
WORKBOOK_AUTHOR = "Sở Nội vụ"  # the provincial Department of Home Affairs
ZIP_TIME = (2026, 6, 30, 0, 0, 0)  # fixed member times: the same options give the same bytes
FAULT_STREAM = {ROSTERS: 18, BUDGETS: 19, ASSETS: 20}


@dataclass(frozen=True)
class SourceFile:
    source: str
    province: str
    month: int  # index in the window
    label: str  # yyyy-mm
    extension: str  # csv | xlsx

    @property
    def stem(self) -> str:
        return f"{self.province}_{self.label}"

    @property
    def name(self) -> str:
        return f"{self.stem}.{self.extension}"

    @property
    def relpath(self) -> str:
        return f"{self.source}/{self.name}"


def plan_files(provinces: list[str], labels: list[str], history: History) -> list[SourceFile]:
    """Rosters and budgets every month; inventories at quarter ends and the last month."""
    inventory = set((snapshot_months(history) - history.window_offset).tolist())
    files = []
    for province in provinces:
        for month, label in enumerate(labels):
            files.append(SourceFile(ROSTERS, province, month, label, roster_extension(province)))
            files.append(SourceFile(BUDGETS, province, month, label, CSV))
            if month in inventory:
                files.append(SourceFile(ASSETS, province, month, label, CSV))
    return files


def simulate_sources(
    province: str,
    seed: int,
    scale: float,
    reference: Reference,
    history: History,
    national_codes: np.ndarray,
) -> tuple[ProvinceUnits, dict[str, pa.Table]]:
    """A province's roster, budget and inventory rows over the window (clean), each source
    from its own generator: a province simulates the same whatever else is simulated."""
    units = province_units(reference, province, seed, scale)
    stream = lambda s: np.random.default_rng((seed, int(province), s))  # noqa: E731
    staff = simulate_staff(stream(PERSONNEL_STREAM), units, history, reference.province_codes)
    payroll, paid = unit_month_amounts(staff, units, history)
    return units, {
        ROSTERS: roster_table(staff, units, history),
        BUDGETS: simulate_budget(stream(BUDGET_STREAM), units, history, payroll, paid),
        ASSETS: simulate_assets(stream(ASSET_STREAM), units, history, national_codes),
    }


# --- faults -------------------------------------------------------------------------------

REFORM_MONTH = str(REFORM_DAY)[:7]  # "2025-07", as a file's yyyy-mm label


@dataclass(frozen=True)
class SourceFault:
    reason_code: str  # what ingest must quarantine the row as
    column: str | None  # the contract column at fault
    rate: float  # share of the source's rows
    note: str
    bad_value: str | None = None


ROW_FAULTS: dict[str, dict[str, SourceFault]] = {
    ROSTERS: {
        "duplicate_row": SourceFault("duplicate_row", None, 0.0006, "exact repeat of line {line}"),
        "pre_merger_unit": SourceFault(
            "unknown_unit", "unit_code", 0.0004, "pre-merger unit code {value} (not current)"
        ),
        "bad_date": SourceFault(
            "unparseable", "joined_on", 0.0004, "joining date {value} does not exist", "31/02/2019"
        ),
        "missing_value": SourceFault("missing_value", "position", 0.0003, "empty position"),
    },
    BUDGETS: {
        "duplicate_row": SourceFault("duplicate_row", None, 0.0006, "exact repeat of line {line}"),
        "unknown_unit": SourceFault(
            "unknown_unit", "unit_code", 0.0004, "unit code {value} does not exist"
        ),
        "negative_amount": SourceFault(
            "not_allowed",
            "disbursed_vnd",
            0.0004,
            "negative amount {value} (a reversal sent as a line)",
        ),
        "bad_date": SourceFault(
            "unparseable",
            "treasury_account_opened_on",
            0.0003,
            "account opening date {value} does not exist",
            "2025-09-31",
        ),
        "missing_value": SourceFault("missing_value", "budget_item", 0.0003, "empty budget item"),
    },
    ASSETS: {
        "duplicate_row": SourceFault("duplicate_row", None, 0.0006, "exact repeat of line {line}"),
        "pre_merger_unit": SourceFault(
            "unknown_unit", "unit_code", 0.0005, "pre-merger unit code {value} (not current)"
        ),
        "bad_date": SourceFault(
            "unparseable",
            "status_since",
            0.0004,
            "status date {value} does not exist",
            "30/02/2025",
        ),
        "missing_value": SourceFault("missing_value", "asset_type", 0.0004, "empty asset type"),
    },
}
# File quirks that load fine: (source, name, extensions it fits).
QUIRKS = (
    (ROSTERS, "day_month_year_dates", (CSV,)),
    (ROSTERS, "header_order", (CSV,)),
    (BUDGETS, "thousands_separators", (CSV,)),
)
QUIRK_NOTES = {
    "day_month_year_dates": "dates as dd/mm/yyyy: loads",
    "header_order": "columns in another order: loads by name",
    "thousands_separators": "amounts with thousands separators (1.234.567): loads",
}
# Extra files: (kind, source, name suffix).
EXTRAS = (
    ("header_only", ROSTERS, "_bo_sung.csv"),  # "supplement": a header and no rows
    ("duplicate_file", BUDGETS, "_gui_lai.csv"),  # "re-sent": an identical copy
)


@dataclass(frozen=True)
class SourceExtra:
    kind: str
    relpath: str
    source: SourceFile


@dataclass
class SourcePlan:
    carriers: dict[str, dict[str, bool]] = field(default_factory=dict)  # relpath → kind → home
    carrier_share: dict[str, float] = field(default_factory=dict)  # source → share carrying
    quirks: dict[str, list[str]] = field(default_factory=dict)
    extras: list[SourceExtra] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def extras_from(self, planned: SourceFile) -> list[SourceExtra]:
        return [e for e in self.extras if e.source == planned]


NO_SOURCE_FAULTS = SourcePlan()


def plan_source_faults(files: list[SourceFile], seed: int) -> SourcePlan:
    """Which files carry which row faults, quirks and extra files; every kind has a home
    (a roster workbook among the carriers when there is one, so sheet rows are checked)."""
    rng = np.random.default_rng((seed, 9_000_002))
    plan = SourcePlan()
    for source in SNAPSHOT_SOURCES:
        own = [f for f in files if f.source == source]
        if not own:
            continue
        n_carry = min(len(own), max(2, math.ceil(ft.FAULT_FILE_SHARE * len(own))))
        chosen = [int(i) for i in rng.choice(len(own), n_carry, replace=False)]
        workbooks = [i for i, f in enumerate(own) if f.extension == XLSX]
        if workbooks and not any(own[i].extension == XLSX for i in chosen):
            chosen[0] = workbooks[int(rng.integers(len(workbooks)))]
        chosen.sort(key=lambda i: own[i].extension != XLSX)  # a workbook first, if any
        plan.carrier_share[source] = n_carry / len(own)
        for k, kind in enumerate(ROW_FAULTS[source]):
            for j, i in enumerate(chosen):
                plan.carriers.setdefault(own[i].relpath, {})[kind] = j == k % n_carry
    for source, name, fits in QUIRKS:
        candidates = [
            f
            for f in files
            if f.source == source and f.extension in fits and f.relpath not in plan.quirks
        ]
        if not candidates:
            plan.skipped.append(name)
            continue
        chosen = candidates[int(rng.integers(len(candidates)))]
        plan.quirks[chosen.relpath] = [name]
    for kind, source, suffix in EXTRAS:
        own = [f for f in files if f.source == source]
        if not own:
            plan.skipped.append(kind)
            continue
        origin = own[int(rng.integers(len(own)))]
        plan.extras.append(SourceExtra(kind, f"{source}/{origin.stem}{suffix}", origin))
    return plan


def inject_rows(
    table: pa.Table,
    counts: dict[str, int],
    rng: np.random.Generator,
    source: str,
    current_units: frozenset[str],
) -> tuple[pa.Table, list[ft.InjectedRow]]:
    """Insert the faulty rows among the clean ones. A corrupted row carries its bad value in
    `_fault_column`/`_fault_value`, which the writers put in place of the column's value."""
    n = table.num_rows
    table = table.append_column("_fault_column", pa.nulls(n, pa.string())).append_column(
        "_fault_value", pa.nulls(n, pa.string())
    )
    keys, parts, made = [np.arange(n, dtype=float)], [table], []
    for kind, count in counts.items():
        count = min(count, n)
        if count == 0:
            continue
        base = np.sort(rng.choice(n, count, replace=False))
        rows = table.take(pa.array(base))
        if kind == "duplicate_row":
            key = base + 0.5 + rng.random(count) * (n - 1 - base)
            values: list[str | None] = [None] * count
        else:
            fault = ROW_FAULTS[source][kind]
            values = bad_values(kind, fault, rows, rng, current_units)
            rows = rows.set_column(
                rows.schema.get_field_index("_fault_column"),
                "_fault_column",
                pa.array([fault.column] * count, pa.string()),
            )
            rows = rows.set_column(
                rows.schema.get_field_index("_fault_value"),
                "_fault_value",
                pa.array(values, pa.string()),
            )
            key = rng.random(count) * n - 0.5
        parts.append(rows)
        keys.append(key)
        made.append((kind, base, values))
    if not made:
        return table, []
    return ft.interleave(parts, keys, made)


def bad_values(
    kind: str,
    fault: SourceFault,
    rows: pa.Table,
    rng: np.random.Generator,
    current_units: frozenset[str],
) -> list[str]:
    count = rows.num_rows
    if kind == "pre_merger_unit":
        # the code of a commune merged into the row's unit: just after it, not current
        codes = []
        for code in rows.column("unit_code").to_pylist():  # a handful of faulty rows
            number = int(code)
            step = next(s for s in range(1, 50) if f"{number + s:05d}" not in current_units)
            codes.append(f"{number + step:05d}")
        return codes
    if kind == "unknown_unit":
        return ft.unknown_codes(rng, count, "{:05d}", 40000, 100000, current_units)
    if kind == "negative_amount":
        return [str(-max(a or 0, 1_000_000)) for a in rows.column(fault.column).to_pylist()]
    if kind == "missing_value":
        return [""] * count
    return [fault.bad_value] * count


def fault_counts(
    plan: SourcePlan, planned: SourceFile, rows: int, rng: np.random.Generator
) -> dict[str, int]:
    """How many faulty rows of each kind this file carries: the kind's rate over the
    carriers' rows, at least one in the kind's home."""
    counts = {}
    share = plan.carrier_share.get(planned.source, 1.0)
    for kind, home in plan.carriers.get(planned.relpath, {}).items():
        count = int(ROW_FAULTS[planned.source][kind].rate * rows / share + rng.random())
        if kind == "pre_merger_unit" and planned.label < REFORM_MONTH:
            # the code was valid on a snapshot before the reform: no fault there
            counts[kind] = 0
            continue
        counts[kind] = max(1, count) if home else count
    return counts


# --- writers ------------------------------------------------------------------------------


def write_snapshot_csv(
    table: pa.Table, path: Path, source: str, quirks: list[str], seed: int
) -> None:
    """The table as the contract's CSV (polars: the same bytes DuckDB's `COPY … TO` writes,
    faster); a faulty row's bad value replaces its column."""
    import polars as pl

    columns = list(COLUMNS[source])
    if "header_order" in quirks:
        columns = [columns[i] for i in np.random.default_rng(seed).permutation(len(columns))]
    faulty = set(table.column("_fault_column").unique().drop_null().to_pylist())
    day_month_year = "day_month_year_dates" in quirks
    expressions = []
    for name in columns:
        value = pl.col(name)
        if day_month_year and name in DATE_COLUMNS[source]:
            value = value.dt.strftime("%d/%m/%Y")
        elif "thousands_separators" in quirks and name in AMOUNT_COLUMNS.get(source, ()):
            # 1234567 → "1.234.567": group the reversed digits by three
            value = (
                value.cast(pl.String)
                .str.reverse()
                .str.replace_all(r"(\d{3})", "$1.")
                .str.strip_chars_end(".")
                .str.reverse()
            )
        if name in faulty:  # only the columns this file has bad values in
            bad = pl.col("_fault_value")
            value = (
                pl.when(pl.col("_fault_column") == name)
                .then(pl.when(bad == "").then(None).otherwise(bad))
                .otherwise(value.cast(pl.String))
            )
        expressions.append(value.alias(name))
    frame = pl.from_arrow(table).select(expressions)
    partial = hidden_partial(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.write_csv(partial, date_format="%d/%m/%Y" if day_month_year else None)
    partial.replace(path)


def write_workbook(table: pa.Table, path: Path, source: str, as_of: dt.datetime) -> None:
    """The first sheet of an .xlsx workbook, header in row 1: dates as date cells, numbers as
    numbers, codes and IDs as text. openpyxl writes cell by cell (the one row loop of the
    simulator); member times and document dates are fixed so the bytes are reproducible."""
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    columns = list(COLUMNS[source])
    data = [table.column(name).to_pylist() for name in columns]
    fault_columns = table.column("_fault_column").to_pylist()
    fault_values = table.column("_fault_value").to_pylist()
    for row in [i for i, name in enumerate(fault_columns) if name is not None]:
        data[columns.index(fault_columns[row])][row] = fault_values[row] or None
    workbook = Workbook(write_only=True)
    workbook.properties.creator = WORKBOOK_AUTHOR
    workbook.properties.created = workbook.properties.modified = as_of
    sheet = workbook.create_sheet(SHEET_TITLE)
    sheet.append(columns)
    for row in zip(*data, strict=True):
        sheet.append(row)
    buffer = io.BytesIO()
    ExcelWriter(workbook, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)).save()
    write_bytes(path, reproducible_zip(buffer.getvalue()))


def reproducible_zip(data: bytes) -> bytes:
    """The same archive with fixed member times (zip entries otherwise carry 'now')."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            target.writestr(member, source.read(info.filename))
    return out.getvalue()


def write_source_file(
    writer, planned: SourceFile, rows: pa.Table, plan: SourcePlan, current_units: frozenset[str]
) -> None:
    """Write one file (with its faults and extras) and keep the manifest's books on
    `writer` (run.Writer)."""
    seed = writer.options.seed
    rng = np.random.default_rng(
        (seed, int(planned.province), planned.month, FAULT_STREAM[planned.source])
    )
    rows = rows.drop_columns(["_month"])
    counts = fault_counts(plan, planned, rows.num_rows, rng)
    rows, injected = inject_rows(rows, counts, rng, planned.source, current_units)
    quirks = plan.quirks.get(planned.relpath, [])
    path = writer.out / planned.relpath
    if planned.extension == XLSX:
        as_of = dt.datetime.combine(dt.date.fromisoformat(f"{planned.label}-01"), dt.time(8))
        writer.emit(
            path, lambda: write_workbook(rows, path, planned.source, as_of), background=False
        )
    else:
        writer.emit(path, lambda: write_snapshot_csv(rows, path, planned.source, quirks, seed))
    for row in injected:
        fault = ROW_FAULTS[planned.source][row.kind]
        line = None if row.copy_of is None else row.copy_of + 2
        writer.faults.append(
            {
                "file": planned.relpath,
                "line": row.line_index + 2,
                "reason_code": fault.reason_code,
                "column": fault.column,
                "kind": row.kind,
                "value": row.value,
                "note": fault.note.format(value=row.value, line=line),
            }
        )
    for quirk in quirks:
        writer.notes.append({"file": planned.relpath, "kind": quirk, "note": QUIRK_NOTES[quirk]})
    writer.entries.append(
        writer.entry(
            planned.relpath,
            planned,
            planned.extension,
            "canonical",
            None if planned.extension == XLSX else "utf-8",
            "loaded",
            rows.num_rows,
            len(injected),
            "; ".join(QUIRK_NOTES[q] for q in quirks),
            source=planned.source,
        )
    )
    for extra in plan.extras_from(planned):
        write_extra(writer, extra, path)


def write_extra(writer, extra: SourceExtra, source_path: Path) -> None:
    path = writer.out / extra.relpath
    planned = extra.source
    if extra.kind == "duplicate_file":
        writer.emit(path, lambda: write_bytes(path, source_path.read_bytes()))
        writer.entries.append(
            writer.entry(
                extra.relpath,
                planned,
                planned.extension,
                "canonical",
                None,
                "duplicate_file",
                0,
                0,
                f"identical copy of {planned.relpath}: skipped",
                source=planned.source,
                duplicate_of=planned.relpath,
            )
        )
        note = f"identical copy of {planned.relpath}"
    else:
        header = (",".join(COLUMNS[planned.source]) + "\n").encode("utf-8")
        writer.emit(path, lambda: write_bytes(path, header))
        note = "the header and no rows (an empty export): loads nothing"
        writer.entries.append(
            writer.entry(
                extra.relpath,
                planned,
                CSV,
                "canonical",
                "utf-8",
                "loaded",
                0,
                0,
                note,
                source=planned.source,
            )
        )
    writer.notes.append({"file": extra.relpath, "kind": extra.kind, "note": note})
