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

import asyncpg
from xkld_shared.contracts.envelope import Envelope, new_envelope
from xkld_shared.contracts.loan import InstallmentOverdue
from xkld_shared.db.pool import Conn
from xkld_shared.messaging.outbox import add_to_outbox

from xkld_loans.application.ports import LoanToAge, OverdueRecords
from xkld_loans.domain.overdue import OverdueState, OverdueUpdate, update_for

PRODUCER = "loans"
CHUNK = 500


@dataclass(frozen=True)
class RunResult:
    as_of: dt.date
    loans_examined: int
    newly_overdue: int


async def run_overdue_job(
    pool: asyncpg.Pool,
    topic: str,
    as_of: dt.date,
    *,
    records: OverdueRecords,
    chunk: int = CHUNK,
) -> RunResult:
    async with pool.acquire() as conn:
        await records.open_run(conn, as_of)
        candidates = await records.candidates(conn, as_of)
    newly = 0
    for start in range(0, len(candidates), chunk):
        async with pool.acquire() as conn, conn.transaction():
            loans = await records.lock_loans(conn, candidates[start : start + chunk])
            newly += await _age_chunk(conn, records, topic, as_of, loans)
    async with pool.acquire() as conn:
        await records.close_run(conn, as_of, newly)
    return RunResult(as_of, len(candidates), newly)


async def _age_chunk(
    conn: Conn, records: OverdueRecords, topic: str, as_of: dt.date, loans: list[LoanToAge]
) -> int:
    by_loan = {loan.id: loan for loan in loans}
    unpaid = await records.unpaid_past_due(conn, list(by_loan), as_of)
    updates: list[tuple[uuid.UUID, OverdueUpdate]] = []
    events: list[Envelope] = []
    for loan_id, state in unpaid:
        loan = by_loan[loan_id]
        update = update_for(state, as_of, loan.overdue_monthly_rate)
        if update is None:
            continue
        updates.append((loan_id, update))
        if update.newly_overdue:
            events.append(_overdue_event(loan, state, as_of))
    await records.save_updates(conn, updates)
    if events:
        await add_to_outbox(conn, topic, events)
    return len(events)


def _overdue_event(loan: LoanToAge, state: OverdueState, as_of: dt.date) -> Envelope:
    event = InstallmentOverdue(
        loan_application_id=loan.id,
        installment_no=state.number,
        due_on=state.due_on,
        detected_on=as_of,
        principal_due_vnd=state.unpaid_principal_vnd,
        interest_due_vnd=state.unpaid_interest_vnd,
    )
    return new_envelope(event, registration_id=loan.registration_id, producer=PRODUCER)
