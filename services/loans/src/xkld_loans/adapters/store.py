"""Loan applications in the loans service's own database."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from xkld_shared.db.pool import Conn

from xkld_loans.domain.application import LoanApplication, Proposal, Status
from xkld_loans.domain.disbursement import Disbursement
from xkld_loans.domain.regime_evaluation import Evaluation, LoanAsk
from xkld_loans.domain.repayment import Allocation, Due
from xkld_loans.domain.restructuring import History

_DECIMALS = ("monthly_rate", "overdue_monthly_rate", "subsidised_share_of_interest")


def evaluation_to_json(e: Evaluation) -> dict[str, Any]:
    data = dataclasses.asdict(e)
    for key in _DECIMALS:
        data[key] = None if data[key] is None else str(data[key])
    data["reasons"] = list(e.reasons)
    return data


def evaluation_from_json(data: dict[str, Any]) -> Evaluation:
    values = dict(data)
    for key in _DECIMALS:
        # .get: evaluations stored before a field existed simply lack it.
        values[key] = None if values.get(key) is None else Decimal(values[key])
    values["reasons"] = tuple(values["reasons"])
    return Evaluation(**values)


async def insert(
    conn: Conn, app: LoanApplication, ask: LoanAsk, *, loan_request_id: uuid.UUID | None = None
) -> None:
    await conn.execute(
        """INSERT INTO loan_application (id, registration_id, branch_code, commune_code,
               programme, application_date, priority_groups, contract_costs_vnd, requested_vnd,
               requested_term_months, contract_term_months, evaluation, status, loan_request_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)""",
        app.id,
        app.registration_id,
        app.branch_code,
        app.commune_code,
        ask.programme,
        ask.application_date,
        sorted(ask.priority_groups),
        ask.contract_costs_vnd,
        ask.requested_vnd,
        ask.requested_term_months,
        ask.contract_term_months,
        evaluation_to_json(app.evaluation),
        app.status.value,
        loan_request_id,
    )


async def has_request(conn: Conn, loan_request_id: uuid.UUID) -> bool:
    found = await conn.fetchval(
        "SELECT 1 FROM loan_application WHERE loan_request_id = $1", loan_request_id
    )
    return found is not None


async def open_application_of(
    conn: Conn, registration_id: uuid.UUID, *, lock: bool = False
) -> LoanApplication | None:
    """The file's one application in progress or being repaid (the partial unique index)."""
    row = await conn.fetchrow(
        """SELECT * FROM loan_application WHERE registration_id = $1
             AND status IN ('application_received', 'under_review', 'proposed', 'approved',
                            'disbursed', 'frozen')"""
        + (" FOR UPDATE" if lock else ""),
        registration_id,
    )
    return None if row is None else application_of(dict(row))


async def flag_for_review(conn: Conn, application_id: uuid.UUID, reason: str, on: dt.date) -> None:
    await conn.execute(
        """UPDATE loan_application SET review_flag = $2, review_flagged_on = $3,
               updated_at = now() WHERE id = $1""",
        application_id,
        reason,
        on,
    )


async def load_for_update(conn: Conn, application_id: uuid.UUID) -> LoanApplication | None:
    row = await conn.fetchrow(
        "SELECT * FROM loan_application WHERE id = $1 FOR UPDATE", application_id
    )
    return None if row is None else application_of(dict(row))


async def load(conn: Conn, application_id: uuid.UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow("SELECT * FROM loan_application WHERE id = $1", application_id)
    return None if row is None else dict(row)


async def save(conn: Conn, app: LoanApplication) -> None:
    proposal = None if app.proposal is None else dataclasses.asdict(app.proposal)
    await conn.execute(
        """UPDATE loan_application SET status = $2, proposal = $3, decided_by = $4,
               reviewer = $5, updated_at = now() WHERE id = $1""",
        app.id,
        app.status.value,
        proposal,
        app.decided_by,
        app.reviewer,
    )


def application_of(row: dict[str, Any]) -> LoanApplication:
    proposal = row["proposal"]
    return LoanApplication(
        id=row["id"],
        registration_id=row["registration_id"],
        branch_code=row["branch_code"],
        commune_code=row["commune_code"],
        requested_vnd=row["requested_vnd"],
        requested_term_months=row["requested_term_months"],
        evaluation=evaluation_from_json(row["evaluation"]),
        status=Status(row["status"]),
        proposal=None if proposal is None else Proposal(**proposal),
        decided_by=row["decided_by"],
        reviewer=row["reviewer"],
    )


async def insert_disbursement(conn: Conn, d: Disbursement, recorded_by: str) -> None:
    await conn.execute(
        """INSERT INTO disbursement (loan_application_id, amount_vnd, disbursed_on, channel,
               recorded_by) VALUES ($1, $2, $3, $4, $5)""",
        d.loan_application_id,
        d.amount_vnd,
        d.disbursed_on,
        d.channel,
        recorded_by,
    )
    await _insert_schedule(conn, d)


async def _insert_schedule(conn: Conn, d: Disbursement) -> None:
    await conn.executemany(
        """INSERT INTO installment (loan_application_id, number, due_on, opening_balance_vnd,
               principal_vnd, interest_vnd) VALUES ($1, $2, $3, $4, $5, $6)""",
        [
            (
                d.loan_application_id,
                i.number,
                i.due_on,
                i.opening_balance_vnd,
                i.principal_vnd,
                i.interest_vnd,
            )
            for i in d.schedule
        ],
    )


async def schedule_of(conn: Conn, application_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        """SELECT number, due_on, opening_balance_vnd, principal_vnd, interest_vnd,
                  principal_vnd + interest_vnd AS total_vnd, principal_paid_vnd,
                  interest_paid_vnd, overdue_interest_vnd, overdue_interest_paid_vnd
           FROM installment WHERE loan_application_id = $1 ORDER BY number""",
        application_id,
    )
    return [dict(r) for r in rows]


async def dues_of(conn: Conn, application_id: uuid.UUID) -> tuple[Due, ...]:
    rows = await conn.fetch(
        """SELECT number, due_on, opening_balance_vnd, principal_vnd, interest_vnd,
                  principal_paid_vnd, interest_paid_vnd, overdue_interest_vnd,
                  overdue_interest_paid_vnd
           FROM installment WHERE loan_application_id = $1 ORDER BY number""",
        application_id,
    )
    return tuple(Due(**dict(r)) for r in rows)


async def save_dues(conn: Conn, application_id: uuid.UUID, dues: tuple[Due, ...]) -> None:
    """Writes the instalments as they now stand; an extension's new months are added."""
    await conn.executemany(
        """INSERT INTO installment AS i (loan_application_id, number, due_on,
               opening_balance_vnd, principal_vnd, interest_vnd, principal_paid_vnd,
               interest_paid_vnd, overdue_interest_vnd, overdue_interest_paid_vnd)
           VALUES ($1, $2, $10, $3, $4, $5, $6, $7, $8, $9)
           ON CONFLICT (loan_application_id, number) DO UPDATE SET
               due_on = EXCLUDED.due_on, opening_balance_vnd = EXCLUDED.opening_balance_vnd,
               principal_vnd = EXCLUDED.principal_vnd, interest_vnd = EXCLUDED.interest_vnd,
               principal_paid_vnd = EXCLUDED.principal_paid_vnd,
               interest_paid_vnd = EXCLUDED.interest_paid_vnd,
               overdue_interest_vnd = EXCLUDED.overdue_interest_vnd,
               overdue_interest_paid_vnd = EXCLUDED.overdue_interest_paid_vnd""",
        [_due_row(application_id, d) for d in dues],
    )


def _due_row(application_id: uuid.UUID, d: Due) -> tuple[object, ...]:
    """An instalment's parameters, in the order of `save_dues`' statement ($10: the date)."""
    return (
        application_id,
        d.number,
        d.opening_balance_vnd,
        d.principal_vnd,
        d.interest_vnd,
        d.principal_paid_vnd,
        d.interest_paid_vnd,
        d.overdue_interest_vnd,
        d.overdue_interest_paid_vnd,
        d.due_on,
    )


async def insert_repayment(
    conn: Conn,
    application_id: uuid.UUID,
    amount_vnd: int,
    paid_on: dt.date,
    allocation: Allocation,
    recorded_by: str,
) -> uuid.UUID:
    repayment_id = uuid.uuid4()
    await conn.execute(
        """INSERT INTO repayment (id, loan_application_id, amount_vnd, paid_on, allocation,
               recorded_by) VALUES ($1, $2, $3, $4, $5, $6)""",
        repayment_id,
        application_id,
        amount_vnd,
        paid_on,
        dataclasses.asdict(allocation),
        recorded_by,
    )
    return repayment_id


async def insert_restructuring(
    conn: Conn,
    application_id: uuid.UUID,
    kind: str,
    effective_on: dt.date,
    details: dict[str, Any],
    recorded_by: str,
) -> None:
    await conn.execute(
        """INSERT INTO restructuring (id, loan_application_id, kind, effective_on, details,
               recorded_by) VALUES ($1, $2, $3, $4, $5, $6)""",
        uuid.uuid4(),
        application_id,
        kind,
        effective_on,
        details,
        recorded_by,
    )


async def history_of(conn: Conn, application_id: uuid.UUID, today: dt.date) -> History:
    row = await conn.fetchrow(
        """SELECT d.disbursed_on,
                  GREATEST((SELECT max(paid_on) FROM repayment r
                            WHERE r.loan_application_id = d.loan_application_id),
                           (SELECT max(overdue_accrued_to) FROM installment i
                            WHERE i.loan_application_id = d.loan_application_id)) AS last_on
           FROM disbursement d WHERE d.loan_application_id = $1""",
        application_id,
    )
    if row is None:
        raise RuntimeError("a restructurable loan always has its disbursement")
    return History(row["disbursed_on"], row["last_on"], today)


async def restart_overdue_accrual(conn: Conn, application_id: uuid.UUID, on: dt.date) -> None:
    await conn.execute(
        """UPDATE installment SET overdue_accrued_to = GREATEST(overdue_accrued_to, $2)
           WHERE loan_application_id = $1 AND due_on < $2""",
        application_id,
        on,
    )
