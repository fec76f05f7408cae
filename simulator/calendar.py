"""The simulated window, its day rhythm, and the working-time axis dossiers move along.

Times are naive Vietnam local time (UTC+07:00, no daylight saving) held as int64 seconds
since 1970-01-01; days as int64 days since 1970-01-01. Processing happens in office hours
on working days (Monday–Friday, not a public holiday), so a dossier's progress is laid out
on a *working-time axis*: position p = index of a working day + the fraction of its office
hours. Adding working days is then plain arithmetic, and mapping back gives real times.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orchestration.project_vars import reform_date
from simulator.reference import Reference

DAY = 86_400
OFFICE_OPENS = 7 * 3600 + 1800  # 07:30
OFFICE_CLOSES = 17 * 3600  # 17:00, also the hour a promised return date ends
OFFICE_SECONDS = OFFICE_CLOSES - OFFICE_OPENS
LAST_MONTH = np.datetime64("2026-06", "M")  # the window ends with June 2026
REFORM_DAY = np.datetime64(reform_date(), "D")  # dbt var reform_date

# Day classes and their share of a working day's submissions. Offices receive in person
# Monday–Saturday morning; on Sundays and holidays only online submissions arrive.
WORKDAY, SATURDAY, CLOSED = 0, 1, 2
CLASS_WEIGHT = np.array([1.0, 0.22, 0.05])

TET_NAME = "nguyên đán"
TET_BEFORE_DAYS, TET_BEFORE_FACTOR = 6, 0.7  # offices wind down before the break
TET_AFTER_DAYS, TET_AFTER_FROM = 12, 0.45  # and ramp back up after it


@dataclass(frozen=True)
class Calendar:
    first_day: int  # window start (days since epoch)
    end_day: int  # day after the window's last day
    months: np.ndarray  # datetime64[M] of the window's months
    holidays: np.ndarray  # sorted days that are public holidays
    workdays: np.ndarray  # working days from the window start to well past its end
    day_class: np.ndarray  # per window day
    tet_factor: np.ndarray  # per window day: 1.0 except around Tết

    @property
    def n_days(self) -> int:
        return self.end_day - self.first_day

    @property
    def end_ts(self) -> int:
        """The first second after the window: later events have not happened yet."""
        return self.end_day * DAY

    @property
    def day_weight(self) -> np.ndarray:
        return CLASS_WEIGHT[self.day_class] * self.tet_factor

    def month_index(self, ts: np.ndarray) -> np.ndarray:
        months = (ts // DAY).astype("datetime64[D]").astype("datetime64[M]")
        return (months - self.months[0]).astype(np.int64)

    def position_of(self, ts: np.ndarray) -> np.ndarray:
        """The working-time position of a moment, rolled forward to the next office hour."""
        day, tod = np.divmod(ts, DAY)
        idx = np.searchsorted(self.workdays, day, side="left")
        idx = np.minimum(idx, len(self.workdays) - 1)
        is_workday = self.workdays[idx] == day
        frac = np.clip((tod - OFFICE_OPENS) / OFFICE_SECONDS, 0.0, 1.0)
        return np.where(is_workday, idx + frac, idx.astype(float))

    def time_of(self, position: np.ndarray) -> np.ndarray:
        """The moment of a working-time position (seconds)."""
        idx = np.clip(np.floor(position).astype(np.int64), 0, len(self.workdays) - 1)
        frac = np.clip(position - idx, 0.0, 0.9999)
        return (
            self.workdays[idx] * DAY
            + OFFICE_OPENS
            + np.round(frac * OFFICE_SECONDS).astype(np.int64)
        )

    def close_of(self, workday_index: np.ndarray) -> np.ndarray:
        """17:00 on the given working day: the promised return time of a deadline."""
        idx = np.clip(workday_index, 0, len(self.workdays) - 1)
        return self.workdays[idx] * DAY + OFFICE_CLOSES


def build_calendar(reference: Reference, n_months: int) -> Calendar:
    months = np.arange(LAST_MONTH - (n_months - 1), LAST_MONTH + 1)
    first_day = int(months[0].astype("datetime64[D]").astype(np.int64))
    end_day = int((months[-1] + 1).astype("datetime64[D]").astype(np.int64))
    hol = reference.holidays
    holidays = np.unique(hol["holiday_date"].to_numpy().astype("datetime64[D]").astype(np.int64))

    # A year of working days past the window: deadlines and late finishes fall there.
    span = np.arange(first_day, end_day + 400, dtype=np.int64)
    weekday = (span + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday
    is_holiday = np.isin(span, holidays)
    workdays = span[(weekday < 5) & ~is_holiday]

    window = span[: end_day - first_day]
    day_class = np.where(
        is_holiday[: len(window)] | (weekday[: len(window)] == 6),
        CLOSED,
        np.where(weekday[: len(window)] == 5, SATURDAY, WORKDAY),
    )
    tet_days = hol.loc[hol["holiday_name"].str.casefold().str.contains(TET_NAME), "holiday_date"]
    tet = np.unique(tet_days.to_numpy().astype("datetime64[D]").astype(np.int64))
    return Calendar(
        first_day=first_day,
        end_day=end_day,
        months=months,
        holidays=holidays,
        workdays=workdays,
        day_class=day_class,
        tet_factor=tet_dip(window, tet),
    )


def tet_dip(days: np.ndarray, tet: np.ndarray) -> np.ndarray:
    """Lower demand in the week before the Tết break and a ramp back after it (the break
    itself is holidays: closed days already)."""
    factor = np.ones(len(days))
    if len(tet) == 0:
        return factor
    # Tết breaks are runs of consecutive holiday days.
    starts = tet[np.r_[True, np.diff(tet) > 1]]
    ends = tet[np.r_[np.diff(tet) > 1, True]]
    for start, end in zip(starts, ends, strict=True):  # one iteration per Tết, not per day
        before = (days >= start - TET_BEFORE_DAYS) & (days < start)
        factor[before] = np.minimum(factor[before], TET_BEFORE_FACTOR)
        after = (days > end) & (days <= end + TET_AFTER_DAYS)
        ramp = TET_AFTER_FROM + (1 - TET_AFTER_FROM) * (days - end) / (TET_AFTER_DAYS + 1)
        factor[after] = np.minimum(factor[after], ramp[after])
    return factor
