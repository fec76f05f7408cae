"""What makes provinces differ: their export format and their service profile.

A province's export format is a property of its one-stop-shop system, so it is fixed per
province (not drawn): most write canonical JSON Lines, about a third canonical CSV, and a
few the Vietnamese status-code CSV. The service profile is a set of province-level random
effects drawn first from the province's own generator, so a province simulates the same
whatever else is simulated with it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# The two special cities: heavy walk-in demand, slower queues, a low fully-online share.
URBAN_PROVINCES = ("01", "79")
# Bắc Ninh, Huế and Cần Thơ export in the provincial systems' status codes.
STATUS_CODE_PROVINCES = ("24", "46", "92")

JSONL, CSV, XLSX = "jsonl", "csv", "xlsx"
CANONICAL, STATUS_CODES = "canonical", "status_codes"
# The HR offices of Lai Châu and Quảng Ninh send their monthly rosters as Excel workbooks;
# the other provinces export CSV. (Two, not a third of the provinces: openpyxl writes a
# workbook cell by cell, ≈0.11 ms a row, ≈3.5 s a province over 18 months, and the workbooks
# must not dominate the run's time.)
ROSTER_XLSX_PROVINCES = ("12", "22")


@dataclass(frozen=True)
class ExportFormat:
    extension: str  # jsonl | csv
    dialect: str  # canonical | status_codes


def export_format(province_code: str, all_provinces: list[str]) -> ExportFormat:
    """Fixed per province: every third canonical province (by code) writes CSV."""
    if province_code in STATUS_CODE_PROVINCES:
        return ExportFormat(CSV, STATUS_CODES)
    canonical = [p for p in sorted(all_provinces) if p not in STATUS_CODE_PROVINCES]
    return ExportFormat(CSV if canonical.index(province_code) % 3 == 2 else JSONL, CANONICAL)


def roster_extension(province_code: str) -> str:
    """Fixed per province, like the dossier export: xlsx or csv."""
    return XLSX if province_code in ROSTER_XLSX_PROVINCES else CSV


@dataclass(frozen=True)
class ProvinceProfile:
    code: str
    urban: bool
    provincial_share: float  # share of the province's dossiers lodged at the province unit
    pace: float  # multiplies every step's working time (the cities' queues are slower)
    online_full: float  # P(online_full | fully-online-capable procedure), start of window
    online_trend: float  # added to online_full by the end of an 18-month window
    online_partial: float  # P(online_partial | partly-online-capable procedure)
    sync_rate: float  # synced to the national portal
    digitised_direct: float  # components digitised when lodged on paper
    result_digital_direct: float  # result issued electronically for paper dossiers
    pay_online: float  # fee paid online when lodged online
    data_reuse: float  # data reused from the population database


def draw_profile(rng: np.random.Generator, code: str) -> ProvinceProfile:
    """Province-level random effects; the order of draws is part of the output's identity
    (u[2], u[3], u[13] and u[14] drove effects that are now causes: left unused, so the
    other effects keep their draws)."""
    urban = code in URBAN_PROVINCES
    u = rng.random(16)
    low_sync = u[6] < 0.15  # a few provinces sync far less to the national portal
    return ProvinceProfile(
        code=code,
        urban=urban,
        provincial_share=0.15 + 0.10 * u[0],
        # The cities work through their queues more slowly (docs/simulation.md).
        pace=1.05 + 0.08 * u[1] if urban else 0.85 + 0.20 * u[1],
        online_full=0.20 + 0.08 * u[4] if urban else 0.42 + 0.25 * u[4],
        online_trend=0.06 + 0.08 * u[5],
        online_partial=0.30 + 0.25 * u[7] if urban else 0.45 + 0.25 * u[7],
        sync_rate=0.75 + 0.13 * u[8] if low_sync else 0.93 + 0.055 * u[8],
        digitised_direct=0.55 + 0.35 * u[9],
        result_digital_direct=0.30 + 0.35 * u[10],
        pay_online=0.60 + 0.30 * u[11],
        data_reuse=0.25 + 0.35 * u[12],
    )
