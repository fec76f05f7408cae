"""Which procedure a dossier is for, and how that procedure is processed.

Procedures are drawn in proportion to the catalogue's `volume_weight`, at the unit's level
(communes draw commune procedures, the province unit provincial ones), among the procedures
in force on the submission day:
- an abolished procedure only before 1 July 2025;
- a procedure devolved from the central or provincial level only from its `devolved_on`
  (before, its dossiers were lodged elsewhere);
- a procedure devolved from the abolished districts throughout: before the reform its
  dossiers are recorded at the district of their time (`reform.py`), after it at the
  commune that took the work over.
On Sundays and holidays only procedures that can be lodged online are drawn.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulator.calendar import DAY, REFORM_DAY

CHANNELS = ("direct", "postal", "online_partial", "online_full")
DIRECT, POSTAL, ONLINE_PARTIAL, ONLINE_FULL = range(4)
CAPABILITIES = ("none", "partial", "full")
SERVICE_LEVEL = ("2", "3", "4")  # the systems' muc_do for each capability

STEP_NAMES = (
    "Thẩm định hồ sơ",
    "Xác minh thực địa",
    "Lấy ý kiến cơ quan liên quan",
    "Trình ký",
    "Trả kết quả",
)
# Relative dwell time of each step (field checks and consultations are the slow stages).
STEP_DWELL = np.array([1.0, 1.6, 1.3, 0.5, 0.15])
# Step sequences (indices into STEP_NAMES); -1 pads to four steps.
STEP_TEMPLATES = np.array(
    [
        [0, -1, -1, -1],
        [0, 3, -1, -1],
        [0, 3, 4, -1],
        [0, 1, 3, 4],
        [0, 2, 3, 4],
    ]
)
FIELD_CHECK_SECTORS = ("Đất đai", "Xây dựng", "Tài nguyên và Môi trường", "Nông nghiệp")


@dataclass(frozen=True)
class Catalogue:
    codes: np.ndarray  # procedure_code (str)
    level: np.ndarray  # "province" | "commune"
    statutory_days: np.ndarray
    capability: np.ndarray  # 0 none, 1 partial, 2 full
    fee_bearing: np.ndarray
    weight: np.ndarray
    active_from: np.ndarray  # first day drawn (days since epoch; very early when always)
    active_until: np.ndarray  # day after the last day drawn
    template: np.ndarray  # index into STEP_TEMPLATES
    from_district: np.ndarray  # devolved from the abolished districts: handled there before
    business_share: np.ndarray  # share of dossiers lodged by businesses

    def periods(self, first_day: int, end_day: int) -> np.ndarray:
        """Days on which the set of procedures in force changes, within the window."""
        edges = np.unique(np.r_[self.active_from, self.active_until])
        inside = edges[(edges > first_day) & (edges < end_day)]
        return np.r_[first_day, inside]

    def draw(
        self,
        rng: np.random.Generator,
        level: str,
        days: np.ndarray,
        online_only: np.ndarray,
        periods: np.ndarray,
    ) -> np.ndarray:
        """A procedure index per dossier, one vectorised draw per (period, day kind)."""
        out = np.empty(len(days), dtype=np.int64)
        period = np.searchsorted(periods, days, side="right") - 1
        at_level = self.level == level
        for p, start in enumerate(periods):  # a handful of periods
            in_force = at_level & (self.active_from <= start) & (self.active_until > start)
            for online in (False, True):
                mask = (period == p) & (online_only == online)
                n = int(mask.sum())
                if n == 0:
                    continue
                eligible = in_force & (self.capability > 0) if online else in_force
                weights = np.where(eligible, self.weight, 0.0)
                out[mask] = rng.choice(len(weights), size=n, p=weights / weights.sum())
        return out


def build_catalogue(frame: pd.DataFrame, seed: int) -> Catalogue:
    """Per-procedure processing traits come from a generator of the seed alone, so every
    province processes a procedure the same way."""
    rng = np.random.default_rng((seed, 0, 7))
    n = len(frame)
    days = frame["statutory_days"].to_numpy()
    u = rng.random((n, 3))
    field_check = frame["sector"].isin(FIELD_CHECK_SECTORS).to_numpy()
    steps = np.select(
        [days <= 3, days <= 10],
        [1 + (u[:, 0] < 0.25), 2 + (u[:, 0] < 0.3)],
        default=3 + (u[:, 0] < 0.4),
    )
    template = np.where(steps == 4, np.where(field_check, 3, 4), steps - 1)
    capability = frame["online_capability"].map({"none": 0, "partial": 1, "full": 2})
    devolved_on = frame["devolved_on"].to_numpy().astype("datetime64[D]").astype(np.int64)
    has_date = ~np.isnat(frame["devolved_on"].to_numpy())
    from_elsewhere = has_date & frame["devolved_from"].isin(["central", "province"]).to_numpy()
    abolished = (frame["status"] == "abolished").to_numpy()
    never = np.iinfo(np.int64).max // DAY
    reform = int(REFORM_DAY.astype(np.int64))
    is_province = (frame["level"] == "province").to_numpy()
    return Catalogue(
        codes=frame["procedure_code"].to_numpy(dtype=object),
        level=frame["level"].to_numpy(dtype=object),
        statutory_days=days.astype(np.int64),
        capability=capability.to_numpy(dtype=np.int64),
        fee_bearing=frame["fee_bearing"].to_numpy(dtype=bool),
        weight=frame["volume_weight"].to_numpy(dtype=float),
        active_from=np.where(from_elsewhere, devolved_on, -never),
        active_until=np.where(abolished, reform, never),
        template=template.astype(np.int64),
        from_district=(frame["devolved_from"] == "district").to_numpy(),
        business_share=np.where(is_province, 0.25 + 0.3 * u[:, 1], 0.03 + 0.1 * u[:, 1]),
    )
