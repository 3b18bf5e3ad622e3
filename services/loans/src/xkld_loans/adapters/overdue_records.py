"""SQL of the daily overdue job: its run log, the loans to age, and the instalments it updates."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from xkld_shared.db.pool import Conn

from xkld_loans.application.ports import LoanToAge
from xkld_loans.domain.overdue import OverdueState, OverdueUpdate


async def open_run(conn: Conn, as_of: dt.date) -> None:
    await conn.execute(
        "INSERT INTO overdue_run (as_of) VALUES ($1) ON CONFLICT (as_of) DO NOTHING", as_of
    )


async def close_run(conn: Conn, as_of: dt.date, newly_overdue: int) -> None:
    await conn.execute(
        """UPDATE overdue_run SET finished_at = now(), newly_overdue = newly_overdue + $2
           WHERE as_of = $1""",
        as_of,
        newly_overdue,
    )


async def finished_for(conn: Conn, day: dt.date) -> bool:
    done = await conn.fetchval(
        "SELECT finished_at IS NOT NULL FROM overdue_run WHERE as_of = $1", day
    )
    return bool(done)


async def candidates(conn: Conn, as_of: dt.date) -> list[uuid.UUID]:
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


async def lock_loans(conn: Conn, loan_ids: list[uuid.UUID]) -> list[LoanToAge]:
    # Locked in id order, so two runs never deadlock; the instalments are re-read after the
    # lock, so what another run did meanwhile is seen. A frozen loan accrues nothing.
    rows = await conn.fetch(
        """SELECT id, registration_id, evaluation ->> 'overdue_monthly_rate' AS rate
           FROM loan_application WHERE id = ANY($1::uuid[]) AND status = 'disbursed'
           ORDER BY id FOR UPDATE""",
        loan_ids,
    )
    return [LoanToAge(r["id"], r["registration_id"], Decimal(r["rate"])) for r in rows]


async def unpaid_past_due(
    conn: Conn, loan_ids: list[uuid.UUID], as_of: dt.date
) -> list[tuple[uuid.UUID, OverdueState]]:
    rows = await conn.fetch(
        """SELECT loan_application_id, number, due_on, overdue_since, overdue_accrued_to,
                  principal_vnd - principal_paid_vnd AS unpaid_principal,
                  interest_vnd - interest_paid_vnd AS unpaid_interest
           FROM installment
           WHERE loan_application_id = ANY($1::uuid[]) AND due_on < $2
             AND (principal_paid_vnd < principal_vnd OR interest_paid_vnd < interest_vnd)""",
        loan_ids,
        as_of,
    )
    return [
        (
            row["loan_application_id"],
            OverdueState(
                number=row["number"],
                due_on=row["due_on"],
                unpaid_principal_vnd=row["unpaid_principal"],
                unpaid_interest_vnd=row["unpaid_interest"],
                overdue_since=row["overdue_since"],
                accrued_to=row["overdue_accrued_to"],
            ),
        )
        for row in rows
    ]


async def save_updates(conn: Conn, updates: list[tuple[uuid.UUID, OverdueUpdate]]) -> None:
    await conn.executemany(
        """UPDATE installment SET overdue_since = $3, overdue_accrued_to = $4,
               overdue_interest_vnd = overdue_interest_vnd + $5
           WHERE loan_application_id = $1 AND number = $2""",
        [
            (loan_id, u.number, u.overdue_since, u.accrued_to, u.added_interest_vnd)
            for loan_id, u in updates
        ],
    )
