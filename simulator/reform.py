"""The reform in the simulated records: the codes of their time before 1 July 2025, and the
change itself (docs/simulation.md, "Before and after the reform").

- **Codes of their time.** A dossier lodged before the reform day is recorded under a unit
  of that time, found through the lineage seed (`seeds/unit_lineage.csv`): a commune-level
  dossier at one of its unit's predecessor communes (drawn with equal chances), a
  district-level procedure's dossier (`devolved_from` district) at that commune's district,
  a provincial dossier at one of the province's predecessor provinces (drawn in proportion
  to their numbers of communes). Today's units the lineage names no predecessor commune for
  (their notes could not be matched: docs/lineage_report.md) have no unit of the time to
  record at: their pre-reform dossiers are not written.
- **The change.** The first quarter after the reform is a learning curve (`LEARNING_CURVE`,
  one factor per month on every step). Units whose service *declined* are the understaffed
  ones (`units.pick_understaffed`): they lost their staff in the July 2025 exit wave, so
  their `WEAK_UNIT_FACTOR` applies from the reform day only. Units whose service *improved*
  are drawn here: their predecessors took `IMPROVED_FACTOR` times the usual time on every
  step before the reform; after it they work at the usual pace.

Draws use their own generators, `(seed, province, stream)`, so the dossiers' draws do not
move when these rules change.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from orchestration.ingest.sources import new_units
from orchestration.settings import SEEDS_DIR
from simulator.calendar import REFORM_DAY

CODES_STREAM = 24
IMPROVED_STREAM = 25
# Every step's working time in the reform's first three months (July, August, September
# 2025): offices learning new boundaries, staff and systems, faster each month.
LEARNING_CURVE = (1.45, 1.30, 1.15)
IMPROVED_SHARE = 0.04  # of a province's commune-level units, at least one
IMPROVED_FACTOR = 2.0  # before the reform, on every step of the improved units' dossiers
REFORM = int(REFORM_DAY.astype(np.int64))


@dataclass(frozen=True)
class Lineage:
    """Who today's units were before the reform, read from the lineage seeds."""

    predecessors: dict[str, tuple[str, ...]]  # today's commune-level unit → old communes
    district_of: dict[str, str]  # old commune → its district
    province_predecessors: dict[str, tuple[tuple[str, ...], np.ndarray]]  # codes, weights


@cache
def load_lineage(seeds_dir: Path) -> Lineage:
    read = lambda name: pd.read_csv(  # noqa: E731 - one reader for the seeds
        seeds_dir / f"{name}.csv", dtype=str, keep_default_na=False, encoding="utf-8"
    )
    lineage = read("unit_lineage").sort_values(["new_unit_code", "old_unit_code"])
    old = read("admin_units_before_reform")
    communes = old[old["unit_level"] == "commune"]
    district_of = dict(zip(communes["unit_code"], communes["district_code"], strict=True))
    commune_rows = lineage[
        (lineage["old_unit_level"] == "commune") & lineage["old_unit_code"].isin(district_of)
    ]
    predecessors = {
        new: tuple(group["old_unit_code"])
        for new, group in commune_rows.groupby("new_unit_code", sort=True)
    }
    size = communes.groupby("province_code").size()
    provinces = lineage[lineage["old_unit_level"] == "province"]
    province_predecessors = {}
    for new, group in provinces.groupby("new_unit_code", sort=True):
        codes = tuple(group["old_unit_code"])
        weights = size.reindex(list(codes)).fillna(1).to_numpy(dtype=float)
        province_predecessors[new] = (codes, weights / weights.sum())
    return Lineage(predecessors, district_of, province_predecessors)


def learning_curve_factor(day: np.ndarray) -> np.ndarray:
    """Each dossier's factor on its steps from the month of its submission day."""
    months = (
        day.astype("datetime64[D]").astype("datetime64[M]") - REFORM_DAY.astype("datetime64[M]")
    ).astype(np.int64)
    after_curve = len(LEARNING_CURVE)  # the index of the usual pace, 1.0
    index = np.where(months >= 0, np.minimum(months, after_curve), after_curve)
    return np.r_[LEARNING_CURVE, 1.0][index]


def learning_curve_entries() -> list[dict]:
    first = REFORM_DAY.astype("datetime64[M]")
    return [
        {"month": str(first + i), "step_factor": factor} for i, factor in enumerate(LEARNING_CURVE)
    ]


def draw_improved(seed: int, province: str, rates: np.ndarray, weak: np.ndarray) -> np.ndarray:
    """Bool per unit of the province (index 0 the province unit, never drawn): the units whose
    service improved, drawn among the busier half of the units that are not weak, so that the
    change has enough dossiers to be seen."""
    rng = np.random.default_rng((seed, int(province), IMPROVED_STREAM))
    improved = np.zeros(len(rates), dtype=bool)
    candidates = np.flatnonzero(~weak & (np.arange(len(rates)) > 0))
    if len(candidates) == 0:
        return improved
    busy = candidates[rates[candidates] >= np.median(rates[candidates])]
    count = min(len(busy), max(1, round(IMPROVED_SHARE * (len(rates) - 1))))
    improved[rng.choice(busy, size=count, replace=False)] = True
    return improved


def service_factor(
    day: np.ndarray, unit: np.ndarray, weak_factor: np.ndarray, improved: np.ndarray
) -> np.ndarray:
    """Each dossier's unit factor: before the reform the improved units' predecessors were
    slow; from the reform day the weak units are (`weak_factor`, causes.unit_factor)."""
    before = day < REFORM
    return np.where(before, np.where(improved[unit], IMPROVED_FACTOR, 1.0), weak_factor)


def slowed_after(positions: np.ndarray, reform_position: float, factor: np.ndarray) -> np.ndarray:
    """Working-time positions of a dossier's moments when the work left at the reform
    position takes `factor` times as long (a dossier handed over to a slower unit): a moment
    before it stays, one after it lies `factor` times as far past it. A factor of 1 leaves the
    position as it was, to the last bit (the subtraction and addition would not)."""
    slowed = (positions > reform_position) & (factor != 1.0)
    return np.where(slowed, reform_position + (positions - reform_position) * factor, positions)


def change_entries(
    province: str,
    unit_codes: np.ndarray,
    improved: np.ndarray,
    weak: np.ndarray,
    weak_factor: float,
) -> list[dict]:
    """The manifest's record of the planted change, one line per unit."""
    entries = [
        {
            "province_code": province,
            "unit_code": str(code),
            "change": "improved",
            "factor_before": IMPROVED_FACTOR,
            "factor_after": 1.0,
        }
        for code in unit_codes[improved]
    ]
    entries += [
        {
            "province_code": province,
            "unit_code": str(code),
            "change": "declined",
            "factor_before": 1.0,
            "factor_after": weak_factor,
        }
        for code in unit_codes[weak]
    ]
    return entries


@dataclass(frozen=True)
class ReformChange:
    """What a province's dossiers need to know of the reform: where to record them before
    it, and which of its units improved (bool per unit, index 0 the province unit)."""

    seed: int
    lineage: Lineage
    improved: np.ndarray


def unchanged(n_units: int, seed: int = 0) -> ReformChange:
    """No improved unit; records before the reform under the codes of their time (the
    committed seeds' lineage)."""
    return ReformChange(seed, load_lineage(SEEDS_DIR), np.zeros(n_units, dtype=bool))


@dataclass(frozen=True)
class CodesOfTime:
    """Per dossier, the code it is recorded under (`codes[index]`), and the dossiers that
    have no unit of their time to be recorded at."""

    codes: np.ndarray  # str dictionary: today's unit codes first, then old codes
    index: np.ndarray  # per dossier
    unrecorded: np.ndarray  # bool per dossier


def codes_of_time(
    seed: int,
    province: str,
    lineage: Lineage,
    unit_codes: np.ndarray,
    unit: np.ndarray,
    day: np.ndarray,
    at_district: np.ndarray,
) -> CodesOfTime:
    """The unit each dossier is recorded at: today's after the reform, the one of its time
    before it (module docstring)."""
    rng = np.random.default_rng((seed, int(province), CODES_STREAM))
    n = len(unit)
    before = day < REFORM
    u = rng.random(n)
    old = np.full(n, "", dtype=object)

    # Commune-level units: one predecessor commune, with equal chances; its district for a
    # district-level procedure.
    for index in np.unique(unit[before & (unit > 0)]):  # one pass per unit, not per dossier
        mask = before & (unit == index)
        options = lineage.predecessors.get(str(unit_codes[index]), ())
        if not options:
            continue
        chosen = np.array(options, dtype=object)[(u[mask] * len(options)).astype(np.int64)]
        districts = np.array([lineage.district_of[c] for c in chosen], dtype=object)
        old[mask] = np.where(at_district[mask], districts, chosen)

    # The province unit: one of the provinces it was formed from.
    mask = before & (unit == 0)
    codes, weights = lineage.province_predecessors.get(
        str(unit_codes[0]), ((str(unit_codes[0]),), np.ones(1))
    )
    pick = np.searchsorted(np.cumsum(weights), u[mask] * weights.sum(), side="right")
    old[mask] = np.array(codes, dtype=object)[np.minimum(pick, len(codes) - 1)]

    unrecorded = before & (old == "")
    extra = np.unique(old[before & ~unrecorded].astype(str))
    dictionary = np.r_[unit_codes.astype(str), extra]
    index = unit.copy()
    index[before & ~unrecorded] = len(unit_codes) + np.searchsorted(
        extra, old[before & ~unrecorded].astype(str)
    )
    return CodesOfTime(dictionary, index, unrecorded)


def recorded_at(dossiers, d: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Index into `record_codes` of the unit an event of dossier `d` at moment `at` (seconds)
    is recorded under: the unit of the submission's time, until the reform day; from then
    on today's unit, to which the dossiers in flight were handed over."""
    return np.where(at < REFORM * 86_400, dossiers.record_unit[d], dossiers.unit[d])


def renumber(code_index: np.ndarray, day: np.ndarray, seq: np.ndarray) -> np.ndarray:
    """A dossier's number is its rank among the dossiers its recording unit received that
    day: several of today's units can record at one old unit, whose numbers must not
    collide. Dossiers keep their order within (unit, day)."""
    order = np.lexsort((seq, code_index, day))
    key_day, key_unit = day[order], code_index[order]
    starts = np.r_[True, (np.diff(key_day) != 0) | (np.diff(key_unit) != 0)]
    group_start = np.maximum.accumulate(np.where(starts, np.arange(len(order)), 0))
    renumbered = np.empty_like(seq)
    renumbered[order] = np.arange(len(order)) - group_start + 1
    return renumbered


def without(dossiers, drop: np.ndarray):
    """The dossiers minus the dropped rows (every per-dossier array)."""
    keep = ~drop
    per_unit = ("unit_codes", "record_codes")
    return dataclasses.replace(
        dossiers,
        **{
            f.name: getattr(dossiers, f.name)[keep]
            for f in dataclasses.fields(dossiers)
            if f.name not in per_unit and isinstance(getattr(dossiers, f.name), np.ndarray)
        },
    )


def without_units_not_yet_created(table: pa.Table, reform_month: int) -> pa.Table:
    """A source table without the rows of units created on the reform day, dated before it.

    A few of today's units carry a code no unit had before the reform (the contract's
    `new_units`: special zones, wards cut out of several old units). They did not exist, so
    they had no roster, budget or office before 1 July 2025; ingest rightly refuses such rows
    as `unknown_unit`, and writing them would quarantine clean simulated data the fault
    manifest knows nothing of. `reform_month` is the window index (`_month`) of July 2025.
    """
    codes, _ = new_units()
    not_yet = pc.and_(
        pc.less(table.column("_month"), reform_month),
        pc.is_in(table.column("unit_code"), value_set=pa.array(sorted(codes), pa.string())),
    )
    return table.filter(pc.invert(not_yet))
