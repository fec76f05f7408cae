"""The simulated personnel rosters, budget allocations and asset inventories: the landing
layout of DEVELOPERS.md, deterministic bytes, the stories the review must be able to tell
(the exit wave, late benefits, understaffed units, offices repurposed) and their faults.

Tiny runs into tmp directories. The manifest-vs-ingest reconciliation of every file and
quarantined line lives in `test_simulator.py` (parametrised over a run with a workbook).
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from simulated_landing import files_of, manifest, run, sheet_text, simulated

from orchestration.ingest.sources import SOURCES, current_units
from orchestration.settings import SEEDS_DIR
from simulator import MANIFEST_NAME
from simulator.landing import ROW_FAULTS

ROSTERS, BUDGETS, ASSETS = "personnel_rosters", "budget_allocations", "asset_inventories"
PRIORITY = {"education", "healthcare", "culture", "sports", "social_welfare"}
BASE_SALARY = 2_340_000
REQUIRED = list(pd.read_csv(SEEDS_DIR / "required_specialisations.csv")["specialisation"])
STATUS_ORDER = {"in_use": 0, "surplus": 1, "repurposing": 2, "repurposed": 3, "disposed": 3}


def read_source(out: Path, source: str) -> pd.DataFrame:
    """Every regular file of a source as strings, with the file it came from."""
    frames = []
    for entry in manifest(out)["files"]:
        if entry["source"] != source or entry["expected_status"] != "loaded" or not entry["rows"]:
            continue
        path = out / entry["file"]
        text = sheet_text(path) if entry["format"] == "xlsx" else path.read_text("utf-8")
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
        frames.append(frame.assign(file=entry["file"], format=entry["format"]))
    return pd.concat(frames, ignore_index=True)


def units_of(provinces: list[str]) -> pd.DataFrame:
    units = pd.read_csv(SEEDS_DIR / "admin_units.csv", dtype=str)
    population = pd.read_csv(SEEDS_DIR / "population.csv", dtype={"unit_code": str})
    units = units.merge(population, on="unit_code", how="left")
    return units[units.province_code.isin(provinces)]


def with_norms(units: pd.DataFrame) -> pd.DataFrame:
    norms = pd.read_csv(SEEDS_DIR / "staffing_norms.csv")
    merged = units.merge(norms, on="unit_type")
    upper = merged.population_max.fillna(np.inf)
    band = (merged.population >= merged.population_min) & (merged.population < upper)
    return merged[band].set_index("unit_code")


# Hà Nội (CSV rosters) and Lai Châu (workbooks), May 2025 – June 2026: before, during and
# after the exit wave; no faults, so every row is clean.
@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> Path:
    return simulated(
        tmp_path_factory, "sources_clean", provinces="01,12", months=14, scale=0.02, faults=False
    )


@pytest.fixture(scope="module")
def faulty(tmp_path_factory) -> Path:
    return simulated(tmp_path_factory, "sources_faulty", provinces="08,12", months=7, scale=0.02)


@pytest.fixture(scope="module")
def rosters(clean) -> pd.DataFrame:
    frame = read_source(clean, ROSTERS)
    for column in ("snapshot_date", "joined_on", "left_on", "birth_date"):
        frame[column] = pd.to_datetime(frame[column].replace("", None))
    for column in ("benefit_due_vnd", "benefit_paid_vnd", "salary_coefficient"):
        frame[column] = pd.to_numeric(frame[column].replace("", None))
    return frame


@pytest.fixture(scope="module")
def budget(clean) -> pd.DataFrame:
    frame = read_source(clean, BUDGETS)
    for column in ("planned_vnd", "allocated_vnd", "disbursed_vnd", "fiscal_year", "period"):
        frame[column] = pd.to_numeric(frame[column])
    return frame


@pytest.fixture(scope="module")
def assets(clean) -> pd.DataFrame:
    frame = read_source(clean, ASSETS)
    for column in ("snapshot_date", "status_since"):
        frame[column] = pd.to_datetime(frame[column].replace("", None))
    for column in ("archive_records", "archive_records_digitised"):
        frame[column] = pd.to_numeric(frame[column].replace("", None))
    return frame


def month_end(label: str) -> str:
    return str((pd.Period(label, "M").end_time).date())


# --- layout and determinism -------------------------------------------------------------


def test_every_source_is_written_for_every_province_and_month(clean):
    m = manifest(clean)
    labels = [str(p) for p in pd.period_range("2025-05", "2026-06", freq="M")]
    files = {e["file"]: e for e in m["files"]}
    for province, roster_format in (("01", "csv"), ("12", "xlsx")):
        for label in labels:
            assert files[f"{ROSTERS}/{province}_{label}.{roster_format}"]["rows"] > 0
            assert files[f"{BUDGETS}/{province}_{label}.csv"]["rows"] > 0
        inventories = sorted(name for name in files if name.startswith(f"{ASSETS}/{province}_"))
        assert inventories == [
            f"{ASSETS}/{province}_{label}.csv"
            for label in ("2025-06", "2025-09", "2025-12", "2026-03", "2026-06")
        ]
    assert {e["source"] for e in m["files"]} == {"procedure_logs", ROSTERS, BUDGETS, ASSETS}
    assert m["sources"][ROSTERS]["files"] == 28 and m["sources"][ASSETS]["files"] == 10
    # headers are the contract's column names, in the contract's order
    for source in (ROSTERS, BUDGETS, ASSETS):
        contract = [c.name for c in SOURCES[source].columns]
        for entry in (e for e in m["files"] if e["source"] == source):
            path = clean / entry["file"]
            text = sheet_text(path) if entry["format"] == "xlsx" else path.read_text("utf-8")
            assert text.splitlines()[0].split(",") == contract, entry["file"]
    assert (clean / f"{ROSTERS}/12_2025-07.xlsx").read_bytes()[:2] == b"PK"


def test_rows_cover_every_unit_with_the_file_month(rosters, budget, assets):
    units = units_of(["01", "12"])
    communes = set(units.loc[units.unit_level == "commune", "unit_code"])
    assert (
        rosters.snapshot_date.dt.strftime("%Y-%m-%d")
        == rosters.file.str.extract(r"_(\d{4}-\d{2})\.", expand=False).map(month_end)
    ).all()
    of_province = units[units.unit_level == "commune"].groupby("province_code").unit_code.agg(set)
    per_file = rosters[rosters.status != "left"].groupby("file").unit_code.agg(set)
    for name, found in per_file.items():  # every commune-level unit has staff every month
        assert found == of_province[Path(name).name[:2]], name
    assert not rosters.duplicated(["staff_code", "snapshot_date"]).any()
    assert rosters.staff_code.str.fullmatch(r"CB\d{5}\d{3}").all()
    assert rosters.national_id.str.fullmatch(r"\d{12}").all()

    labels = budget.file.str.extract(r"_(\d{4}-\d{2})\.", expand=False)
    assert (
        budget.fiscal_year.astype(str) + "-" + budget.period.map("{:02d}".format) == labels
    ).all()
    lines = budget.groupby(["file", "unit_code"]).size()
    assert set(lines.values) == {8, 9}  # the province unit has no transfer from itself
    assert set(budget.loc[budget.level == "commune", "unit_code"]) == communes
    assert set(budget.loc[budget.level == "province", "unit_code"]) == {"01", "12"}
    assert not budget.duplicated(
        ["fiscal_year", "period", "unit_code", "flow", "category", "budget_item"]
    ).any()

    offices = assets[(assets.asset_type == "office_building") & (assets.former_unit_code == "")]
    assert communes <= set(offices.unit_code)
    assert not assets.duplicated(["asset_code", "snapshot_date"]).any()
    assert (assets.status_since <= assets.snapshot_date).all()


def test_same_options_same_bytes_and_a_province_alone_is_the_same(tmp_path):
    options = dict(months=2, scale=0.02)
    run(tmp_path / "a", provinces="12,46", **options)
    run(tmp_path / "b", provinces="12,46", **options)
    run(tmp_path / "c", provinces="12,46", seed=7, **options)
    run(tmp_path / "alone", provinces="12,", faults=False, **options)  # "12,": a code
    run(tmp_path / "pair", provinces="12,46", faults=False, **options)

    first, second, other = (files_of(tmp_path / d) for d in "abc")
    assert first == second
    assert any(name.endswith(".xlsx") for name in first)
    snapshot = [n for n in first if not n.startswith("procedure_logs/")]
    assert len(snapshot) >= 3 * 2 * 2
    assert all(
        first[n] != other[n]
        for n in snapshot
        if n in other and "_gui_lai" not in n and "_bo_sung" not in n
    )
    alone, pair = files_of(tmp_path / "alone"), files_of(tmp_path / "pair")
    mine = [n for n in alone if not n.startswith("procedure_logs/") and n != MANIFEST_NAME]
    assert mine and all(alone[n] == pair[n] for n in mine)
    assert any(n.startswith(f"{ROSTERS}/46_") for n in pair)


# --- personnel: the exit wave, benefits, understaffed units -----------------------------


def leavers(rosters: pd.DataFrame) -> pd.DataFrame:
    """One row per exit, with its latest report."""
    left = rosters[rosters.status == "left"].sort_values("snapshot_date")
    return left.drop_duplicates(["staff_code", "left_on"], keep="last")


def test_exits_peak_around_july_2025_mostly_early_retirement(rosters):
    exits = leavers(rosters)
    by_month = exits.groupby(exits.left_on.dt.to_period("M")).size()
    window = by_month[by_month.index >= pd.Period("2025-05", "M")]
    assert str(window.idxmax()) in {"2025-06", "2025-07", "2025-08"}
    wave = window[
        (window.index >= pd.Period("2025-06", "M")) & (window.index <= pd.Period("2025-09", "M"))
    ].sum()
    quiet = window[window.index >= pd.Period("2026-01", "M")].mean()
    assert wave > 20 * quiet
    in_wave = exits[(exits.left_on >= "2025-06-01") & (exits.left_on < "2025-12-01")]
    reasons = in_wave.exit_reason.value_counts(normalize=True)
    assert reasons.idxmax() == "early_retirement" and reasons["early_retirement"] > 0.4
    assert set(reasons.index) == {
        "early_retirement",
        "resignation",
        "retirement",
        "transfer",
        "dismissal",
    }
    # about a sixth of the pre-reform staff leave in the wave
    before = rosters[(rosters.snapshot_date == "2025-05-31") & (rosters.status != "left")]
    assert 0.10 < len(in_wave) / len(before) < 0.35
    # new joiners arrive after the wave
    joined = rosters.drop_duplicates("staff_code")
    assert (joined.joined_on >= "2025-09-01").sum() > 50
    assert rosters.salary_coefficient.between(2.34, 8.0).all()


def test_benefits_are_capped_and_paid_with_delays(rosters):
    left = rosters[rosters.status == "left"]
    cap = np.round(left.salary_coefficient * BASE_SALARY * 24, -3)
    assert (left.benefit_due_vnd <= cap).all()
    assert (left.benefit_paid_vnd <= left.benefit_due_vnd).all()
    early = left[left.exit_reason == "early_retirement"]
    assert (early.benefit_due_vnd > 0).all()
    assert (
        left.loc[left.exit_reason.isin(["transfer", "dismissal"]), "benefit_due_vnd"] == 0
    ).all()
    # paid never decreases from one snapshot to the next
    ordered = left.sort_values("snapshot_date")
    assert (ordered.groupby("staff_code").benefit_paid_vnd.diff().fillna(0) >= 0).all()
    # months from the exit month to the first snapshot showing full payment
    owed = left[
        (left.benefit_due_vnd > 0) & (left.left_on >= "2025-06-01") & (left.left_on < "2025-10-01")
    ]
    settled = (
        owed[owed.benefit_paid_vnd >= owed.benefit_due_vnd]
        .groupby("staff_code")
        .agg(paid=("snapshot_date", "min"), left=("left_on", "first"))
    )
    delay = (
        (settled.paid.dt.year - settled.left.dt.year) * 12
        + settled.paid.dt.month
        - settled.left.dt.month
    )
    assert len(settled) > 50
    assert (delay <= 3).mean() > 0.5
    assert (delay >= 6).sum() > 0
    unsettled = set(owed.staff_code) - set(settled.index)
    partly = owed[(owed.benefit_paid_vnd > 0) & (owed.benefit_paid_vnd < owed.benefit_due_vnd)]
    waiting = len(unsettled) + (delay >= 6).sum()  # still unpaid, or paid after 6+ months
    assert len(partly) > 0 and waiting > 0.05 * owed.staff_code.nunique()
    # leavers drop off the roster once paid: nobody stays for the whole window
    stays = left.groupby("staff_code").snapshot_date.nunique()
    assert stays.median() <= 4


def test_understaffed_units_are_below_norm_and_missing_specialisations(clean, rosters, budget):
    m = manifest(clean)
    units = with_norms(units_of(["01", "12"]))
    flagged = m["understaffed_units"]
    for province, count in (("01", 126), ("12", 38)):
        mine = [u for u in flagged if units.loc[u, "province_code"] == province]
        assert 0.03 <= len(mine) / count <= 0.06, province
    last = rosters[(rosters.snapshot_date == "2026-06-30") & (rosters.status != "left")]
    headcount = last.groupby("unit_code").size().reindex(units.index, fill_value=0)
    ratio = headcount / units.staff_norm
    active = last[last.status == "active"]
    filled = (
        active[active.specialisation.isin(REQUIRED)]
        .groupby("unit_code")
        .specialisation.nunique()
        .reindex(units.index, fill_value=0)
    )
    others = units.index.difference(flagged)
    assert (ratio[flagged] <= 0.65).all()
    assert (filled[flagged] <= len(REQUIRED) - 2).all()
    assert ratio[others].between(0.85, 1.15).mean() > 0.95
    assert (filled[others] == len(REQUIRED)).mean() > 0.85
    # they carry a heavy dossier volume: among the most populous units of their province
    rank = units.groupby("province_code").population.rank(ascending=False, pct=True)
    assert (rank[flagged] <= 0.45).all()
    # and get less money per resident for running costs and investment
    spend = budget[
        (budget.level == "commune")
        & budget.budget_item.isin(["Chi hoạt động bộ máy", "Chi đầu tư phát triển"])
    ]
    per_resident = spend.groupby("unit_code").allocated_vnd.sum() / units.population
    assert per_resident[flagged].max() < per_resident[others].median()


# --- budget -------------------------------------------------------------------------------


def test_budget_amounts_are_per_period_and_consistent(budget):
    assert (budget.planned_vnd >= budget.allocated_vnd).all()
    assert (budget.disbursed_vnd <= budget.allocated_vnd).all()  # fct_budget warns otherwise
    spending = budget[budget.flow == "expenditure"]
    assert (budget[["planned_vnd", "allocated_vnd", "disbursed_vnd"]] >= 0).all().all()
    execution = spending.groupby("category").apply(
        lambda g: g.disbursed_vnd.sum() / g.allocated_vnd.sum(), include_groups=False
    )
    assert 0.6 <= execution["recurrent_operations"] <= 0.99
    assert execution["development_investment"] < execution["recurrent_operations"] - 0.15
    communes = spending[spending.level == "commune"]
    digital = communes.loc[communes.category == "digital_transformation", "allocated_vnd"].sum()
    assert 0.005 < digital / communes.allocated_vnd.sum() < 0.05
    # a period's own amounts: the payroll of a month is the size of a month, not a running
    # total (December vs. January of the next year, and vs. the first month)
    payroll = (
        budget[budget.budget_item == "Chi lương và các khoản phụ cấp"]
        .groupby(["fiscal_year", "period"])
        .allocated_vnd.sum()
    )
    assert payroll.max() < 1.6 * payroll.min()
    assert 0.5 < payroll[(2026, 1)] / payroll[(2025, 12)] < 2
    # restructuring benefits are paid from the wave on
    benefits = (
        budget[budget.category == "restructuring_benefits"]
        .groupby(["fiscal_year", "period"])
        .disbursed_vnd.sum()
    )
    assert benefits[(2025, 5)] < 0.2 * benefits[(2025, 8)]


def test_treasury_accounts_open_after_the_reform(budget):
    communes = budget[budget.level == "commune"]
    before = communes[(communes.fiscal_year == 2025) & (communes.period < 7)]
    assert (before.treasury_account_opened_on == "").all()
    assert (budget.loc[budget.level == "province", "treasury_account_opened_on"] == "").all()
    opened = communes[communes.treasury_account_opened_on != ""]
    dates = opened.groupby("unit_code").treasury_account_opened_on.agg(set)
    assert (dates.map(len) == 1).all()  # a unit's opening date never changes
    first = pd.to_datetime(dates.map(min))
    assert (first >= "2025-07-01").all()
    assert len(first) == communes.unit_code.nunique()  # all open by June 2026
    assert (first <= "2025-10-31").mean() > 0.75
    assert (first > "2025-10-31").sum() > 0
    # the column is set from the month the account opened, not before
    month_end_day = pd.to_datetime(
        opened.fiscal_year.astype(str) + "-" + opened.period.astype(str) + "-01"
    ) + pd.offsets.MonthEnd(0)
    assert (pd.to_datetime(opened.treasury_account_opened_on) <= month_end_day).all()


# --- assets -------------------------------------------------------------------------------


def test_surplus_offices_move_towards_repurposing(assets):
    current = current_units()
    former = assets[assets.former_unit_code != ""]
    assert former.former_unit_code.str.fullmatch(r"\d{5}").all()
    assert not set(former.former_unit_code) & current
    assert set(former.unit_code) <= current
    assert set(assets.asset_type) == {
        "office_building",
        "land",
        "cultural_house",
        "vehicle",
        "equipment",
    }
    offices = former[former.asset_type.isin(["office_building", "land"])]
    shares = pd.crosstab(offices.snapshot_date, offices.status, normalize="index")
    for status in ("surplus", "repurposing", "repurposed", "disposed"):
        if status not in shares:
            shares[status] = 0.0
    assert shares.loc["2025-06-30", "in_use"] == 1.0
    assert shares.loc["2025-09-30", "surplus"] > 0.9
    decided = shares["repurposed"] + shares["disposed"]
    assert decided.is_monotonic_increasing and decided.iloc[-1] > 0.3
    assert shares.loc["2026-06-30", "surplus"] > 0.1  # some still waiting
    # statuses only move forward, and status_since is kept while the status is unchanged
    ordered = offices.sort_values("snapshot_date")
    step = ordered.status.map(STATUS_ORDER).groupby(ordered.asset_code).diff().fillna(0)
    assert (step >= 0).all()
    same = ordered.groupby("asset_code").status.shift() == ordered.status
    since_kept = ordered.groupby("asset_code").status_since.shift() == ordered.status_since
    assert since_kept[same & (ordered.snapshot_date > "2025-06-30")].all()
    repurposed = offices[offices.status.isin(["repurposing", "repurposed"])]
    assert (repurposed.repurposed_to != "").all()
    assert repurposed.repurposed_to.isin(PRIORITY).mean() > 0.75
    assert (
        offices.loc[~offices.status.isin(["repurposing", "repurposed"]), "repurposed_to"] == ""
    ).all()
    # current assets stay in use; archives are digitised at a growing pace
    assert (assets.loc[assets.former_unit_code == "", "status"] == "in_use").all()
    archives = assets.dropna(subset=["archive_records"])
    assert (archives.archive_records_digitised <= archives.archive_records).all()
    share = archives.groupby("snapshot_date").apply(
        lambda g: g.archive_records_digitised.sum() / g.archive_records.sum(), include_groups=False
    )
    assert share.is_monotonic_increasing and share.iloc[-1] > share.iloc[0] + 0.2


# --- faults, personal data and the real ingest -------------------------------------------


def test_every_fault_kind_of_the_three_sources_is_present(faulty):
    m = manifest(faulty)
    for source, kinds in ROW_FAULTS.items():
        # (the procedure-log export misfiled under budget_allocations/ is the logs' fault)
        found = {
            (f["kind"], f["reason_code"])
            for f in m["faults"]
            if f["source"] == source and f["kind"] != "wrong_folder"
        }
        assert found == {(kind, fault.reason_code) for kind, fault in kinds.items()}, source
    notes = {(n["source"], n["kind"]) for n in m["file_notes"]}
    assert {
        (ROSTERS, "day_month_year_dates"),
        (ROSTERS, "header_order"),
        (BUDGETS, "thousands_separators"),
        (ROSTERS, "header_only"),
        (BUDGETS, "duplicate_file"),
    } <= notes
    assert m["skipped_quirks"] == []
    assert any(f["file"].endswith(".xlsx") for f in m["faults"])
    by_kind = {n["kind"]: n["file"] for n in m["file_notes"] if n["source"] != "procedure_logs"}
    text = (faulty / by_kind["thousands_separators"]).read_text("utf-8")
    assert any(cell.count(".") >= 2 for cell in next(csv.reader(io.StringIO(text.splitlines()[1]))))
    dated = (faulty / by_kind["day_month_year_dates"]).read_text("utf-8").splitlines()[1]
    assert dated.split(",")[0].count("/") == 2
    shuffled = (faulty / by_kind["header_order"]).read_text("utf-8").splitlines()[0]
    assert shuffled.split(",") != [c.name for c in SOURCES[ROSTERS].columns]
    copy = next(
        e for e in m["files"] if e["expected_status"] == "duplicate_file" and e["source"] == BUDGETS
    )
    assert (faulty / copy["file"]).read_bytes() == (faulty / copy["duplicate_of"]).read_bytes()
    share = m["sources"]
    for source in (ROSTERS, BUDGETS, ASSETS):
        assert 0 < share[source]["faulty_rows"] / share[source]["rows"] < 0.01


def test_workbook_rosters_round_trip_and_personal_data_stays_out(clean, tmp_path, monkeypatch):
    """The real ingest reads the rosters: a workbook's rows arrive exactly as simulated
    (Vietnamese text, dates, numbers), names are dropped, IDs and birth dates never stored."""
    from orchestration.ingest.load import ingest_source, prepare
    from orchestration.settings import load_settings
    from orchestration.warehouse import connect

    monkeypatch.setenv("REFORMWATCH_DATA_DIR", str(tmp_path))
    settings = load_settings()
    shutil.copytree(clean / ROSTERS, settings.landing_dir / ROSTERS)
    with connect(settings) as con:
        prepare(con, list(SOURCES.values()), settings.pseudonym_key)
        contract = SOURCES[ROSTERS]
        results = ingest_source(
            con, contract, [c for c in SOURCES.values() if c is not contract], settings
        )
        raw = con.execute("""select r.*, f.path from raw.personnel_roster_rows r
            join audit.ingest_files f on f.file_id = r._file_id""").df()
        dump = " ".join(
            str(row) for row in con.execute("select * from raw.personnel_roster_rows").fetchall()
        )
    assert {r.status for r in results} == {"loaded"}
    assert sum(r.rows_quarantined for r in results) == 0
    workbook = raw[raw.path == f"{ROSTERS}/12_2026-06.xlsx"].sort_values("_line_no")
    expected = pd.read_csv(
        io.StringIO(sheet_text(clean / ROSTERS / "12_2026-06.xlsx")),
        dtype=str,
        keep_default_na=False,
    )
    assert len(workbook) == len(expected) > 500
    assert workbook.qualification.tolist() == expected.qualification.replace("", None).tolist()
    assert "Thạc sĩ Quản lý công" in set(workbook.qualification)
    assert [str(d.date()) for d in workbook.joined_on] == expected.joined_on.tolist()
    assert [str(d.date()) for d in workbook.snapshot_date] == ["2026-06-30"] * len(expected)
    assert (
        workbook.salary_coefficient.tolist() == expected.salary_coefficient.astype(float).tolist()
    )
    assert workbook.staff_code.tolist() == expected.staff_code.tolist()
    left = expected.benefit_due_vnd != ""
    assert (
        workbook.benefit_due_vnd[left.to_numpy()].astype("int64").tolist()
        == expected.benefit_due_vnd[left].astype("int64").tolist()
    )
    # personal data: names dropped, IDs hashed, birth dates banded
    m = manifest(clean)
    assert len(m["sample_national_ids"]) >= 4
    for national_id in m["sample_national_ids"]:
        assert national_id not in dump
    assert "full_name" not in raw.columns and "birth_date" not in raw.columns
    assert raw.national_id_key.str.fullmatch(r"[0-9a-f]{64}").all()
    assert raw.age_band.str.fullmatch(r"\d{2}-\d{2}").all()
    names = expected.full_name.head(20).tolist()
    assert all(name not in dump for name in names)
    assert expected.full_name.str.contains(r"[ăâđêôơưĂÂĐÊÔƠƯ]|[^\x00-\x7f]").mean() > 0.9
