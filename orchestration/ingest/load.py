"""The one ingest path: a landing file → raw rows or quarantine, with exact accounting.

This module only runs the stages a file goes through, each in its own module:

1. planning (`plan.py`): content hash, encoding and header → a dialect to read it with, or a
   verdict on the whole file (empty, a copy, not text, not this source);
2. batching (`batching.py`): files of one layout together;
3. parsing (`parse.py`, SQL in `readers.py`): one DuckDB statement per batch into a work table;
4. validation (`validate.py`): pandera on the typed rows;
5. settling (`settle.py`, `quarantine.py`): one transaction — good rows to `raw`, the rest to
   `audit.quarantine`, each file's balanced counts to `audit.ingest_files`.

A file that cannot be read as this source is quarantined line by line with the reason;
nothing stops the other files.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import duckdb

from orchestration.ingest import excerpt, readers
from orchestration.ingest.batching import Batch, batches
from orchestration.ingest.contract import SourceContract
from orchestration.ingest.parse import UnreadableFile, drop_work_table, parse
from orchestration.ingest.plan import (
    LandingFile,
    Plan,
    Verdict,
    landing_files,
    landing_relative,
    plan_file,
)
from orchestration.ingest.pseudonym import prepare_pseudonyms
from orchestration.ingest.settle import (
    AUDIT_DDL,
    FileResult,
    backfill_months,
    create_raw_table,
    known_files,
    settle_batch,
    settle_unparseable,
    settle_verdict,
    transaction,
    untouched_entries,
)
from orchestration.ingest.sniff import stat_key
from orchestration.ingest.validate import validate
from orchestration.ingest.versions import CORRECTIONS_DDL, Correction, record_deliveries, supersede
from orchestration.settings import Settings

# Callers (the Dagster assets, the quality tests) know these by this module.
__all__ = ["AUDIT_DDL", "FileResult", "ingest_source", "prepare"]


def prepare(con: duckdb.DuckDBPyConnection, contracts: list[SourceContract], key: str) -> None:
    """Audit and raw tables, and the connection's parse macros (the pseudonym one keyed,
    after checking the key is the one the warehouse was built with)."""
    con.execute(AUDIT_DDL)
    con.execute(CORRECTIONS_DDL)
    record_deliveries(con)
    con.execute(readers.PARSE_MACROS)
    excerpt.register(con)
    for contract in contracts:
        create_raw_table(con, contract)
        backfill_months(con, contract)
    prepare_pseudonyms(con, key, contracts)


def ingest_source(
    con: duckdb.DuckDBPyConnection,
    contract: SourceContract,
    others: list[SourceContract],
    settings: Settings,
    progress: Callable[[FileResult], None] = lambda result: None,
    corrected: Callable[[Correction], None] = lambda correction: None,
) -> list[FileResult]:
    """Ingest every new file of one source; files already seen are skipped. Then only the
    latest version of each delivery keeps rows in raw (`versions.py`).

    Each file is looked at alone (hash, encoding, header); files that DuckDB can read as
    they are and share a layout are then parsed and validated together, in batches."""
    results: list[FileResult] = []

    def report(result: FileResult) -> None:
        results.append(result)
        progress(result)

    plans: list[Plan] = []
    for outcome in plan_new_files(con, contract, others, settings):
        if isinstance(outcome, Plan):
            plans.append(outcome)
        else:  # settled as it is judged, so its duration is its own
            report(settle_verdict(con, outcome))
    for batch in batches(plans):
        for result in load_batch(con, batch):
            report(result)
    for correction in supersede(con, contract):
        corrected(correction)
    return results


def plan_new_files(
    con: duckdb.DuckDBPyConnection,
    contract: SourceContract,
    others: list[SourceContract],
    settings: Settings,
) -> Iterator[Plan | Verdict]:
    """A plan or a verdict for each landing file not ingested before, in name order."""
    known = known_files(con)
    untouched = untouched_entries(con)
    for path in landing_files(settings.landing_dir / contract.name):
        if (landing_relative(path, settings), stat_key(path.lstat())) in untouched:
            continue  # ingested before and not touched since: not read, not hashed again
        file = LandingFile.open(path, contract, settings)
        seen = known.setdefault(file.file_id, [])
        if file.relpath in seen:
            continue  # this very file was ingested before: nothing new
        seen.append(file.relpath)
        yield plan_file(file, seen[0] if len(seen) > 1 else None, others)


def load_batch(con: duckdb.DuckDBPyConnection, batch: Batch) -> list[FileResult]:
    """Parse, validate and settle a batch in one transaction. When DuckDB refuses to read
    one of its files, each file is retried alone, so one bad file costs only itself."""
    started = time.perf_counter()
    for plan in batch.plans:  # a batched file's duration is its batch's
        plan.file.started = started
    try:
        with transaction(con):
            parse(con, batch)
            failures = validate(con, batch.contract)
            return settle_batch(con, batch, failures)
    except UnreadableFile as error:
        if len(batch.plans) > 1:
            return [r for alone in batch.alone() for r in load_batch(con, alone)]
        return [settle_unparseable(con, batch, str(error))]
    finally:
        drop_work_table(con)
        batch.discard_texts()
