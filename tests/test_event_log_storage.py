"""The run history's event log keeps its SQLite connections open between events
(orchestration/event_log_storage.py) without losing what closing them gave: other processes
see every event, the UI is told of new events of a running run, a forked child writes
through its own connection, and a long-lived process holds a bounded number of files open."""

from __future__ import annotations

import logging
import multiprocessing
import threading
import time
import uuid

import dagster as dg
import psutil
import pytest
from dagster._core.events.log import EventLogEntry

from orchestration.event_log_storage import MAX_OPEN_SHARDS, OpenConnectionSqliteEventLogStorage
from orchestration.settings import REPO_ROOT


def log_entry(run_id: str, message: str) -> EventLogEntry:
    """A user log line of a run, as `context.log.info` stores it."""
    return EventLogEntry(
        error_info=None,
        level=logging.INFO,
        user_message=message,
        run_id=run_id,
        timestamp=time.time(),
    )


def messages(storage, run_id: str) -> list[str]:
    return [entry.user_message for entry in storage.get_logs_for_run(run_id)]


@pytest.fixture
def storage_dir(tmp_path):
    return str(tmp_path / "history" / "runs")


def test_the_project_instance_stores_events_through_open_connections(tmp_path, monkeypatch):
    monkeypatch.setenv("REFORMWATCH_DAGSTER_STORAGE", str(tmp_path / "dagster"))
    with dg.DagsterInstance.from_config(str(REPO_ROOT)) as instance:
        assert isinstance(instance.event_log_storage, OpenConnectionSqliteEventLogStorage)
        # in Dagster's usual place, so existing run history stays readable
        assert instance.event_log_storage._base_dir == str(tmp_path / "dagster/history/runs")


def test_events_written_are_read_by_another_process_while_the_writer_stays_open(storage_dir):
    writer = OpenConnectionSqliteEventLogStorage(storage_dir)
    run_id = str(uuid.uuid4())
    for i in range(3):
        writer.store_event(log_entry(run_id, f"line {i}"))
    reader = OpenConnectionSqliteEventLogStorage(storage_dir)  # the webserver's
    assert messages(reader, run_id) == ["line 0", "line 1", "line 2"]
    writer.store_event(log_entry(run_id, "line 3"))
    assert messages(reader, run_id)[-1] == "line 3"
    writer.dispose()
    reader.dispose()


def test_the_ui_watching_a_running_run_is_told_of_each_new_event(storage_dir):
    # the UI follows a run by watching the run's .db file: with the connection kept open a
    # commit alone only reaches the -wal file, and the UI would see nothing new
    writer = OpenConnectionSqliteEventLogStorage(storage_dir)
    watcher = OpenConnectionSqliteEventLogStorage(storage_dir)
    run_id = str(uuid.uuid4())
    writer.store_event(log_entry(run_id, "started"))
    seen: list[str] = []
    told = threading.Event()

    def on_event(entry, _cursor):
        seen.append(entry.user_message)
        told.set()

    watcher.watch(run_id, None, on_event)
    time.sleep(0.5)  # the file watcher starts in its own thread
    writer.store_event(log_entry(run_id, "step done"))
    assert told.wait(timeout=10), "the watcher was not told of the new event"
    assert "step done" in seen
    watcher.end_watch(run_id, on_event)
    watcher.dispose()
    writer.dispose()


def _store_in_child(storage, run_id: str) -> None:
    inherited = storage._engines.get(run_id)
    storage.store_event(log_entry(run_id, "from the child"))
    # SQLite's rule: a connection must not be used across fork (its locks are per process)
    if inherited is None or storage._engines.get(run_id) is inherited:
        raise SystemExit(3)


def test_a_forked_child_writes_through_its_own_connection(storage_dir):
    storage = OpenConnectionSqliteEventLogStorage(storage_dir)
    run_id = str(uuid.uuid4())
    storage.store_event(log_entry(run_id, "parent before"))
    child = multiprocessing.get_context("fork").Process(
        target=_store_in_child, args=(storage, run_id)
    )
    child.start()
    child.join(timeout=60)
    assert child.exitcode == 0, "the child wrote through its parent's connection"
    storage.store_event(log_entry(run_id, "parent after"))
    assert messages(storage, run_id) == ["parent before", "from the child", "parent after"]
    storage.dispose()


def open_database_files(directory: str) -> list[str]:
    return [
        f.path
        for f in psutil.Process().open_files()
        if f.path.startswith(directory) and f.path.endswith(".db")
    ]


def test_a_process_reading_many_runs_keeps_only_the_recent_files_open(storage_dir):
    storage = OpenConnectionSqliteEventLogStorage(storage_dir)
    for i in range(MAX_OPEN_SHARDS + 4):
        storage.store_event(log_entry(str(uuid.uuid4()), f"run {i}"))
    assert 0 < len(open_database_files(storage_dir)) <= MAX_OPEN_SHARDS
    storage.dispose()
    assert open_database_files(storage_dir) == []
