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
from xkld_reporting.adapters.projection_schema import checked, rollup_of
from xkld_reporting.adapters.rows import load as _load
from xkld_reporting.adapters.rows import save as _save
from xkld_reporting.adapters.rows import stage_of as _stage
from xkld_reporting.application.rural_projection import RURAL_EVENTS, project_rural_training
from xkld_reporting.domain.facts import (
    Deltas,
    LoanRow,
    LoanState,
    OverdueRow,
    RegistrationRow,
    RegistrationState,
    TrainingRow,
    apply_loan_event,
    apply_notification_event,
    apply_registration_event,
)

Events = Sequence[tuple[Envelope, EventPayload]]

EVENT_TYPES: dict[Stream, frozenset[str]] = {
    Stream.REGISTRATION: frozenset(
        [
            RegistrationSubmitted.EVENT_TYPE,
            RegistrationPersonalDataErased.EVENT_TYPE,
            *(m.EVENT_TYPE for m in payloads_of(journey)),
            *(m.EVENT_TYPE for m in RURAL_EVENTS),
        ]
    ),
    Stream.LOAN: frozenset(m.EVENT_TYPE for m in payloads_of(loan)),
    Stream.NOTIFICATION: frozenset(m.EVENT_TYPE for m in payloads_of(notification)),
}

_TRAINING = (journey.TrainingEnrolled, journey.TrainingCompleted)
_STAGED = (
    "registration",
    "training",
    "loan",
    "loan_overdue",
    "trainee",
    "trainee_course",
    "plan_line",
)


async def begin_batch(conn: Conn, schema: str, shared_lock: int | None = None) -> None:
    """First statement of a batch's transaction, one round trip: take `shared_lock` (the live
    consumer's side of the rebuild's switch lock) and make sure this connection has its
    staging tables (temporary, emptied at commit; created the first time only).

    Staging tables copy the projection's columns when first created: a migration that changes
    those columns therefore needs the service restarted.
    """
    s = checked(schema)
    lock = f"SELECT pg_advisory_xact_lock_shared({int(shared_lock)});" if shared_lock else ""
    await conn.execute(
        lock
        + "".join(
            f"CREATE TEMP TABLE IF NOT EXISTS {_stage(f'{s}.{t}')} (LIKE {s}.{t})"
            " ON COMMIT DELETE ROWS;"
            for t in _STAGED
        )
    )


async def claim(conn: Conn, schema: str, event_ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    """The projection's inbox: the ids not applied before, recorded in this transaction."""
    rows = await conn.fetch(
        f"""INSERT INTO {checked(schema)}.inbox (event_id) SELECT unnest($1::uuid[])
            ON CONFLICT DO NOTHING RETURNING event_id""",
        list(event_ids),
    )
    return {row["event_id"] for row in rows}


async def project(conn: Conn, schema: str, stream: Stream, events: Events) -> None:
    """Apply fresh (already claimed) events of one stream, in order."""
    if not events:
        return
    if stream is Stream.REGISTRATION:
        # Rural trainees and the course plan have tables of their own and no counters.
        rural = [(env, e) for env, e in events if type(e) in RURAL_EVENTS]
        await project_rural_training(conn, schema, rural)
        others = [(env, e) for env, e in events if type(e) not in RURAL_EVENTS]
        deltas = await _registrations(conn, schema, others) if others else Deltas()
    elif stream is Stream.LOAN:
        deltas = await _loans(conn, schema, events)
    else:
        deltas = Deltas()
        for env, event in events:
            apply_notification_event(deltas, env, event)
    await _write_deltas(conn, schema, deltas)
    await _advance(conn, schema, stream, events)


async def _registrations(conn: Conn, schema: str, events: Events) -> Deltas:
    ids = list({env.registration_id for env, _ in events})
    # Only registrations with a training event in this batch need their courses read.
    trainees = list({env.registration_id for env, e in events if type(e) in _TRAINING})
    units = admin_units()
    state = RegistrationState(
        units.current,
        units.province_of,
        await _load(conn, f"{schema}.registration", RegistrationRow, "registration_id", ids),
        await _load(
            conn,
            f"{schema}.training",
            TrainingRow,
            "registration_id",
            trainees,
            lambda r: (r.registration_id, r.course_id),
        ),
    )
    for env, event in events:
        apply_registration_event(state, env, event)
    await _save(
        conn,
        f"{schema}.registration",
        RegistrationRow,
        ["registration_id"],
        [state.registrations[i] for i in state.touched],
    )
    await _save(
        conn,
        f"{schema}.training",
        TrainingRow,
        ["registration_id", "course_id"],
        [state.trainings[k] for k in state.touched_trainings],
    )
    return state.deltas


async def _loans(conn: Conn, schema: str, events: Events) -> Deltas:
    ids = list({i for _, e in events if (i := getattr(e, "loan_application_id", None)) is not None})
    state = LoanState(
        admin_units().current,
        await _load(conn, f"{schema}.loan", LoanRow, "loan_application_id", ids),
    )
    for env, event in events:
        apply_loan_event(state, env, event)
    await _save(
        conn,
        f"{schema}.loan",
        LoanRow,
        ["loan_application_id"],
        [state.loans[i] for i in state.touched],
    )
    await _save(
        conn,
        f"{schema}.loan_overdue",
        OverdueRow,
        ["loan_application_id", "installment_no"],
        state.overdue,
    )
    return state.deltas


async def _write_deltas(conn: Conn, schema: str, deltas: Deltas) -> None:
    s = checked(schema)
    if deltas.counts:
        # One statement: the increments go to the monthly counters and, rolled up to years and
        # quarters, to the rollup; both in this transaction, so they always agree.
        keys = list(deltas.counts)
        await conn.execute(
            f"""WITH d AS (
                    SELECT * FROM unnest($1::text[], $2::text[], $3::date[], $4::text[],
                                         $5::bigint[], $6::bigint[], $7::text[])
                        AS d(indicator, commune_code, month, market, n, amount_vnd,
                             province_code)
                ), monthly AS (
                    INSERT INTO {s}.monthly (indicator, commune_code, month, market, n,
                                             amount_vnd, province_code)
                    -- In key order, as the rollup's rows are: two batches of one stream (two
                    -- worker processes) then wait for each other instead of deadlocking.
                    SELECT * FROM d ORDER BY indicator, commune_code, month, market
                    ON CONFLICT (indicator, commune_code, month, market) DO UPDATE
                    SET n = {s}.monthly.n + EXCLUDED.n,
                        amount_vnd = {s}.monthly.amount_vnd + EXCLUDED.amount_vnd
                )
                INSERT INTO {s}.rollup (province_code, year, quarter, market, indicator,
                                        area_code, n, amount_vnd)
                {rollup_of("d")}
                ON CONFLICT (province_code, year, quarter, market, indicator, area_code)
                DO UPDATE SET n = {s}.rollup.n + EXCLUDED.n,
                              amount_vnd = {s}.rollup.amount_vnd + EXCLUDED.amount_vnd""",
            [k[0] for k in keys],
            [k[1] for k in keys],
            [k[2] for k in keys],
            [k[3] for k in keys],
            [deltas.counts[k] for k in keys],
            [deltas.amounts[k] for k in keys],
            [admin_units().province_of(k[1]) or "" for k in keys],
        )
    if deltas.sms:
        keys_sms = list(deltas.sms)
        await conn.execute(
            f"""INSERT INTO {s}.sms (template_code, day, outcome, n)
                SELECT * FROM unnest($1::text[], $2::date[], $3::text[], $4::bigint[])
                ON CONFLICT (template_code, day, outcome) DO UPDATE
                SET n = {s}.sms.n + EXCLUDED.n""",
            [k[0] for k in keys_sms],
            [k[1] for k in keys_sms],
            [k[2] for k in keys_sms],
            [deltas.sms[k] for k in keys_sms],
        )


async def _advance(conn: Conn, schema: str, stream: Stream, events: Events) -> None:
    s = checked(schema)
    newest = max(env.occurred_at for env, _ in events)
    await conn.execute(
        f"""INSERT INTO {s}.stream_state (stream, last_event_at, events, updated_at)
            VALUES ($1, $2, $3, now())
            ON CONFLICT (stream) DO UPDATE
            SET last_event_at = greatest({s}.stream_state.last_event_at, EXCLUDED.last_event_at),
                events = {s}.stream_state.events + EXCLUDED.events,
                updated_at = now()""",
        stream.value,
        newest,
        len(events),
    )
