"""Budget allocations: planned, allocated and disbursed amounts per unit, month and budget
line (docs/sources.md, source 3), for the province unit and every commune-level unit.

Amounts are each month's own (never year-to-date). Per line:
- expenditure: payroll (the roster's coefficients × base salary, with allowances), running
  costs, development investment (Q4-heavy, executed 25–75%), restructuring benefits (what
  the roster's leavers are paid that month), digital transformation (1–4% of recurrent
  spending, more after the reform);
- revenue: the commune's devolved revenue, fees and charges, land-use fees (occasional large
  sums), and the province's transfer that balances the commune's books.
planned ≥ allocated ≥ disbursed on every line (recurrent execution 60–99%, revenue collected
75–100% of its target: the warehouse warns on a line disbursed beyond its allocation, the
pipeline's checks must pass on simulated data). The understaffed units also get
45–60% of the usual running and investment money per resident. A commune's State Treasury
account is opened after 1 July 2025 — most by October, a tail into 2026 — and the column is
empty before.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from simulator.calendar import REFORM_DAY
from simulator.events import coded
from simulator.staffing import dates
from simulator.units import History, ProvinceUnits

LINES = (
    ("expenditure", "recurrent_operations", "Chi lương và các khoản phụ cấp"),
    ("expenditure", "recurrent_operations", "Chi hoạt động bộ máy"),
    ("expenditure", "development_investment", "Chi đầu tư phát triển"),
    ("expenditure", "restructuring_benefits", "Chi chính sách sắp xếp tổ chức bộ máy"),
    ("expenditure", "digital_transformation", "Chi chuyển đổi số"),
    ("revenue", "devolved_revenue", "Thu ngân sách được hưởng theo phân cấp"),
    ("revenue", "fees_and_charges", "Thu phí, lệ phí"),
    ("revenue", "land_use_fees", "Thu tiền sử dụng đất"),
    ("revenue", "transfers_from_province", "Thu bổ sung từ ngân sách cấp tỉnh"),
)
SALARIES, RUNNING, DEVELOPMENT, RESTRUCTURING, DIGITAL, DEVOLVED, FEES, LAND, TRANSFERS = range(9)
EXPENDITURE = slice(0, 5)
ALLOWANCES = 1.45  # payroll on top of coefficient × base salary: allowances, insurance
RUNNING_SEASON = np.array([0.8, 0.75, 0.95, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.05, 1.1, 1.35])
INVESTMENT_SEASON = np.array([0.4, 0.5, 0.7, 0.8, 0.9, 1.0, 1.0, 1.1, 1.2, 1.3, 1.4, 1.7])
REVENUE_SEASON = np.array([1.2, 0.8, 0.9, 1.0, 1.0, 1.0, 0.9, 0.9, 1.0, 1.0, 1.1, 1.2])
UNDERFUNDED = (0.45, 0.60)  # the understaffed units' share of the usual money per resident
# Days after 1 July 2025 a commune's treasury account opens: buckets and their shares.
TREASURY_DELAY = ((0, 31, 0.45), (31, 62, 0.28), (62, 93, 0.12), (93, 151, 0.09), (151, 271, 0.06))


def simulate_budget(
    rng: np.random.Generator,
    units: ProvinceUnits,
    history: History,
    payroll: np.ndarray,
    benefits_paid: np.ndarray,
) -> pa.Table:
    """The window's budget lines in file order (month, unit, line); `payroll` and
    `benefits_paid` are the roster's per unit × history month (staffing.unit_month_amounts)."""
    n_units, n_months, n_lines = units.n + 1, history.n, len(LINES)
    month_of_year = history.months.astype(int) % 12  # 0 = January
    after = np.arange(n_months) >= history.reform_index
    population = np.r_[units.population.sum(), units.population].astype(float)
    ward = np.r_[False, units.unit_type == "ward"]
    funding = np.r_[1.0, np.where(units.understaffed, rng.uniform(*UNDERFUNDED, units.n), 1.0)]
    noise = lambda low, high: rng.uniform(low, high, (n_units, n_months))  # noqa: E731

    allocated = np.zeros((n_units, n_months, n_lines))
    province_payroll = population[0] / 1000 * 3.8 * 2_340_000
    allocated[:, :, SALARIES] = (
        np.r_[province_payroll * np.ones((1, n_months)), payroll] * ALLOWANCES * noise(1.0, 1.05)
    )
    running_base = np.r_[population[0] * 3_000, 150e6 + population[1:] * 6_000]
    allocated[:, :, RUNNING] = (
        (running_base * funding * rng.uniform(0.85, 1.15, n_units))[:, None]
        * RUNNING_SEASON[month_of_year][None, :]
        * noise(0.9, 1.1)
    )
    yearly = (
        np.r_[population[0] * 1_500_000, population[1:] * 350_000]
        * funding
        * rng.uniform(0.4, 1.6, n_units)
    )
    allocated[:, :, DEVELOPMENT] = (
        (yearly / 12)[:, None]
        * (INVESTMENT_SEASON / INVESTMENT_SEASON.mean())[month_of_year][None, :]
        * noise(0.8, 1.2)
    )
    commune_paid = benefits_paid.sum(axis=0)
    paid = np.r_[commune_paid[None, :] * rng.uniform(0.3, 0.6), benefits_paid]
    allocated[:, :, RESTRUCTURING] = paid * noise(1.0, 1.25)
    digital_share = rng.uniform(0.01, 0.025, n_units)[:, None] * np.where(after, 1.6, 1.0)
    allocated[:, :, DIGITAL] = (
        (allocated[:, :, SALARIES] + allocated[:, :, RUNNING]) * digital_share * noise(0.7, 1.3)
    )
    devolved = np.r_[
        population[0] * 80_000, population[1:] * 12_000 * np.where(ward[1:], 2.0, 1.0)
    ] * rng.uniform(0.6, 1.4, n_units)
    allocated[:, :, DEVOLVED] = (
        devolved[:, None] * REVENUE_SEASON[month_of_year][None, :] * noise(0.85, 1.15)
    )
    allocated[:, :, FEES] = (
        np.r_[population[0] * 4_000, population[1:] * 1_500] * rng.uniform(0.7, 1.3, n_units)
    )[:, None] * noise(0.8, 1.2)
    land_sale = rng.random((n_units, n_months)) < np.r_[0.5, np.full(units.n, 0.12)][:, None]
    allocated[:, :, LAND] = (
        land_sale
        * np.r_[
            population[0] * rng.uniform(20e3, 120e3),
            population[1:] * rng.uniform(30e3, 300e3, units.n),
        ][:, None]
    )
    own = allocated[:, :, DEVOLVED] + allocated[:, :, FEES] + allocated[:, :, LAND]
    spend = allocated[:, :, EXPENDITURE].sum(axis=2)
    allocated[:, :, TRANSFERS] = np.maximum(spend - own, 0) * noise(0.95, 1.05)
    allocated[0, :, TRANSFERS] = 0

    execution = np.stack(
        [
            rng.uniform(0.92, 0.99, (n_units, n_months)),  # payroll is paid
            rng.uniform(0.60, 0.92, (n_units, n_months)),
            0.25 + 0.5 * rng.beta(3, 3, (n_units, n_months)),  # investment lags
            np.ones((n_units, n_months)),  # benefits: disbursed = what was paid
            rng.uniform(0.50, 0.90, (n_units, n_months)),
            rng.uniform(0.75, 1.00, (n_units, n_months)),  # revenue collected vs. target
            rng.uniform(0.80, 1.00, (n_units, n_months)),
            rng.uniform(0.30, 1.00, (n_units, n_months)),
            rng.uniform(0.85, 1.00, (n_units, n_months)),
        ],
        axis=2,
    )
    allocated = np.round(allocated, -3)
    disbursed = np.round(allocated * execution, -3)
    disbursed[:, :, RESTRUCTURING] = np.r_[np.round(paid[:1], -3), benefits_paid]
    planned = np.round(allocated * rng.uniform(1.0, 1.15, allocated.shape), -3)

    opened = treasury_opening(rng, units)
    return budget_table(units, history, planned, allocated, disbursed, opened)


def treasury_opening(rng: np.random.Generator, units: ProvinceUnits) -> np.ndarray:
    """int64 day each commune's State Treasury account opened (after 1 July 2025)."""
    shares = np.array([s for _, _, s in TREASURY_DELAY])
    bucket = rng.choice(len(TREASURY_DELAY), units.n, p=shares / shares.sum())
    low = np.array([lo for lo, _, _ in TREASURY_DELAY])[bucket]
    high = np.array([hi for _, hi, _ in TREASURY_DELAY])[bucket]
    delay = rng.integers(low, high) + np.where(units.understaffed, 30, 0)
    return int(REFORM_DAY.astype(np.int64)) + delay


def budget_table(
    units: ProvinceUnits,
    history: History,
    planned: np.ndarray,
    allocated: np.ndarray,
    disbursed: np.ndarray,
    opened: np.ndarray,
) -> pa.Table:
    n_units, n_lines = units.n + 1, len(LINES)
    window = np.arange(history.window_offset, history.window_offset + history.window_months)
    unit, line = np.divmod(np.arange(n_units * n_lines), n_lines)
    keep = ~((unit == 0) & (line == TRANSFERS))  # the province does not transfer to itself
    unit, line = unit[keep], line[keep]
    per_month = len(unit)
    month = np.repeat(window, per_month)
    unit, line = np.tile(unit, len(window)), np.tile(line, len(window))
    codes = np.r_[[units.province], units.codes]
    month_end = history.month_end.astype(np.int64)[month]
    opened_on = np.r_[np.iinfo(np.int64).max, opened][unit]
    has_account = (unit > 0) & (opened_on <= month_end)
    calendar_month = history.months[month]
    return pa.table(
        {
            "fiscal_year": pa.array(
                (calendar_month.astype("datetime64[Y]").astype(int) + 1970).astype(np.int32)
            ),
            "period": pa.array((calendar_month.astype(int) % 12 + 1).astype(np.int32)),
            "unit_code": coded(unit, codes),
            "level": coded(np.minimum(unit, 1), np.array(["province", "commune"])),
            "flow": coded(line, np.array([flow for flow, _, _ in LINES])),
            "category": coded(line, np.array([category for _, category, _ in LINES])),
            "budget_item": coded(line, np.array([item for _, _, item in LINES])),
            "planned_vnd": pa.array(planned[unit, month, line].astype(np.int64)),
            "allocated_vnd": pa.array(allocated[unit, month, line].astype(np.int64)),
            "disbursed_vnd": pa.array(disbursed[unit, month, line].astype(np.int64)),
            "treasury_account_opened_on": dates(
                np.where(has_account, opened_on, 0), mask=~has_account
            ),
            "_month": pa.array((month - history.window_offset).astype(np.int32)),
        }
    )
