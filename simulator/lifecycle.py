"""One province's dossiers, from submission to result, as numpy arrays (one row a dossier).

The life of a dossier, all drawn at once for every dossier of the province:
submitted → received (same or next working day; promised for 17:00 on the statutory
working day after receipt) → assigned → 1–4 processing steps → completed → result returned,
with supplement requests along the way (3–11% by the procedure's complexity, a tenth of
them twice), ≈2% withdrawn, ≈1.5% rejected (some refused at reception).

Each step's working time is drawn on its own — the procedure's statutory days × the step's
usual share × the dossier's complexity × the step's noise — and multiplied by its causes
(`causes.py`, `reform.py`): the province's pace, the reform's first-quarter learning curve,
a planted slow step, a weak unit after the reform, an improved unit's predecessors before it.
Dossiers lodged before the reform are recorded under the unit codes of their time
(`reform.py`). A dossier is late when its steps add up past the deadline (or it was sent
back twice), as the on-time rule of Decision 766 judges it: lateness comes from causes, not
from a coin.
Processing is laid out on the working-time axis (`calendar.py`) *net* of the applicant's
supplement waits, which are then inserted. Moments past the window's end have not happened:
those dossiers stay open. Calibration: docs/simulation.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator import reform
from simulator.calendar import (
    CLOSED,
    DAY,
    OFFICE_OPENS,
    SATURDAY,
    Calendar,
)
from simulator.catalogue import (
    DIRECT,
    ONLINE_FULL,
    ONLINE_PARTIAL,
    POSTAL,
    STEP_DWELL,
    STEP_TEMPLATES,
    Catalogue,
)
from simulator.causes import Causes
from simulator.profiles import ProvinceProfile
from simulator.reference import Reference, demand_weight

# Event slots: the columns of a dossier's moment matrix, in lifecycle order.
SUBMITTED, RECEIVED, ASSIGNED = 0, 1, 2
STEP_STARTED = (3, 5, 7, 9)
STEP_COMPLETED = (4, 6, 8, 10)
SUPPLEMENT_REQUESTED = (11, 13)
SUPPLEMENT_RECEIVED = (12, 14)
COMPLETED, RESULT_RETURNED, WITHDRAWN, STOPPED, REFUSED = 15, 16, 17, 18, 19
N_SLOTS = 20
SLOT_EVENT = (
    ("submitted", "received", "assigned")
    + ("step_started", "step_completed") * 4
    + ("supplement_requested", "supplement_received") * 2
    + ("completed", "result_returned", "withdrawn", "rejected", "rejected")
)

# Outcome shares (of all dossiers).
REFUSED_SHARE, STOPPED_SHARE, WITHDRAWN_SHARE = 0.006, 0.009, 0.020
# Share of dossiers sent back for a supplement at least once, by step template (more steps,
# more documents: land and construction files go back most); a tenth of them twice.
SUPPLEMENT_BY_TEMPLATE = np.array([0.03, 0.045, 0.06, 0.11, 0.09])
SUPPLEMENT_TWICE_SHARE = 0.10
# Net working time: a typical dossier uses TYPICAL_USE of its statutory days, spread over its
# steps by STEP_DWELL; a dossier's complexity is lognormal, each step's noise gamma.
TYPICAL_USE = 0.55
COMPLEXITY_SIGMA = 0.30
STEP_SHAPE = 4.0
# Share of the dossiers ready before their promised day whose result is signed and handed
# over on that day (the appointment on the receipt), not before.
HELD_FOR_APPOINTMENT = 0.30
RATED_SHARE = 0.40  # returned dossiers whose applicant leaves a rating
# Ratings 1–5 when on time and when late.
RATINGS_ON_TIME = np.array([0.01, 0.02, 0.07, 0.28, 0.62])
RATINGS_LATE = np.array([0.12, 0.18, 0.25, 0.25, 0.20])
TREND_START, TREND_DAYS = np.datetime64("2025-01-01"), 546  # online take-up grows over time

# Online submissions by hour of day (people file in the evening too).
ONLINE_HOURS = np.array(
    [1, 0.5, 0.3, 0.2, 0.3, 0.8, 2, 4, 7, 8, 8, 7, 5, 5, 7, 7, 7, 6, 5, 5, 5, 4, 3, 2],
    dtype=float,
)


@dataclass
class Dossiers:
    unit_codes: np.ndarray  # the province's units (index 0: the province unit)
    unit: np.ndarray  # index into unit_codes
    day: np.ndarray  # submission day
    seq: np.ndarray  # number of the dossier among its unit's dossiers that day
    procedure: np.ndarray  # index into the catalogue
    channel: np.ndarray  # index into catalogue.CHANNELS
    business: np.ndarray
    applicant: np.ndarray  # applicant id digits (12 for citizens, 10 for businesses)
    staff: np.ndarray  # (n, 3): leader, receptionist, processor staff numbers
    synced: np.ndarray
    digitised: np.ndarray
    reused: np.ndarray
    paid_online: np.ndarray
    result_digital: np.ndarray
    rating: np.ndarray  # 0 when not rated
    steps: np.ndarray  # (n, 4) step-name indices, -1 where the procedure has no such step
    due: np.ndarray  # promised return time (seconds)
    moments: np.ndarray  # (n, N_SLOTS) seconds
    happened: np.ndarray  # (n, N_SLOTS) bool: the event exists and lies inside the window
    overdue: np.ndarray  # finished after the promised date, or sent back twice
    record_codes: np.ndarray  # the codes dossiers are recorded under (reform.codes_of_time)
    record_unit: np.ndarray  # index into record_codes: the unit of the submission day's time

    def __len__(self) -> int:
        return len(self.unit)

    def completed(self) -> np.ndarray:
        """Bool per dossier: it was dealt with to a result inside the window."""
        return self.happened[:, COMPLETED]


def simulate_province(
    rng: np.random.Generator,
    profile: ProvinceProfile,
    reference: Reference,
    calendar: Calendar,
    catalogue: Catalogue,
    scale: float,
    causes: Causes,
    change: reform.ReformChange | None = None,
) -> Dossiers:
    unit_codes, rates, staff_size = unit_rates(reference, profile, scale)
    change = change or reform.unchanged(len(unit_codes))
    unit, day, seq = draw_submissions(rng, calendar, rates)
    n = len(unit)
    day_class = calendar.day_class[day - calendar.first_day]
    online_only = day_class == CLOSED

    procedure = np.empty(n, dtype=np.int64)
    periods = catalogue.periods(calendar.first_day, calendar.end_day)
    at_province = unit == 0
    for level, mask in (("province", at_province), ("commune", ~at_province)):
        procedure[mask] = catalogue.draw(rng, level, day[mask], online_only[mask], periods)

    channel = draw_channels(
        rng, profile, catalogue.capability[procedure], day, online_only, causes.online_factor(unit)
    )
    submitted = day * DAY + submission_time(rng, channel, day_class)
    business = rng.random(n) < catalogue.business_share[procedure]
    flags = draw_flags(
        rng, profile, channel, catalogue.fee_bearing[procedure], causes.digital_factor(unit)
    )
    staff = draw_staff(rng, staff_size[unit])
    applicant = applicant_ids(rng, business, int(profile.code))
    timeline = lay_out_timeline(
        rng,
        profile,
        calendar,
        catalogue,
        procedure,
        channel,
        submitted,
        day,
        reform.service_factor(day, unit, causes.unit_factor(unit), change.improved),
        causes,
        causes.handover_factor(unit, day),
    )
    rating = draw_ratings(rng, timeline["overdue"], timeline["happened"][:, RESULT_RETURNED])
    recorded = reform.codes_of_time(
        change.seed,
        profile.code,
        change.lineage,
        unit_codes,
        unit,
        day,
        catalogue.from_district[procedure],
    )
    dossiers = Dossiers(
        unit_codes=unit_codes,
        unit=unit,
        day=day,
        seq=seq,
        procedure=procedure,
        channel=channel,
        business=business,
        applicant=applicant,
        staff=staff,
        rating=rating,
        steps=STEP_TEMPLATES[catalogue.template[procedure]],
        **flags,
        **timeline,
        record_codes=recorded.codes,
        record_unit=recorded.index,
    )
    dossiers.seq = reform.renumber(recorded.index, day, seq)
    return reform.without(dossiers, recorded.unrecorded)


def unit_rates(
    reference: Reference, profile: ProvinceProfile, scale: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Dossiers per working day for the province unit and each commune-level unit."""
    communes = reference.communes_of(profile.code)
    population = communes["population"].to_numpy()
    commune_rate = scale * demand_weight(population) / reference.demand_weight_mean
    share = profile.provincial_share
    province_rate = share / (1 - share) * commune_rate.sum()
    codes = np.r_[[profile.code], communes["unit_code"].to_numpy(dtype=object)]
    staff = np.r_[[60], np.clip(4 + population // 6000, 4, 30)].astype(np.int64)
    return codes, np.r_[province_rate, commune_rate], staff


def draw_submissions(
    rng: np.random.Generator, calendar: Calendar, rates: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Poisson counts per unit and day; a dossier's number is its rank within the cell."""
    counts = rng.poisson(rates[:, None] * calendar.day_weight[None, :]).ravel()
    cell = np.repeat(np.arange(counts.size), counts)
    unit, offset = np.divmod(cell, calendar.n_days)
    starts = np.cumsum(counts) - counts
    seq = np.arange(len(cell)) - np.repeat(starts, counts) + 1
    return unit, calendar.first_day + offset, seq


def draw_channels(
    rng: np.random.Generator,
    profile: ProvinceProfile,
    capability: np.ndarray,
    day: np.ndarray,
    online_only: np.ndarray,
    online_factor: np.ndarray | float = 1.0,
) -> np.ndarray:
    """How the dossier is lodged: what the procedure allows and the province's take-up
    (rising over time), times the unit's factor (weak units: causes.py); on closed days
    only online."""
    progress = np.clip((day - TREND_START.astype(np.int64)) / TREND_DAYS, 0, 1)
    full = np.clip(profile.online_full + profile.online_trend * progress, 0, 0.95)
    p_full = np.where(capability == 2, full, 0.0) * online_factor
    p_partial = online_factor * np.select(
        [capability == 2, capability == 1], [0.08, profile.online_partial], default=0.0
    )
    p_postal = np.select([capability == 2, capability == 1], [0.02, 0.03], default=0.04)
    online = p_full + p_partial
    # On a closed day the dossier is online: renormalise over the online channels.
    p_full = np.where(online_only, p_full / np.maximum(online, 1e-9), p_full)
    p_partial = np.where(online_only, p_partial / np.maximum(online, 1e-9), p_partial)
    p_postal = np.where(online_only, 0.0, p_postal)
    u = rng.random(len(day))
    return np.select(
        [u < p_full, u < p_full + p_partial, u < p_full + p_partial + p_postal],
        [ONLINE_FULL, ONLINE_PARTIAL, POSTAL],
        default=DIRECT,
    )


def submission_time(
    rng: np.random.Generator, channel: np.ndarray, day_class: np.ndarray
) -> np.ndarray:
    """Seconds after midnight: counters open 07:30–11:30 and 13:30–17:00 (Saturday
    mornings only); online at any hour, mostly by day."""
    n = len(channel)
    u = rng.random((n, 2))
    morning = (u[:, 0] < 0.62) | (day_class == SATURDAY)
    counter = np.where(
        morning,
        OFFICE_OPENS + u[:, 1] * 4 * 3600,
        13.5 * 3600 + u[:, 1] * 3.5 * 3600,
    )
    hours = rng.choice(24, size=n, p=ONLINE_HOURS / ONLINE_HOURS.sum())
    online = hours * 3600 + rng.random(n) * 3600
    return np.where(channel >= ONLINE_PARTIAL, online, counter).astype(np.int64)


def draw_flags(
    rng: np.random.Generator,
    profile: ProvinceProfile,
    channel: np.ndarray,
    fee_bearing: np.ndarray,
    digital_factor: np.ndarray | float = 1.0,
) -> dict[str, np.ndarray]:
    """The national index's flags; paper dossiers are digitised and paid online less, and
    weak units digitise less (`digital_factor`, causes.py)."""
    u = rng.random((len(channel), 5))
    online = channel >= ONLINE_PARTIAL
    result_p = digital_factor * np.select(
        [channel == ONLINE_FULL, channel == ONLINE_PARTIAL],
        [0.93, 0.75],
        default=profile.result_digital_direct,
    )
    digitised_p = digital_factor * np.where(online, 0.97, profile.digitised_direct)
    return {
        "synced": u[:, 0] < profile.sync_rate,
        "digitised": u[:, 1] < digitised_p,
        "reused": u[:, 2] < profile.data_reuse,
        "paid_online": fee_bearing & (u[:, 3] < np.where(online, profile.pay_online, 0.06)),
        "result_digital": u[:, 4] < result_p,
    }


def draw_staff(rng: np.random.Generator, size: np.ndarray) -> np.ndarray:
    """Staff number 1 signs (the unit's leader); the next quarter receive; the rest process."""
    receivers = np.maximum(2, size // 4)
    receptionist = 2 + rng.integers(0, receivers)
    processor = 2 + receivers + rng.integers(0, np.maximum(1, size - 1 - receivers))
    return np.column_stack([np.ones_like(size), receptionist, processor])


def applicant_ids(rng: np.random.Generator, business: np.ndarray, province: int) -> np.ndarray:
    """Citizen ID: birth-province code (3 digits), century-and-sex digit, birth year (2),
    6 digits; business tax code: 10 digits."""
    n = len(business)
    u = rng.random((n, 5))
    home = np.where(u[:, 0] < 0.85, province, 1 + (u[:, 1] * 96).astype(np.int64))
    year = 1945 + (u[:, 2] * 63).astype(np.int64)
    century_sex = 2 * (year >= 2000) + (u[:, 3] < 0.5)
    citizen = home * 10**9 + century_sex * 10**8 + (year % 100) * 10**6
    citizen += (u[:, 4] * 10**6).astype(np.int64)
    tax = (1 + (u[:, 1] * 98).astype(np.int64)) * 10**8 + (u[:, 4] * 10**8).astype(np.int64)
    return np.where(business, tax, citizen)


def lay_out_timeline(
    rng: np.random.Generator,
    profile: ProvinceProfile,
    calendar: Calendar,
    catalogue: Catalogue,
    procedure: np.ndarray,
    channel: np.ndarray,
    submitted: np.ndarray,
    day: np.ndarray,
    unit_factor: np.ndarray,
    causes: Causes,
    handover_factor: np.ndarray | float = 1.0,
) -> dict[str, np.ndarray]:
    """Every dossier's moments: outcome, receipt, deadline, steps, supplements, result."""
    n = len(procedure)
    u = rng.random((n, 12))
    statutory = catalogue.statutory_days[procedure]
    templates = STEP_TEMPLATES[catalogue.template[procedure]]
    n_steps = (templates >= 0).sum(axis=1)
    supplement = SUPPLEMENT_BY_TEMPLATE[catalogue.template[procedure]]

    # Outcome.
    refused = u[:, 0] < REFUSED_SHARE
    stopped = ~refused & (u[:, 0] < REFUSED_SHARE + STOPPED_SHARE)
    withdrawn = (u[:, 0] >= REFUSED_SHARE + STOPPED_SHARE) & (
        u[:, 0] < REFUSED_SHARE + STOPPED_SHARE + WITHDRAWN_SHARE
    )
    processed = ~(refused | stopped | withdrawn)
    twice = ~refused & (u[:, 1] < supplement * SUPPLEMENT_TWICE_SHARE)
    once = ~refused & (u[:, 1] < supplement)

    # Receipt: at the counter minutes after lodging; by post 1–3 working days later;
    # online within hours of office time.
    lodged = calendar.position_of(submitted)
    received = np.select(
        [channel == DIRECT, channel == POSTAL],
        [
            submitted + 60 + (u[:, 3] * 840).astype(np.int64),
            calendar.time_of(np.floor(lodged) + 1 + u[:, 3] * 2),
        ],
        default=calendar.time_of(lodged + 0.02 + u[:, 3] * 0.5),
    )
    start = calendar.position_of(received)
    start_day = np.floor(start).astype(np.int64)
    due = calendar.close_of(start_day + statutory)

    # Net processing: each step's working time, drawn on its own and multiplied by its causes.
    assigned = start + 0.005 + u[:, 4] * 0.2
    step_days = draw_step_days(rng, profile, statutory, templates, procedure, causes)
    step_days *= (unit_factor * reform.learning_curve_factor(day))[:, None]
    hold_for_appointment(
        step_days, assigned, start_day + statutory, n_steps, u[:, 2] < HELD_FOR_APPOINTMENT, u[:, 5]
    )
    step_end = assigned[:, None] + 0.003 + np.cumsum(step_days, axis=1)
    # A dossier in flight on the reform day is handed over to today's unit and worked at its
    # pace from then on (causes.Causes.handover_factor).
    step_end = reform.slowed_after(
        step_end,
        calendar.position_of(np.int64(reform.REFORM) * DAY),
        np.reshape(handover_factor, (-1, 1)),
    )
    step_start = np.column_stack([assigned + 0.002, step_end[:, :3] + 0.0005])
    end = step_end[np.arange(n), n_steps - 1] + 0.002

    # Supplement requests come during the first step (the file check); the applicant's
    # wait moves everything after the request.
    first = step_start[:, 0] + (0.15 + 0.7 * u[:, 6]) * (step_end[:, 0] - step_start[:, 0])
    second = first + (0.2 + 0.6 * u[:, 7]) * (step_end[:, 0] - first)
    request_1 = np.where(once, first, np.inf)
    request_2 = np.where(twice, second, np.inf)
    wait_1 = 0.3 + rng.gamma(2.0, 2.0, n)
    wait_2 = 0.3 + rng.gamma(2.0, 2.0, n)

    def shifted(position: np.ndarray) -> np.ndarray:
        if position.ndim == 2:
            return (
                position
                + wait_1[:, None] * (position > request_1[:, None])
                + wait_2[:, None] * (position > request_2[:, None])
            )
        return position + wait_1 * (position > request_1) + wait_2 * (position > request_2)

    # Withdrawn and stopped dossiers end part-way; nothing after that point happens.
    cut = np.where(stopped | withdrawn, assigned + (0.1 + 0.8 * u[:, 8]) * (end - assigned), np.inf)
    returned = shifted(end) + np.where(
        (channel >= ONLINE_PARTIAL) & (u[:, 9] < 0.9),
        0.001 + 0.02 * u[:, 10],
        0.02 + rng.exponential(1.5, n),
    )

    moments = np.zeros((n, N_SLOTS), dtype=np.int64)
    exists = np.zeros((n, N_SLOTS), dtype=bool)
    alive = ~refused

    def put(slot, when, mask, position=True):
        if position:  # absent events sit at +inf: park them at 0, they are masked out
            when = calendar.time_of(np.where(mask & np.isfinite(when), when, 0.0))
        moments[:, slot] = when
        exists[:, slot] = mask

    put(SUBMITTED, submitted, np.ones(n, dtype=bool), position=False)
    put(RECEIVED, received, alive, position=False)
    put(ASSIGNED, assigned, alive)
    has_step = np.arange(4)[None, :] < n_steps[:, None]
    started, completed = shifted(step_start), shifted(step_end)
    for i in range(4):  # four step columns, each vectorised over all dossiers
        put(STEP_STARTED[i], started[:, i], alive & has_step[:, i] & (step_start[:, i] < cut))
        put(STEP_COMPLETED[i], completed[:, i], alive & has_step[:, i] & (step_end[:, i] < cut))
    put(SUPPLEMENT_REQUESTED[0], request_1, once & (request_1 < cut))
    put(SUPPLEMENT_RECEIVED[0], request_1 + wait_1, once & (request_1 < cut))
    put(SUPPLEMENT_REQUESTED[1], request_2 + wait_1, twice & (request_2 < cut))
    put(SUPPLEMENT_RECEIVED[1], request_2 + wait_1 + wait_2, twice & (request_2 < cut))
    put(COMPLETED, shifted(end), processed)
    put(RESULT_RETURNED, returned, processed)
    put(WITHDRAWN, shifted(cut), withdrawn)
    put(STOPPED, shifted(cut), stopped)
    put(REFUSED, received, refused, position=False)

    happened = exists & (moments < calendar.end_ts)
    # Judged as the on-time rule does: the net end (supplement waits taken out).
    overdue = processed & ((calendar.time_of(end) // DAY > due // DAY) | twice)
    return {"due": due, "moments": moments, "happened": happened, "overdue": overdue}


def hold_for_appointment(
    step_days: np.ndarray,
    assigned: np.ndarray,
    due_day: np.ndarray,
    n_steps: np.ndarray,
    held: np.ndarray,
    u: np.ndarray,
) -> None:
    """A held dossier that would be ready before its promised working day waits in its last
    step until that day (in place): on time, not early."""
    rows = np.arange(len(assigned))
    ready = assigned + 0.005 + step_days.sum(axis=1)
    wait = np.where(held & (np.floor(ready) < due_day), due_day + 0.05 + 0.8 * u - ready, 0.0)
    step_days[rows, n_steps - 1] += np.maximum(wait, 0.0)


def draw_step_days(
    rng: np.random.Generator,
    profile: ProvinceProfile,
    statutory: np.ndarray,
    templates: np.ndarray,
    procedure: np.ndarray,
    causes: Causes,
) -> np.ndarray:
    """(n, 4) net working days of each step (0 where the procedure has no such step): the
    statutory days × the step's usual share × the dossier's complexity × gamma noise, × the
    province's pace and its planted slow steps."""
    n = len(statutory)
    dwell = np.where(templates >= 0, STEP_DWELL[np.maximum(templates, 0)], 0.0)
    usual_share = dwell / dwell.sum(axis=1, keepdims=True)
    complexity = rng.lognormal(0.0, COMPLEXITY_SIGMA, n)
    noise = rng.gamma(STEP_SHAPE, 1.0 / STEP_SHAPE, (n, 4))
    days = (statutory * TYPICAL_USE * complexity * profile.pace)[:, None] * usual_share * noise
    days *= causes.step_factor(procedure, templates)
    return np.maximum(days, 0.004) * (templates >= 0)


def draw_ratings(rng: np.random.Generator, overdue: np.ndarray, returned: np.ndarray) -> np.ndarray:
    """A 1–5 rating on about 40% of returned dossiers, lower when the result came late."""
    n = len(overdue)
    u = rng.random((n, 2))
    on_time = np.searchsorted(np.cumsum(RATINGS_ON_TIME), u[:, 1] * RATINGS_ON_TIME.sum())
    late = np.searchsorted(np.cumsum(RATINGS_LATE), u[:, 1] * RATINGS_LATE.sum())
    rating = 1 + np.where(overdue, late, on_time)
    return np.where(returned & (u[:, 0] < RATED_SHARE), rating, 0).astype(np.int64)
