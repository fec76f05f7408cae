"""Personnel rosters: a province's commune staff over the history, one row a person, and the
monthly snapshots the provincial HR office exports (docs/sources.md, source 2).

The story, all drawn at once per province:
- before the reform the merged communes pooled their cadres: each unit starts 12–40% above
  its staffing norm (seed `staffing_norms`), with a chairman, a party secretary, two or three
  vice-chairmen, and civil servants who cover the six required specialisations;
- people retire at the statutory age, and a few resign, transfer or are dismissed each month;
- around 1 July 2025 a wave of exits brings each unit down to about its norm: mostly early
  retirement (Decree 178/2024/NĐ-CP) of those within twelve years of retirement age, the
  younger resigning with severance or transferring; the few *understaffed* units
  (`units.pick_understaffed`) lose far more — down to 45–60% of the norm, including every
  holder of two or three required specialisations — and recruit nobody after;
- from September 2025 the other units recruit into their vacancies, a missing required
  specialisation first;
- a leaver stays on the roster with status `left` while the restructuring benefit is paid:
  benefit_due_vnd = salary coefficient × 2,340,000 VND × months (capped at 24 months),
  benefit_paid_vnd rising to it after a delay (most within 1–3 months, a tail of 6 months
  and more; a slow province adds months), then drops off.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from orchestration.ingest.sources import (
    EXIT_REASONS,
    POSITIONS,
    SPECIALISATIONS,
    STAFF_STATUSES,
)
from simulator import people
from simulator.calendar import REFORM_DAY
from simulator.events import coded
from simulator.units import History, ProvinceUnits, first_of_month, month_of_days

# Positions and specialisations are the landing contract's lists; the simulator draws them
# by index, so the constants below name positions in those lists.
CHAIRMAN, VICE_CHAIRMAN, PARTY_SECRETARY, CIVIL_SERVANT, CADRE, CONTRACT = range(6)
assert POSITIONS[CONTRACT] == "contract_staff" and POSITIONS[CHAIRMAN] == "chairman"
N_REQUIRED = 6  # the first six are the required ones (seed required_specialisations)
GENERAL_ADMINISTRATION, AGRICULTURE, SECURITY, OTHER = 6, 7, 8, 9
assert SPECIALISATIONS[GENERAL_ADMINISTRATION] == "general_administration"
assert SPECIALISATIONS[OTHER] == "other"
NO_SPECIALISATION_GROUP, LEADER_GROUP = 10, 11  # qualification groups (people.QUALIFICATIONS)
EARLY_RETIREMENT, RESIGNATION, RETIREMENT, TRANSFER, DISMISSAL = range(5)
assert EXIT_REASONS[DISMISSAL] == "dismissal"
STATUSES = STAFF_STATUSES
ACTIVE, ON_LEAVE, LEFT = range(3)
assert STATUSES[LEFT] == "left"

BASE_SALARY_VND = 2_340_000  # the statutory base salary since 1 July 2024
MAX_BENEFIT_MONTHS = 24  # severance is capped at 24 months of salary (Decree 178)
RETIREMENT_AGE = {False: 61.25, True: 56 + 8 / 12}  # men, women in 2025
EARLY_RETIREMENT_WINDOW = 12.0  # years before retirement age early retirement is open
NEVER = 10**6  # a month index past any history

PRE_REFORM_SURPLUS = (1.12, 1.40)  # headcount ÷ norm before the wave
TARGET_AFTER_WAVE = (0.96, 1.06)
UNDERSTAFFED_TARGET = (0.45, 0.60)
MONTHLY_TURNOVER = 0.0012  # resignations, transfers, dismissals outside the wave
WAVE_MONTHS = np.array([0.15, 0.40, 0.22, 0.12, 0.06, 0.05])  # June … November 2025
HIRING_FROM = 2  # months after the reform month: recruitment restarts in September 2025
HIRE_RATE = 0.18  # share of a unit's vacancies filled each month
LEAVE_SPELL_SHARE = 0.15
# Months from the exit month to full payment of the benefit (0: paid in the exit month).
SETTLEMENT_DELAY = np.array(
    [0.08, 0.22, 0.22, 0.16, 0.09, 0.06, 0.05, 0.04, 0.03, 0.02, 0.01, 0.01, 0.01]
)
SLOW_PROVINCE_SHARE = 0.25


@dataclass
class Staff:
    """Everyone who is on the province's roster at some point of the history."""

    unit: np.ndarray  # index into ProvinceUnits
    number: np.ndarray  # the person's number within the unit (staff code)
    position: np.ndarray
    specialisation: np.ndarray  # index into SPECIALISATIONS, -1 none
    qualification: np.ndarray  # index into people.QUALIFICATION_NAMES
    female: np.ndarray
    birth: np.ndarray  # int64 days
    national_id: np.ndarray  # int64
    family: np.ndarray
    middle: np.ndarray
    given: np.ndarray
    coefficient_x100: np.ndarray  # salary coefficient in hundredths
    joined: np.ndarray  # int64 days
    joined_month: np.ndarray  # history index; -1 before the history
    left: np.ndarray  # int64 days; NEVER when still employed
    left_month: np.ndarray  # history index; NEVER when still employed
    exit_reason: np.ndarray  # -1 none
    benefit_due: np.ndarray  # int64 VND (0 when nothing is due)
    first_paid_after: np.ndarray  # months after the exit month of a first instalment
    settled_after: np.ndarray  # months after the exit month of full payment
    first_share: np.ndarray  # share of the benefit in the first instalment
    last_month: np.ndarray  # last history month on the roster
    leave_from: np.ndarray  # history index of an on-leave spell (NEVER: none)
    leave_until: np.ndarray  # exclusive

    @property
    def n(self) -> int:
        return len(self.unit)


def concat(parts: list[Staff]) -> Staff:
    return Staff(
        **{
            name: np.concatenate([getattr(p, name) for p in parts])
            for name in Staff.__dataclass_fields__
        }
    )


def rank_within(key: np.ndarray) -> np.ndarray:
    """0-based order of each element among those with the same key (stable)."""
    order = np.argsort(key, kind="stable")
    ranked = np.empty(len(key), dtype=np.int64)
    if len(key) == 0:
        return ranked
    sorted_key = key[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_key)) + 1]
    counts = np.diff(np.r_[starts, len(key)])
    ranked[order] = np.arange(len(key)) - np.repeat(starts, counts)
    return ranked


def simulate_staff(
    rng: np.random.Generator, units: ProvinceUnits, history: History, province_codes: list[str]
) -> Staff:
    slow = rng.random() < SLOW_PROVINCE_SHARE
    target = np.where(
        units.understaffed,
        np.round(units.norm * rng.uniform(*UNDERSTAFFED_TARGET, units.n)),
        np.round(units.norm * rng.uniform(*TARGET_AFTER_WAVE, units.n)),
    ).astype(np.int64)
    initial = np.round(units.norm * rng.uniform(*PRE_REFORM_SURPLUS, units.n)).astype(np.int64)
    staff = initial_staff(rng, units, history, initial, province_codes)
    baseline_exits(rng, staff, history)
    wave(rng, staff, units, history, target)
    staff = recruit(rng, staff, units, history, target, province_codes)
    leave_spells(rng, staff, history)
    benefits(rng, staff, history, slow)
    return staff


def initial_staff(
    rng, units: ProvinceUnits, history: History, headcount: np.ndarray, province_codes: list[str]
) -> Staff:
    unit = np.repeat(np.arange(units.n), headcount)
    n = len(unit)
    rank = rank_within(unit)
    vice = 2 + (units.norm[unit] >= 30)
    position = np.select(
        [rank == 0, rank == 1, rank < 2 + vice],
        [CHAIRMAN, PARTY_SECRETARY, VICE_CHAIRMAN],
        default=rng.choice([CIVIL_SERVANT, CADRE, CONTRACT], n, p=[0.70, 0.18, 0.12]),
    )
    leader = position <= PARTY_SECRETARY
    female = rng.random(n) < np.where(leader, 0.2, 0.48)
    # Handlers (civil servants, cadres) first cover the six required specialisations, then
    # a second land and justice officer in the larger units, then anything.
    handler = (position == CIVIL_SERVANT) | (position == CADRE)
    order = rank_within(unit * 2 + handler)
    wards = units.unit_type[unit] == "ward"
    specialisation = np.select(
        [
            leader,
            ~handler & ~leader,
            order < N_REQUIRED,
            (order < N_REQUIRED + 2) & (units.norm[unit] >= 30),
        ],
        [GENERAL_ADMINISTRATION, contract_specialisation(rng, n), order, order - N_REQUIRED],
        default=handler_specialisation(rng, n, wards),
    )
    reform_day = int(REFORM_DAY.astype(np.int64))
    retire_age = np.where(female, RETIREMENT_AGE[True], RETIREMENT_AGE[False])
    age = np.where(leader, 40 + 18 * rng.beta(2, 2, n), 24 + 34 * rng.beta(1.5, 1.7, n))
    start_day = int(first_of_month(history, 0))
    years_before = (reform_day - start_day) / 365.25
    age = np.minimum(age, retire_age + years_before - 0.1)  # nobody is past age at the start
    birth = reform_day - np.round(age * 365.25).astype(np.int64)
    joined = birth + np.round(rng.uniform(22, 28, n) * 365.25).astype(np.int64)
    joined = np.clip(joined, birth + 18 * 365, start_day - 15)
    return new_people(
        rng,
        units,
        unit,
        rank + 1,
        position,
        specialisation,
        female,
        birth,
        joined,
        np.full(n, -1),
        province_codes,
    )


def contract_specialisation(rng, n: int) -> np.ndarray:
    return rng.choice(
        [OTHER, GENERAL_ADMINISTRATION, SECURITY, AGRICULTURE], n, p=[0.4, 0.3, 0.2, 0.1]
    )


def handler_specialisation(rng, n: int, wards: np.ndarray) -> np.ndarray:
    rural = np.array([0.08] * N_REQUIRED + [0.20, 0.12, 0.10, 0.10])
    urban = np.array([0.09] * N_REQUIRED + [0.24, 0.02, 0.12, 0.08])
    return np.where(
        wards, rng.choice(10, n, p=urban / urban.sum()), rng.choice(10, n, p=rural / rural.sum())
    )


def new_people(
    rng,
    units: ProvinceUnits,
    unit,
    number,
    position,
    specialisation,
    female,
    birth,
    joined,
    joined_month,
    province_codes,
) -> Staff:
    n = len(unit)
    group = np.where(
        position <= PARTY_SECRETARY,
        LEADER_GROUP,
        np.where(specialisation < 0, NO_SPECIALISATION_GROUP, specialisation),
    )
    reform_day = int(REFORM_DAY.astype(np.int64))
    steps = np.maximum(reform_day - joined, 0) // int(3 * 365.25)
    top = rng.random(n) < 0.2
    coefficient = np.select(
        [
            position == CONTRACT,
            position == VICE_CHAIRMAN,
            (position == CHAIRMAN) | (position == PARTY_SECRETARY),
        ],
        [
            234 + 33 * np.minimum(steps, 3),
            np.where(
                rng.random(n) < 0.4,
                440 + 34 * np.minimum(steps, 7),
                234 + 33 * np.minimum(steps + 2, 8),
            ),
            np.where(top, 620 + 36 * np.minimum(steps, 5), 440 + 34 * np.minimum(steps, 7)),
        ],
        default=234 + 33 * np.minimum(steps, 8),
    )
    family, middle, given = people.draw_names(rng, units.province, female)
    never = np.full(n, NEVER, dtype=np.int64)
    return Staff(
        unit=unit,
        number=np.asarray(number, dtype=np.int64),
        position=position,
        specialisation=specialisation,
        qualification=people.draw_qualifications(rng, group),
        female=female,
        birth=birth,
        national_id=people.national_ids(rng, units.province, birth, female, province_codes),
        family=family,
        middle=middle,
        given=given,
        coefficient_x100=coefficient,
        joined=joined,
        joined_month=np.asarray(joined_month, dtype=np.int64),
        left=never.copy(),
        left_month=never.copy(),
        exit_reason=np.full(n, -1),
        benefit_due=np.zeros(n, dtype=np.int64),
        first_paid_after=np.zeros(n, dtype=np.int64),
        settled_after=np.zeros(n, dtype=np.int64),
        first_share=np.zeros(n),
        last_month=never.copy(),
        leave_from=never.copy(),
        leave_until=never.copy(),
    )


def set_exit(
    staff: Staff, who: np.ndarray, day: np.ndarray, reason: np.ndarray, history: History
) -> None:
    """Record exits where they come before the exit already drawn."""
    earlier = day < staff.left[who]
    who, day = who[earlier], day[earlier]
    staff.left[who] = day
    staff.left_month[who] = month_of_days(day, history)
    staff.exit_reason[who] = np.broadcast_to(reason, earlier.shape)[earlier]


def baseline_exits(rng, staff: Staff, history: History) -> None:
    """Statutory retirement (the first day of the month after the birthday at retirement
    age) and a small monthly turnover of resignations, transfers and dismissals."""
    who = np.arange(staff.n)
    retire_age = np.where(staff.female[who], RETIREMENT_AGE[True], RETIREMENT_AGE[False])
    at_age = staff.birth[who] + np.round(retire_age * 365.25).astype(np.int64)
    month = month_of_days(at_age, history) + 1
    inside = month < history.n
    set_exit(
        staff,
        who[inside],
        first_of_month(history, month[inside]),
        np.full(inside.sum(), RETIREMENT),
        history,
    )

    start = np.maximum(staff.joined_month[who], 0)
    month = start + rng.geometric(MONTHLY_TURNOVER, len(who))
    inside = month < history.n
    day = first_of_month(history, month[inside]) + rng.integers(0, 28, inside.sum())
    reason = rng.choice([RESIGNATION, TRANSFER, DISMISSAL], inside.sum(), p=[0.45, 0.45, 0.10])
    set_exit(staff, who[inside], day, reason, history)


def employed(staff: Staff, month: int) -> np.ndarray:
    return (staff.joined_month <= month) & (staff.left_month > month)


def wave(rng, staff: Staff, units: ProvinceUnits, history: History, target: np.ndarray) -> None:
    """The restructuring's exits around 1 July 2025, down to each unit's target."""
    june = history.reform_index - 1
    if june < 0 or june >= history.n:
        return
    candidate = employed(staff, june) & (staff.position != CHAIRMAN)
    reform_day = int(REFORM_DAY.astype(np.int64))
    age = (reform_day - staff.birth) / 365.25
    retire_age = np.where(staff.female, RETIREMENT_AGE[True], RETIREMENT_AGE[False])
    eligible = age >= retire_age - EARLY_RETIREMENT_WINDOW
    weight = np.where(eligible, 6.0, 1.0) * np.select(
        [
            staff.position == PARTY_SECRETARY,
            staff.position == VICE_CHAIRMAN,
            staff.position == CONTRACT,
        ],
        [0.05, 0.8, 1.5],
        default=1.0,
    )
    score = rng.random(staff.n) * weight
    # Understaffed units lose every holder of two or three required specialisations.
    lost = np.zeros((units.n, N_REQUIRED), dtype=bool)
    for_units = np.flatnonzero(units.understaffed)
    picks = rng.random((len(for_units), N_REQUIRED)).argsort(axis=1)
    how_many = rng.integers(2, 4, len(for_units))
    lost[for_units[:, None], picks] = np.arange(N_REQUIRED)[None, :] < how_many[:, None]
    spec = np.maximum(staff.specialisation, 0)
    forced = (
        candidate
        & (staff.specialisation >= 0)
        & (spec < N_REQUIRED)
        & lost[staff.unit, np.minimum(spec, N_REQUIRED - 1)]
    )
    score = np.where(forced, 10 + score, score)

    headcount = np.bincount(staff.unit[candidate], minlength=units.n) + np.bincount(
        staff.unit[employed(staff, june) & (staff.position == CHAIRMAN)], minlength=units.n
    )
    excess = np.maximum(headcount - target, np.bincount(staff.unit[forced], minlength=units.n))
    who = np.flatnonzero(candidate)
    order = who[np.lexsort((-score[who], staff.unit[who]))]
    place = rank_within(staff.unit[order])
    leavers = order[place < excess[staff.unit[order]]]

    k = len(leavers)
    young_reason = rng.choice([RESIGNATION, TRANSFER, DISMISSAL], k, p=[0.55, 0.38, 0.07])
    old_reason = rng.choice(
        [EARLY_RETIREMENT, RESIGNATION, TRANSFER, DISMISSAL], k, p=[0.86, 0.06, 0.06, 0.02]
    )
    reason = np.where(eligible[leavers], old_reason, young_reason)
    reason = np.where(forced[leavers] & ~eligible[leavers], TRANSFER, reason)
    month = june + rng.choice(len(WAVE_MONTHS), k, p=WAVE_MONTHS / WAVE_MONTHS.sum())
    month = np.minimum(month, history.n - 1)
    first_day = (reason == EARLY_RETIREMENT) & (rng.random(k) < 0.75)
    day = first_of_month(history, month) + np.where(first_day, 0, rng.integers(0, 28, k))
    set_exit(staff, leavers, day, reason, history)


def recruit(
    rng,
    staff: Staff,
    units: ProvinceUnits,
    history: History,
    target: np.ndarray,
    province_codes: list[str],
) -> Staff:
    """From September 2025 the units that are not understaffed fill their vacancies, a
    missing required specialisation first. One vectorised step per month."""
    parts = [staff]
    next_number = np.zeros(units.n, dtype=np.int64)
    np.maximum.at(next_number, staff.unit, staff.number)
    recruiting = ~units.understaffed
    for month in range(max(history.reform_index + HIRING_FROM, 0), history.n):  # ≤ 30 months
        everyone = concat(parts) if len(parts) > 1 else parts[0]
        at_work = employed(everyone, month)
        headcount = np.bincount(everyone.unit[at_work], minlength=units.n)
        spec = everyone.specialisation
        covered = np.zeros((units.n, 10), dtype=np.int64)
        valid = at_work & (spec >= 0)
        np.add.at(covered, (everyone.unit[valid], spec[valid]), 1)
        missing = covered[:, :N_REQUIRED] == 0
        vacancies = np.maximum(target - headcount, 0)
        hires = rng.binomial(vacancies, HIRE_RATE)
        replace = (hires == 0) & missing.any(axis=1) & (rng.random(units.n) < 0.3)
        hires = np.where(recruiting, hires + replace, 0)
        if hires.sum() == 0:
            continue
        unit = np.repeat(np.arange(units.n), hires)
        n = len(unit)
        rank = rank_within(unit)
        # the k-th hire of a unit fills its k-th missing required specialisation, if any
        gaps = np.argsort(~missing, axis=1, kind="stable")
        n_missing = missing.sum(axis=1)
        fills = rank < n_missing[unit]
        position = np.where(fills | (rng.random(n) < 0.85), CIVIL_SERVANT, CONTRACT)
        specialisation = np.where(
            fills,
            gaps[unit, np.minimum(rank, N_REQUIRED - 1)],
            np.where(
                position == CONTRACT,
                contract_specialisation(rng, n),
                handler_specialisation(rng, n, units.unit_type[unit] == "ward"),
            ),
        )
        female = rng.random(n) < 0.52
        joined = first_of_month(history, np.full(n, month)) + rng.integers(0, 28, n)
        birth = joined - np.round(rng.uniform(23, 35, n) * 365.25).astype(np.int64)
        number = next_number[unit] + rank + 1
        next_number += hires
        hired = new_people(
            rng,
            units,
            unit,
            number,
            position,
            specialisation,
            female,
            birth,
            joined,
            np.full(n, month),
            province_codes,
        )
        baseline_exits(rng, hired, history)
        parts.append(hired)
    return concat(parts) if len(parts) > 1 else staff


def leave_spells(rng, staff: Staff, history: History) -> None:
    """Maternity, sick and study leave: a spell of one to six months for a few people."""
    has = rng.random(staff.n) < LEAVE_SPELL_SHARE
    start = rng.integers(0, history.n, staff.n)
    staff.leave_from = np.where(has, start, NEVER)
    staff.leave_until = np.where(has, start + rng.integers(1, 7, staff.n), NEVER)


def benefits(rng, staff: Staff, history: History, slow: bool) -> None:
    """What the restructuring owes each leaver, and when it is paid."""
    n = staff.n
    left = staff.left_month < NEVER
    after_reform = staff.left >= int(REFORM_DAY.astype(np.int64)) - 31
    retire_age = np.where(staff.female, RETIREMENT_AGE[True], RETIREMENT_AGE[False])
    age = (staff.left - staff.birth) / 365.25
    years_early = np.clip(retire_age - age, 0, None)
    service = np.clip((staff.left - staff.joined) / 365.25, 0, None)
    months = np.select(
        [staff.exit_reason == EARLY_RETIREMENT, (staff.exit_reason == RESIGNATION) & after_reform],
        [np.round(4 + 3 * years_early), np.round(3 + 0.8 * service)],
        default=0,
    )
    months = np.clip(months, 0, MAX_BENEFIT_MONTHS)
    salary = staff.coefficient_x100 * BASE_SALARY_VND // 100
    staff.benefit_due = np.where(left, np.round(salary * months, -3), 0).astype(np.int64)

    settled = rng.choice(len(SETTLEMENT_DELAY), n, p=SETTLEMENT_DELAY / SETTLEMENT_DELAY.sum())
    if slow:
        settled = settled + rng.integers(2, 5, n)
    staff.settled_after = settled
    staff.first_paid_after = np.maximum(settled - rng.integers(0, 3, n), 0)
    staff.first_share = rng.uniform(0.3, 0.7, n)
    stay = rng.integers(0, 3, n)
    owed = staff.benefit_due > 0
    staff.last_month = np.where(left, staff.left_month + np.where(owed, settled, 0) + stay, NEVER)


def roster_table(staff: Staff, units: ProvinceUnits, history: History) -> pa.Table:
    """Every snapshot of the window, in file order (month, unit, staff code); `_month` is
    the window index a row belongs to."""
    window = np.arange(history.window_offset, history.window_offset + history.window_months)
    on_roster = (staff.joined_month[:, None] <= window[None, :]) & (
        staff.last_month[:, None] >= window[None, :]
    )
    person, col = np.nonzero(on_roster)
    month = window[col]
    order = np.lexsort((staff.number[person], staff.unit[person], col))
    person, month, col = person[order], month[order], col[order]

    left = staff.left_month[person] <= month
    leave = (staff.leave_from[person] <= month) & (month < staff.leave_until[person])
    status = np.where(left, LEFT, np.where(leave, ON_LEAVE, ACTIVE))
    unit = staff.unit[person]
    unit_codes = coded(unit, units.codes)
    due = staff.benefit_due[person]
    paid = paid_as_of(staff, person, month)
    spec = staff.specialisation[person]
    return pa.table(
        {
            "snapshot_date": dates(history.month_end[month]),
            "staff_code": pc.binary_join_element_wise(
                "CB",
                unit_codes,
                pc.utf8_lpad(pc.cast(pa.array(staff.number[person]), pa.string()), 3, "0"),
                "",
            ),
            "full_name": people.full_names(
                staff.family[person], staff.middle[person], staff.given[person]
            ),
            "national_id": people.id_strings(staff.national_id[person]),
            "birth_date": dates(staff.birth[person]),
            "unit_code": unit_codes,
            "position": coded(staff.position[person], np.array(POSITIONS)),
            "specialisation": coded(spec, np.array(SPECIALISATIONS)),
            "qualification": coded(
                staff.qualification[person], np.array(people.QUALIFICATION_NAMES)
            ),
            "salary_coefficient": pa.array(staff.coefficient_x100[person] / 100),
            "status": coded(status, np.array(STATUSES)),
            "joined_on": dates(staff.joined[person]),
            "left_on": dates(staff.left[person], mask=~left),
            "exit_reason": coded(
                np.where(left, staff.exit_reason[person], -1), np.array(EXIT_REASONS)
            ),
            "benefit_due_vnd": pa.array(due, mask=~left),
            "benefit_paid_vnd": pa.array(paid, mask=~left),
            "_month": pa.array(col.astype(np.int32)),
        }
    )


def paid_as_of(staff: Staff, person: np.ndarray, month: np.ndarray) -> np.ndarray:
    since = month - staff.left_month[person]
    due = staff.benefit_due[person]
    partial = np.round(due * staff.first_share[person], -3).astype(np.int64)
    return np.where(
        since >= staff.settled_after[person],
        due,
        np.where(since >= staff.first_paid_after[person], partial, 0),
    )


def dates(day: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    """int64 days (or datetime64) → Arrow dates, null where `mask`."""
    return pa.array(np.asarray(day).astype("datetime64[D]"), pa.date32(), mask=mask)


def unit_month_amounts(
    staff: Staff, units: ProvinceUnits, history: History
) -> tuple[np.ndarray, np.ndarray]:
    """Per unit × history month: the payroll (coefficient × base salary of everyone
    employed) and the restructuring benefits paid in the month — what the budget spends."""
    months = np.arange(history.n)
    at_work = (staff.joined_month[:, None] <= months[None, :]) & (
        staff.left_month[:, None] > months[None, :]
    )
    salary = staff.coefficient_x100 * BASE_SALARY_VND // 100
    payroll = np.zeros((units.n, history.n))
    np.add.at(payroll, staff.unit, at_work * salary[:, None])
    owed = np.flatnonzero(staff.benefit_due > 0)
    paid = np.zeros((units.n, history.n))
    if len(owed):
        cumulative = cumulative_paid(staff, owed, months)
        step = np.diff(np.concatenate([np.zeros((len(owed), 1)), cumulative], axis=1), axis=1)
        np.add.at(paid, staff.unit[owed], step)
    return payroll, paid


def cumulative_paid(staff: Staff, owed: np.ndarray, months: np.ndarray) -> np.ndarray:
    since = months[None, :] - staff.left_month[owed][:, None]
    due = staff.benefit_due[owed][:, None]
    partial = np.round(due * staff.first_share[owed][:, None], -3)
    return np.where(
        since >= staff.settled_after[owed][:, None],
        due,
        np.where(since >= staff.first_paid_after[owed][:, None], partial, 0),
    )
