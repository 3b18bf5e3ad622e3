"""Applying a batch of one stream's events to the projection schema, in one transaction.

The rows a batch touches are read once, changed in memory in the events' order (one
registration's events arrive in order on one partition), and written back with one statement
per table; counters are incremented with one statement per batch.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from xkld_shared.contracts import journey, loan, notification
from xkld_shared.contracts.envelope import Envelope, EventPayload
from xkld_shared.contracts.registration import (
    RegistrationPersonalDataErased,
    RegistrationSubmitted,
)
from xkld_shared.contracts.registry import payloads_of
from xkld_shared.contracts.topics import Stream
from xkld_shared.db.pool import Conn

from xkld_reporting.adapters.admin_units import admin_units
from xkld_reporting.adapters.projection_writes import (
    advance,
    begin_batch,
    claim,
    write_deltas,
)
from xkld_reporting.adapters.rows import load as _load
from xkld_reporting.adapters.rows import save as _save
from xkld_reporting.application.enterprise_projection import (
    ENTERPRISE_ONLY,
    project_enterprise_facts,
)
from xkld_reporting.application.poverty_projection import POVERTY_EVENTS, project_poverty
from xkld_reporting.application.rural_projection import RURAL_EVENTS, project_rural_training
from xkld_reporting.domain.fact_rows import LoanRow, OverdueRow, RegistrationRow, TrainingRow
from xkld_reporting.domain.facts import Deltas, apply_notification_event
from xkld_reporting.domain.loan_facts import LoanState, apply_loan_event
from xkld_reporting.domain.registration_facts import RegistrationState, apply_registration_event

Events = Sequence[tuple[Envelope, EventPayload]]

EVENT_TYPES: dict[Stream, frozenset[str]] = {
    Stream.REGISTRATION: frozenset(
        [
            RegistrationSubmitted.EVENT_TYPE,
            RegistrationPersonalDataErased.EVENT_TYPE,
            *(m.EVENT_TYPE for m in payloads_of(journey)),
            *(m.EVENT_TYPE for m in RURAL_EVENTS),
            *(m.EVENT_TYPE for m in ENTERPRISE_ONLY),
        ]
    ),
    Stream.LOAN: frozenset(m.EVENT_TYPE for m in payloads_of(loan)),
    Stream.NOTIFICATION: frozenset(m.EVENT_TYPE for m in payloads_of(notification)),
    # The survey's roll-ups live in the outreach service for now: nothing projected here yet.
    Stream.OUTREACH: frozenset(),
}

_TRAINING = (journey.TrainingEnrolled, journey.TrainingCompleted)
_REGISTRATION_KEY = ["registration_id"]
_TRAINING_KEY = ["registration_id", "course_id"]
_OVERDUE_KEY = ["loan_application_id", "installment_no"]


async def project(conn: Conn, schema: str, stream: Stream, events: Events) -> None:
    """Apply fresh (already claimed) events of one stream, in order."""
    if not events:
        return
    if stream is Stream.REGISTRATION:
        deltas = await _registration_stream(conn, schema, events)
    elif stream is Stream.LOAN:
        deltas = await _loans(conn, schema, events)
    else:
        deltas = _notifications(events)
    await write_deltas(conn, schema, deltas)
    newest = max(env.occurred_at for env, _ in events)
    await advance(conn, schema, stream, newest, len(events))


def fresh_events(decoded: Events, fresh_ids: set[uuid.UUID]) -> list[tuple[Envelope, EventPayload]]:
    """The events the inbox claim found new, each once (a batch can hold one event twice)."""
    events, taken = [], set()
    for env, payload in decoded:
        if env.event_id in fresh_ids and env.event_id not in taken:
            taken.add(env.event_id)
            events.append((env, payload))
    return events


async def _registration_stream(conn: Conn, schema: str, events: Events) -> Deltas:
    # Rural trainees and the course plan have tables of their own and no counters.
    rural = [(env, e) for env, e in events if type(e) in RURAL_EVENTS]
    await project_rural_training(conn, schema, rural)
    await project_poverty(conn, schema, [(v, e) for v, e in events if type(e) in POVERTY_EVENTS])
    # Contract fees and complaints about enterprises have tables of their own too.
    await project_enterprise_facts(conn, schema, events)
    others = [
        (env, e)
        for env, e in events
        if type(e) not in RURAL_EVENTS and type(e) not in ENTERPRISE_ONLY
    ]
    return await _registrations(conn, schema, others) if others else Deltas()


def _notifications(events: Events) -> Deltas:
    deltas = Deltas()
    for env, event in events:
        apply_notification_event(deltas, env, event)
    return deltas


async def _registrations(conn: Conn, schema: str, events: Events) -> Deltas:
    state = await _registration_state(conn, schema, events)
    for env, event in events:
        apply_registration_event(state, env, event)
    await _save_registrations(conn, schema, state)
    return state.deltas


async def _save_registrations(conn: Conn, schema: str, state: RegistrationState) -> None:
    registrations = [state.registrations[i] for i in state.touched]
    await _save(conn, f"{schema}.registration", RegistrationRow, _REGISTRATION_KEY, registrations)
    trainings = [state.trainings[k] for k in state.touched_trainings]
    await _save(conn, f"{schema}.training", TrainingRow, _TRAINING_KEY, trainings)


async def _registration_state(conn: Conn, schema: str, events: Events) -> RegistrationState:
    ids = list({env.registration_id for env, _ in events})
    trainees = _with_training(events)
    units = admin_units()
    table = f"{schema}.registration"
    registrations = await _load(conn, table, RegistrationRow, "registration_id", ids)
    table = f"{schema}.training"
    trainings = await _load(conn, table, TrainingRow, "registration_id", trainees, _training_key)
    return RegistrationState(units.current, units.province_of, registrations, trainings)


def _with_training(events: Events) -> list[uuid.UUID]:
    # Only registrations with a training event in this batch need their courses read.
    return list({env.registration_id for env, e in events if type(e) in _TRAINING})


def _training_key(row: TrainingRow) -> tuple[uuid.UUID, uuid.UUID]:
    return (row.registration_id, row.course_id)


async def _loans(conn: Conn, schema: str, events: Events) -> Deltas:
    ids = _loan_ids(events)
    current = admin_units().current
    loans = await _load(conn, f"{schema}.loan", LoanRow, "loan_application_id", ids)
    state = LoanState(current, loans)
    for env, event in events:
        apply_loan_event(state, env, event)
    await _save_loans(conn, schema, state)
    return state.deltas


def _loan_ids(events: Events) -> list[uuid.UUID]:
    return list(
        {i for _, e in events if (i := getattr(e, "loan_application_id", None)) is not None}
    )


async def _save_loans(conn: Conn, schema: str, state: LoanState) -> None:
    loans_touched = [state.loans[i] for i in state.touched]
    await _save(conn, f"{schema}.loan", LoanRow, ["loan_application_id"], loans_touched)
    await _save(conn, f"{schema}.loan_overdue", OverdueRow, _OVERDUE_KEY, state.overdue)


# begin_batch and claim are the batch consumer's and the rebuild's too: they import them here.
__all__ = ["EVENT_TYPES", "begin_batch", "claim", "fresh_events", "project"]
