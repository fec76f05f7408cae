"""The reference seeds the simulator draws from: the same files dbt loads and ingest checks
against, so the simulated logs and the warehouse share one reference truth."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from orchestration.settings import SEEDS_DIR

# Old GSO codes of Hà Nội wards (Ba Đình and Hoàn Kiếm districts) merged on 1 July 2025:
# what a pre-reform export still carries. Any that is a current code is filtered out.
PRE_MERGER_UNIT_CODES = (
    "00001",
    "00006",
    "00007",
    "00010",
    "00013",
    "00016",
    "00019",
    "00022",
    "00028",
    "00031",
    "00034",
    "00037",
    "00040",
    "00043",
    "00046",
    "00049",
    "00052",
    "00055",
    "00058",
    "00061",
    "00064",
    "00067",
    "00076",
)


@dataclass(frozen=True)
class Reference:
    units: pd.DataFrame  # unit_code, unit_level, unit_type, province_code, population
    catalogue: pd.DataFrame  # the procedure catalogue seed, typed
    holidays: pd.DataFrame  # holiday_date (datetime64[D]), holiday_name
    staffing_norms: pd.DataFrame  # unit_type, population_min, population_max, staff_norm
    required_specialisations: tuple[str, ...]  # the six every commune-level unit needs

    @cached_property
    def province_codes(self) -> list[str]:
        levels = self.units["unit_level"] == "province"
        return sorted(self.units.loc[levels, "unit_code"])

    def communes_of(self, province_code: str) -> pd.DataFrame:
        """Commune-level units of one province, in code order (the simulation's unit order)."""
        mask = (self.units["unit_level"] == "commune") & (
            self.units["province_code"] == province_code
        )
        return self.units[mask].sort_values("unit_code").reset_index(drop=True)

    @cached_property
    def demand_weight_mean(self) -> float:
        """National mean of the communes' demand weight: `--scale` is a national average, so
        a province's volume does not depend on which other provinces are simulated."""
        communes = self.units[self.units["unit_level"] == "commune"]
        return float(demand_weight(communes["population"].to_numpy()).mean())

    @cached_property
    def current_unit_codes(self) -> frozenset[str]:
        return frozenset(self.units["unit_code"])

    @cached_property
    def pre_merger_codes(self) -> tuple[str, ...]:
        return tuple(c for c in PRE_MERGER_UNIT_CODES if c not in self.current_unit_codes)

    def staff_norm(self, unit_type: np.ndarray, population: np.ndarray) -> np.ndarray:
        """The staffing-norm seed's headcount for each unit (type × population band)."""
        norm = np.zeros(len(unit_type), dtype=np.int64)
        for row in self.staffing_norms.itertuples():  # a dozen bands, not one per unit
            upper = np.inf if pd.isna(row.population_max) else row.population_max
            band = (
                (unit_type == row.unit_type)
                & (population >= row.population_min)
                & (population < upper)
            )
            norm[band] = row.staff_norm
        return norm


def demand_weight(population: np.ndarray) -> np.ndarray:
    """Dossier demand grows less than proportionally with residents (dense wards share
    offices and services); an uninhabited unit (Hoàng Sa) receives nothing."""
    return np.power(np.maximum(population.astype(float), 0.0), 0.7)


def load_reference(seeds_dir: Path = SEEDS_DIR) -> Reference:
    read = lambda name: pd.read_csv(  # noqa: E731 - one reader for the seeds
        seeds_dir / f"{name}.csv", dtype=str, keep_default_na=False, encoding="utf-8"
    )
    units = read("admin_units")
    population = read("population")
    units = units.merge(population, on="unit_code", how="left")
    units["population"] = pd.to_numeric(units["population"], errors="coerce").fillna(0)
    units["population"] = units["population"].astype("int64")

    catalogue = read("procedure_catalogue")
    catalogue["statutory_days"] = catalogue["statutory_days"].astype("int64")
    catalogue["volume_weight"] = catalogue["volume_weight"].astype(float)
    catalogue["fee_bearing"] = catalogue["fee_bearing"].str.lower().eq("true")
    catalogue["devolved_on"] = pd.to_datetime(
        catalogue["devolved_on"].replace("", None), format="%Y-%m-%d"
    ).to_numpy(dtype="datetime64[D]")
    catalogue = catalogue.sort_values("procedure_code").reset_index(drop=True)

    holidays = read("holidays")
    holidays["holiday_date"] = pd.to_datetime(holidays["holiday_date"], format="%Y-%m-%d")

    norms = read("staffing_norms")
    for column in ("population_min", "population_max", "staff_norm"):
        norms[column] = pd.to_numeric(norms[column].replace("", None))
    required = tuple(read("required_specialisations")["specialisation"])
    return Reference(
        units=units,
        catalogue=catalogue,
        holidays=holidays,
        staffing_norms=norms,
        required_specialisations=required,
    )
