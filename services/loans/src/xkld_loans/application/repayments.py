"""Recording a repayment, at most once per Idempotency-Key; settling the loan when paid off."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from xkld_shared import idempotency
from xkld_shared.audit import ChangeContext
from xkld_shared.contracts.loan import LoanSettled, RepaymentRecorded
from xkld_shared.db.pool import Conn

from xkld_loans.application.applications import LoanApplications
from xkld_loans.application.commands import request_of
from xkld_loans.domain.application import IllegalMove, LoanApplication, Status
from xkld_loans.domain.capital_pool import principal_returned
from xkld_loans.domain.repayment import (
    Allocation,
    Due,
    apply_repayment,
    is_settled,
    outstanding_principal,
)


@dataclass(frozen=True)
class Repay:
    application_id: uuid.UUID
    amount_vnd: int
    paid_on: dt.date

    def as_request(self) -> dict[str, Any]:
        return request_of(self)


async def repay_once(
    applications: LoanApplications, cmd: Repay, key: str, context: ChangeContext
) -> idempotency.Answer:
    async with applications.pool.acquire() as conn, conn.transaction():

        async def work() -> idempotency.Answer:
            return await _repay(applications, conn, cmd, context)

        return await idempotency.once(
            conn, scope="loans.repayment", key=key, request_body=cmd.as_request(), work=work
        )


async def _repay(
    applications: LoanApplications, conn: Conn, cmd: Repay, context: ChangeContext
) -> idempotency.Answer:
    """Load the loan, allocate the money over its dues (domain), save, tell, settle if paid."""
    before = await applications.locked_in_branch(conn, cmd.application_id, context)
    dues, allocation = await _allocate(applications, conn, before, cmd)
    repayment_id = await applications.store.insert_repayment(
        conn, before.id, cmd.amount_vnd, cmd.paid_on, allocation, context.actor.subject
    )
    if applications.pools is not None:
        returned = principal_returned(allocation.principal_vnd, allocation.early_principal_vnd)
        await applications.pools.repaid(conn, before, returned, cmd.paid_on, context)
    left = outstanding_principal(dues)
    recorded = _recorded(before.id, cmd, left, allocation)
    await applications.record(conn, context, "loan.repayment_recorded", before, before, recorded)
    after = await _settled_if_paid(applications, conn, (before, dues), cmd.paid_on, context)
    return idempotency.Answer(201, _answer_body(repayment_id, after, cmd, allocation, left))


async def _allocate(
    applications: LoanApplications, conn: Conn, before: LoanApplication, cmd: Repay
) -> tuple[tuple[Due, ...], Allocation]:
    """The money allocated over the loan's dues (domain), the dues saved."""
    store, rate = applications.store, _rate_for(before)
    dues, allocation = apply_repayment(
        await store.dues_of(conn, before.id), cmd.amount_vnd, cmd.paid_on, rate
    )
    await store.save_dues(conn, before.id, dues)
    return dues, allocation


def _recorded(
    loan_id: uuid.UUID, cmd: Repay, left: int, allocation: Allocation
) -> RepaymentRecorded:
    return RepaymentRecorded(
        loan_application_id=loan_id,
        amount_vnd=cmd.amount_vnd,
        paid_on=cmd.paid_on,
        outstanding_principal_vnd=left,
        **dataclasses.asdict(allocation),
    )


def _answer_body(
    repayment_id: uuid.UUID, after: LoanApplication, cmd: Repay, allocation: Allocation, left: int
) -> dict[str, Any]:
    return {
        "repayment_id": str(repayment_id),
        "application_id": str(after.id),
        "status": after.status.value,
        "amount_vnd": cmd.amount_vnd,
        "paid_on": cmd.paid_on.isoformat(),
        "allocation": dataclasses.asdict(allocation),
        "outstanding_principal_vnd": left,
    }


def _rate_for(loan: LoanApplication) -> Decimal:
    """The monthly rate the repayment is allocated with; only a loan being repaid takes one."""
    if loan.status not in (Status.DISBURSED, Status.FROZEN):
        raise IllegalMove(
            f"Chỉ nhận trả nợ cho khoản vay đang trả nợ (hiện: «{loan.status.value}»)",
            f"Repayments are recorded only for a disbursed loan ({loan.status.value})",
        )
    if loan.evaluation.monthly_rate is None:
        raise RuntimeError("a disbursed loan always has a known rate")
    if loan.status is Status.FROZEN:
        return Decimal(0)  # an early repayment must not bring frozen interest back
    return loan.evaluation.monthly_rate


async def _settled_if_paid(
    applications: LoanApplications,
    conn: Conn,
    loan: tuple[LoanApplication, tuple[Due, ...]],
    paid_on: dt.date,
    context: ChangeContext,
) -> LoanApplication:
    before, dues = loan
    if not is_settled(dues):
        return before
    after = dataclasses.replace(before, status=Status.SETTLED)
    await applications.store.save(conn, after)
    settled = LoanSettled(loan_application_id=before.id, settled_on=paid_on)
    await applications.record(conn, context, "loan.settled", before, after, settled)
    return after
