"""Dagster's SQLite storage, with the event log's connections kept open between events.

Dagster's SQLite event log creates a SQLAlchemy engine, opens a SQLite connection, writes one
event and closes it again, for every event and for each of the two or three files an event
is written to (the run's own file and the index). Closing the last connection to a WAL
database also checkpoints it. Creating a run stores one "planned" event per asset and per
asset check, ~800 here: measured on a run with nothing new at the default size, 2,268
connections and ~4 s of its 12.6 s, the largest cost of such a run after the imports; the
dbt step's ~1,440 events after a build cost about as much again.

Here each file keeps one engine whose connection stays open, written with
`synchronous=NORMAL`, the setting SQLite recommends for WAL (a commit survives the process
dying; only a power cut can lose the last ones, and never corrupts the file). The same
nothing-new run took 8.5 s against 12.4 s side by side.

One behaviour of closing had to be kept: the UI follows a running run by watching that run's
`.db` file for changes (`SqliteEventLogStorageWatchdog`). With the connection open, a commit
only reaches the `-wal` file, so after each write to a run's file its WAL is checkpointed
into it (passive: it never waits for readers), as the close used to do.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    INDEX_SHARD_NAME,
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
from dagster._core.storage.sqlite_storage import DagsterSqliteStorage, _event_logs_directory
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import QueuePool

# The index and the runs being written or read now; a UI paging through old runs closes
# the least recently used file's connection instead of holding one per run ever opened.
MAX_OPEN_SHARDS = 8

# Dagster's schema check opens a second connection while the first is open.
CONNECTIONS_PER_SHARD = 1
EXTRA_CONNECTIONS = 4


class OpenConnectionSqliteEventLogStorage(SqliteEventLogStorage):
    """`SqliteEventLogStorage` that keeps one open connection per database file."""

    def __init__(self, base_dir: str, inst_data=None) -> None:
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._engines_pid = os.getpid()
        super().__init__(base_dir, inst_data=inst_data)

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        # the stock method with a kept engine instead of a new one disposed after each use
        with self._db_lock:
            engine = self._engine_for(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn:
                with conn.begin():
                    yield conn
                if shard != INDEX_SHARD_NAME:
                    conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")

    def _engine_for(self, shard: str) -> Engine:
        """The shard's kept engine (the caller holds the storage's lock)."""
        if self._engines_pid != os.getpid():
            # a forked child must not write through its parent's open connections: forget
            # them (disposing them here would close the parent's)
            self._engines = OrderedDict()
            self._engines_pid = os.getpid()
        engine = self._engines.get(shard)
        if engine is None:
            engine = self._engines[shard] = open_engine(self.conn_string_for_shard(shard))
        self._engines.move_to_end(shard)
        while len(self._engines) > MAX_OPEN_SHARDS:
            _, oldest = self._engines.popitem(last=False)
            oldest.dispose()
        return engine

    def close_connections(self) -> None:
        with self._db_lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()

    def wipe(self) -> None:
        self.close_connections()  # the files are deleted
        super().wipe()

    def dispose(self) -> None:
        self.close_connections()
        super().dispose()


def open_engine(conn_string: str) -> Engine:
    """An engine whose connection is pooled, shareable across threads and WAL-synchronous."""
    engine = create_engine(
        conn_string,
        poolclass=QueuePool,
        pool_size=CONNECTIONS_PER_SHARD,
        max_overflow=EXTRA_CONNECTIONS,
        # the storage's own lock serialises every use, whichever thread made the connection
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
    )
    event.listen(engine, "connect", _wal_synchronous_normal)
    return engine


def _wal_synchronous_normal(dbapi_connection, _record) -> None:
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")


class ReformWatchSqliteStorage(DagsterSqliteStorage):
    """Dagster's SQLite storage (runs, event log, schedules in the same files and folders)
    with the event log above; dagster.yaml names it."""

    def __init__(self, base_dir: str, inst_data=None) -> None:
        super().__init__(base_dir, inst_data=inst_data)
        self._event_log_storage = OpenConnectionSqliteEventLogStorage(
            _event_logs_directory(base_dir)
        )

    @classmethod
    def from_config_value(cls, inst_data, config_value) -> ReformWatchSqliteStorage:
        # the parent builds its own class here, whatever subclass was configured
        return cls.from_local(inst_data=inst_data, **config_value)
