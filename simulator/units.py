"""What the personnel, budget and asset simulations share: the monthly history they live on
and a province's commune-level units with their staffing norm and the few understaffed ones.

The three sources describe a state that carries over from month to month (who is employed,
which offices stand empty), so they are simulated on a fixed *history* of months — from
January 2024 (or the window's start, if earlier) to June 2026 — and the simulated window is
read off it. A province's roster for a given month is therefore the same whatever the window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orchestration.project_vars import calendar_start
from simulator.calendar import LAST_MONTH, REFORM_DAY, Calendar
from simulator.lifecycle import unit_rates
from simulator.profiles import draw_profile
from simulator.reference import Reference

HISTORY_START = np.datetime64(calendar_start(), "M")  # dbt var calendar_start
REFORM_MONTH = REFORM_DAY.astype("datetime64[M]")
UNDERSTAFFED_SHARE = 0.04  # of a province's commune-level units (3–5%, at least one)
HEAVY_WORKLOAD_SHARE = 0.40  # drawn among the units with the heaviest dossier volume

# Separate random streams per province and source: (seed, province, stream).
UNDERSTAFFED_STREAM, PERSONNEL_STREAM, BUDGET_STREAM, ASSET_STREAM = 1, 2, 3, 4


@dataclass(frozen=True)
class History:
    months: np.ndarray  # datetime64[M], the history's months
    window_offset: int  # history index of the window's first month
    window_months: int

    @property
    def n(self) -> int:
        return len(self.months)

    @property
    def month_end(self) -> np.ndarray:
        """Last day of each month (datetime64[D]): a snapshot's date."""
        return (self.months + 1).astype("datetime64[D]") - 1

    @property
    def reform_index(self) -> int:
        return int(REFORM_MONTH - self.months[0])

    def window_index(self, history_index: np.ndarray) -> np.ndarray:
        return history_index - self.window_offset


def build_history(calendar: Calendar) -> History:
    first = min(calendar.months[0], HISTORY_START)
    months = np.arange(first, LAST_MONTH + 1)
    return History(months, int(calendar.months[0] - first), len(calendar.months))


@dataclass(frozen=True)
class ProvinceUnits:
    """A province's commune-level units in code order, plus the province unit."""

    province: str
    province_name: str
    codes: np.ndarray  # str
    names: np.ndarray  # str
    unit_type: np.ndarray  # commune | ward | special_zone
    population: np.ndarray  # int64
    norm: np.ndarray  # staff norm of the seed
    dossier_rate: np.ndarray  # dossiers per working day in the dossier simulation
    understaffed: np.ndarray  # bool

    @property
    def n(self) -> int:
        return len(self.codes)


def province_units(
    reference: Reference, province: str, seed: int, scale: float = 0.1
) -> ProvinceUnits:
    communes = reference.communes_of(province)
    population = communes["population"].to_numpy(dtype=np.int64)
    unit_type = communes["unit_type"].to_numpy(dtype=str)
    profile = draw_profile(np.random.default_rng((seed, int(province))), province)
    _, rates, _ = unit_rates(reference, profile, scale)
    commune_rates = rates[1:]
    rng = np.random.default_rng((seed, int(province), UNDERSTAFFED_STREAM))
    name = reference.units.loc[reference.units["unit_code"] == province, "unit_name"]
    return ProvinceUnits(
        province=province,
        province_name=str(name.iloc[0]) if len(name) else province,
        codes=communes["unit_code"].to_numpy(dtype=str),
        names=communes["unit_name"].to_numpy(dtype=str),
        unit_type=unit_type,
        population=population,
        norm=reference.staff_norm(unit_type, population),
        dossier_rate=commune_rates,
        understaffed=pick_understaffed(rng, commune_rates, unit_type),
    )


def pick_understaffed(
    rng: np.random.Generator, dossier_rate: np.ndarray, unit_type: np.ndarray
) -> np.ndarray:
    """A few units well below their norm: drawn among those the dossier simulation gives
    the heaviest volume (the cases a capacity review must find)."""
    n = len(dossier_rate)
    chosen = np.zeros(n, dtype=bool)
    if n == 0:
        return chosen
    k = max(1, int(round(UNDERSTAFFED_SHARE * n)))
    heavy = np.argsort(-dossier_rate, kind="stable")[
        : max(k, int(np.ceil(HEAVY_WORKLOAD_SHARE * n)))
    ]
    heavy = heavy[unit_type[heavy] != "special_zone"]
    weight = dossier_rate[heavy] / dossier_rate[heavy].sum()
    chosen[rng.choice(heavy, size=min(k, len(heavy)), replace=False, p=weight)] = True
    return chosen


def days(dates: np.ndarray) -> np.ndarray:
    """datetime64 → int64 days since 1970-01-01."""
    return np.asarray(dates).astype("datetime64[D]").astype(np.int64)


def month_of_days(day: np.ndarray, history: History) -> np.ndarray:
    """History index of the month a day (int64 days) falls in (may be <0 or ≥ n)."""
    months = day.astype("datetime64[D]").astype("datetime64[M]")
    return (months - history.months[0]).astype(np.int64)


def first_of_month(history: History, index: np.ndarray) -> np.ndarray:
    """int64 day of the first day of history month `index`."""
    return (history.months[0] + np.asarray(index)).astype("datetime64[D]").astype(np.int64)
