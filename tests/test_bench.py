"""`make bench` on this machine's disk: a size the disk cannot hold stops before the hour of
simulating, and the temporary work folder (~15 GB at 10x) never outlives the run."""

from __future__ import annotations

import importlib.util
from collections import namedtuple
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DiskUsage = namedtuple("DiskUsage", "total used free")


@pytest.fixture
def bench():
    spec = importlib.util.spec_from_file_location("bench", REPO / "scripts" / "bench.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_size_the_disk_cannot_hold_stops_before_simulating(bench, tmp_path, monkeypatch):
    monkeypatch.setattr(bench.shutil, "disk_usage", lambda _: DiskUsage(0, 0, 50e9))
    monkeypatch.setattr(bench, "measure", lambda *a: pytest.fail("measured without the disk"))
    with pytest.raises(SystemExit, match=r"scale 7.0 needs about 100 GB .* 50 GB are free"):
        bench.main(["--scales", "7.0", "--keep", str(tmp_path)])
    # two provinces of 34 need a seventeenth of it
    assert sum(bench.disk_needed_gb(7.0, "01,79", 18).values()) == pytest.approx(100 * 2 / 34, 0.01)


def test_the_temporary_work_folder_goes_even_when_a_size_fails(bench, tmp_path, monkeypatch):
    work = tmp_path / "reformwatch-bench-x"
    work.mkdir()
    monkeypatch.setattr(bench.tempfile, "mkdtemp", lambda prefix: str(work))

    def fails_half_way(scale, provinces, months, memory, workdir):
        (workdir / f"scale-{scale}" / "landing").mkdir(parents=True)
        (workdir / f"baseline-{scale}.duckdb").write_bytes(b"x")
        raise RuntimeError("dagster failed")

    monkeypatch.setattr(bench, "measure", fails_half_way)
    with pytest.raises(RuntimeError, match="dagster failed"):
        bench.main(["--scales", "0.02"])
    assert not work.exists()


def test_a_kept_work_folder_keeps_its_data(bench, tmp_path, monkeypatch):
    def measured(scale, provinces, months, memory, workdir):
        (workdir / f"scale-{scale}").mkdir()
        raise RuntimeError("stop after the data is written")

    monkeypatch.setattr(bench, "measure", measured)
    with pytest.raises(RuntimeError):
        bench.main(["--scales", "0.02", "--keep", str(tmp_path)])
    assert (tmp_path / "scale-0.02").is_dir()
