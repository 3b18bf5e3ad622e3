"""HTTP routes for the bank's daily work: queues, a loan's history and balance, the portfolio,
restructuring and running the overdue job on demand."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import ConfigDict, Field
from xkld_shared import idempotency
from xkld_shared.audit import trail_of
from xkld_shared.errors import FieldProblem, InvalidInput
from xkld_shared.http.idempotent import idempotent_response
from xkld_shared.http.strict import IsoDate, RequestModel
from xkld_shared.identity.http import require
from xkld_shared.identity.principal import Principal, Role

from xkld_loans.adapters import bank_views, overdue_records
from xkld_loans.application.overdue_job import RunResult, run_overdue_job
from xkld_loans.application.restructurings import Restructure, restructure_once
from xkld_loans.domain.local_time import local_today
from xkld_loans.entrypoints.exports import portfolio_csv, portfolio_xlsx
from xkld_loans.entrypoints.http import Applications, context_of, readable

Officer = Annotated[Principal, Depends(require(Role.LOAN_OFFICER))]
Manager = Annotated[Principal, Depends(require(Role.BANK_MANAGER))]
BankStaff = Annotated[Principal, Depends(require(Role.LOAN_OFFICER, Role.BANK_MANAGER))]

router = APIRouter(tags=["bank work"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _branch(staff: Principal) -> str:
    return staff.scope.branch or ""


@router.get("/work-queues/applications-to-review", summary="Hồ sơ vay chờ thẩm định")
async def applications_to_review(service: Applications, officer: Officer) -> list[dict[str, Any]]:
    async with service.pool.acquire() as conn:
        return await bank_views.applications_to_review(conn, _branch(officer))


@router.get("/work-queues/proposals-to-confirm", summary="Đề xuất chờ phê duyệt")
async def proposals_to_confirm(service: Applications, manager: Manager) -> list[dict[str, Any]]:
    async with service.pool.acquire() as conn:
        return await bank_views.proposals_to_confirm(conn, _branch(manager), manager.subject)


@router.get("/work-queues/disbursements-due", summary="Khoản vay chờ giải ngân")
async def disbursements_due(
    service: Applications,
    staff: BankStaff,
    from_day: Annotated[IsoDate | None, Query(alias="from")] = None,
    until: IsoDate | None = None,
) -> list[dict[str, Any]]:
    start = _within_reach(from_day or local_today(), "from")
    end = None if until is None else _within_reach(until, "until")
    async with service.pool.acquire() as conn:
        return await bank_views.disbursements_due(
            conn, _branch(staff), service.transaction_days, start, end
        )


def _within_reach(day: dt.date, field: str) -> dt.date:
    """Dates further than ten years from today are typing mistakes, not questions."""
    today = local_today()
    if abs((day - today).days) > 3660:
        raise InvalidInput.of([_out_of_reach(field)])
    return day


def _out_of_reach(field: str) -> FieldProblem:
    return FieldProblem(
        field,
        "Ngày phải trong khoảng 10 năm quanh hôm nay",
        "The date must be within ten years of today",
    )


@router.get("/work-queues/flagged-for-review", summary="Khoản vay cần xem xét lại")
async def flagged(service: Applications, staff: BankStaff) -> list[dict[str, Any]]:
    async with service.pool.acquire() as conn:
        return await bank_views.flagged_for_review(conn, _branch(staff))


@router.get("/work-queues/overdue", summary="Khoản vay có nợ quá hạn")
async def overdue(
    service: Applications, staff: BankStaff, as_of: IsoDate | None = None
) -> list[dict[str, Any]]:
    day = _within_reach(as_of or local_today(), "as_of")
    async with service.pool.acquire() as conn:
        return await bank_views.overdue_loans(conn, _branch(staff), day)


@router.get("/loan-applications/{application_id}/repayments", summary="Lịch sử trả nợ")
async def repayments(
    application_id: uuid.UUID, service: Applications, staff: BankStaff
) -> list[dict[str, Any]]:
    async with service.pool.acquire() as conn:
        await readable(conn, application_id, staff)
        return await bank_views.repayments_of(conn, application_id)


@router.get("/loan-applications/{application_id}/history", summary="Lịch sử hồ sơ vay")
async def history(
    application_id: uuid.UUID, service: Applications, staff: BankStaff
) -> list[dict[str, Any]]:
    """Who did what to the application, oldest first (from the audit trail), with the reason
    a manager gave for sending a proposal back."""
    async with service.pool.acquire() as conn:
        await readable(conn, application_id, staff)
    rows = await trail_of(service.pool, "loan_application", str(application_id))
    return [history_entry(row) for row in rows]


def history_entry(row: Any) -> dict[str, Any]:
    changes = row["changes"]
    if isinstance(changes, str):  # a pool without the jsonb codec hands over the text
        changes = json.loads(changes)
    entry = {key: row[key] for key in ("occurred_at", "actor_username", "action")}
    return entry | {"reason": (changes.get("reason") or {}).get("after")}


@router.get("/loan-applications/{application_id}/balance", summary="Dư nợ vào một ngày")
async def balance(
    application_id: uuid.UUID,
    service: Applications,
    staff: BankStaff,
    on: IsoDate | None = None,
) -> dict[str, Any]:
    async with service.pool.acquire() as conn:
        await readable(conn, application_id, staff)
        day = _within_reach(on or local_today(), "on")
        return await bank_views.balance_on(conn, application_id, day)


@router.get(
    "/portfolio", summary="Báo cáo dư nợ, nợ quá hạn theo tuổi nợ, PAR30", response_model=None
)
async def portfolio(
    service: Applications,
    staff: BankStaff,
    as_of: IsoDate | None = None,
    by: Literal["commune", "regime"] = "commune",
    format: Literal["json", "csv", "xlsx"] = "json",
) -> Response | dict[str, Any]:
    day = _within_reach(as_of or local_today(), "as_of")
    async with service.pool.acquire() as conn:
        lines = await bank_views.portfolio(conn, _branch(staff), day, by)
    if format == "csv":
        body = portfolio_csv(lines, _branch(staff), day, by)
        return _download(body, "text/csv; charset=utf-8", f"du-no-{day}.csv")
    if format == "xlsx":
        body = portfolio_xlsx(lines, _branch(staff), day, by)
        return _download(body, XLSX, f"du-no-{day}.xlsx")
    return {"branch": _branch(staff), "as_of": day, "group_by": by, "lines": lines}


def _download(body: bytes, media_type: str, filename: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(body, media_type=media_type, headers=headers)


class RestructuringRequest(RequestModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["extended", "frozen", "written_off"]
    effective_on: dt.date
    reason: str = Field(min_length=1, max_length=1000)
    extra_months: int | None = Field(default=None, strict=True, gt=0, le=60)


@router.post(
    "/loan-applications/{application_id}/restructuring",
    status_code=status.HTTP_201_CREATED,
    summary="Cơ cấu lại nợ: gia hạn, khoanh nợ, xóa nợ",
)
async def restructure(
    application_id: uuid.UUID,
    body: RestructuringRequest,
    request: Request,
    service: Applications,
    manager: Manager,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    key = idempotency.checked_key(idempotency_key)
    cmd = Restructure(application_id, body.kind, body.effective_on, body.reason, body.extra_months)
    answer = await restructure_once(service, cmd, key, context_of(request, manager))
    return idempotent_response(answer)


@router.post("/jobs/overdue", summary="Chạy việc xét nợ quá hạn ngay (an toàn khi chạy lại)")
async def run_overdue_now(service: Applications, manager: Manager) -> dict[str, Any]:
    """Runs today's overdue job now; running it again, or on two replicas, changes nothing."""
    result = await run_overdue_job(
        service.pool, service.topic, local_today(), records=overdue_records
    )
    return _job_view(result)


def _job_view(result: RunResult) -> dict[str, Any]:
    return {
        "as_of": result.as_of,
        "loans_examined": result.loans_examined,
        "newly_overdue": result.newly_overdue,
    }
