"""Asset and office inventories: quarterly snapshots of a province's public assets
(docs/sources.md, source 4) — March, June, September, December and the window's last month.

Every current unit holds its headquarters (an office building and its land), cultural houses,
vehicles and equipment, in use throughout. The mergers of 1 July 2025 leave the former
communes' headquarters behind: each merged unit holds one to three of them (more where more
communes were merged — read off the gaps between current GSO codes), each an office building
and often its land, with `former_unit_code` the pre-merger commune's code (a 5-digit code that
is not a current unit). In use before the reform, they turn `surplus` in July 2025, and from
there move to `repurposing` → `repurposed` (mostly to education, healthcare, culture, sports,
social welfare; some other), are `disposed` of, or are still waiting; some provinces decide
more slowly. The archives of the former communes move to the current headquarters, whose
records are digitised at a growing pace (slower in the understaffed units).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from simulator.calendar import REFORM_DAY
from simulator.events import coded
from simulator.staffing import NEVER, dates, rank_within
from simulator.units import History, ProvinceUnits, days

ASSET_TYPES = ("office_building", "land", "cultural_house", "vehicle", "equipment", "other")
OFFICE, LAND, CULTURAL_HOUSE, VEHICLE, EQUIPMENT = range(5)
STATUSES = ("in_use", "surplus", "repurposing", "repurposed", "disposed")
IN_USE, SURPLUS, REPURPOSING, REPURPOSED, DISPOSED = range(5)
REPURPOSES = ("education", "healthcare", "culture", "sports", "social_welfare", "other")
REPURPOSE_SHARES = np.array([0.30, 0.18, 0.17, 0.08, 0.14, 0.13])
PATHS = np.array([0.62, 0.14, 0.24])  # repurpose, dispose, still waiting (if ever decided)
REPURPOSE, DISPOSE, WAIT = range(3)
MAX_FORMER_SITES = 3
UNCHANGED_SHARE = 0.07  # units that were not merged ("giữ nguyên"): no former offices
LAND_WITH_OFFICE = 0.6  # former headquarters registered with their land as a second asset
DEPRECIATION = np.array([0.02, 0.0, 0.025, 0.10, 0.15])  # per year, by asset type
ARCHIVE_FROM, ARCHIVE_TO = np.datetime64("2025-01-01"), np.datetime64("2026-06-30")
RECORDS_GROWTH = 0.004  # new archive records a month, as a share of the stock
# address prefixes
HQ, HAMLET_HOUSE, STREET_HOUSE, FORMER, PROVINCE_OFFICE = range(5)
PREFIXES = np.array(
    [
        "Trụ sở Ủy ban nhân dân",
        "Nhà văn hóa thôn ",
        "Nhà văn hóa tổ dân phố ",
        "Trụ sở cũ (đơn vị ",
        "Trụ sở cơ quan cấp tỉnh số ",
    ]
)


def snapshot_months(history: History) -> np.ndarray:
    """History indices of the window's inventory months: quarter ends and the last month."""
    window = np.arange(history.window_offset, history.window_offset + history.window_months)
    quarter_end = (history.months[window].astype(int) % 12 + 1) % 3 == 0
    quarter_end[-1] = True
    return window[quarter_end]


def former_sites(
    rng: np.random.Generator, codes: np.ndarray, national_codes: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(unit index, former code) of the former headquarters each unit holds: codes of the
    old numbering (steps of 3) between the unit's code and the next current code."""
    number = codes.astype(np.int64)
    national = np.sort(national_codes.astype(np.int64))
    following = np.searchsorted(national, number, side="right")
    next_code = np.where(
        following < len(national), national[np.minimum(following, len(national) - 1)], number + 10
    )
    room = (next_code - number - 1) // 3
    count = np.minimum(room, MAX_FORMER_SITES) * (rng.random(len(codes)) >= UNCHANGED_SHARE)
    count = np.maximum(count - (rng.random(len(codes)) < 0.25), 0)
    unit = np.repeat(np.arange(len(codes)), count)
    k = np.arange(len(unit)) - np.repeat(np.cumsum(count) - count, count) + 1
    return unit, number[unit] + 3 * k


def simulate_assets(
    rng: np.random.Generator, units: ProvinceUnits, history: History, national_codes: np.ndarray
) -> pa.Table:
    """The window's inventory snapshots in file order (snapshot, unit, asset code)."""
    slowness = rng.uniform(0.7, 1.6)
    n = units.n
    population = units.population.astype(float)
    ward = units.unit_type != "commune"
    # Current assets: unit 0 is the province unit, communes are 1..n.
    per_type = np.stack(
        [
            np.r_[4, np.ones(n, dtype=np.int64)],
            np.r_[4, np.ones(n, dtype=np.int64)],
            np.r_[0, np.clip(1 + rng.poisson(population / 12_000), 1, 8)],
            np.r_[10, 1 + rng.binomial(2, 0.4, n)],
            np.r_[20, np.minimum(3 + rng.poisson(2, n), 8)],
        ],
        axis=1,
    )
    holder = np.repeat(np.repeat(np.arange(n + 1), 5), per_type.ravel())
    kind = np.repeat(np.tile(np.arange(5), n + 1), per_type.ravel())
    number = rank_in_group(holder) + 1  # in the asset code, per holder
    house = rank_in_group(holder * 5 + kind) + 1  # a cultural house's number in its address
    m = len(holder)
    acquired = days(np.datetime64("1995-01-01")) + rng.integers(
        0, days(np.datetime64("2023-12-01")) - days(np.datetime64("1995-01-01")), m
    )
    acquired = np.where(
        kind >= VEHICLE, np.maximum(acquired, days(np.datetime64("2012-01-01"))), acquired
    )

    former_unit, former_code = former_sites(rng, units.codes, national_codes)
    with_land = rng.random(len(former_unit)) < LAND_WITH_OFFICE
    site = np.r_[np.arange(len(former_unit)), np.flatnonzero(with_land)]
    f_holder = former_unit[site] + 1
    f_kind = np.r_[np.full(len(former_unit), OFFICE), np.full(with_land.sum(), LAND)]
    f_code = former_code[site]
    f = len(site)
    number = np.r_[number, 900 + rank_within(f_holder) + 1]
    house = np.r_[house, np.zeros(f, dtype=np.int64)]

    # per asset: current first, then the former sites' buildings and land
    holder = np.r_[holder, f_holder]
    kind = np.r_[kind, f_kind]
    is_former = np.r_[np.zeros(m, bool), np.ones(f, bool)]
    former = np.r_[np.full(m, -1), f_code]
    acquired = np.r_[acquired, days(np.datetime64("1995-01-01")) + rng.integers(0, 7300, f)]
    rural = ~np.r_[True, ward][holder]
    area = np.select(
        [kind == OFFICE, kind == LAND, kind == CULTURAL_HOUSE],
        [
            np.where(
                is_former, rng.uniform(200, 900, len(kind)), rng.uniform(250, 1500, len(kind))
            ),
            np.where(rural, rng.uniform(1000, 6000, len(kind)), rng.uniform(500, 2500, len(kind))),
            rng.uniform(100, 400, len(kind)),
        ],
        default=np.nan,
    )
    area = np.round(area, 1)
    cost = np.select(
        [kind == OFFICE, kind == LAND, kind == CULTURAL_HOUSE, kind == VEHICLE],
        [
            area * rng.uniform(3e6, 9e6, len(kind)),
            area
            * np.where(
                rural, rng.uniform(0.3e6, 2e6, len(kind)), rng.uniform(5e6, 35e6, len(kind))
            ),
            rng.uniform(0.4e9, 2.5e9, len(kind)),
            rng.uniform(0.6e9, 1.3e9, len(kind)),
        ],
        default=rng.uniform(15e6, 450e6, len(kind)),
    )

    # the former sites' road after the reform (a whole site moves together)
    total = len(former_unit)
    surplus_on = days(REFORM_DAY) + rng.integers(0, 41, total)
    path = rng.choice(3, total, p=PATHS)
    decision = surplus_on + 60 + np.round(rng.lognormal(np.log(110 * slowness), 0.6, total))
    repurposing_on = np.where(path == REPURPOSE, decision, NEVER)
    repurposed_on = np.where(
        path == REPURPOSE,
        decision + 45 + np.round(rng.lognormal(np.log(100 * slowness), 0.5, total)),
        NEVER,
    )
    disposed_on = np.where(
        path == DISPOSE, surplus_on + np.round(1.3 * (decision - surplus_on)), NEVER
    )
    purpose = rng.choice(len(REPURPOSES), total, p=REPURPOSE_SHARES)

    # archives: each unit's own and its former communes' records
    books = ArchiveBooks(
        records=np.round(rng.uniform(4_000, 15_000, n + 1 + total)).astype(np.int64),
        digitised_from=rng.uniform(0.05, 0.25, n + 1),
        digitised_to=np.where(
            np.r_[False, units.understaffed],
            rng.uniform(0.2, 0.4, n + 1),
            rng.uniform(0.5, 0.95, n + 1),
        ),
    )

    snapshots = snapshot_months(history)
    snap_day = history.month_end[snapshots].astype(np.int64)
    asset = np.tile(np.arange(len(kind)), len(snapshots))
    snap = np.repeat(np.arange(len(snapshots)), len(kind))
    day = snap_day[snap]
    site_of = np.r_[np.full(m, -1), site]
    s = np.maximum(site_of[asset], 0)
    former_row = is_former[asset]
    status, since, repurpose = former_status(
        day,
        surplus_on[s],
        repurposing_on[s],
        repurposed_on[s],
        disposed_on[s],
        purpose[s],
        acquired[asset],
    )
    status = np.where(former_row, status, IN_USE)
    since = np.where(former_row, since, acquired[asset])
    repurpose = np.where(former_row, repurpose, -1)

    age = (day - acquired[asset]) / 365.25
    book_value = np.round(
        cost[asset] * np.maximum(0.1, 1 - DEPRECIATION[kind[asset]] * age), -3
    ).astype(np.int64)

    archives, digitised = archive_counts(
        day, asset, holder, kind, is_former, site_of, former_unit, surplus_on, books, n
    )

    order = np.lexsort((asset, holder[asset], snap))
    asset, snap, status, since, repurpose = (
        a[order] for a in (asset, snap, status, since, repurpose)
    )
    book_value, archives, digitised = book_value[order], archives[order], digitised[order]
    codes = np.r_[[units.province], units.codes]
    holder_code = coded(holder[asset], codes)
    number_text = pc.utf8_lpad(pc.cast(pa.array(number[asset]), pa.string()), 3, "0")
    has_archive = archives >= 0
    return pa.table(
        {
            "snapshot_date": dates(snap_day[snap]),
            "asset_code": pc.binary_join_element_wise("TS", holder_code, number_text, ""),
            "asset_type": coded(kind[asset], np.array(ASSET_TYPES)),
            "unit_code": holder_code,
            "former_unit_code": pc.utf8_lpad(
                pc.cast(pa.array(former[asset], mask=former[asset] < 0), pa.string()), 5, "0"
            ),
            "address": addresses(
                units,
                holder[asset],
                kind[asset],
                is_former[asset],
                former[asset],
                np.where(holder[asset] == 0, number[asset], house[asset]),
                ward,
            ),
            "area_m2": pa.array(area[asset], mask=np.isnan(area[asset])),
            "book_value_vnd": pa.array(book_value),
            "status": coded(status, np.array(STATUSES)),
            "repurposed_to": coded(repurpose, np.array(REPURPOSES)),
            "status_since": dates(since),
            "archive_records": pa.array(
                np.maximum(archives, 0).astype(np.int32), mask=~has_archive
            ),
            "archive_records_digitised": pa.array(
                np.maximum(digitised, 0).astype(np.int32), mask=~has_archive
            ),
            "_month": pa.array((snapshots[snap] - history.window_offset).astype(np.int32)),
        }
    )


def former_status(day, surplus_on, repurposing_on, repurposed_on, disposed_on, purpose, acquired):
    """Status, the day it began and the purpose (or -1) of former headquarters on `day`."""
    status = np.select(
        [day < surplus_on, day >= disposed_on, day >= repurposed_on, day >= repurposing_on],
        [IN_USE, DISPOSED, REPURPOSED, REPURPOSING],
        default=SURPLUS,
    )
    since = np.select(
        [status == IN_USE, status == DISPOSED, status == REPURPOSED, status == REPURPOSING],
        [acquired, disposed_on, repurposed_on, repurposing_on],
        default=surplus_on,
    )
    repurpose = np.where((status == REPURPOSING) | (status == REPURPOSED), purpose, -1)
    return status, since.astype(np.int64), repurpose


@dataclass(frozen=True)
class ArchiveBooks:
    """Archive records of each holder (0: the province, 1..n: its units) and of each former
    commune's office (n + 1 + site), and the share of a holder's records digitised when
    digitisation starts (ARCHIVE_FROM) and when it ends (ARCHIVE_TO)."""

    records: np.ndarray
    digitised_from: np.ndarray
    digitised_to: np.ndarray


def archive_counts(
    day, asset, holder, kind, is_former, site_of, former_unit, surplus_on, books: ArchiveBooks, n
):
    """Archive records on office buildings only (-1 elsewhere): a current headquarters keeps
    its own records and, once its former communes' offices are surplus, theirs."""
    office = kind[asset] == OFFICE
    holder_row = holder[asset]
    site = np.maximum(site_of[asset], 0)
    # first office building of each holder is its headquarters
    headquarters = np.zeros(len(kind), dtype=bool)
    current_offices = np.flatnonzero((kind == OFFICE) & ~is_former)
    first = np.unique(holder[current_offices], return_index=True)[1]
    headquarters[current_offices[first]] = True
    moved = np.zeros(len(asset), dtype=np.int64)
    former_office = is_former & (kind == OFFICE)
    sites = site_of[former_office]
    if len(sites):
        # records moved to the holder's headquarters by each snapshot day
        days_unique, snap_index = np.unique(day, return_inverse=True)
        moved_by = np.zeros((n + 1, len(days_unique)), dtype=np.int64)
        arrived = surplus_on[sites][:, None] <= days_unique[None, :]
        np.add.at(moved_by, former_unit[sites] + 1, arrived * books.records[n + 1 + sites][:, None])
        moved = moved_by[holder_row, snap_index]
    own = books.records[holder_row]
    count = np.where(
        headquarters[asset],
        own + moved,
        np.where(
            is_former[asset] & office & (day < surplus_on[site]), books.records[n + 1 + site], -1
        ),
    )
    count = np.where(office, count, -1)
    months = (day - days(ARCHIVE_FROM)) / 30.44  # records keep being filed
    count = np.where(
        count >= 0, np.floor(count * (1 + RECORDS_GROWTH * np.maximum(months, 0))), -1
    ).astype(np.int64)
    progress = np.clip((day - days(ARCHIVE_FROM)) / (days(ARCHIVE_TO) - days(ARCHIVE_FROM)), -1, 1)
    start, end = books.digitised_from[holder_row], books.digitised_to[holder_row]
    share = np.where(
        progress >= 0,
        start + (end - start) * np.maximum(progress, 0) ** 1.3,
        start * (1 + 0.5 * progress),
    )
    digitised = np.where(count >= 0, np.floor(count * np.clip(share, 0, 1)), -1)
    return count, digitised.astype(np.int64)


def rank_in_group(key: np.ndarray) -> np.ndarray:
    """0-based position within runs of equal keys (keys are grouped already)."""
    starts = np.r_[0, np.flatnonzero(np.diff(key)) + 1]
    counts = np.diff(np.r_[starts, len(key)])
    return np.arange(len(key)) - np.repeat(starts, counts)


def addresses(units: ProvinceUnits, holder, kind, is_former, former, number, ward) -> pa.Array:
    province = holder == 0
    prefix = np.select(
        [
            province,
            is_former,
            (kind == CULTURAL_HOUSE) & ward[np.maximum(holder - 1, 0)],
            kind == CULTURAL_HOUSE,
        ],
        [PROVINCE_OFFICE, FORMER, STREET_HOUSE, HAMLET_HOUSE],
        default=HQ,
    )
    middle = np.where(prefix == FORMER, former, np.where(prefix == HQ, -1, number))
    middle_text = pc.if_else(
        pa.array(prefix == FORMER),
        pc.utf8_lpad(pc.cast(pa.array(middle), pa.string()), 5, "0"),
        pc.cast(pa.array(middle, mask=middle < 0), pa.string()),
    )
    head = pc.binary_join_element_wise(
        coded(prefix, PREFIXES),
        pc.fill_null(middle_text, ""),
        coded((prefix == FORMER).astype(np.int64), np.array(["", ")"])),
        "",
    )
    place = pc.if_else(
        pa.array(province),
        pa.scalar(units.province_name),
        pc.binary_join_element_wise(
            coded(np.maximum(holder - 1, 0), units.names), units.province_name, ", "
        ),
    )
    return pc.binary_join_element_wise(head, place, ", ")
