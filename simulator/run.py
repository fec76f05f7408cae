"""`reformwatch simulate`: plan the files, simulate province by province, write, account.

Output (under the landing directory, `load_settings().landing_dir` unless told otherwise):
- `procedure_logs/<province>_<yyyy-mm>.<jsonl|csv>` — a province's events of one month;
- `personnel_rosters/<province>_<yyyy-mm>.<csv|xlsx>`, `budget_allocations/<province>_
  <yyyy-mm>.csv`, `asset_inventories/<province>_<yyyy-mm>.csv` — the other three sources
  (`landing.py`), for the same provinces and months;
- with faults, a few extra files beside them (and a procedure-log file under
  `budget_allocations/`);
- `_simulation_manifest.json` — every file and every injected fault, file by file and line
  by line, for all four sources.

Deterministic: the same options give the same bytes. Each province draws from its own
generators (seed, province code[, source]), so a province's rows do not depend on which other
provinces are simulated (fault placement does: every fault kind must appear in any run).
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from tqdm import tqdm

from orchestration.settings import SEEDS_DIR, load_settings
from simulator import faults as ft
from simulator import landing, reform
from simulator import lifecycle as lc
from simulator.calendar import Calendar, build_calendar
from simulator.catalogue import Catalogue, build_catalogue
from simulator.causes import (
    WEAK_UNIT_FACTOR,
    draw_causes,
    manifest_entries,
    plant_thin_weak_unit,
    thin_out_thin_weak_unit,
    thin_weak_dossiers_since_reform,
    thin_weak_manifest_entries,
)
from simulator.events import dossier_codes, expand_events, month_bounds
from simulator.feedback import with_complaints
from simulator.profiles import (
    CANONICAL,
    CSV,
    STATUS_CODES,
    draw_profile,
    export_format,
)
from simulator.reference import Reference, load_reference
from simulator.units import ProvinceUnits, build_history, province_units
from simulator.writers import (
    OPTIONAL_COLUMN,
    REQUIRED_COLUMN,
    FileStyle,
    write_bytes,
    write_events,
)

MANIFEST_NAME = "_simulation_manifest.json"
# 2: the four sources (`source` on files, faults, notes; `sources`); 3: the planted causes
# of lateness (`slow_steps`, `weak_units`); 4: the reform (`reform`: learning curve and
# pre-reform dossiers without a unit of their time; `reform_changes`: improved and declined units)
MANIFEST_VERSION = 4
DEFAULT_SEED = 20250701
# Rows per simulated dossier (measured), to size the faults before anything is written.
EVENTS_PER_DOSSIER = {CANONICAL: 9.5, STATUS_CODES: 6.2}
COMPLAINT_STREAM = 31  # (seed, province, stream): complaints draw apart from the dossiers
SAMPLE_NATIONAL_IDS = 6
# Files waiting for the writer thread: DuckDB and polars format and write them without the GIL
# while the main thread simulates the next ones; the bound keeps memory flat.
WRITE_QUEUE = 8


@dataclass(frozen=True)
class SimulationOptions:
    seed: int = DEFAULT_SEED
    provinces: str | None = None  # None: all 34; "5": the first five by code; "01,79": these
    months: int = 24  # July 2024 to June 2026: a full year before the reform
    scale: float = 0.1
    out: Path | None = None
    faults: bool = True
    force: bool = False
    progress: bool = True
    seeds_dir: Path = SEEDS_DIR


@dataclass
class SimulationResult:
    out: Path
    manifest: Path
    files: int = 0
    written: int = 0
    skipped: int = 0
    rows: int = 0
    faulty_rows: int = 0
    events: int = 0
    dossiers: int = 0
    source_rows: dict[str, int] = field(default_factory=dict)  # loadable rows per source
    seconds: float = 0.0

    @property
    def summary(self) -> str:
        if self.files == 0:
            return f"nothing to do: every file is already in {self.out} (use --force to rewrite)"
        share = self.faulty_rows / self.rows if self.rows else 0.0
        others = ", ".join(
            f"{self.source_rows.get(source, 0):,} {label}"
            for source, label in (
                (landing.ROSTERS, "roster"),
                (landing.BUDGETS, "budget"),
                (landing.ASSETS, "inventory"),
            )
        )
        return (
            f"simulated {self.dossiers:,} dossiers, {self.events:,} events; {others} rows: "
            f"{self.files} files ({self.written} written, {self.skipped} already there), "
            f"{self.faulty_rows:,} faulty rows ({share:.2%}), in {self.seconds:.1f} s "
            f"→ {self.out}"
        )


def select_provinces(text: str | None, codes: list[str]) -> list[str]:
    """None → all; a number N → the first N by code; a comma list → those codes. A single
    code is read as a code when it cannot be a count ("01", "79"); "24," forces a code."""
    if text is None or str(text).strip() == "":
        return list(codes)
    text = str(text).strip()
    if "," not in text and text.isdigit() and not text.startswith("0") and int(text) <= len(codes):
        if int(text) < 1:
            raise ValueError("--provinces: at least one province")
        return codes[: int(text)]
    wanted = [t.strip() for t in text.split(",") if t.strip()]
    unknown = [t for t in wanted if t not in codes]
    if unknown:
        raise ValueError(f"--provinces: not province codes: {', '.join(unknown)}")
    return [c for c in codes if c in wanted]


def simulate(options: SimulationOptions = SimulationOptions()) -> SimulationResult:
    started = time.perf_counter()
    out = (options.out or load_settings().landing_dir).resolve()
    reference = load_reference(options.seeds_dir)
    provinces = select_provinces(options.provinces, reference.province_codes)
    if options.months < 1:
        raise ValueError("--months: at least one month")
    if options.scale <= 0:
        raise ValueError("--scale: must be positive")
    calendar = build_calendar(reference, options.months)
    labels = [str(m) for m in calendar.months]
    files = [
        ft.PlannedFile(p, m, labels[m], export_format(p, reference.province_codes))
        for p in provinces
        for m in range(options.months)
    ]
    history = build_history(calendar)
    source_files = landing.plan_files(provinces, labels, history)
    plan, source_plan = ft.NO_FAULTS, landing.NO_SOURCE_FAULTS
    if options.faults:
        rows, dossiers = expected_size(reference, calendar, provinces, options)
        plan = ft.plan_faults(files, options.seed, rows, dossiers)
        source_plan = landing.plan_source_faults(source_files, options.seed)

    manifest_path = out / MANIFEST_NAME
    settings = run_settings(options, provinces, labels)
    if not options.force:
        refuse_other_options(manifest_path, settings)
    targets = [out / f.relpath for f in (*files, *source_files, *plan.extras, *source_plan.extras)]
    result = SimulationResult(out=out, manifest=manifest_path)
    if not options.force and manifest_path.exists() and all(t.exists() for t in targets):
        result.seconds = time.perf_counter() - started
        return result

    writer = Writer(options, reference, out, plan)
    catalogue = build_catalogue(reference.catalogue, options.seed)
    lineage = reform.load_lineage(options.seeds_dir)
    communes = reference.units["unit_level"] == "commune"
    national_codes = reference.units.loc[communes, "unit_code"].to_numpy(dtype=str)
    con = duckdb.connect()  # used by the writer thread only (dossier files)
    with (
        tqdm(
            total=len(files) + len(source_files),
            unit="file",
            desc="simulate",
            disable=None if options.progress else True,  # None: no bar unless a terminal
            leave=False,
        ) as bar,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="simulate-write") as pool,
    ):
        writer.pool = pool
        for province in provinces:
            table, n_dossiers = simulate_events(
                province, options, reference, calendar, catalogue, lineage, plan, writer
            )
            result.dossiers += n_dossiers
            bounds = month_bounds(table, options.months)
            for planned in (f for f in files if f.province == province):
                rows = table.slice(
                    bounds[planned.month], bounds[planned.month + 1] - bounds[planned.month]
                )
                writer.write_month(con, planned, rows)
                bar.set_postfix_str(planned.name)
                bar.update(1)
            units, tables = landing.simulate_sources(
                province, options.seed, options.scale, reference, history, national_codes
            )
            tables = {
                source: reform.without_units_not_yet_created(table, reform_month(calendar))
                for source, table in tables.items()
            }
            writer.record_province(units, tables[landing.ROSTERS])
            for source, table in tables.items():
                bounds = month_bounds(table, options.months)
                for planned in (
                    f for f in source_files if f.province == province and f.source == source
                ):
                    rows = table.slice(
                        bounds[planned.month], bounds[planned.month + 1] - bounds[planned.month]
                    )
                    landing.write_source_file(
                        writer, planned, rows, source_plan, reference.current_unit_codes
                    )
                    bar.set_postfix_str(planned.relpath)
                    bar.update(1)
        writer.finish()
    con.close()

    manifest = writer.manifest(settings, result.dossiers, source_plan.skipped)
    write_bytes(manifest_path, render_manifest(manifest).encode("utf-8"))
    totals = manifest["totals"]
    result.source_rows = {
        source: counts["loaded_rows"] for source, counts in manifest["sources"].items()
    }
    result.files = totals["files"]
    result.written, result.skipped = writer.written, writer.skipped
    result.rows, result.faulty_rows, result.events = (
        totals["rows"],
        totals["faulty_rows"],
        totals["events"],
    )
    result.seconds = time.perf_counter() - started
    return result


def render_manifest(manifest: dict) -> str:
    """JSON, one line per file, fault and note: readable, diffable, a third of the size."""

    def dump(value) -> str:
        return json.dumps(value, ensure_ascii=False)

    parts = []
    for key, value in manifest.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            items = ",\n".join(f"  {dump(item)}" for item in value)
            parts.append(f" {dump(key)}: [\n{items}\n ]")
        else:
            parts.append(f" {dump(key)}: {dump(value)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def run_settings(options: SimulationOptions, provinces: list[str], labels: list[str]) -> dict:
    """What decides the files' content: recorded in the manifest, compared on a rerun."""
    return {
        "seed": options.seed,
        "provinces": provinces,
        "months": options.months,
        "first_month": labels[0],
        "last_month": labels[-1],
        "scale": options.scale,
        "faults": options.faults,
    }


def refuse_other_options(manifest_path: Path, settings: dict) -> None:
    """Files left by a run with other options would mix with this one's under the same
    names: say so instead of writing a manifest that does not describe them."""
    if not manifest_path.exists():
        return
    try:
        before = json.loads(manifest_path.read_text(encoding="utf-8")).get("options")
    except (OSError, ValueError):
        before = None
    if before != settings:
        before = before or {}
        changed = ", ".join(
            f"{key} {before.get(key)!r} → {value!r}"
            for key, value in settings.items()
            if before.get(key) != value
        )
        raise ValueError(
            f"{manifest_path.parent} holds files simulated with other options ({changed}): "
            "use --force to rewrite them, or another --out"
        )


def simulate_events(
    province: str,
    options: SimulationOptions,
    reference: Reference,
    calendar: Calendar,
    catalogue: Catalogue,
    lineage: reform.Lineage,
    plan: ft.FaultPlan,
    writer: Writer,
) -> tuple[pa.Table, int]:
    rng = np.random.default_rng((options.seed, int(province)))
    profile = draw_profile(rng, province)
    units = province_units(reference, province, options.seed, options.scale)
    causes = draw_causes(options.seed, province, catalogue, units.understaffed)
    causes = plant_thin_weak_unit(causes, units.dossier_rate, units.unit_type)
    _, rates, _ = lc.unit_rates(reference, profile, options.scale)
    improved = reform.draw_improved(options.seed, province, rates, causes.weak)
    change = reform.ReformChange(options.seed, lineage, improved)
    dossiers = thin_out_thin_weak_unit(
        causes,
        lc.simulate_province(
            rng, profile, reference, calendar, catalogue, options.scale, causes, change
        ),
    )
    writer.record_causes(*manifest_entries(province, causes, catalogue, dossiers.unit_codes))
    writer.thin_weak_units += thin_weak_manifest_entries(
        province, causes, dossiers.unit_codes, thin_weak_dossiers_since_reform(causes, dossiers)
    )
    writer.reform_changes += reform.change_entries(
        province, dossiers.unit_codes, improved, causes.weak, WEAK_UNIT_FACTOR
    )
    if plan.without_submission and plan.without_submission[0] == province:
        writer.lost_submissions = drop_submissions(dossiers, plan.without_submission[1], rng)
    fmt = export_format(province, reference.province_codes)
    table = expand_events(dossiers, calendar, catalogue, fmt.dialect == STATUS_CODES)
    if fmt.dialect != STATUS_CODES:  # the status-code exports have no complaint code
        feedback_rng = np.random.default_rng((options.seed, int(province), COMPLAINT_STREAM))
        table = with_complaints(table, feedback_rng, dossiers, calendar, catalogue)
    return table, len(dossiers)


def reform_month(calendar: Calendar) -> int:
    """The window index of the reform's month (0 when the window starts after it: then
    nothing is dropped)."""
    return int(np.searchsorted(calendar.months, reform.REFORM_DAY.astype("datetime64[M]")))


def drop_submissions(dossiers: lc.Dossiers, count: int, rng: np.random.Generator) -> list[str]:
    """A few completed dossiers lose their submission and receipt events (the upstream
    system lost them): the rows still load, dbt lists the dossiers as rejects."""
    completed = np.flatnonzero(dossiers.happened[:, lc.COMPLETED])
    chosen = np.sort(rng.choice(completed, min(count, len(completed)), replace=False))
    dossiers.happened[chosen, lc.SUBMITTED] = False
    dossiers.happened[chosen, lc.RECEIVED] = False
    return dossier_codes(dossiers).take(pa.array(chosen)).to_pylist()


def expected_size(
    reference: Reference, calendar: Calendar, provinces: list[str], options: SimulationOptions
) -> tuple[float, float]:
    """Expected rows and dossiers of the run, from the same rates the simulation uses."""
    rows = dossiers = 0.0
    weight = calendar.day_weight.sum()
    for province in provinces:
        profile = draw_profile(np.random.default_rng((options.seed, int(province))), province)
        _, rates, _ = lc.unit_rates(reference, profile, options.scale)
        expected = rates.sum() * weight
        dialect = export_format(province, reference.province_codes).dialect
        dossiers += expected
        rows += expected * EVENTS_PER_DOSSIER[dialect]
    return rows, dossiers


@dataclass
class Writer:
    """Writes the files of one run and keeps the manifest's books."""

    options: SimulationOptions
    reference: Reference
    out: Path
    plan: ft.FaultPlan
    written: int = 0
    skipped: int = 0
    lost_submissions: list[str] = field(default_factory=list)
    understaffed: list[str] = field(default_factory=list)
    slow_steps: list[dict] = field(default_factory=list)
    weak_units: list[dict] = field(default_factory=list)
    thin_weak_units: list[dict] = field(default_factory=list)
    reform_changes: list[dict] = field(default_factory=list)
    national_ids: list[str] = field(default_factory=list)
    entries: list[dict] = field(default_factory=list)
    faults: list[dict] = field(default_factory=list)
    notes: list[dict] = field(default_factory=list)
    pool: ThreadPoolExecutor | None = None
    pending: list[Future] = field(default_factory=list)
    slots: threading.Semaphore = field(default_factory=lambda: threading.Semaphore(WRITE_QUEUE))

    def write_month(self, con, planned: ft.PlannedFile, rows: pa.Table) -> None:
        fmt = planned.fmt
        quirks = self.plan.quirks.get(planned.relpath, [])
        rng = np.random.default_rng((self.options.seed, int(planned.province), planned.month, 17))
        if "events_out_of_order" in quirks:
            rows = rows.take(
                pc.sort_indices(rows, [("dossier_code", "ascending"), ("event_at", "ascending")])
            )
        clean = rows
        counts = self.plan.row_faults.get(planned.relpath, {})
        injected: list[ft.InjectedRow] = []
        if counts or "truncated_last_line" in quirks:
            taken = self.reference.current_unit_codes
            unknown_units = ft.unknown_codes(
                rng, sum(counts.values()), "{:05d}", 40000, 100000, taken
            )
            unknown_procedures = ft.unknown_codes(
                rng,
                sum(counts.values()),
                "9.{:06d}",
                900000,
                1000000,
                frozenset(self.reference.catalogue["procedure_code"]),
            )
            rows, injected = ft.inject_rows(
                rows,
                counts,
                rng,
                fmt.dialect,
                unknown_units,
                self.reference.pre_merger_codes,
                unknown_procedures,
                "truncated_last_line" in quirks,
            )
        style = FileStyle(
            encoding="utf-8-sig"
            if "bom" in quirks
            else "cp1258"
            if "cp1258" in quirks
            else "utf-8",
            shuffle_columns=self.options.seed if "header_order" in quirks else None,
            extra_column="extra_column" in quirks,
            drop=(OPTIONAL_COLUMN[fmt.dialect],) if "missing_optional_column" in quirks else (),
            day_month_year="day_month_year_dates" in quirks,
            truncate_last_line="truncated_last_line" in quirks,
        )
        path = self.out / planned.relpath
        self.emit(path, lambda: write_events(con, rows, path, fmt.extension, fmt.dialect, style))
        header = 1 if fmt.extension == CSV else 0
        for row in injected:
            fault = (
                ft.RowFault("malformed_line", None, 0, "last line cut short")
                if row.kind == "truncated_last_line"
                else ft.ROW_FAULTS[row.kind]
            )
            note = fault.note.format(
                value=row.value,
                line=None if row.copy_of is None else row.copy_of + 1 + header,
            )
            self.faults.append(
                {
                    "file": planned.relpath,
                    "line": row.line_index + 1 + header,
                    "reason_code": fault.reason_code,
                    "column": fault.column,
                    "kind": row.kind,
                    "value": row.value,
                    "note": note,
                }
            )
        for quirk in quirks:
            self.notes.append(
                {"file": planned.relpath, "kind": quirk, "note": ft.quirk_notes()[quirk]}
            )
        self.entries.append(
            self.entry(
                planned.relpath,
                planned,
                fmt.extension,
                fmt.dialect,
                style.encoding,
                "loaded",
                rows.num_rows,
                len(injected),
                "; ".join(ft.quirk_notes()[q] for q in quirks),
            )
        )
        for extra in self.plan.extras_from(planned):
            self.write_extra(con, extra, clean, path, rng)

    def write_extra(self, con, extra: ft.ExtraFile, clean: pa.Table, source: Path, rng) -> None:
        path = self.out / extra.relpath
        planned = extra.source
        folder = extra.relpath.split("/")[0]
        if extra.kind == "duplicate_file":
            self.emit(path, lambda: write_bytes(path, source.read_bytes()))
            self.entries.append(
                self.entry(
                    extra.relpath,
                    planned,
                    planned.fmt.extension,
                    planned.fmt.dialect,
                    None,
                    "duplicate_file",
                    0,
                    0,
                    f"identical copy of {planned.relpath}: skipped",
                    duplicate_of=planned.relpath,
                )
            )
            self.notes.append(
                {
                    "file": extra.relpath,
                    "kind": "duplicate_file",
                    "note": f"identical copy of {planned.relpath}",
                }
            )
            return
        if extra.kind == "empty_file":
            self.emit(path, lambda: write_bytes(path, b""))
            self.entries.append(
                self.entry(
                    extra.relpath, planned, "jsonl", None, None, "empty_file", 0, 0, "0 bytes"
                )
            )
            self.notes.append(
                {"file": extra.relpath, "kind": "empty_file", "note": "empty (0-byte) file"}
            )
            return
        if extra.kind == "undecodable":
            junk = ft.undecodable_bytes(rng, extra.rows)
            self.emit(path, lambda: write_bytes(path, junk))
            lines, code, column, note = extra.rows, "undecodable", None, "binary junk"
            header, fmt, dialect = 0, "csv", None
        else:
            sample = clean.take(
                pa.array(
                    np.sort(
                        rng.choice(clean.num_rows, min(extra.rows, clean.num_rows), replace=False)
                    )
                )
            )
            missing = extra.kind == "missing_column"
            style = FileStyle(drop=(REQUIRED_COLUMN[CANONICAL],) if missing else ())
            self.emit(path, lambda: write_events(con, sample, path, CSV, CANONICAL, style))
            lines, header, fmt, dialect = sample.num_rows, 1, "csv", CANONICAL
            code = "missing_column" if missing else "wrong_folder"
            column = REQUIRED_COLUMN[CANONICAL] if missing else None
            note = (
                "required column event_at absent"
                if missing
                else "a procedure-log export placed in the budget_allocations folder"
            )
        for line in range(lines):
            self.faults.append(
                {
                    "file": extra.relpath,
                    "line": line + 1 + header,
                    "reason_code": code,
                    "column": column,
                    "kind": extra.kind,
                    "value": None,
                    "note": note,
                }
            )
        self.entries.append(
            self.entry(
                extra.relpath,
                planned,
                fmt,
                dialect,
                "utf-8" if dialect else None,
                "rejected_file",
                lines,
                lines,
                note,
                source=folder,
            )
        )

    def record_province(self, units: ProvinceUnits, roster: pa.Table) -> None:
        """The manifest's answers about a province: its understaffed units, and two citizen
        IDs from its roster (personal data a test can look for in the warehouse)."""
        self.understaffed += units.codes[units.understaffed].tolist()
        if roster.num_rows and len(self.national_ids) < SAMPLE_NATIONAL_IDS:
            rng = np.random.default_rng((self.options.seed, int(units.province), 9_000_003))
            rows = rng.choice(roster.num_rows, min(2, roster.num_rows), replace=False)
            self.national_ids += roster.column("national_id").take(pa.array(rows)).to_pylist()

    def record_causes(self, slow_steps: list[dict], weak_units: list[dict]) -> None:
        """What the province's lateness comes from (causes.py): the indicators must find it."""
        self.slow_steps += slow_steps
        self.weak_units += weak_units

    def emit(self, path: Path, write, background: bool = True) -> None:
        """Write unless the file is already there (a rerun does no new work). Writes go to
        the writer thread in order (a copy is written after its original); `background`
        False writes at once in this thread (Python-bound writers gain nothing there)."""
        if path.exists() and not self.options.force:
            self.skipped += 1
            return
        self.written += 1
        if self.pool is None or not background:
            write()
            return
        self.slots.acquire()
        future = self.pool.submit(write)
        future.add_done_callback(lambda _: self.slots.release())
        self.pending.append(future)

    def finish(self) -> None:
        """Wait for the writer thread; its first error is raised here."""
        pending, self.pending = self.pending, []
        for future in pending:
            future.result()

    @staticmethod
    def entry(
        relpath,
        planned,
        fmt,
        dialect,
        encoding,
        status,
        rows,
        faulty,
        note="",
        source="procedure_logs",
        duplicate_of=None,
    ) -> dict:
        return {
            "file": relpath,
            "source": source,
            "province_code": planned.province,
            "month": planned.label,
            "format": fmt,
            "dialect": dialect,
            "encoding": encoding,
            "expected_status": status,
            "rows": rows,
            "faulty_rows": faulty,
            "duplicate_of": duplicate_of,
            "note": note,
        }

    def manifest(self, settings: dict, dossiers: int, skipped_sources: list[str] = ()) -> dict:
        files = sorted(self.entries, key=lambda e: e["file"])
        source_of = {e["file"]: e["source"] for e in files}
        faults = sorted(
            ({"source": source_of[f["file"]], **f} for f in self.faults),
            key=lambda f: (f["file"], f["line"]),
        )
        notes = sorted(
            ({"source": source_of[n["file"]], **n} for n in self.notes),
            key=lambda n: (n["file"], n["kind"]),
        )
        rows = sum(e["rows"] for e in files)
        faulty = sum(e["faulty_rows"] for e in files)
        regular = [e for e in files if e["expected_status"] == "loaded"]
        sources = {}
        for source in ("procedure_logs", *landing.SNAPSHOT_SOURCES):
            own = [e for e in files if e["source"] == source]
            sources[source] = {
                "files": len(own),
                "rows": sum(e["rows"] for e in own),
                "faulty_rows": sum(e["faulty_rows"] for e in own),
                "loaded_rows": sum(
                    e["rows"] - e["faulty_rows"] for e in own if e["expected_status"] == "loaded"
                ),
            }
        return {
            "manifest_version": MANIFEST_VERSION,
            "generator": "reformwatch simulate",
            "options": settings,
            "totals": {
                "files": len(files),
                "rows": rows,
                "faulty_rows": faulty,
                "fault_share": round(faulty / rows, 6) if rows else 0.0,
                "events": sum(
                    e["rows"] - e["faulty_rows"] for e in regular if e["source"] == "procedure_logs"
                ),
                "dossiers": dossiers,
            },
            "sources": sources,
            "reason_codes": dict(sorted(Counter(f["reason_code"] for f in faults).items())),
            "files": files,
            "faults": faults,
            "file_notes": notes,
            "dossiers_without_submission": sorted(self.lost_submissions),
            "understaffed_units": sorted(self.understaffed),
            "slow_steps": sorted(
                self.slow_steps,
                key=lambda e: (e["province_code"], e["procedure_code"], e["step_name"]),
            ),
            "weak_units": sorted(self.weak_units, key=lambda e: e["unit_code"]),
            "thin_weak_units": sorted(self.thin_weak_units, key=lambda e: e["unit_code"]),
            "reform": {
                "reform_date": str(reform.REFORM_DAY),
                "learning_curve": reform.learning_curve_entries(),
            },
            "reform_changes": sorted(self.reform_changes, key=lambda e: e["unit_code"]),
            "sample_national_ids": sorted(self.national_ids),
            "skipped_quirks": [*self.plan.skipped, *skipped_sources],
        }
