"""Dossiers → event rows: one Arrow table per province, in file order (month, time).

Values are the canonical contract's (`DEVELOPERS.md`); the dialect writers recode them.
Moments stay typed (timestamps) until a writer formats them in its dialect's style.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from simulator import lifecycle as lc
from simulator.calendar import Calendar
from simulator.catalogue import CHANNELS, SERVICE_LEVEL, STEP_NAMES, Catalogue
from simulator.reform import recorded_at

# The status-code export has no assignment, step-completion or supplement-receipt
# statuses: each step's start is sent (status 4, buoc_xu_ly the step), and processing that
# resumes once the applicant has supplied is sent as a start of the step it resumes (the
# file check, where requests are made): so a wait ends, and a step's dwell can be read, in
# this dialect too.
STATUS_CODE_SLOTS = np.array(
    [s for s in range(lc.N_SLOTS) if s not in (lc.ASSIGNED, *lc.STEP_COMPLETED)]
)
STEP_SLOT_INDEX = np.full(lc.N_SLOTS, -1)
STEP_SLOT_INDEX[list(lc.STEP_STARTED)] = np.arange(4)
STEP_SLOT_INDEX[list(lc.STEP_COMPLETED)] = np.arange(4)
RESUMED_STEP = 0  # supplement requests come during the first step (lifecycle.py)
STATUS_CODE_EVENT = np.array(lc.SLOT_EVENT, dtype=object)
STATUS_CODE_EVENT[list(lc.SUPPLEMENT_RECEIVED)] = "step_started"
STATUS_CODE_STEP_INDEX = STEP_SLOT_INDEX.copy()
STATUS_CODE_STEP_INDEX[list(lc.SUPPLEMENT_RECEIVED)] = RESUMED_STEP

# Who handles each event: 0 nobody recorded (the applicant lodges), 1 the leader,
# 2 a receptionist, 3 the processing officer. "Trình ký" steps go to the leader.
NOBODY, LEADER, RECEPTIONIST, PROCESSOR = range(4)
SLOT_ROLE = np.full(lc.N_SLOTS, PROCESSOR)
SLOT_ROLE[[lc.SUBMITTED]] = NOBODY
SLOT_ROLE[[lc.RECEIVED, lc.ASSIGNED, lc.RESULT_RETURNED, lc.REFUSED, *lc.SUPPLEMENT_RECEIVED]] = (
    RECEPTIONIST
)
SIGNING_STEP = STEP_NAMES.index("Trình ký")

EVENT_COLUMNS = (
    "dossier_code",
    "procedure_code",
    "unit_code",
    "event_type",
    "event_at",
    "channel",
    "due_at",
    "step_name",
    "handler_ref",
    "applicant_id",
    "applicant_type",
    "fee_paid_online",
    "result_digitised",
    "satisfaction_score",
    "synced_to_portal",
    "components_digitised",
    "data_reused",
)
# Also in the table, never written as such: _slot (lifecycle slot), _service_level (the
# procedure's muc_do), _month (file), _event_at_text (a bad time a fault row carries).


def expand_events(
    dossiers: lc.Dossiers, calendar: Calendar, catalogue: Catalogue, status_codes: bool
) -> pa.Table:
    happened = dossiers.happened
    if status_codes:
        happened = happened & np.isin(np.arange(lc.N_SLOTS), STATUS_CODE_SLOTS)[None, :]
    d, slot = np.nonzero(happened)
    at = dossiers.moments[d, slot]
    month = calendar.month_index(at)
    order = np.lexsort((slot, d, at, month))
    d, slot, at, month = d[order], slot[order], at[order], month[order]

    proc = dossiers.procedure[d]
    step = (STATUS_CODE_STEP_INDEX if status_codes else STEP_SLOT_INDEX)[slot]
    step_name = np.where(step >= 0, dossiers.steps[d, np.maximum(step, 0)], -1)
    role = np.where(
        step_name == SIGNING_STEP, LEADER, np.where(step >= 0, PROCESSOR, SLOT_ROLE[slot])
    )
    event_names = STATUS_CODE_EVENT if status_codes else np.array(lc.SLOT_EVENT)
    staff = dossiers.staff[d, np.maximum(role - 1, 0)]
    has_due = (slot != lc.SUBMITTED) & (slot != lc.REFUSED)
    with_result = np.isin(slot, (lc.COMPLETED, lc.RESULT_RETURNED))
    rating = np.where(slot == lc.RESULT_RETURNED, dossiers.rating[d], 0)

    unit = coded(recorded_at(dossiers, d, at), dossiers.record_codes)
    columns = {
        "dossier_code": dossier_codes(dossiers).take(pa.array(d)),
        "procedure_code": coded(proc, catalogue.codes),
        "unit_code": unit,
        "event_type": coded(slot, event_names.astype(str)),
        "event_at": timestamps(at),
        "channel": coded(dossiers.channel[d], np.array(CHANNELS)),
        "due_at": timestamps(dossiers.due[d], mask=~has_due),
        "step_name": coded(step_name, np.array(STEP_NAMES)),
        "handler_ref": pc.if_else(
            pa.array(role == NOBODY),
            pa.scalar(None, pa.string()),
            pc.binary_join_element_wise("CB", unit, padded(staff, 3), ""),
        ),
        "applicant_id": applicant_strings(dossiers).take(pa.array(d)),
        "applicant_type": coded(
            dossiers.business[d].astype(np.int64), np.array(["citizen", "business"])
        ),
        "fee_paid_online": pa.array(dossiers.paid_online[d]),
        "result_digitised": pa.array(dossiers.result_digital[d], mask=~with_result),
        "satisfaction_score": pa.array(rating.astype(np.int32), mask=rating == 0),
        "synced_to_portal": pa.array(dossiers.synced[d]),
        "components_digitised": pa.array(dossiers.digitised[d]),
        "data_reused": pa.array(dossiers.reused[d]),
        "_slot": pa.array(slot.astype(np.int8)),
        "_service_level": coded(catalogue.capability[proc], np.array(SERVICE_LEVEL)),
        "_month": pa.array(month.astype(np.int32)),
        "_event_at_text": pa.nulls(len(d), pa.string()),
    }
    return pa.table(columns)


def coded(index: np.ndarray, values: np.ndarray) -> pa.Array:
    """Strings by index (-1 → null), decoded from an Arrow dictionary: no Python loop."""
    index = np.asarray(index, dtype=np.int32)
    dictionary = pa.array(values.astype(str).tolist(), pa.string())
    array = pa.DictionaryArray.from_arrays(pa.array(index, mask=index < 0), dictionary)
    return array.dictionary_decode()


def padded(numbers: np.ndarray, width: int) -> pa.Array:
    return pc.utf8_lpad(pc.cast(pa.array(numbers), pa.string()), width, "0")


def timestamps(seconds: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    return pa.array(seconds.astype("datetime64[s]"), pa.timestamp("s"), mask=mask)


def dossier_codes(dossiers: lc.Dossiers) -> pa.Array:
    """`<unit>-<yymmdd>-<nnnn>`: the receiving unit, the day lodged, the day's number."""
    unit = coded(dossiers.record_unit, dossiers.record_codes)
    midnight = pa.array(dossiers.day.astype("datetime64[D]").astype("datetime64[s]"))
    day = pc.strftime(midnight, "%y%m%d")
    return pc.binary_join_element_wise(unit, day, padded(dossiers.seq, 4), "-")


def applicant_strings(dossiers: lc.Dossiers) -> pa.Array:
    number = pc.cast(pa.array(dossiers.applicant), pa.string())
    return pc.if_else(
        pa.array(dossiers.business),
        pc.utf8_lpad(number, 10, "0"),
        pc.utf8_lpad(number, 12, "0"),
    )


def month_bounds(table: pa.Table, n_months: int) -> np.ndarray:
    """Row offsets of each month in a table sorted by month."""
    month = table.column("_month").to_numpy()
    return np.searchsorted(month, np.arange(n_months + 1), side="left")
