"""The bank's side of the demo loans: review, proposal, a different manager's confirmation,
disbursement and a first repayment, as VBSP staff do them through the loans API.

Applications reach the loans service from registration's LoanRequested over Kafka, and the
bank's decisions go back the same way, so each step here waits (bounded) for the other side.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import httpx

from xkld_shared.demo import data
from xkld_shared.demo.client import DemoError, Desk, again_if_cut, expect, say
from xkld_shared.demo.data import Worker
from xkld_shared.demo.steps import Refs

OFFICER, MANAGER = data.LOAN_OFFICER, data.BANK_MANAGER
# The application status each bank step drives to, and the file's loan stage that shows it.
TARGET = {"approve": "approved", "decline": "rejected", "disburse": "disbursed"}
SHOWN = {"approve": {"approved", "disbursed"}, "decline": {"rejected"}, "disburse": {"disbursed"}}
REPAYMENT_VND = 3_000_000


@dataclass(frozen=True)
class Blocked:
    """A worker whose next step is the bank's."""

    worker: Worker
    registration_id: str
    step: str


def _loans(desk: Desk) -> httpx.AsyncClient:
    if desk.loans is None:
        raise DemoError("bank steps need --loans")
    return desk.loans


async def queues(desk: Desk) -> dict[str, dict[str, Any]]:
    """Every open application of the branch, by registration id."""
    loans = _loans(desk)
    rows = [
        *await desk.get(loans, "/work-queues/applications-to-review", OFFICER),
        *await desk.get(loans, "/work-queues/proposals-to-confirm", MANAGER),
        *await desk.get(loans, "/work-queues/disbursements-due", OFFICER),
    ]
    return {row["registration_id"]: row for row in rows}


async def settle(desk: Desk, blocked: list[Blocked], refs: Refs, timeout: float) -> None:
    """Take each blocked worker's application to its step and wait until the file shows it."""
    waiting = {b.registration_id: b for b in blocked}
    say(f"bank: {len(waiting)} loan decisions; waiting for applications to arrive over Kafka")
    deadline = asyncio.get_running_loop().time() + timeout
    while waiting:
        # Safe to repeat: each move starts from the application's status as read anew.
        await again_if_cut(lambda: _one_round(desk, waiting, refs), "bank decisions")
        if waiting and asyncio.get_running_loop().time() > deadline:
            raise DemoError(f"waited {timeout:.0f} s, in vain, for {len(waiting)} loan decisions")
        if waiting:
            await asyncio.sleep(1)


async def _one_round(desk: Desk, waiting: dict[str, Blocked], refs: Refs) -> None:
    found = await queues(desk)
    for rid, b in waiting.items():
        if rid in found:
            await drive(desk, found[rid]["id"], b, refs)
    for rid in [rid for rid, b in waiting.items() if await _shown(desk, b)]:
        del waiting[rid]


async def _shown(desk: Desk, b: Blocked) -> bool:
    path = f"/registrations/{b.registration_id}/journey"
    journey = await desk.get(desk.registration, path, data.LABOUR_OFFICER)
    return journey["loan"] in SHOWN[b.step]


async def drive(desk: Desk, application_id: str, b: Blocked, refs: Refs) -> None:
    """Move the application on until it has the status the step wants (each move once)."""
    view = await desk.get(_loans(desk), f"/loan-applications/{application_id}", OFFICER)
    for _ in range(5):
        if view["status"] == TARGET[b.step] or view["status"] == "disbursed":
            return
        view = await _move(desk, view, b, refs)
    raise DemoError(f"the loan application is stuck at {view['status']}")


async def _move(desk: Desk, view: dict[str, Any], b: Blocked, refs: Refs) -> dict[str, Any]:
    loans, app = _loans(desk), f"/loan-applications/{view['application_id']}"
    match view["status"]:
        case "application_received":
            answer = await desk.post(loans, f"{app}/review", OFFICER)
        case "under_review":
            answer = await desk.post(loans, f"{app}/proposal", OFFICER, _proposal(view, b.step))
        case "proposed":
            answer = await desk.post(loans, f"{app}/decision", MANAGER, {"agree": True})
        case "approved" if b.step == "disburse":
            return await _disburse(desk, view, b, refs)
        case status:
            raise DemoError(f"cannot take a loan application from {status} to {b.step}")
    result: dict[str, Any] = expect(answer, f"{app} at {view['status']}", 200).json()
    return result


def _proposal(view: dict[str, Any], step: str) -> dict[str, Any]:
    if step == "decline":
        reason = "Hộ gia đình còn dư nợ quá hạn tại NHCSXH"
        return {"decision": "reject", "reason": reason}
    evaluation = view["evaluation"]
    if not evaluation["eligible"]:
        raise DemoError(f"the demo loan is not eligible: {evaluation['reasons']}")
    return {
        "decision": "approve",
        "amount_vnd": min(view["requested_vnd"], evaluation["max_amount_vnd"]),
        "term_months": min(view["requested_term_months"], evaluation["max_term_months"]),
    }


async def _disburse(desk: Desk, view: dict[str, Any], b: Blocked, refs: Refs) -> dict[str, Any]:
    app = f"/loan-applications/{view['application_id']}"
    body = {
        "amount_vnd": view["proposal"]["amount_vnd"],
        "disbursed_on": refs.today.isoformat(),
        "channel": "commune_transaction_point",
    }
    # One key per worker: a retry, or a run that stopped half-way, never pays out twice.
    key = data.key("disbursement", b.worker.number)
    answer = await desk.post(_loans(desk), f"{app}/disbursement", OFFICER, body, key=key)
    expect(answer, f"{app}/disbursement", 201)
    return await desk.get(_loans(desk), app, OFFICER)  # type: ignore[no-any-return]


async def first_repayment(desk: Desk, worker: Worker, rid: str, refs: Refs) -> bool:
    """A first repayment on a disbursed demo loan, unless one is recorded; True if made now."""
    path = f"/registrations/{rid}/journey"
    journey = await desk.get(desk.registration, path, data.LABOUR_OFFICER)
    paid_out = [r for r in journey["records"] if r["kind"] == "loan_disbursed"]
    if not paid_out:
        return False
    app = f"/loan-applications/{paid_out[0]['details']['loan_application_id']}"
    if await desk.get(_loans(desk), f"{app}/repayments", OFFICER):
        return False
    body = {"amount_vnd": REPAYMENT_VND, "paid_on": refs.today.isoformat()}
    key = data.key("repayment", worker.number)
    answer = await desk.post(_loans(desk), f"{app}/repayments", OFFICER, body, key=key)
    replayed = expect(answer, f"{app}/repayments", 201).headers.get("Idempotent-Replayed")
    return bool(replayed != "true")
