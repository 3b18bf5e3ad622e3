"""The daily overdue job: mark past-due instalments, accrue overdue interest, and emit
`InstallmentOverdue` once per instalment, however often and on however many replicas it runs.

Loans are taken in id order, in chunks, each chunk in one transaction that locks its loans'
rows (the same lock a repayment takes). A second run, or a replica running at the same time,
waits for the lock and then finds `overdue_accrued_to` already at the day and `overdue_since`
already set: nothing to add and no event to repeat.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal

import asyncpg
from xkld_shared.contracts.envelope import Envelope, new_envelope
from xkld_shared.contracts.loan import InstallmentOverdue
from xkld_shared.db.pool import Conn
from xkld_shared.messaging.outbox import add_to_outbox

from xkld_loans.domain.overdue import OverdueState, OverdueUpdate, update_for

PRODUCER = "loans"
CHUNK = 500


@dataclass(frozen=True)
class RunResult:
    as_of: dt.date
    loans_examined: int
    newly_overdue: int


async def run_overdue_job(
    pool: asyncpg.Pool, topic: str, as_of: dt.date, *, chunk: int = CHUNK
) -> RunResult:
    async with pool.acquire() as conn:
        await conn.execute(
            "INSERT INTO overdue_run (as_of) VALUES ($1) ON CONFLICT (as_of) DO NOTHING", as_of
        )
    async with pool.acquire() as conn:
        candidates = await _candidates(conn, as_of)
    newly = 0
    for start in range(0, len(candidates), chunk):
        async with pool.acquire() as conn, conn.transaction():
            loans = await _lock(conn, candidates[start : start + chunk])
            newly += await _process_chunk(conn, topic, as_of, loans)
    async with pool.acquire() as conn:
        await conn.execute(
            """UPDATE overdue_run SET finished_at = now(), newly_overdue = newly_overdue + $2
               WHERE as_of = $1""",
            as_of,
            newly,
        )
    return RunResult(as_of, len(candidates), newly)


async def _candidates(conn: Conn, as_of: dt.date) -> list[uuid.UUID]:
    """Loans with an instalment past due and not yet counted for the day (partial index)."""
    rows = await conn.fetch(
        """SELECT DISTINCT loan_application_id FROM installment
           WHERE due_on < $1
             AND (principal_paid_vnd < principal_vnd OR interest_paid_vnd < interest_vnd)
             AND (overdue_accrued_to IS NULL OR overdue_accrued_to < $1)
           ORDER BY 1""",
        as_of,
    )
    return [r[0] for r in rows]


async def _lock(conn: Conn, loan_ids: list[uuid.UUID]) -> list[asyncpg.Record]:
    # Locked in id order, so two runs never deadlock; the instalments are re-read after the
    # lock, so what another run did meanwhile is seen. A frozen loan accrues nothing.
    return await conn.fetch(
        """SELECT id, registration_id, evaluation ->> 'overdue_monthly_rate' AS rate
           FROM loan_application WHERE id = ANY($1::uuid[]) AND status = 'disbursed'
           ORDER BY id FOR UPDATE""",
        loan_ids,
    )


async def _process_chunk(
    conn: Conn, topic: str, as_of: dt.date, loans: list[asyncpg.Record]
) -> int:
    rows = await conn.fetch(
        """SELECT loan_application_id, number, due_on, overdue_since, overdue_accrued_to,
                  principal_vnd - principal_paid_vnd AS unpaid_principal,
                  interest_vnd - interest_paid_vnd AS unpaid_interest
           FROM installment
           WHERE loan_application_id = ANY($1::uuid[]) AND due_on < $2
             AND (principal_paid_vnd < principal_vnd OR interest_paid_vnd < interest_vnd)""",
        [loan["id"] for loan in loans],
        as_of,
    )
    by_loan = {loan["id"]: loan for loan in loans}
    updates: list[tuple[uuid.UUID, OverdueUpdate]] = []
    events: list[Envelope] = []
    for row in rows:
        loan = by_loan[row["loan_application_id"]]
        update = update_for(_state_of(row), as_of, Decimal(loan["rate"]))
        if update is None:
            continue
        updates.append((loan["id"], update))
        if update.newly_overdue:
            events.append(_overdue_event(loan, row, as_of))
    await conn.executemany(
        """UPDATE installment SET overdue_since = $3, overdue_accrued_to = $4,
               overdue_interest_vnd = overdue_interest_vnd + $5
           WHERE loan_application_id = $1 AND number = $2""",
        [
            (loan_id, u.number, u.overdue_since, u.accrued_to, u.added_interest_vnd)
            for loan_id, u in updates
        ],
    )
    if events:
        await add_to_outbox(conn, topic, events)
    return len(events)


def _state_of(row: asyncpg.Record) -> OverdueState:
    return OverdueState(
        number=row["number"],
        due_on=row["due_on"],
        unpaid_principal_vnd=row["unpaid_principal"],
        unpaid_interest_vnd=row["unpaid_interest"],
        overdue_since=row["overdue_since"],
        accrued_to=row["overdue_accrued_to"],
    )


def _overdue_event(loan: asyncpg.Record, row: asyncpg.Record, as_of: dt.date) -> Envelope:
    event = InstallmentOverdue(
        loan_application_id=loan["id"],
        installment_no=row["number"],
        due_on=row["due_on"],
        detected_on=as_of,
        principal_due_vnd=row["unpaid_principal"],
        interest_due_vnd=row["unpaid_interest"],
    )
    return new_envelope(event, registration_id=loan["registration_id"], producer=PRODUCER)
