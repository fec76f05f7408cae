"""Why dossiers are late: the causes the simulation plants, recorded in the manifest so the
warehouse's indicators can be checked against them (docs/simulation.md).

- **Slow steps**: in each province a few (procedure, processing step) pairs, drawn among the
  busiest commune-level procedures that have more than one step; every dossier of that
  procedure in that province spends `SLOW_STEP_FACTOR` times the usual working time in
  that step.
- **Weak units**: the understaffed and under-funded commune-level units the roster and budget
  simulation already marks (`units.pick_understaffed`); their dossiers spend
  `WEAK_UNIT_FACTOR` times the usual working time in every step, and with too few hands
  they also serve less digitally: the chances that a dossier is lodged online (helped at
  the counter or not) are `WEAK_UNIT_ONLINE_FACTOR` times the province's, and that its
  components are digitised or its result issued electronically `WEAK_UNIT_DIGITAL_FACTOR`
  times.

- **A thin weak unit** (`plant_thin_weak_unit`): in each province one commune-level unit
  with few dossiers (at `THIN_WEAK_VOLUME_QUANTILE` of the dossier volumes, not understaffed)
  that serves badly in every way: from the reform day its dossiers spend
  `THIN_WEAK_UNIT_FACTOR` times the usual working time in every step (those handed over to
  it on that day too, for the working time left: `Causes.handover_factor`), and (like the weak
  units' factors, throughout) they are lodged online `THIN_WEAK_ONLINE_FACTOR` times and
  digitised or issued electronically `THIN_WEAK_DIGITAL_FACTOR` times as often as the
  province's. It keeps only `THIN_WEAK_DOSSIERS` of the dossiers lodged with it since
  the reform day (`thin_out_thin_weak_unit`): after it, the dossiers of the communes it
  absorbed are routed to it, so its volume before the reform does not bound their number.
  Its point score is weak but its few dossiers cannot prove it: the operating-quality index
  must call it *watch*, not *weak* (manifest `thin_weak_units`).

Slow steps are drawn from their own generator, `(seed, province, SLOW_STEP_STREAM)`, so the
dossiers' draws and the other sources do not move when the planting rule changes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from simulator import reform
from simulator.catalogue import STEP_NAMES, STEP_TEMPLATES, Catalogue

SLOW_STEP_STREAM = 21
SLOW_STEPS_PER_PROVINCE = 2
SLOW_STEP_POOL = 12  # drawn among this many busiest multi-step commune procedures
SLOW_STEP_FACTOR = 3.0
WEAK_UNIT_FACTOR = 1.8
WEAK_UNIT_ONLINE_FACTOR = 0.6  # × the province's P(online_full), P(online_partial)
WEAK_UNIT_DIGITAL_FACTOR = 0.6  # × P(components digitised), P(result issued electronically)
# The thin unit serves badly in every way, so that its point score lies in the bottom decile
# whatever its two dossiers happen to be: at 3x a sixth of its dossiers still finished on
# time and at 5x one in twenty (short procedures with generous deadlines), where one on time
# of two lifts its score out of the decile; far below the weak units' 0.6 it lodges almost
# nothing online (not none: a dossier lodged on a closed day is online whatever the factor)
# and digitises nothing (at 0.05, two of 34 thin units had one of their two dossiers
# digitised, which lifted them out of the decile).
THIN_WEAK_UNIT_FACTOR = 8.0
THIN_WEAK_ONLINE_FACTOR = 0.05
THIN_WEAK_DIGITAL_FACTOR = 0.0
THIN_WEAK_VOLUME_QUANTILE = 0.05  # few dossiers, but not none
# Dossiers the thin unit keeps from the reform day on: after it, dossiers of absorbed units
# are routed to today's units, so the volume quantile alone does not keep the count small.
THIN_WEAK_DOSSIERS = 2
# "Trả kết quả" (handing the result over) takes minutes: never the planted slow step.
PLANTABLE_STEPS = np.array([i for i, name in enumerate(STEP_NAMES) if name != "Trả kết quả"])


@dataclass(frozen=True)
class Causes:
    slow_procedures: np.ndarray  # catalogue indices of the planted slow steps' procedures
    slow_step_names: np.ndarray  # STEP_NAMES index of each planted slow step
    weak: np.ndarray  # bool per unit of the province, index 0 the province unit (never weak)
    thin_weak: np.ndarray | None = None  # bool per unit: the planted thin weak unit

    def step_factor(self, procedure: np.ndarray, steps: np.ndarray) -> np.ndarray:
        """(n, 4) multiplier of each step's working time for the planted slow steps."""
        factor = np.ones(steps.shape)
        for proc, step in zip(self.slow_procedures, self.slow_step_names, strict=True):
            factor[(procedure == proc)[:, None] & (steps == step)] = SLOW_STEP_FACTOR
        return factor

    def unit_factor(self, unit: np.ndarray) -> np.ndarray:
        factor = np.where(self.weak[unit], WEAK_UNIT_FACTOR, 1.0)
        if self.thin_weak is not None:
            factor = np.where(self.thin_weak[unit], THIN_WEAK_UNIT_FACTOR, factor)
        return factor

    def handover_factor(self, unit: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Per dossier, the factor on the working time it spends after the reform day when it
        was lodged before it (reform.slowed_after): the thin weak unit serves the dossiers
        handed over to it as slowly as its own, else a few of them, taken at the old pace,
        would outweigh its handful since the reform. The weak units' handed-over dossiers
        keep their pace: among their hundreds since the reform they change little."""
        factor = np.ones(len(unit))
        if self.thin_weak is not None:
            factor[self.thin_weak[unit] & (day < reform.REFORM)] = THIN_WEAK_UNIT_FACTOR
        return factor

    def online_factor(self, unit: np.ndarray) -> np.ndarray:
        return self._service_factor(unit, WEAK_UNIT_ONLINE_FACTOR, THIN_WEAK_ONLINE_FACTOR)

    def digital_factor(self, unit: np.ndarray) -> np.ndarray:
        return self._service_factor(unit, WEAK_UNIT_DIGITAL_FACTOR, THIN_WEAK_DIGITAL_FACTOR)

    def _service_factor(self, unit: np.ndarray, weak: float, thin_weak: float) -> np.ndarray:
        factor = np.where(self.weak[unit], weak, 1.0)
        if self.thin_weak is not None:
            factor = np.where(self.thin_weak[unit], thin_weak, factor)
        return factor


def draw_causes(seed: int, province: str, catalogue: Catalogue, understaffed: np.ndarray) -> Causes:
    """The province's planted slow steps; its weak units are the understaffed ones."""
    rng = np.random.default_rng((seed, int(province), SLOW_STEP_STREAM))
    never = catalogue.active_until.max()
    candidates = np.flatnonzero(
        (catalogue.level == "commune")
        & (catalogue.template >= 1)
        & (catalogue.active_from < 0)  # in force throughout, whatever the window
        & (catalogue.active_until == never)
    )
    busiest = candidates[np.argsort(-catalogue.weight[candidates], kind="stable")]
    pool = busiest[:SLOW_STEP_POOL]
    chosen = np.sort(rng.choice(pool, size=min(SLOW_STEPS_PER_PROVINCE, len(pool)), replace=False))
    steps = []
    for proc in chosen:  # two procedures a province
        template = STEP_TEMPLATES[catalogue.template[proc]]
        plantable = template[np.isin(template, PLANTABLE_STEPS)]
        steps.append(int(rng.choice(plantable)))
    return Causes(
        slow_procedures=chosen.astype(np.int64),
        slow_step_names=np.array(steps, dtype=np.int64),
        weak=np.r_[False, understaffed].astype(bool),
    )


def manifest_entries(
    province: str, causes: Causes, catalogue: Catalogue, unit_codes: np.ndarray
) -> tuple[list[dict], list[dict]]:
    """The manifest's record of what was planted: slow steps and weak units."""
    slow = [
        {
            "province_code": province,
            "procedure_code": str(catalogue.codes[proc]),
            "step_name": STEP_NAMES[step],
            "dwell_factor": SLOW_STEP_FACTOR,
        }
        for proc, step in zip(causes.slow_procedures, causes.slow_step_names, strict=True)
    ]
    weak = [
        {
            "province_code": province,
            "unit_code": str(code),
            "dwell_factor": WEAK_UNIT_FACTOR,
            "online_factor": WEAK_UNIT_ONLINE_FACTOR,
            "digitisation_factor": WEAK_UNIT_DIGITAL_FACTOR,
        }
        for code in unit_codes[causes.weak]
    ]
    return slow, weak


def plant_thin_weak_unit(causes: Causes, dossier_rate: np.ndarray, unit_type: np.ndarray) -> Causes:
    """Mark one commune-level unit with few dossiers as weak on service alone: the unit at
    THIN_WEAK_VOLUME_QUANTILE of the province's dossier volumes among the ordinary communes
    (not understaffed, not a special zone). No random draw: the other causes do not move."""
    thin = np.zeros(len(causes.weak), dtype=bool)
    eligible = np.flatnonzero(~causes.weak[1:] & (unit_type != "special_zone") & (dossier_rate > 0))
    if len(eligible):
        by_volume = eligible[np.argsort(dossier_rate[eligible], kind="stable")]
        thin[1 + by_volume[int(THIN_WEAK_VOLUME_QUANTILE * (len(by_volume) - 1))]] = True
    return replace(causes, thin_weak=thin)


def thin_out_thin_weak_unit(causes: Causes, dossiers):
    """The province's dossiers with the thin weak unit's since the reform day cut to
    THIN_WEAK_DOSSIERS, evenly spaced in submission order among those it completed inside the
    window (no random draw: every other dossier stays as it was). Its dossiers before the
    reform are recorded under the old units and stay. The kept ones are renumbered within
    their day, as if the dropped ones had never been lodged.

    Why only completed ones: a dossier still on hand at the window's end is read by the
    clearance rate as output short of demand, and at a few dossiers that alone, with the
    on-time rate over the same dossiers, proves the unit weak (measured, keeping four: every
    thin unit with one came out weak); a withdrawn or refused one ends before its due date
    and counts as on time, which says nothing of the unit's service."""
    if causes.thin_weak is None:
        return dossiers
    since_reform = np.flatnonzero(thin_weak_since_reform(causes, dossiers))
    candidates = since_reform[dossiers.completed()[since_reform]]
    in_order = candidates[np.lexsort((dossiers.seq[candidates], dossiers.day[candidates]))]
    drop = np.zeros(len(dossiers), dtype=bool)
    drop[since_reform] = True
    drop[in_order[evenly_spaced(len(in_order), THIN_WEAK_DOSSIERS)]] = False
    thinned = reform.without(dossiers, drop)
    thinned.seq = reform.renumber(thinned.record_unit, thinned.day, thinned.seq)
    return thinned


def thin_weak_since_reform(causes: Causes, dossiers) -> np.ndarray:
    """Bool per dossier: lodged at the thin weak unit on or after the reform day."""
    return causes.thin_weak[dossiers.unit] & (dossiers.day >= reform.REFORM)


def thin_weak_dossiers_since_reform(causes: Causes, dossiers) -> int:
    return 0 if causes.thin_weak is None else int(thin_weak_since_reform(causes, dossiers).sum())


def evenly_spaced(n: int, k: int) -> np.ndarray:
    """Positions of k of n items in order, one at the middle of each of k equal stretches
    (all n when there are no more than k)."""
    if n <= k:
        return np.arange(n)
    return ((np.arange(k) + 0.5) * n / k).astype(np.int64)


def thin_weak_manifest_entries(
    province: str, causes: Causes, unit_codes: np.ndarray, dossiers_since_reform: int
) -> list[dict]:
    """The manifest's record of the planted thin weak unit (`thin_weak_units`), with the
    number of dossiers it kept since the reform day."""
    if causes.thin_weak is None:
        return []
    return [
        {
            "province_code": province,
            "unit_code": str(code),
            "dwell_factor": THIN_WEAK_UNIT_FACTOR,
            "online_factor": THIN_WEAK_ONLINE_FACTOR,
            "digitisation_factor": THIN_WEAK_DIGITAL_FACTOR,
            "dossiers_since_reform": dossiers_since_reform,
        }
        for code in unit_codes[causes.thin_weak]
    ]
