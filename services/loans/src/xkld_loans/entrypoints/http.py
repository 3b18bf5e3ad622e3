"""Loan applications over HTTP: officers propose, a different manager decides."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Request, status
from fastapi.responses import JSONResponse
from pydantic import AfterValidator, ConfigDict, Field
from xkld_shared import idempotency
from xkld_shared.audit import ChangeContext
from xkld_shared.db.pool import Conn
from xkld_shared.http.app import correlation_id_of
from xkld_shared.http.idempotent import idempotent_response
from xkld_shared.http.strict import RequestModel
from xkld_shared.http.wiring import from_app_state
from xkld_shared.identity.http import require
from xkld_shared.identity.principal import Principal, Role

from xkld_loans.adapters import store
from xkld_loans.application.applications import (
    ApplicationNotFound,
    LoanApplications,
    ReceiveApplication,
)
from xkld_loans.application.disbursements import Disburse, disburse_once
from xkld_loans.application.repayments import Repay, repay_once
from xkld_loans.domain import application as domain
from xkld_loans.domain.application import LoanApplication
from xkld_loans.domain.regime_evaluation import LoanAsk, split_interest
from xkld_loans.domain.regime_model import PRIORITY_GROUPS, PROGRAMMES


def _known(allowed: frozenset[str], what: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"unknown {what}; expected one of {sorted(allowed)}")
        return value

    return check


# The domain's lists are the only ones: a new programme or group needs no change here.
Programme = Annotated[str, AfterValidator(_known(PROGRAMMES, "programme"))]
PriorityGroup = Annotated[str, AfterValidator(_known(PRIORITY_GROUPS, "priority group"))]
Vnd = Annotated[int, Field(strict=True, gt=0, le=10_000_000_000)]
Months = Annotated[int, Field(strict=True, gt=0, le=240)]


class ApplicationRequest(RequestModel):
    model_config = ConfigDict(extra="forbid")

    registration_id: uuid.UUID
    commune_code: str = Field(pattern=r"^\d{5}$")
    province_code: str | None = Field(default=None, pattern=r"^\d{2}$")
    programme: Programme
    application_date: dt.date
    priority_groups: list[PriorityGroup] = Field(default_factory=list, max_length=8)
    contract_costs_vnd: Vnd
    requested_vnd: Vnd
    requested_term_months: Months
    contract_term_months: Months
    # Whether the worker gets a loan from central sources; only "not_covered" lets a provincial
    # regime (Vĩnh Long NQ 37/2016) lend. Absent: not stated, so central funding.
    central_funding: Literal["covered", "not_covered"] | None = None


class ProposalRequest(RequestModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "reject"]
    amount_vnd: Vnd | None = None
    term_months: Months | None = None
    reason: str | None = Field(default=None, max_length=1000)


class DecisionRequest(RequestModel):
    """`agree: true` confirms the proposal; `false` sends it back to the officers, with the
    manager's reason (kept in the application's history)."""

    model_config = ConfigDict(extra="forbid")

    agree: bool
    reason: str | None = Field(default=None, max_length=1000)


Officer = Annotated[Principal, Depends(require(Role.LOAN_OFFICER))]
Manager = Annotated[Principal, Depends(require(Role.BANK_MANAGER))]
BankStaff = Annotated[Principal, Depends(require(Role.LOAN_OFFICER, Role.BANK_MANAGER))]

router = APIRouter(prefix="/loan-applications", tags=["loan applications"])


Applications = Annotated[
    LoanApplications, Depends(from_app_state("loan_applications", LoanApplications))
]


def context_of(request: Request, actor: Principal) -> ChangeContext:
    source = request.client.host if request.client else None
    return ChangeContext(actor, source, correlation_id_of(request))


@router.post("", status_code=status.HTTP_201_CREATED)
async def receive_application(
    body: ApplicationRequest, request: Request, service: Applications, officer: Officer
) -> dict[str, Any]:
    ask = LoanAsk(
        programme=body.programme,
        application_date=body.application_date,
        priority_groups=frozenset(body.priority_groups),
        contract_costs_vnd=body.contract_costs_vnd,
        requested_vnd=body.requested_vnd,
        requested_term_months=body.requested_term_months,
        contract_term_months=body.contract_term_months,
        province_code=body.province_code,
        central_funding=body.central_funding,
    )
    command = ReceiveApplication(body.registration_id, body.commune_code, ask)
    app = await service.receive(command, context_of(request, officer))
    return _view(app)


@router.get("/{application_id}")
async def get_application(
    application_id: uuid.UUID, service: Applications, staff: BankStaff
) -> dict[str, Any]:
    async with service.pool.acquire() as conn:
        row = await readable(conn, application_id, staff)
    return application_view(row)


def application_view(row: dict[str, Any]) -> dict[str, Any]:
    """An application as readers see it, with what the worker asked for."""
    return _view(store.application_of(row)) | _ask_of(row)


def _ask_of(row: dict[str, Any]) -> dict[str, Any]:
    """What the worker asked for and the costs it rests on, as the application was received."""
    keys = ("programme", "application_date", "priority_groups", "contract_costs_vnd")
    return {key: row[key] for key in (*keys, "contract_term_months")}


@router.post("/{application_id}/review")
async def start_review(
    application_id: uuid.UUID, request: Request, service: Applications, officer: Officer
) -> dict[str, Any]:
    """Nhận thẩm định: the officer takes the application (it shows as theirs in the queue)."""
    return _view(await service.start_review(application_id, context_of(request, officer)))


@router.post("/{application_id}/proposal")
async def propose(
    application_id: uuid.UUID,
    body: ProposalRequest,
    request: Request,
    service: Applications,
    officer: Officer,
) -> dict[str, Any]:
    by = officer.subject

    def transition(app: LoanApplication) -> LoanApplication:
        if body.decision == "reject":
            return domain.propose_rejection(app, by=by, reason=body.reason or "")
        return domain.propose_approval(
            app, by=by, amount_vnd=body.amount_vnd or 0, term_months=body.term_months or 0
        )

    context = context_of(request, officer)
    return _view(await service.propose(application_id, context, transition))


@router.post("/{application_id}/decision")
async def decide(
    application_id: uuid.UUID,
    body: DecisionRequest,
    request: Request,
    service: Applications,
    manager: Manager,
) -> dict[str, Any]:
    context = context_of(request, manager)
    reason = (body.reason or "").strip() or None
    return _view(await service.decide(application_id, context, body.agree, reason))


class DisbursementRequest(RequestModel):
    model_config = ConfigDict(extra="forbid")

    amount_vnd: Vnd
    disbursed_on: dt.date
    channel: Literal["commune_transaction_point", "bank_transfer"]


@router.post("/{application_id}/disbursement", status_code=status.HTTP_201_CREATED)
async def disburse(
    application_id: uuid.UUID,
    body: DisbursementRequest,
    request: Request,
    service: Applications,
    officer: Officer,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    """Pays out an approved loan. Retrying with the same Idempotency-Key returns the first
    answer; a second disbursement of the same loan is refused whatever the key."""
    key = idempotency.checked_key(idempotency_key)
    cmd = Disburse(application_id, body.amount_vnd, body.disbursed_on, body.channel)
    answer = await disburse_once(service, cmd, key, context_of(request, officer))
    return idempotent_response(answer)


class RepaymentRequest(RequestModel):
    model_config = ConfigDict(extra="forbid")

    amount_vnd: Vnd
    paid_on: dt.date


@router.post("/{application_id}/repayments", status_code=status.HTTP_201_CREATED)
async def record_repayment(
    application_id: uuid.UUID,
    body: RepaymentRequest,
    request: Request,
    service: Applications,
    officer: Officer,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    """Records money received. Split: overdue interest, interest due, principal due, then early
    principal (see docs/loans.md). A retry with the same Idempotency-Key records nothing new."""
    key = idempotency.checked_key(idempotency_key)
    cmd = Repay(application_id, body.amount_vnd, body.paid_on)
    answer = await repay_once(service, cmd, key, context_of(request, officer))
    return idempotent_response(answer)


@router.get("/{application_id}/schedule")
async def get_schedule(
    application_id: uuid.UUID, service: Applications, staff: BankStaff
) -> list[dict[str, Any]]:
    """Each instalment; with a provincial top-up, the interest the province pays and what is
    left for the worker (`province_pays_vnd`, `worker_pays_vnd`)."""
    async with service.pool.acquire() as conn:
        row = await readable(conn, application_id, staff)
        rows = await store.schedule_of(conn, application_id)
    return with_province_share(rows, row["evaluation"])


def with_province_share(
    rows: list[dict[str, Any]], evaluation: dict[str, Any]
) -> list[dict[str, Any]]:
    share = store.evaluation_from_json(evaluation).subsidised_share_of_interest
    if share is None:
        return rows
    return [r | split_interest(r["interest_vnd"], r["total_vnd"], share) for r in rows]


async def readable(conn: Conn, application_id: uuid.UUID, staff: Principal) -> dict[str, Any]:
    """The application's row, if it belongs to the reader's branch; otherwise it does not exist."""
    row = await store.load(conn, application_id)
    if row is None or row["branch_code"] != staff.scope.branch:
        raise ApplicationNotFound
    return row


def _view(app: LoanApplication) -> dict[str, Any]:
    return {
        "application_id": str(app.id),
        "registration_id": str(app.registration_id),
        "branch_code": app.branch_code,
        "commune_code": app.commune_code,
        "status": app.status.value,
        "requested_vnd": app.requested_vnd,
        "requested_term_months": app.requested_term_months,
        "evaluation": store.evaluation_to_json(app.evaluation),
        "proposal": None if app.proposal is None else app.proposal.__dict__,
        "decided_by": app.decided_by,
        "reviewer": app.reviewer,
    }
