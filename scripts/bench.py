"""Speed and memory of the whole pipeline against one plain DuckDB pass, side by side.

For each size (default: the `make run` size and 10x) this simulates the sources into a fresh
data directory, then measures in separate processes, one after the other on the same files:

- baseline: one DuckDB pass that parses the JSON Lines event files into raw rows, a dossier
  fact and a unit-month mart — the floor for this work on this machine;
- pipeline: `dagster asset materialize --select '*'` — ingest (DuckDB parse + pandera +
  quarantine), dbt build with tests, the Great Expectations gate, reports, BI publication.

It prints wall seconds, events per second and peak memory for each, and the ratios of
seconds per event, pipeline ÷ baseline (whole run, and the event ingest step alone), which
is what to compare across machines (these machines are noisy).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

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


def measure(scale: float, provinces: str, months: int, memory: str, workdir: Path) -> dict:
    data = workdir / f"scale-{scale}"
    env = os.environ | {
        "REFORMWATCH_DATA_DIR": str(data),
        "REFORMWATCH_MEMORY_LIMIT": memory,
        "DAGSTER_HOME": str(REPO),
        "REFORMWATCH_DAGSTER_STORAGE": str(data / "dagster"),
    }
    env.pop("REFORMWATCH_WAREHOUSE", None)
    sim_s, _, _ = run_measured(
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
            str(data / "landing"),
        ],
        env,
    )
    landing = data / "landing" / "procedure_logs"
    size = sum(p.stat().st_size for p in landing.iterdir())
    base_s, base_mb, out = run_measured(
        [
            sys.executable,
            "-c",
            BASELINE,
            str(workdir / f"baseline-{scale}.duckdb"),
            str(landing / "*.jsonl"),
            memory,
        ],
        env,
    )
    baseline_rows = int(re.findall(r"ROWS (\d+)", out)[-1])
    pipe_s, pipe_mb, log = run_measured(
        [
            str(BIN / "dagster"),
            "asset",
            "materialize",
            "--select",
            "*",
            "-m",
            "orchestration.definitions",
        ],
        env,
    )
    steps = step_seconds(log)
    events = int(
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import duckdb,sys; print(duckdb.connect(sys.argv[1], read_only=True).execute("
                "'select sum(rows_read) from audit.ingest_files "
                "where source = $$procedure_logs$$').fetchone()[0])",
                str(data / "warehouse" / "reformwatch.duckdb"),
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    return {
        "scale": scale,
        "landing_mb": round(size / 2**20),
        "events": events,
        "simulate_s": round(sim_s, 1),
        "baseline_s": round(base_s, 1),
        "baseline_rows": baseline_rows,
        "baseline_rows_per_s": round(baseline_rows / base_s),
        "baseline_peak_mb": base_mb,
        "pipeline_s": round(pipe_s, 1),
        "pipeline_events_per_s": round(events / pipe_s),
        "pipeline_peak_mb": pipe_mb,
        # per event, since the baseline reads only the JSON Lines share of the events
        "ratio_pipeline_to_baseline": round((pipe_s / events) / (base_s / baseline_rows), 1),
        "ratio_event_ingest_to_baseline": round(
            (steps["raw__procedure_log_events"] / events) / (base_s / baseline_rows), 1
        ),
        "steps_s": steps,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--scales",
        default="0.1,1.0",
        help="dossiers per unit per working day, comma-separated "
        "(default: 0.1,1.0 = the make-run size and 10x)",
    )
    parser.add_argument("--provinces", default="34", help="provinces to simulate (default 34)")
    parser.add_argument("--months", type=int, default=18, help="months (default 18)")
    parser.add_argument("--memory-limit", default="1GB", help="DuckDB memory_limit (1GB)")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args(argv)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="reformwatch-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    results = []
    for scale in [float(s) for s in args.scales.split(",")]:
        print(f"scale {scale}: simulating and measuring in {workdir} …", flush=True)
        result = measure(scale, args.provinces, args.months, args.memory_limit, workdir)
        print(json.dumps(result, indent=2), flush=True)
        results.append(result)
    print(
        "\nscale  events      baseline_s  pipeline_s  per-event ratio (all / ingest)  "
        "base_MB  pipe_MB"
    )
    for r in results:
        print(
            f"{r['scale']:<6} {r['events']:<11,} {r['baseline_s']:<11} {r['pipeline_s']:<11} "
            f"{r['ratio_pipeline_to_baseline']:>6} / {r['ratio_event_ingest_to_baseline']:<24} "
            f"{r['baseline_peak_mb']:<8} {r['pipeline_peak_mb']:<8}"
        )


if __name__ == "__main__":
    main()
