"""HTTP routes of the survey: authenticate, parse, call the application, shape the answer."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request, status
from fastapi.responses import JSONResponse
from xkld_shared import idempotency
from xkld_shared.http.idempotent import idempotent_response
from xkld_shared.identity.http import require
from xkld_shared.identity.principal import Principal, Role

from xkld_outreach.adapters import store
from xkld_outreach.application.survey import round_body
from xkld_outreach.entrypoints.requests import HouseholdRequest, RoundRequest, context_of
from xkld_outreach.entrypoints.wiring import DbPool, SurveyDesk

Officer = Annotated[Principal, Depends(require(Role.COMMUNE_OFFICER))]
Reader = Annotated[Principal, Depends(require(Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER))]
IdempotencyKey = Annotated[
    str | None,
    Header(description="Mã chống gửi trùng: gửi lại cùng mã thì nhận lại kết quả lần đầu"),
]

router = APIRouter(prefix="/survey-rounds", tags=["survey"])


@router.post("", status_code=status.HTTP_201_CREATED, summary="Mở đợt khảo sát (open a round)")
async def open_round(
    body: RoundRequest,
    request: Request,
    survey: SurveyDesk,
    officer: Officer,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Cần tiêu đề Idempotency-Key: gửi lại cùng mã thì nhận lại đợt đã mở."""
    key = idempotency.checked_key(idempotency_key)
    keyed = idempotency.Keyed.of(
        f"survey_round.open:{officer.subject}", key, body.model_dump(mode="json")
    )
    period = (body.period_start, body.period_end)
    context = context_of(request, officer)
    return idempotent_response(
        await survey.open_round(body.commune_code, body.title, period, context, keyed)
    )


@router.get("", summary="Các đợt khảo sát trong phạm vi của bạn")
async def list_rounds(survey: SurveyDesk, reader: Reader) -> list[dict[str, Any]]:
    return await survey.rounds(reader)


@router.get("/{round_id}", summary="Một đợt khảo sát, với các hộ và người đã ghi")
async def get_round(
    round_id: uuid.UUID, survey: SurveyDesk, pool: DbPool, reader: Reader
) -> dict[str, Any]:
    row = await survey.round(round_id, reader)
    async with pool.acquire() as conn:
        households = await store.households_of(conn, round_id)
        members = await store.members_of_round(conn, round_id)
    by_household = _by_household(members)
    return round_body(row) | {
        "households": [_household(h, by_household.get(h["id"], [])) for h in households]
    }


def _by_household(members: list[Any]) -> dict[uuid.UUID, list[dict[str, Any]]]:
    by_household: dict[uuid.UUID, list[dict[str, Any]]] = {}
    for m in members:
        by_household.setdefault(m["household_id"], []).append(_member(m))
    return by_household


def _household(h: Any, members: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "household_id": str(h["id"]),
        "hamlet": h["hamlet"],
        "recorded_by": h["recorded_by"],
        "recorded_at": h["recorded_at"].isoformat(),
        "members": members,
    }


def _member(row: Any) -> dict[str, Any]:
    body = {k: row[k] for k in row.keys() if k not in ("household_id", "round_id")}  # noqa: SIM118
    body["respondent_id"] = str(body.pop("id"))
    for k in ("registration_id",):
        body[k] = None if body[k] is None else str(body[k])
    for k in ("consent_recorded_at", "converted_at", "erased_at"):
        body[k] = None if body[k] is None else body[k].isoformat()
    return body


@router.post("/{round_id}/close", summary="Kết thúc đợt khảo sát")
async def close_round(
    round_id: uuid.UUID, request: Request, survey: SurveyDesk, officer: Officer
) -> dict[str, Any]:
    """Đợt đã kết thúc không nhận thêm hộ; kết thúc lần nữa trả về 409."""
    return await survey.close_round(round_id, context_of(request, officer))


@router.post(
    "/{round_id}/households",
    status_code=status.HTTP_201_CREATED,
    summary="Ghi một hộ và những người trong độ tuổi lao động",
)
async def add_household(
    round_id: uuid.UUID,
    body: HouseholdRequest,
    request: Request,
    survey: SurveyDesk,
    officer: Officer,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Cần tiêu đề Idempotency-Key (mỗi lần ghi một mã): gửi lại thì không tạo hộ thứ hai."""
    key = idempotency.checked_key(idempotency_key)
    keyed = idempotency.Keyed.of(
        f"survey_household.add:{officer.subject}:{round_id}", key, _fingerprint(body)
    )
    answer = await survey.add_household(
        round_id, body.household(), context_of(request, officer), keyed
    )
    return idempotent_response(answer)


def _fingerprint(body: HouseholdRequest) -> dict[str, Any]:
    """The request as sent, priority groups in order: the same household reads the same."""
    fingerprint = body.model_dump(mode="json")
    for member in fingerprint["members"]:
        member["priority_groups"] = sorted(member["priority_groups"])
    return fingerprint
