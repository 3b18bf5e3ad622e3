"""The VBSP loan officer's screens: the applications to review (by commune, oldest first), an
application's page (costs, the evaluation under its regime, the proposal, the history, and once
paid out its schedule, repayments and balance on a day), the disbursement day sheet, and the
loans with overdue instalments."""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from xkld_shared.identity.principal import Role

from xkld_portal.application.errors import NotAllowed, Refusal
from xkld_portal.application.ports import Service
from xkld_portal.domain import bank
from xkld_portal.domain.format import today
from xkld_portal.entrypoints.staff_common import (
    Attempt,
    answer_or_refusal,
    finished,
    form_key_of,
)
from xkld_portal.entrypoints.web import FormDep, Portal, PortalDep, Visitor, VisitorDep, render

router = APIRouter()
Day = Annotated[str | None, Query(max_length=10)]


def manager_only(visitor: Visitor) -> None:
    if not visitor.can(Role.BANK_MANAGER):
        raise NotAllowed


def officer_only(visitor: Visitor) -> None:
    if not visitor.can(Role.LOAN_OFFICER):
        raise NotAllowed


def bank_staff_only(visitor: Visitor) -> None:
    if not visitor.can(Role.LOAN_OFFICER, Role.BANK_MANAGER):
        raise NotAllowed


@router.get("/loans")
async def queue(request: Request, portal: PortalDep, visitor: VisitorDep) -> Response:
    officer_only(visitor)
    rows = await portal.api.get(
        Service.LOANS, "/work-queues/applications-to-review", token=visitor.token
    )
    return render(
        request,
        portal,
        "loan_queue.html",
        visitor=visitor,
        groups=bank.by_commune(rows),
        total=len(rows),
        statuses=bank.APPLICATION_STATUSES,
    )


async def _disbursements_due(
    portal: Portal, visitor: Visitor, days: tuple[str | None, str | None]
) -> tuple[Any, Refusal | None]:
    """The disbursements due between the days, or none and the service's refusal of them."""
    start, until = days
    params = {k: v for k, v in (("from", start), ("until", until)) if v}
    try:
        rows = await portal.api.get(
            Service.LOANS, "/work-queues/disbursements-due", token=visitor.token, params=params
        )
    except Refusal as refused:
        return [], refused
    return rows, None


async def _day_sheet(
    request: Request,
    portal: Portal,
    visitor: Visitor,
    days: tuple[str | None, str | None],
    attempt: Attempt,
) -> Response:
    start, until = days
    rows, refusal = await _disbursements_due(portal, visitor, days)
    return render(
        request,
        portal,
        "day_sheet.html",
        visitor=visitor,
        status_code=attempt.status if refusal is None else refusal.status,
        sheet=bank.by_transaction_day(rows),
        start=start or "",
        until=until or "",
        refusal=refusal,
        attempt=attempt,
        channels=bank.CHANNELS,
        may_disburse=visitor.can(Role.LOAN_OFFICER),
    )


@router.get("/loans/day-sheet")
async def day_sheet(
    request: Request,
    portal: PortalDep,
    visitor: VisitorDep,
    start: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    until: Day = None,
) -> Response:
    bank_staff_only(visitor)
    return await _day_sheet(request, portal, visitor, (start, until), Attempt())


@router.get("/loans/overdue")
async def overdue(request: Request, portal: PortalDep, visitor: VisitorDep) -> Response:
    bank_staff_only(visitor)
    rows = await portal.api.get(Service.LOANS, "/work-queues/overdue", token=visitor.token)
    return render(request, portal, "overdue.html", visitor=visitor, rows=rows)


@router.post("/loans/{lid}/disbursement")
async def disburse(
    lid: uuid.UUID, request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    officer_only(visitor)
    key = form_key_of(form)
    try:
        await _send_step(portal, visitor, (lid, "disbursement", bank.disbursement_body(form)), key)
    except Refusal as refused:
        attempt = Attempt(f"disburse-{lid}", key, form, refused)
        return await _day_sheet(request, portal, visitor, (None, None), attempt)
    return finished(request, f"/loans/{lid}", key)


async def _loan_reads(
    portal: Portal, visitor: Visitor, lid: uuid.UUID, on: str | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The loan's summary, and its money (empty for a loan without)."""
    base = f"/loan-applications/{lid}"
    # Two reads at once: loans answers everything but the balance in one request, and the
    # balance on its own because it may refuse the chosen day.
    summary, balance = await asyncio.gather(
        portal.api.get(Service.LOANS, f"{base}/summary", token=visitor.token),
        _balance(portal, visitor, base, on),
    )
    if summary["application"]["status"] not in bank.WITH_MONEY:
        return summary, {}
    return summary, _money(summary, balance, on)


async def _loan_page(
    request: Request,
    portal: Portal,
    visitor: Visitor,
    lid: uuid.UUID,
    on: str | None,
    attempt: Attempt,
) -> Response:
    summary, money = await _loan_reads(portal, visitor, lid, on)
    return render(
        request,
        portal,
        "loan.html",
        visitor=visitor,
        status_code=attempt.status,
        app=summary["application"],
        regime=summary["regime"],
        history=summary["history"],
        attempt=attempt,
        today=today().isoformat(),
        labels=bank,
        **money,
    )


async def _balance(
    portal: Portal, visitor: Visitor, base: str, on: str | None
) -> tuple[Any, Refusal | None]:
    """The balance on the chosen day, or the service's refusal of that day."""
    params = {"on": on} if on else None
    return await answer_or_refusal(
        portal.api.get(Service.LOANS, f"{base}/balance", token=visitor.token, params=params)
    )


def _money(
    summary: dict[str, Any], balance: tuple[Any, Refusal | None], on: str | None
) -> dict[str, Any]:
    """The schedule with each instalment's state, the repayments and the chosen day's balance."""
    now = today()
    schedule = summary["schedule"]
    states = [bank.instalment_state(row, now) for row in schedule]
    return {
        "schedule": list(zip(schedule, states, strict=True)),
        "repayments": summary["repayments"],
        "balance": balance[0],
        "balance_refusal": balance[1],
        "on": on or now.isoformat(),
    }


@router.get("/loans/{lid}")
async def loan_page(
    lid: uuid.UUID, request: Request, portal: PortalDep, visitor: VisitorDep, on: Day = None
) -> Response:
    bank_staff_only(visitor)
    return await _loan_page(request, portal, visitor, lid, on, Attempt())


async def _send_step(
    portal: Portal,
    visitor: Visitor,
    action: tuple[uuid.UUID, str, dict[str, Any] | None],
    key: str,
) -> None:
    lid, step, body = action
    path = f"/loan-applications/{lid}/{step}"
    await portal.api.send(Service.LOANS, "POST", path, token=visitor.token, json=body, key=key)


async def loan_action(
    request: Request,
    portal: Portal,
    visitor: Visitor,
    form: dict[str, Any],
    action: tuple[uuid.UUID, str, dict[str, Any] | None],
) -> Response:
    """`action` is (loan, step, body): the step's form on the loan page, sent with its key; a
    refusal shows at that form and no other."""
    lid, step, _ = action
    key = form_key_of(form)
    try:
        await _send_step(portal, visitor, action, key)
    except Refusal as refused:
        return await _loan_page(
            request, portal, visitor, lid, None, Attempt(step, key, form, refused)
        )
    return finished(request, f"/loans/{lid}", key)


@router.post("/loans/{lid}/review")
async def start_review(
    lid: uuid.UUID, request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    officer_only(visitor)
    return await loan_action(request, portal, visitor, form, (lid, "review", None))


@router.post("/loans/{lid}/proposal")
async def propose(
    lid: uuid.UUID, request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    officer_only(visitor)
    body = bank.proposal_body(form)
    return await loan_action(request, portal, visitor, form, (lid, "proposal", body))


@router.post("/loans/{lid}/repayments")
async def repay(
    lid: uuid.UUID, request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    officer_only(visitor)
    body = bank.repayment_body(form)
    return await loan_action(request, portal, visitor, form, (lid, "repayments", body))


@router.post("/loans/{lid}/restructuring")
async def restructure(
    lid: uuid.UUID, request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    manager_only(visitor)
    body = bank.restructuring_body(form)
    return await loan_action(request, portal, visitor, form, (lid, "restructuring", body))
