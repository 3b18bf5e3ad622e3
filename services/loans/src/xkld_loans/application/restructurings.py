"""Restructuring a loan (extended, frozen, written off), by a bank manager, once per key."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from xkld_shared import idempotency
from xkld_shared.audit import ChangeContext
from xkld_shared.contracts.loan import LoanRestructured
from xkld_shared.db.pool import Conn

from xkld_loans.application.applications import LoanApplications
from xkld_loans.application.commands import request_of
from xkld_loans.domain.application import LoanApplication, Status
from xkld_loans.domain.local_time import local_today as today
from xkld_loans.domain.repayment import outstanding_principal
from xkld_loans.domain.restructuring import Kind, Restructured, check_effective_on, restructure


@dataclass(frozen=True)
class Restructure:
    application_id: uuid.UUID
    kind: Kind
    effective_on: dt.date
    reason: str
    extra_months: int | None = None

    def as_request(self) -> dict[str, Any]:
        return request_of(self)


async def restructure_once(
    applications: LoanApplications, cmd: Restructure, key: str, context: ChangeContext
) -> idempotency.Answer:
    async with applications.pool.acquire() as conn, conn.transaction():

        async def work() -> idempotency.Answer:
            return await _restructure(applications, conn, cmd, context)

        return await idempotency.once(
            conn, scope="loans.restructuring", key=key, request_body=cmd.as_request(), work=work
        )


async def _restructure(
    applications: LoanApplications, conn: Conn, cmd: Restructure, context: ChangeContext
) -> idempotency.Answer:
    """Load the loan and its dues, restructure them (domain), save, record and tell."""
    store = applications.store
    before = await applications.locked_in_branch(conn, cmd.application_id, context)
    check_effective_on(cmd.effective_on, await store.history_of(conn, before.id, today()))
    dues = await store.dues_of(conn, before.id)
    done = restructure(before, dues, cmd.kind, cmd.effective_on, extra_months=cmd.extra_months)
    await _save(applications, conn, before, done, cmd)
    details = _details(cmd, done)
    await store.insert_restructuring(
        conn, before.id, cmd.kind, cmd.effective_on, details, context.actor.subject
    )
    event = _restructured(before.id, cmd, done)
    await applications.record(conn, context, f"loan.{cmd.kind}", before, done.app, event)
    return idempotency.Answer(201, _answer_body(before.id, cmd, done, event, details))


async def _save(
    applications: LoanApplications,
    conn: Conn,
    before: LoanApplication,
    done: Restructured,
    cmd: Restructure,
) -> None:
    """The loan and its new dues; a thawed loan's overdue interest restarts."""
    await applications.store.save(conn, done.app)
    await applications.store.save_dues(conn, before.id, done.dues)
    if before.status is Status.FROZEN and done.app.status is Status.DISBURSED:
        # The frozen months accrue no overdue interest: counting restarts today.
        await applications.store.restart_overdue_accrual(conn, before.id, cmd.effective_on)


def _details(cmd: Restructure, done: Restructured) -> dict[str, Any]:
    return {
        "reason": cmd.reason,
        "extra_months": cmd.extra_months,
        "written_off_principal_vnd": done.written_off_principal_vnd,
        "written_off_interest_vnd": done.written_off_interest_vnd,
    }


def _answer_body(
    loan_id: uuid.UUID,
    cmd: Restructure,
    done: Restructured,
    event: LoanRestructured,
    details: dict[str, Any],
) -> dict[str, Any]:
    return {
        "application_id": str(loan_id),
        "status": done.app.status.value,
        "kind": cmd.kind,
        "effective_on": cmd.effective_on.isoformat(),
        "outstanding_principal_vnd": event.outstanding_principal_vnd,
        **{k: v for k, v in details.items() if k != "reason"},
    }


def _restructured(loan_id: uuid.UUID, cmd: Restructure, done: Restructured) -> LoanRestructured:
    """The event: what the schedule looks like from the effective day on."""
    future = [d for d in done.dues if d.due_on > cmd.effective_on and d.owed_vnd > 0]
    return LoanRestructured(
        loan_application_id=loan_id,
        kind=cmd.kind,
        effective_on=cmd.effective_on,
        installments=len(future),
        next_due_on=future[0].due_on if future else None,
        outstanding_principal_vnd=outstanding_principal(done.dues),
        written_off_principal_vnd=done.written_off_principal_vnd,
    )
