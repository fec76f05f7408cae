"""Known bad input, injected on purpose and recorded in the simulation manifest.

Every kind of bad input `sources.md` lists for procedure logs appears in each run with
faults on. Row faults are *extra* rows — a corrupted re-send of a real event, an exact
repeat, a record cut short — inserted into a few province-month files, and whole-file faults
are extra files holding copies of real events; so what the ingest loads is exactly the clean
simulation, and its quarantine can be reconciled line by line with the manifest. The only
events removed on purpose are the submission and receipt of a few completed dossiers
(`dossiers_without_submission`), which dbt must list as rejects.

File-level quirks (byte-order mark, Windows-1258, another column order, an extra or a
missing optional column, dd/mm/yyyy dates, events out of order) change no row's fate: they
are listed as file notes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from simulator.calendar import REFORM_DAY
from simulator.profiles import CSV, JSONL, STATUS_CODES, ExportFormat


@dataclass(frozen=True)
class RowFault:
    reason_code: str  # what ingest must quarantine the row as (DEVELOPERS.md)
    column: str | None  # the contract column at fault
    rate: float  # share of all rows in the run
    note: str


ROW_FAULTS: dict[str, RowFault] = {
    "duplicate_row": RowFault("duplicate_row", None, 0.0006, "exact repeat of line {line}"),
    "unknown_unit": RowFault(
        "unknown_unit", "unit_code", 0.0003, "unit code {value} does not exist"
    ),
    "pre_merger_unit": RowFault(
        "unknown_unit", "unit_code", 0.0003, "pre-merger unit code {value} (not current)"
    ),
    "unknown_procedure": RowFault(
        "unknown_procedure", "procedure_code", 0.0003, "procedure {value} not in the catalogue"
    ),
    "unknown_event_type": RowFault(
        "not_allowed", "event_type", 0.00015, "event type {value} not allowed"
    ),
    "unknown_channel": RowFault("not_allowed", "channel", 0.00015, "channel {value} not allowed"),
    "satisfaction_out_of_range": RowFault(
        "not_allowed", "satisfaction_score", 0.0001, "satisfaction score {value} outside 1-5"
    ),
    "bad_timestamp": RowFault("unparseable", "event_at", 0.0003, "event time {value}"),
    "empty_dossier_code": RowFault("missing_value", "dossier_code", 0.0002, "empty dossier code"),
}
# The bad values, as each dialect would carry them.
BAD_VALUES = {
    "unknown_event_type": {"canonical": "archived", STATUS_CODES: "11"},
    "unknown_channel": {"canonical": "fax", STATUS_CODES: "5"},
    "bad_timestamp": {"canonical": "2025-13-45T99:00", STATUS_CODES: "45/13/2025 99:00"},
}
FAULT_FILE_SHARE = 0.12  # share of province-month files that carry row faults
WHOLE_FILE_RATE = 0.0003  # rows in each of the missing-column and wrong-folder files
WITHOUT_SUBMISSION_RATE = 1e-4  # completed dossiers whose submission and receipt are lost
UNDECODABLE_LINES = 4

# File quirks that load fine: (name, formats it fits best, formats it can take).
QUIRKS = (
    ("bom", (CSV,), (CSV, JSONL)),
    ("cp1258", (CSV,), (CSV, JSONL)),
    ("header_order", (CSV,), (CSV, JSONL)),
    ("extra_column", (CSV,), (CSV, JSONL)),
    ("missing_optional_column", (CSV,), (CSV, JSONL)),
    ("day_month_year_dates", (JSONL, CSV), (JSONL, CSV)),  # canonical files only
    ("events_out_of_order", (JSONL, CSV), (JSONL, CSV)),
    ("truncated_last_line", (JSONL,), (JSONL, CSV)),  # a fault: malformed_line
)
EXCLUSIVE = {frozenset(("bom", "cp1258"))}


@dataclass(frozen=True)
class PlannedFile:
    province: str
    month: int  # index in the window
    label: str  # yyyy-mm
    fmt: ExportFormat

    @property
    def name(self) -> str:
        return f"{self.province}_{self.label}.{self.fmt.extension}"

    @property
    def relpath(self) -> str:
        return f"procedure_logs/{self.name}"


@dataclass(frozen=True)
class ExtraFile:
    kind: str  # duplicate_file | empty_file | undecodable | missing_column | wrong_folder
    relpath: str
    source: PlannedFile  # the file it copies or whose events it repeats
    rows: int = 0


@dataclass
class FaultPlan:
    row_faults: dict[str, dict[str, int]] = field(default_factory=dict)  # relpath → counts
    quirks: dict[str, list[str]] = field(default_factory=dict)  # relpath → quirk names
    extras: list[ExtraFile] = field(default_factory=list)
    without_submission: tuple[str, int] | None = None  # (province, how many dossiers)
    skipped: list[str] = field(default_factory=list)  # quirks no selected file could take

    def extras_from(self, planned: PlannedFile) -> list[ExtraFile]:
        return [e for e in self.extras if e.source == planned]


NO_FAULTS = FaultPlan()


def plan_faults(
    files: list[PlannedFile], seed: int, expected_rows: float, expected_dossiers: float
) -> FaultPlan:
    """Which files carry which faults, and how many rows of each: decided up front from
    the expected size of the run, so the fault share is known before anything is written."""
    rng = np.random.default_rng((seed, 9_000_001))
    plan = FaultPlan()
    n_fault = min(len(files), max(1, math.ceil(FAULT_FILE_SHARE * len(files))))
    carriers = [files[i] for i in rng.choice(len(files), n_fault, replace=False)]
    for k, (kind, fault) in enumerate(ROW_FAULTS.items()):
        per_file = fault.rate * expected_rows / n_fault
        for j, planned in enumerate(carriers):
            count = int(per_file + rng.random())
            if j == k % n_fault:  # every kind has a home: present even in a tiny run
                count = max(1, count)
            if count:
                plan.row_faults.setdefault(planned.relpath, {})[kind] = count

    assign_quirks(plan, files, rng)
    pick = lambda: files[int(rng.integers(len(files)))]  # noqa: E731
    canonical = [f for f in files if f.fmt.dialect == "canonical"] or files
    whole_rows = max(3, round(WHOLE_FILE_RATE * expected_rows))
    dup, empty, junk = pick(), pick(), pick()
    miss = canonical[int(rng.integers(len(canonical)))]
    wrong = canonical[int(rng.integers(len(canonical)))]
    plan.extras = [
        ExtraFile("duplicate_file", f"procedure_logs/{stem(dup)}_resent.{dup.fmt.extension}", dup),
        ExtraFile("empty_file", f"procedure_logs/{stem(empty)}_part2.jsonl", empty),
        ExtraFile("undecodable", f"procedure_logs/{stem(junk)}_part3.csv", junk, UNDECODABLE_LINES),
        ExtraFile("missing_column", f"procedure_logs/{stem(miss)}_manual.csv", miss, whole_rows),
        ExtraFile(
            "wrong_folder", f"budget_allocations/{stem(wrong)}_procedures.csv", wrong, whole_rows
        ),
    ]
    plan.without_submission = (
        carriers[0].province,
        max(2, round(WITHOUT_SUBMISSION_RATE * expected_dossiers)),
    )
    return plan


def stem(planned: PlannedFile) -> str:
    return f"{planned.province}_{planned.label}"


def assign_quirks(plan: FaultPlan, files: list[PlannedFile], rng: np.random.Generator) -> None:
    """One file per quirk, spread over as many files as possible, never two encodings on
    one file; a quirk that needs the canonical dialect skips status-code files."""
    rank = rng.permutation(len(files))
    for name, best, able in QUIRKS:
        candidates = [i for i, f in enumerate(files) if quirk_fits(plan, name, f, best)]
        candidates = candidates or [
            i for i, f in enumerate(files) if quirk_fits(plan, name, f, able)
        ]
        if not candidates:
            plan.skipped.append(name)
            continue
        chosen = min(
            candidates, key=lambda i: (len(plan.quirks.get(files[i].relpath, [])), rank[i])
        )
        plan.quirks.setdefault(files[chosen].relpath, []).append(name)


def quirk_fits(plan: FaultPlan, name: str, planned: PlannedFile, formats) -> bool:
    if planned.fmt.extension not in formats:
        return False
    if name == "day_month_year_dates" and planned.fmt.dialect == STATUS_CODES:
        return False
    taken = plan.quirks.get(planned.relpath, [])
    return not any(frozenset((name, t)) in EXCLUSIVE for t in taken)


@dataclass(frozen=True)
class InjectedRow:
    line_index: int  # 0-based data row in the written file
    kind: str
    value: str | None
    copy_of: int | None = None  # 0-based data row this one repeats


def inject_rows(
    table: pa.Table,
    counts: dict[str, int],
    rng: np.random.Generator,
    dialect: str,
    unknown_units: list[str],
    pre_merger_units: tuple[str, ...],
    unknown_procedures: list[str],
    truncated_tail: bool,
) -> tuple[pa.Table, list[InjectedRow]]:
    """Insert the faulty rows among the clean ones; return the file's rows in order and
    where each faulty row ended up. Each faulty row has exactly one problem."""
    n = table.num_rows
    keys = [np.arange(n, dtype=float)]
    parts = [table]
    made: list[tuple[str, np.ndarray, list]] = []  # kind, base, values
    event_type = table.column("event_type").to_numpy(zero_copy_only=False)
    for kind, count in counts.items():
        eligible = np.arange(n)
        if kind == "satisfaction_out_of_range":
            returned = np.flatnonzero(event_type == "result_returned")
            eligible = returned if len(returned) else eligible
        if kind == "pre_merger_unit":
            # a pre-merger code is wrong only on a record dated from the reform on (ingest
            # reads a code with the record's date): the fault goes on such rows alone
            eligible = np.flatnonzero(after_reform(table))
        count = min(count, len(eligible))
        if count == 0:
            continue
        base = np.sort(rng.choice(eligible, count, replace=False))
        rows = table.take(pa.array(base))
        if kind == "duplicate_row":
            # strictly after the original, anywhere in the rest of the file
            key = base + 0.5 + rng.random(count) * (n - 1 - base)
            values = [None] * count
        else:
            key = rng.random(count) * n - 0.5
            rows, values = corrupt(
                rows, kind, rng, dialect, unknown_units, pre_merger_units, unknown_procedures
            )
        parts.append(rows)
        keys.append(key)
        made.append((kind, base, values))
    if truncated_tail and n:
        base = np.array([int(rng.integers(n))])
        parts.append(table.take(pa.array(base)))
        keys.append(np.array([n + 1.0]))
        made.append(("truncated_last_line", base, [None]))
    return interleave(parts, keys, made)


def interleave(
    parts: list[pa.Table], keys: list[np.ndarray], made: list[tuple[str, np.ndarray, list]]
) -> tuple[pa.Table, list[InjectedRow]]:
    """The clean rows (parts[0]) and each kind's faulty rows (the rest, in `made`'s order:
    kind, the clean rows they were taken from, their values) in one file, ordered by their
    keys; and where each faulty row ended up (a duplicate: also the row it repeats)."""
    order = np.argsort(np.concatenate(keys), kind="stable")
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))
    injected, offset = [], parts[0].num_rows
    for kind, base, values in made:
        for i, (b, value) in enumerate(zip(base, values, strict=True)):
            copy_of = int(position[b]) if kind == "duplicate_row" else None
            injected.append(InjectedRow(int(position[offset + i]), kind, value, copy_of))
        offset += len(base)
    return pa.concat_tables(parts).take(pa.array(order)), injected


def after_reform(table: pa.Table) -> np.ndarray:
    event_day = table.column("event_at").to_numpy(zero_copy_only=False).astype("datetime64[D]")
    return event_day >= REFORM_DAY


def corrupt(
    rows: pa.Table,
    kind: str,
    rng: np.random.Generator,
    dialect: str,
    unknown_units: list[str],
    pre_merger_units: tuple[str, ...],
    unknown_procedures: list[str],
) -> tuple[pa.Table, list]:
    n = rows.num_rows
    if kind == "unknown_unit":
        column, values = "unit_code", [unknown_units.pop() for _ in range(n)]
    elif kind == "pre_merger_unit":
        column, values = "unit_code", list(rng.choice(pre_merger_units, n))
    elif kind == "unknown_procedure":
        column, values = "procedure_code", [unknown_procedures.pop() for _ in range(n)]
    elif kind == "unknown_event_type":
        column, values = "event_type", [BAD_VALUES[kind][dialect]] * n
    elif kind == "unknown_channel":
        column, values = "channel", [BAD_VALUES[kind][dialect]] * n
    elif kind == "bad_timestamp":
        column, values = "_event_at_text", [BAD_VALUES[kind][dialect]] * n
    elif kind == "empty_dossier_code":
        column, values = "dossier_code", [""] * n
    elif kind == "satisfaction_out_of_range":
        column, values = "satisfaction_score", [9] * n
    else:
        raise ValueError(kind)
    index = rows.schema.get_field_index(column)
    array = pa.array(values, rows.schema.field(index).type)
    return rows.set_column(index, rows.schema.field(index), array), [str(v) for v in values]


def unknown_codes(
    rng: np.random.Generator, n: int, fmt: str, low: int, high: int, taken: frozenset[str]
) -> list[str]:
    """Distinct codes that look right and are not in the reference data."""
    draws = rng.choice(np.arange(low, high), size=min(high - low, 2 * n + 8), replace=False)
    codes = [fmt.format(int(v)) for v in draws]
    return [c for c in codes if c not in taken][:n]


def undecodable_bytes(rng: np.random.Generator, lines: int) -> bytes:
    """Binary junk (NUL and control bytes) that no text encoding reads: `lines` lines."""
    chunks = []
    for _ in range(lines):  # a handful of lines
        chunk = rng.integers(0, 256, 48, dtype=np.uint8)
        chunk[chunk == 10] = 0
        chunk[0] = 0
        chunks.append(chunk.tobytes() + b"\n")
    return b"".join(chunks)


def quirk_notes() -> dict[str, str]:
    return {
        "bom": "UTF-8 with a byte-order mark: loads as usual",
        "cp1258": "Windows-1258 with Vietnamese step names: loads after transcoding",
        "header_order": "columns in another order: loads by name",
        "extra_column": "extra column ghi_chu: loads, the column is noted and not kept",
        "missing_optional_column": "optional column data_reused absent: loads as empty",
        "day_month_year_dates": "times as dd/mm/yyyy HH:MM in a canonical file: loads",
        "events_out_of_order": "rows grouped by dossier, not by time: loads",
        "truncated_last_line": "last line cut short: malformed_line",
    }
