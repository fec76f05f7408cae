"""A BI user (or any other process) holding the warehouse: a run waits for a bounded time,
then says which process holds it, instead of failing at once."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from orchestration.resources import WarehouseResource
from orchestration.warehouse import WarehouseLocked


def hold_warehouse(path, seconds: float) -> subprocess.Popen:
    """Another process opening the warehouse read-write, as a BI tool pointed at the main
    file would; returns once it holds the lock."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time, duckdb\n"
            "con = duckdb.connect(sys.argv[1])\n"
            "print('holding', flush=True)\n"
            "time.sleep(float(sys.argv[2]))\n",
            str(path),
            str(seconds),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "holding"
    return holder


@pytest.fixture
def resource(tmp_path) -> WarehouseResource:
    resource = WarehouseResource(data_dir=str(tmp_path / "data"), lock_wait_s=30)
    with resource.connect() as con:  # the warehouse exists before anyone holds it
        con.execute("create table t as select 1 as x")
    return resource


def test_a_run_waits_for_a_held_warehouse_then_proceeds(resource):
    holder = hold_warehouse(resource.settings.warehouse, 2)
    try:
        started = time.monotonic()
        with resource.connect() as con:
            assert con.execute("select x from t").fetchall() == [(1,)]
        assert time.monotonic() - started >= 1  # it waited for the holder to let go
    finally:
        holder.kill()
        holder.wait()


def test_a_warehouse_held_too_long_names_its_holder(resource):
    holder = hold_warehouse(resource.settings.warehouse, 60)
    try:
        started = time.monotonic()
        with pytest.raises(WarehouseLocked) as raised:
            resource.model_copy(update={"lock_wait_s": 1.5}).connect()
        assert 1.5 <= time.monotonic() - started < 15  # bounded
        message = str(raised.value)
        assert f"PID {holder.pid}" in message and "duckdb.connect" in message  # who holds it
        assert "1.5" in message
    finally:
        holder.kill()
        holder.wait()
