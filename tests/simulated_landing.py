"""Simulator runs for the simulator's tests (test_simulator.py, test_simulator_sources.py):
a run into a folder, its manifest, its files' bytes, and a workbook read as ingest reads it."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from simulator import MANIFEST_NAME, SimulationOptions, simulate


def run(out: Path, **options):
    return simulate(SimulationOptions(out=out, progress=False, **options))


def simulated(tmp_path_factory, name: str, **options) -> Path:
    """A module fixture's run: a fresh folder named after `name`, simulated with `options`."""
    out = tmp_path_factory.mktemp(name)
    run(out, **options)
    return out


def manifest(out: Path) -> dict:
    return json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))


def files_of(out: Path) -> dict[str, bytes]:
    """Every file of a run, the manifest too, by its path in the run."""
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def sheet_text(path: Path) -> str:
    """A workbook's first sheet as CSV text (row n = line n), cells as ingest reads them:
    dates as ISO dates, whole numbers without a decimal point."""
    from python_calamine import CalamineWorkbook

    def text(cell) -> str:
        if isinstance(cell, float) and cell.is_integer():
            return str(int(cell))
        return cell.isoformat() if hasattr(cell, "isoformat") else str(cell)

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).iter_rows():
        writer.writerow([text(cell) for cell in row])
    return out.getvalue()
