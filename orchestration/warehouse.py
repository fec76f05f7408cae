"""Connections to the warehouse file and the read-only copy published for BI tools."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import duckdb

from orchestration.settings import Settings

# The schemas copied for BI tools (orchestration/publication.py).
PUBLISHED_SCHEMAS = ("marts", "audit", "reference")

# A run that finds the warehouse locked by another process waits this long, retrying with
# growing pauses, before it fails naming the holder.
LOCK_WAIT_S = 120.0
LOCK_FIRST_PAUSE_S = 0.25
LOCK_MAX_PAUSE_S = 5.0
LOCK_CONFLICT = "Could not set lock on file"
T = TypeVar("T")


def prepare_folders(settings: Settings) -> None:
    """The warehouse's folder and DuckDB's spill folder: made when a run opens the warehouse
    (here, or in the dbt subprocess), never when a module is imported."""
    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    settings.tmp_dir.mkdir(parents=True, exist_ok=True)


class WarehouseLocked(RuntimeError):
    """Another process kept the warehouse file locked for longer than a run waits."""


def connect(
    settings: Settings, read_only: bool = False, lock_wait_s: float = LOCK_WAIT_S
) -> duckdb.DuckDBPyConnection:
    """A connection bounded in memory that spills to disk instead of failing on big loads.
    A warehouse another process holds is waited for (`lock_wait_s`), not failed on."""
    prepare_folders(settings)
    return waiting_for_lock(
        settings.warehouse,
        lock_wait_s,
        lambda: duckdb.connect(
            str(settings.warehouse),
            read_only=read_only,
            config={
                "memory_limit": settings.memory_limit,
                "temp_directory": str(settings.tmp_dir),
                "threads": os.cpu_count() or 2,
            },
        ),
    )


def waiting_for_lock(path: Path, wait_s: float, open_file: Callable[[], T]) -> T:
    """`open_file()`, retried while another process holds the file's lock (a BI user who
    opened the main warehouse, a run still finishing), for at most `wait_s` seconds; then
    an error that says which process holds it, so an operator can ask it to let go."""
    deadline = time.monotonic() + wait_s
    pause = LOCK_FIRST_PAUSE_S
    while True:
        try:
            return open_file()
        except duckdb.IOException as error:
            if LOCK_CONFLICT not in str(error):
                raise
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WarehouseLocked(
                    f"{path} is still locked after waiting {wait_s:g} s: "
                    f"{lock_holder(str(error))}. DuckDB lets one process write a file, or "
                    "many read it, never both: BI tools open the published copy "
                    f"({path.with_name(path.stem + '_bi.duckdb').name})."
                ) from error
            time.sleep(min(pause, remaining))
            pause = min(pause * 2, LOCK_MAX_PAUSE_S)


def lock_holder(message: str) -> str:
    """The process named in DuckDB's lock error, with its command line when this machine
    can see it (/proc)."""
    found = re.search(r"held in (.*?) \(PID (\d+)\)", message)
    if not found:
        return f"held by another process ({message.splitlines()[0]})"
    program, pid = found.groups()
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        command = program
    return f"held by PID {pid}: {command.strip()[:300]}"
