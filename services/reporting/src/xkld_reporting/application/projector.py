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

from xkld_reporting.application.enterprise_projection import (
    ENTERPRISE_ONLY,
    project_enterprise_facts,
)
from xkld_reporting.application.ports import FactWrites, ProjectionWrites, RowStore, UnitMap
from xkld_reporting.application.poverty_projection import POVERTY_EVENTS, project_poverty
from xkld_reporting.application.rural_projection import RURAL_EVENTS, RuralProjection
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


class Projector:
    """Applies batches through the projection's ports: `writes` for the batch's start and end,
    `rows` for the rows a batch touches, `facts` for the tables of their own, `units` for
    the commune map."""

    def __init__(
        self, writes: ProjectionWrites, rows: RowStore, facts: FactWrites, units: UnitMap
    ) -> None:
        self._writes = writes
        self._rows = rows
        self._facts = facts
        self._units = units
        self._rural = RuralProjection(rows, units)

    async def begin_batch(self, conn: Conn, schema: str, shared_lock: int | None = None) -> None:
        """The batch's first statement (see `ProjectionWrites.begin_batch`)."""
        await self._writes.begin_batch(conn, schema, shared_lock=shared_lock)

    async def claim(
        self, conn: Conn, schema: str, event_ids: Sequence[uuid.UUID]
    ) -> set[uuid.UUID]:
        """The ids the inbox has not seen, recorded in this transaction."""
        return await self._writes.claim(conn, schema, event_ids)

    async def project(self, conn: Conn, schema: str, stream: Stream, events: Events) -> None:
        """Apply fresh (already claimed) events of one stream, in order."""
        if not events:
            return
        if stream is Stream.REGISTRATION:
            deltas = await self._registration_stream(conn, schema, events)
        elif stream is Stream.LOAN:
            deltas = await self._loans(conn, schema, events)
        else:
            deltas = _notifications(events)
        await self._writes.write_deltas(conn, schema, deltas)
        newest = max(env.occurred_at for env, _ in events)
        await self._writes.advance(conn, schema, stream, newest, len(events))

    async def _registration_stream(self, conn: Conn, schema: str, events: Events) -> Deltas:
        # Rural trainees and the course plan have tables of their own and no counters.
        rural = [(env, e) for env, e in events if type(e) in RURAL_EVENTS]
        await self._rural.project(conn, schema, rural)
        poverty = [(v, e) for v, e in events if type(e) in POVERTY_EVENTS]
        await project_poverty(self._facts, conn, schema, poverty)
        # Contract fees and complaints about enterprises have tables of their own too.
        await project_enterprise_facts(self._facts, conn, schema, events)
        others = [
            (env, e)
            for env, e in events
            if type(e) not in RURAL_EVENTS and type(e) not in ENTERPRISE_ONLY
        ]
        return await self._registrations(conn, schema, others) if others else Deltas()

    async def _registrations(self, conn: Conn, schema: str, events: Events) -> Deltas:
        state = await self._registration_state(conn, schema, events)
        for env, event in events:
            apply_registration_event(state, env, event)
        await self._save_registrations(conn, schema, state)
        return state.deltas

    async def _save_registrations(self, conn: Conn, schema: str, state: RegistrationState) -> None:
        save = self._rows.save
        registrations = [state.registrations[i] for i in state.touched]
        await save(
            conn, f"{schema}.registration", RegistrationRow, _REGISTRATION_KEY, registrations
        )
        trainings = [state.trainings[k] for k in state.touched_trainings]
        await save(conn, f"{schema}.training", TrainingRow, _TRAINING_KEY, trainings)

    async def _registration_state(
        self, conn: Conn, schema: str, events: Events
    ) -> RegistrationState:
        ids = list({env.registration_id for env, _ in events})
        trainees = _with_training(events)
        units = self._units.admin_units()
        load = self._rows.load
        table = f"{schema}.registration"
        registrations = await load(conn, table, RegistrationRow, "registration_id", ids)
        table = f"{schema}.training"
        trainings = await load(conn, table, TrainingRow, "registration_id", trainees, _training_key)
        return RegistrationState(units.current, units.province_of, registrations, trainings)

    async def _loans(self, conn: Conn, schema: str, events: Events) -> Deltas:
        ids = _loan_ids(events)
        current = self._units.admin_units().current
        loans = await self._rows.load(conn, f"{schema}.loan", LoanRow, "loan_application_id", ids)
        state = LoanState(current, loans)
        for env, event in events:
            apply_loan_event(state, env, event)
        await self._save_loans(conn, schema, state)
        return state.deltas

    async def _save_loans(self, conn: Conn, schema: str, state: LoanState) -> None:
        save = self._rows.save
        loans_touched = [state.loans[i] for i in state.touched]
        await save(conn, f"{schema}.loan", LoanRow, ["loan_application_id"], loans_touched)
        await save(conn, f"{schema}.loan_overdue", OverdueRow, _OVERDUE_KEY, state.overdue)


def fresh_events(decoded: Events, fresh_ids: set[uuid.UUID]) -> list[tuple[Envelope, EventPayload]]:
    """The events the inbox claim found new, each once (a batch can hold one event twice)."""
    events, taken = [], set()
    for env, payload in decoded:
        if env.event_id in fresh_ids and env.event_id not in taken:
            taken.add(env.event_id)
            events.append((env, payload))
    return events


def _notifications(events: Events) -> Deltas:
    deltas = Deltas()
    for env, event in events:
        apply_notification_event(deltas, env, event)
    return deltas


def _with_training(events: Events) -> list[uuid.UUID]:
    # Only registrations with a training event in this batch need their courses read.
    return list({env.registration_id for env, e in events if type(e) in _TRAINING})


def _training_key(row: TrainingRow) -> tuple[uuid.UUID, uuid.UUID]:
    return (row.registration_id, row.course_id)


def _loan_ids(events: Events) -> list[uuid.UUID]:
    return list(
        {i for _, e in events if (i := getattr(e, "loan_application_id", None)) is not None}
    )
