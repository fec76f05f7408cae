"""Complaints and feedback about dossiers (phản ánh, kiến nghị): extra event rows.

An applicant complains after the dossier ended (a result, a refusal or a stop): rarely when
it was on time, several times as often when it was late or refused. A complaint is
received within a few working days of the end, is due ANSWER_WORKDAYS working days later
(17:00), and is answered before that, except LATE_ANSWER_SHARE of them, answered one to
eight working days after the due date. Events after the window's end have not happened:
such complaints stay unanswered. Rows carry the dossier's code, procedure, unit, channel and
applicant, like its other events. Only the canonical dialect carries them: the status-code
exports have no complaint code (docs/sources.md).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from simulator import lifecycle as lc
from simulator.calendar import Calendar
from simulator.catalogue import CHANNELS, SERVICE_LEVEL, Catalogue
from simulator.events import applicant_strings, coded, dossier_codes, padded, timestamps
from simulator.reform import recorded_at

# Share of ended dossiers that draw a complaint, by how they ended.
COMPLAINT_SHARE_ON_TIME, COMPLAINT_SHARE_LATE, COMPLAINT_SHARE_REFUSED = 0.008, 0.06, 0.05
# Working days from a dossier's end to the complaint (uniform), and to answer it.
COMPLAINT_DELAY_WORKDAYS = (0.2, 5.0)
ANSWER_WORKDAYS = 10  # a project choice for the simulation, not a legal deadline
LATE_ANSWER_SHARE = 0.2
LATE_ANSWER_WORKDAYS = (1.0, 8.0)
FEEDBACK_SLOT = -1  # not a lifecycle slot


def complaint_rows(
    rng: np.random.Generator, dossiers: lc.Dossiers, calendar: Calendar, catalogue: Catalogue
) -> pa.Table:
    """complaint_received and complaint_answered rows for the province's dossiers, with the
    columns of `events.expand_events`."""
    happened = dossiers.happened
    result = happened[:, lc.COMPLETED] | happened[:, lc.RESULT_RETURNED]
    refused = happened[:, lc.STOPPED] | happened[:, lc.REFUSED]
    share = np.where(
        refused,
        COMPLAINT_SHARE_REFUSED,
        np.where(
            result & dossiers.overdue,
            COMPLAINT_SHARE_LATE,
            np.where(result, COMPLAINT_SHARE_ON_TIME, 0.0),
        ),
    )
    complains = rng.random(len(dossiers)) < share
    d = np.flatnonzero(complains)
    ended_at = np.where(happened[d], dossiers.moments[d], -1).max(axis=1)

    received_pos = calendar.position_of(ended_at) + rng.uniform(*COMPLAINT_DELAY_WORKDAYS, len(d))
    received_at = calendar.time_of(received_pos)
    due_at = calendar.close_of(np.floor(received_pos).astype(np.int64) + ANSWER_WORKDAYS)
    late = rng.random(len(d)) < LATE_ANSWER_SHARE
    answered_pos = np.where(
        late,
        calendar.position_of(due_at) + rng.uniform(*LATE_ANSWER_WORKDAYS, len(d)),
        received_pos + rng.uniform(0.1, ANSWER_WORKDAYS - 0.1, len(d)),
    )
    answered_at = calendar.time_of(answered_pos)

    in_window = received_at < calendar.end_ts
    answered = in_window & (answered_at < calendar.end_ts)
    d_all = np.concatenate([d[in_window], d[answered]])
    at = np.concatenate([received_at[in_window], answered_at[answered]])
    due = np.concatenate([due_at[in_window], np.zeros(answered.sum(), dtype=np.int64)])
    is_received = np.arange(len(d_all)) < in_window.sum()
    return feedback_table(dossiers, calendar, catalogue, d_all, at, due, is_received)


def feedback_table(
    dossiers: lc.Dossiers,
    calendar: Calendar,
    catalogue: Catalogue,
    d: np.ndarray,
    at: np.ndarray,
    due: np.ndarray,
    is_received: np.ndarray,
) -> pa.Table:
    proc = dossiers.procedure[d]
    unit = coded(recorded_at(dossiers, d, at), dossiers.record_codes)
    n = len(d)
    columns = {
        "dossier_code": dossier_codes(dossiers).take(pa.array(d, pa.int64())),
        "procedure_code": coded(proc, catalogue.codes),
        "unit_code": unit,
        "event_type": coded(
            np.where(is_received, 0, 1), np.array(["complaint_received", "complaint_answered"])
        ),
        "event_at": timestamps(at),
        "channel": coded(dossiers.channel[d], np.array(CHANNELS)),
        "due_at": timestamps(due, mask=~is_received),
        "step_name": pa.nulls(n, pa.string()),
        # the receptionist takes complaints in and sends the answers out
        "handler_ref": pc.binary_join_element_wise("CB", unit, padded(dossiers.staff[d, 1], 3), ""),
        "applicant_id": applicant_strings(dossiers).take(pa.array(d, pa.int64())),
        "applicant_type": coded(
            dossiers.business[d].astype(np.int64), np.array(["citizen", "business"])
        ),
        "fee_paid_online": pa.array(dossiers.paid_online[d]),
        "result_digitised": pa.nulls(n, pa.bool_()),
        "satisfaction_score": pa.nulls(n, pa.int32()),
        "synced_to_portal": pa.array(dossiers.synced[d]),
        "components_digitised": pa.array(dossiers.digitised[d]),
        "data_reused": pa.array(dossiers.reused[d]),
        "_slot": pa.array(np.full(n, FEEDBACK_SLOT, dtype=np.int8)),
        "_service_level": coded(catalogue.capability[proc], np.array(SERVICE_LEVEL)),
        "_month": pa.array(calendar.month_index(at).astype(np.int32)),
        "_event_at_text": pa.nulls(n, pa.string()),
    }
    return pa.table(columns)


def with_complaints(
    events: pa.Table,
    rng: np.random.Generator,
    dossiers: lc.Dossiers,
    calendar: Calendar,
    catalogue: Catalogue,
) -> pa.Table:
    """The province's events with its complaints merged in, in file order (month, time)."""
    complaints = complaint_rows(rng, dossiers, calendar, catalogue).cast(events.schema)
    merged = pa.concat_tables([events, complaints])
    order = pc.sort_indices(merged, [("_month", "ascending"), ("event_at", "ascending")])
    return merged.take(order)
