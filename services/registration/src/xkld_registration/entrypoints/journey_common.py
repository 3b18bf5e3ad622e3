"""What the journey's HTTP modules share: roles, the answer's shape, the request's context.

Roles: labour officers assess files, sign off contracts and departures; training-centre staff
enrol and record results; commune officers handle the loan question, documents and follow-up.
Scope (commune or province) is checked by the application on the locked file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from typing import Annotated

from fastapi import Depends, Header, Request
from pydantic import BaseModel, ConfigDict, Field
from xkld_shared import idempotency
from xkld_shared.audit import ChangeContext
from xkld_shared.errors import FieldProblem, InvalidInput
from xkld_shared.http.app import correlation_id_of
from xkld_shared.http.strict import RequestModel
from xkld_shared.identity.http import require
from xkld_shared.identity.principal import Principal, Role

from xkld_registration.application.journey_steps import journey_view
from xkld_registration.domain.journey_state import Journey, departure_blockers
from xkld_registration.domain.next_steps import next_steps

CODE = r"^[A-Za-z0-9_.-]{1,40}$"

Labour = Annotated[Principal, Depends(require(Role.LABOUR_OFFICER))]
Training = Annotated[Principal, Depends(require(Role.TRAINING_STAFF))]
Commune = Annotated[Principal, Depends(require(Role.COMMUNE_OFFICER))]
FollowUp = Annotated[Principal, Depends(require(Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER))]
Reader = Annotated[
    Principal,
    Depends(require(Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER, Role.TRAINING_STAFF)),
]


class Body(RequestModel):
    model_config = ConfigDict(extra="forbid")


class FreeNote(Body):
    note: str | None = Field(None, max_length=2000)


class JourneyState(BaseModel):
    registration_id: uuid.UUID
    stage: str
    loan: str
    gates: list[str]
    orientation_certified: bool
    market_code: str | None
    enterprise_code: str | None
    departure_on: dt.date | None
    early_cause: str | None
    departure_blockers_vi: list[str]
    departure_blockers_en: list[str]
    next_steps: list[str] = Field(
        description="Các bước có thể làm tiếp, theo tên đường dẫn (steps the file can take next)"
    )


def answer(registration_id: uuid.UUID, journey: Journey) -> JourneyState:
    blockers = departure_blockers(journey)
    return JourneyState(
        registration_id=registration_id,
        **journey_view(journey),
        departure_blockers_vi=[vi for vi, _ in blockers],
        departure_blockers_en=[en for _, en in blockers],
        next_steps=next_steps(journey),
    )


def invalid(field: str, vi: str, en: str) -> InvalidInput:
    return InvalidInput.of([FieldProblem(field, vi, en)])


def context(request: Request, actor: Principal) -> ChangeContext:
    source = request.client.host if request.client else None
    key: idempotency.Keyed | None = getattr(request.state, "step_key", None)
    return ChangeContext(actor, source, correlation_id_of(request), key)


async def read_step_key(
    request: Request,
    idempotency_key: Annotated[
        str | None,
        Header(description="Mã chống gửi trùng: gửi lại cùng mã thì bước không làm lại lần hai"),
    ] = None,
) -> None:
    """A step sent twice with one key (a double click, a resent form) is taken once; the second
    answer is the file as it is. Keys belong to the step's path, so one form's key cannot
    replay another step."""
    if idempotency_key is None:
        return
    key = idempotency.checked_key(idempotency_key)
    body = await request.body()
    request.state.step_key = idempotency.Keyed(
        f"step:{request.url.path}", key, hashlib.sha256(body).digest()
    )


StepKey = Depends(read_step_key)
