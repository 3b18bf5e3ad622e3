"""Disbursing an approved loan, at most once, whatever the client retries."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from xkld_shared import failpoints, idempotency
from xkld_shared.audit import ChangeContext
from xkld_shared.contracts.loan import LoanDisbursed
from xkld_shared.db.pool import Conn

from xkld_loans.application.applications import LoanApplications
from xkld_loans.application.commands import request_of
from xkld_loans.domain.application import LoanApplication
from xkld_loans.domain.disbursement import Channel, Disbursement, disburse


@dataclass(frozen=True)
class Disburse:
    application_id: uuid.UUID
    amount_vnd: int
    disbursed_on: dt.date
    channel: Channel

    def as_request(self) -> dict[str, Any]:
        return request_of(self)


async def disburse_once(
    applications: LoanApplications, cmd: Disburse, key: str, context: ChangeContext
) -> idempotency.Answer:
    async with applications.pool.acquire() as conn, conn.transaction():

        async def work() -> idempotency.Answer:
            return await _disburse(applications, conn, cmd, context)

        return await idempotency.once(
            conn, scope="loans.disbursement", key=key, request_body=cmd.as_request(), work=work
        )


async def _disburse(
    applications: LoanApplications, conn: Conn, cmd: Disburse, context: ChangeContext
) -> idempotency.Answer:
    """The disbursement itself, run once per idempotency key."""
    before = await applications.locked_in_branch(conn, cmd.application_id, context)
    after, paid = disburse(
        before,
        amount_vnd=cmd.amount_vnd,
        disbursed_on=cmd.disbursed_on,
        channel=cmd.channel,
    )
    await applications.store.save(conn, after)
    await applications.store.insert_disbursement(conn, paid, context.actor.subject)
    event = _disbursed_event(after, paid)
    await applications.record(conn, context, "loan.disbursed", before, after, event)
    # Read at the call, not at import: a process forked from the tests' zygote was imported
    # under another environment.
    await failpoints.stall("loans.disbursement.before_commit", failpoints.enabled())
    return idempotency.Answer(201, _answer_body(after, paid))


def _disbursed_event(after: LoanApplication, paid: Disbursement) -> LoanDisbursed:
    return LoanDisbursed(
        loan_application_id=after.id,
        amount_vnd=paid.amount_vnd,
        disbursed_on=paid.disbursed_on,
        installments=len(paid.schedule),
        first_due_on=paid.schedule[0].due_on,
    )


def _answer_body(after: LoanApplication, paid: Disbursement) -> dict[str, Any]:
    return {
        "application_id": str(after.id),
        "status": after.status.value,
        "amount_vnd": paid.amount_vnd,
        "disbursed_on": paid.disbursed_on.isoformat(),
        "installments": len(paid.schedule),
        "first_due_on": paid.schedule[0].due_on.isoformat(),
        "total_interest_vnd": sum(i.interest_vnd for i in paid.schedule),
    }
