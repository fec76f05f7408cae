"""Speed and memory of the pipeline against one plain DuckDB pass, side by side.

For each size (default: the `make run` size and 10x) this simulates the sources for one month
more than asked into a fresh data directory and holds that last month back, then measures in
separate processes, one after the other on the same files:

- baseline: one DuckDB pass that parses the JSON Lines event files of the history into raw
  rows, a dossier fact and a unit-month mart: the floor for this work on this machine;
- full refresh: `dagster asset materialize --select '*'` on a new warehouse: ingest (DuckDB
  parse + pandera + quarantine), dbt build with tests, the Great Expectations gate, reports,
  BI publication;
- nothing new: the same command again, with no new file;
- one new month: the held-back month's files put back, and the same command again;
- pages: the CPU seconds headless Chromium spends until each report page of the full
  refresh is usable, against the 2 s budget (skipped, with the reason, without Chromium).

It prints wall seconds and peak memory of each, and the ratios: seconds per event of the full
refresh and of its event ingest step over the baseline's (what to compare across machines:
these machines are noisy), and the one-new-month run's seconds over the full refresh's.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PAGE_BUDGET_S = 2.0  # CPU seconds until a page is usable (the site's budget)
# Disk one month of all 34 provinces takes at scale 1.0, in GB (measured at 10x, 19 months,
# 3 December): landing files 0.30; warehouse, BI copy, exports and the baseline's file 0.30;
# DuckDB's spill files at their peak, about 0.15. Simulated data grows with scale.
DISK_GB_PER_SCALE_MONTH = {"landing files": 0.30, "warehouse and outputs": 0.30, "spill": 0.15}
ALL_PROVINCES = 34
sys.path.insert(0, str(REPO / "tests"))
from browser import INSTALL_HINT, find_chromium, page_cpu_seconds  # noqa: E402 (tests/ is not a package)

BASELINE = """
import duckdb, sys, time
con = duckdb.connect(sys.argv[1], config={"memory_limit": sys.argv[3]})
files = sys.argv[2]
con.execute(f'''create table raw_events as
    select * from read_json('{files}', format = 'newline_delimited', ignore_errors = true,
        columns = {{dossier_code: 'varchar', procedure_code: 'varchar', unit_code: 'varchar',
        event_type: 'varchar', event_at: 'timestamptz', channel: 'varchar',
        due_at: 'timestamptz', satisfaction_score: 'varchar'}})''')
con.execute('''create table fct as select dossier_code, any_value(unit_code) unit_code,
    min(event_at) filter (where event_type = 'received') received_at,
    min(event_at) filter (where event_type in ('completed','rejected','withdrawn')) finished_at,
    max(due_at) due_at, any_value(channel) channel
    from raw_events group by dossier_code''')
con.execute('''create table mart as select unit_code, date_trunc('month', received_at) m,
    count(*) received, count(finished_at) finished,
    count(*) filter (where finished_at > due_at) overdue,
    avg(epoch(finished_at - received_at) / 86400) avg_days
    from fct group by all''')
print("ROWS", con.execute("select count(*) from raw_events").fetchone()[0])
"""


# A fresh wrapper per measurement: its RUSAGE_CHILDREN peak is that command's alone.
PEAK_WRAPPER = (
    "import resource, subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode; "
    "print('PEAK_KB', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(code)"
)


def run_measured(cmd: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Wall seconds, peak RSS in MiB (largest process of the tree) and the output."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", PEAK_WRAPPER, *cmd],
        env=env,
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-4000:] + done.stderr[-4000:])
        raise SystemExit(f"failed: {' '.join(cmd)}")
    peak_kb = int(re.findall(r"PEAK_KB (\d+)", done.stdout)[-1])
    return seconds, peak_kb // 1024, done.stdout + done.stderr


def step_seconds(log: str) -> dict[str, float]:
    """Per-step durations from Dagster's log lines (`… in 1.2s`, `… in 840ms`, `… in 2m36s`)."""
    found = {}
    for step, minutes, value, unit in re.findall(
        r'Finished execution of step "([^"]+)" in (?:(\d+)m)?([\d.]+)(ms|s)', log
    ):
        found[step] = int(minutes or 0) * 60 + float(value) * {"ms": 0.001, "s": 1}[unit]
    return found


MATERIALIZE = ["asset", "materialize", "--select", "*", "-m", "orchestration.definitions"]
EVENTS_SQL = (
    "select coalesce(sum(rows_read), 0) from audit.ingest_files where source = 'procedure_logs'"
)


def hold_back(landing: Path, month: str, held: Path) -> int:
    """Move every landing file of `month` (`<province>_<yyyy-mm>...`) out of the landing zone."""
    moved = 0
    for path in sorted(landing.glob(f"*/[0-9][0-9]_{month}*")):
        target = held / path.relative_to(landing)
        target.parent.mkdir(parents=True, exist_ok=True)
        path.rename(target)
        moved += 1
    return moved


def put_back(held: Path, landing: Path) -> None:
    for path in sorted(p for p in held.rglob("*") if p.is_file()):
        path.rename(landing / path.relative_to(held))


def events_loaded(warehouse: Path) -> int:
    """Procedure-log rows read by ingest so far (in a subprocess: the runs hold no lock then)."""
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; print(duckdb.connect(sys.argv[1], read_only=True)"
            ".execute(sys.argv[2]).fetchone()[0])",
            str(warehouse),
            EVENTS_SQL,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stdout)


def simulate(scale: float, provinces: str, months: int, landing: Path, env) -> float:
    seconds, _, _ = run_measured(
        [
            str(BIN / "reformwatch"),
            "simulate",
            "--scale",
            str(scale),
            "--provinces",
            provinces,
            "--months",
            str(months),
            "--out",
            str(landing),
            "--no-progress",
        ],
        env,
    )
    return seconds


def province_count(provinces: str) -> int:
    """`--provinces` as the simulator reads it: a number, or a comma list of codes."""
    if "," in provinces:
        return len([code for code in provinces.split(",") if code.strip()])
    return int(provinces)


def disk_needed_gb(scale: float, provinces: str, months: int) -> dict[str, float]:
    """What one size writes into the work folder, by kind (the held-back month included)."""
    share = scale * (months + 1) * province_count(provinces) / ALL_PROVINCES
    return {kind: per_month * share for kind, per_month in DISK_GB_PER_SCALE_MONTH.items()}


def check_disk(workdir: Path, scale: float, provinces: str, months: int) -> None:
    """Stop before simulating, not an hour later on a full disk."""
    needed = disk_needed_gb(scale, provinces, months)
    free_gb = shutil.disk_usage(workdir).free / 1e9
    if sum(needed.values()) > free_gb:
        parts = ", ".join(f"{kind} {gb:.0f}" for kind, gb in needed.items())
        raise SystemExit(
            f"scale {scale} needs about {sum(needed.values()):.0f} GB in {workdir} ({parts}) "
            f"and {free_gb:.0f} GB are free: point --keep at a folder on a larger disk, or "
            "measure fewer --months or --provinces"
        )


def size_folder(workdir: Path, scale: float) -> Path:
    """Everything one size writes: its data folder, which holds the baseline's file too."""
    return workdir / f"scale-{scale}"


def measure(scale: float, provinces: str, months: int, memory: str, workdir: Path) -> dict:
    data = size_folder(workdir, scale)
    landing = data / "landing"
    env = os.environ | {
        "REFORMWATCH_DATA_DIR": str(data),
        "REFORMWATCH_MEMORY_LIMIT": memory,
        "DAGSTER_HOME": str(REPO),
        "REFORMWATCH_DAGSTER_STORAGE": str(data / "dagster"),
    }
    env.pop("REFORMWATCH_WAREHOUSE", None)
    sim_s = simulate(scale, provinces, months + 1, landing, env)
    new_month = json.loads((landing / "_simulation_manifest.json").read_text())["options"][
        "last_month"
    ]
    held = data / "held-back"
    held_files = hold_back(landing, new_month, held)
    logs = landing / "procedure_logs"
    size = sum(p.stat().st_size for p in logs.iterdir())
    if not any(logs.glob("*.jsonl")):
        raise SystemExit(
            f"no JSON Lines event files for provinces {provinces}: the baseline pass reads "
            "them (some provinces export CSV only); include one that exports JSON Lines, e.g. 01"
        )
    base_s, base_mb, out = run_measured(
        [
            sys.executable,
            "-c",
            BASELINE,
            str(data / "baseline.duckdb"),
            str(logs / "*.jsonl"),
            memory,
        ],
        env,
    )
    baseline_rows = int(re.findall(r"ROWS (\d+)", out)[-1])
    dagster = [str(BIN / "dagster"), *MATERIALIZE]
    warehouse = data / "warehouse" / "reformwatch.duckdb"
    full_s, full_mb, full_log = run_measured(dagster, env)
    events = events_loaded(warehouse)
    pages = page_loads(data / "reports")
    none_s, none_mb, _ = run_measured(dagster, env)
    put_back(held, landing)
    month_s, month_mb, month_log = run_measured(dagster, env)
    steps = step_seconds(full_log)
    per_base_event = base_s / baseline_rows  # the baseline reads only the JSON Lines share
    return {
        "scale": scale,
        "landing_mb": round(size / 2**20),
        "history_months": months,
        "events": events,
        "new_month": new_month,
        "new_month_files": held_files,
        "new_month_events": events_loaded(warehouse) - events,
        "simulate_s": round(sim_s, 1),
        "baseline_s": round(base_s, 1),
        "baseline_rows": baseline_rows,
        "baseline_peak_mb": base_mb,
        "full_s": round(full_s, 1),
        "full_peak_mb": full_mb,
        "nothing_new_s": round(none_s, 1),
        "nothing_new_peak_mb": none_mb,
        "one_month_s": round(month_s, 1),
        "one_month_peak_mb": month_mb,
        "ratio_full_to_baseline": round((full_s / events) / per_base_event, 1),
        "ratio_event_ingest_to_baseline": round(
            (steps["raw__procedure_log_events"] / events) / per_base_event, 1
        ),
        "ratio_one_month_to_full": round(month_s / full_s, 2),
        "page_cpu_s": pages,
        "full_steps_s": steps,
        "one_month_steps_s": step_seconds(month_log),
    }


def page_loads(site: Path) -> dict[str, float] | str:
    """Each report page's CPU seconds until usable, or why they were not measured."""
    binary = find_chromium()
    return page_cpu_seconds(site, binary) if binary else INSTALL_HINT


def page_lines(results: list[dict]) -> list[str]:
    """Per size, the pages' CPU seconds, slowest first, and those over the budget."""
    lines = []
    for r in results:
        pages = r["page_cpu_s"]
        if isinstance(pages, str):
            lines.append(f"pages at scale {r['scale']}: not measured ({pages})")
            continue
        slowest = sorted(pages.items(), key=lambda item: -item[1])
        over = [name for name, seconds in slowest if seconds > PAGE_BUDGET_S]
        lines.append(
            f"pages at scale {r['scale']} (CPU s until usable, budget {PAGE_BUDGET_S} s): "
            + ", ".join(f"{name} {seconds}" for name, seconds in slowest)
        )
        lines.append(f"  over budget: {', '.join(over) if over else 'none'}")
    return lines


def table(results: list[dict]) -> str:
    """One line per size: seconds (peak MB) of each run, then the ratios."""
    lines = [
        f"{'scale':<6} {'events':>11} {'baseline':>14} {'full refresh':>15} "
        f"{'nothing new':>14} {'one new month':>15}  full/base  ingest/base  month/full"
    ]
    for r in results:
        lines.append(
            f"{r['scale']:<6} {r['events']:>11,} "
            f"{r['baseline_s']:>7}s ({r['baseline_peak_mb']:>4}) "
            f"{r['full_s']:>8}s ({r['full_peak_mb']:>4}) "
            f"{r['nothing_new_s']:>7}s ({r['nothing_new_peak_mb']:>4}) "
            f"{r['one_month_s']:>8}s ({r['one_month_peak_mb']:>4})  "
            f"{r['ratio_full_to_baseline']:>8}x  {r['ratio_event_ingest_to_baseline']:>10}x  "
            f"{r['ratio_one_month_to_full']:>10}"
        )
    lines.append("seconds (peak MB of the process tree); ratios per event, month/full in seconds")
    return "\n".join(lines + page_lines(results))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--scales",
        default="0.1,1.0",
        help="dossiers per unit per working day, comma-separated (default: 0.1,1.0 = the "
        "make-run size and 10x; 7.0 is about 100 M events over 18 months)",
    )
    parser.add_argument("--provinces", default="34", help="provinces to simulate (default 34)")
    parser.add_argument(
        "--months",
        type=int,
        default=18,
        help="months of history (default 18); one more is simulated and added last",
    )
    parser.add_argument("--memory-limit", default="1GB", help="DuckDB memory_limit (1GB)")
    parser.add_argument(
        "--keep",
        type=Path,
        help="work in this folder and keep its data (default: a temporary folder, removed "
        "after each size)",
    )
    args = parser.parse_args(argv)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="reformwatch-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    results = []
    try:
        for scale in [float(s) for s in args.scales.split(",")]:
            check_disk(workdir, scale, args.provinces, args.months)
            print(f"scale {scale}: simulating and measuring in {workdir} ...", flush=True)
            try:
                result = measure(scale, args.provinces, args.months, args.memory_limit, workdir)
            finally:
                if not args.keep:  # ~15 GB at 10x: gone before the next size needs the disk
                    shutil.rmtree(size_folder(workdir, scale), ignore_errors=True)
            print(json.dumps(result, indent=2), flush=True)
            results.append(result)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print()
    print(table(results))


if __name__ == "__main__":
    main()
