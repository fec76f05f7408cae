"""The `reformwatch` command: one subcommand per task (`reformwatch --help` lists them)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from orchestration.settings import load_settings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reformwatch",
        description="ReformWatch: monitoring Vietnam's two-tier local government reform.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_simulate(commands)
    add_where(commands)
    add_retract(commands)
    return parser


def add_simulate(commands) -> None:
    from simulator.run import DEFAULT_SEED, MANIFEST_NAME

    landing = load_settings().landing_dir
    sim = commands.add_parser(
        "simulate",
        help="write simulated landing files of the four sources",
        description=(
            "Simulate the one-stop-shop dossier logs of Vietnam's provinces and write them "
            "as landing files: procedure_logs/<province>_<yyyy-mm>.<jsonl|csv> (canonical "
            "JSON Lines or CSV, or the status-code CSV dialect); for the same provinces and "
            "months, the monthly personnel rosters (personnel_rosters/<province>_<yyyy-mm>."
            "<csv|xlsx>), budget allocations (budget_allocations/<province>_<yyyy-mm>.csv) "
            "and quarterly asset inventories (asset_inventories/<province>_<yyyy-mm>.csv); "
            "plus, with faults, a few known bad files and rows, all listed in "
            f"{MANIFEST_NAME}. The same options give byte-identical files."
        ),
    )
    sim.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        help="random seed; each province draws from (seed, province code) (default: %(default)s)",
    )
    sim.add_argument(
        "--provinces",
        default="34",
        metavar="N|CODES",
        help="a number N (the first N provinces by GSO code) or a comma list of 2-digit "
        "codes such as 01,79 (a single code: 01 or 79, or 24, with a trailing comma) "
        "(default: %(default)s, all)",
    )
    sim.add_argument(
        "--months",
        type=int,
        default=24,
        help="number of months simulated, ending with June 2026 "
        "(default: %(default)s, July 2024 to June 2026: a full year before the "
        "1 July 2025 reform and one after it)",
    )
    sim.add_argument(
        "--scale",
        type=float,
        default=0.1,
        help="dossiers per commune-level unit per working day (national "
        "average; the province unit adds 15-25%% of its province's volume) "
        "(default: %(default)s)",
    )
    sim.add_argument(
        "--out",
        type=Path,
        default=landing,
        help="landing directory (default: %(default)s, i.e. $REFORMWATCH_DATA_DIR/landing)",
    )
    sim.add_argument(
        "--faults",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="inject the known bad input of sources.md (0.2-0.3%% of rows, "
        "a few files) and record it in the manifest (default: on)",
    )
    sim.add_argument(
        "--force",
        action="store_true",
        help="rewrite files that exist; without it existing files are left "
        "alone and a complete earlier run is not redone (default: off)",
    )
    sim.add_argument(
        "--no-progress",
        dest="progress",
        action="store_false",
        help="no progress bar (default: a bar on stderr, per file, when stderr is a terminal)",
    )
    sim.set_defaults(handler=run_simulate)


def run_simulate(args: argparse.Namespace) -> int:
    from simulator.run import SimulationOptions, simulate

    try:
        result = simulate(
            SimulationOptions(
                seed=args.seed,
                provinces=args.provinces,
                months=args.months,
                scale=args.scale,
                out=args.out,
                faults=args.faults,
                force=args.force,
                progress=args.progress,
            )
        )
    except ValueError as error:
        print(f"reformwatch simulate: {error}", file=sys.stderr)
        return 2
    print(result.summary)
    return 0


def add_where(commands) -> None:
    where = commands.add_parser("where", help="print where the data, warehouse and reports are")
    where.set_defaults(handler=run_where)


def run_where(args: argparse.Namespace) -> int:
    settings = load_settings()
    for name, path in (
        ("landing zone", settings.landing_dir),
        ("warehouse", settings.warehouse),
        ("warehouse for BI (read-only copy)", settings.published_warehouse),
        ("marts as Parquet and CSV", settings.published_exports),
        ("reports", settings.reports_dir / "index.html"),
        ("data-quality site", settings.quality_dir / "index.html"),
        ("dbt's log and artifacts, per build", settings.dbt_runs_dir),
    ):
        print(f"{name:36} {path}")
    return 0


def add_retract(commands) -> None:
    retract = commands.add_parser(
        "retract",
        help="withdraw a loaded landing file: its rows leave raw, and the models on the next run",
        description=(
            "Withdraw one delivered file, so a bad delivery never needs hand-written SQL: its "
            "rows are deleted from its raw table now, and leave every model, report and the "
            "BI copy on the next run. The retraction is recorded in audit.file_corrections "
            "(rows removed, business keys removed, your reason). The file stays in the "
            "ingest ledger and is not loaded again; to replace it, deliver a corrected "
            "version (same name, or the name plus _gui_lai) instead. Run it when no pipeline "
            "run is writing the warehouse (it waits for the lock, as runs do)."
        ),
    )
    retract.add_argument(
        "file",
        help="the file: its path, or its name in the landing zone as audit.ingest_files "
        "records it (e.g. procedure_logs/01_2025-08.jsonl)",
    )
    retract.add_argument(
        "--reason", default="", help="why, recorded in audit.file_corrections.note"
    )
    retract.set_defaults(handler=run_retract)


def run_retract(args: argparse.Namespace) -> int:
    from orchestration.ingest.load import prepare
    from orchestration.ingest.plan import landing_relative
    from orchestration.ingest.sources import SOURCES
    from orchestration.ingest.versions import retract
    from orchestration.warehouse import connect

    settings = load_settings()
    given = Path(args.file)
    relpath = landing_relative(given.absolute(), settings) if given.exists() else args.file
    contract = SOURCES.get(Path(relpath).parts[0]) if Path(relpath).parts else None
    if contract is None:
        print(
            f"reformwatch retract: {args.file} is not in a source folder of "
            f"{settings.landing_dir} ({', '.join(SOURCES)})",
            file=sys.stderr,
        )
        return 2
    with connect(settings) as con:
        prepare(con, list(SOURCES.values()), settings.pseudonym_key)
        removed = retract(con, contract, relpath, args.reason)
    if not removed:
        print(
            f"reformwatch retract: {relpath} has no rows in raw (never loaded, superseded "
            "or already retracted): nothing done",
            file=sys.stderr,
        )
        return 1
    for correction in removed:
        print(correction.describe())
    print("The models, reports and the BI copy drop these rows on the next run.")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
