"""Manual SMS from staff: to listed workers and/or a course's trainees, within their scope."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Request
from pydantic import BaseModel, ConfigDict, Field
from xkld_shared.errors import FieldProblem, InvalidInput
from xkld_shared.http.strict import RequestModel
from xkld_shared.idempotency import checked_key
from xkld_shared.identity.principal import Principal

from xkld_notifications.application.staff import ManualRequest, ManualResult
from xkld_notifications.domain.rules import Rules
from xkld_notifications.domain.templates import TemplateProblem, render
from xkld_notifications.entrypoints.http import (
    RulesDep,
    Staff,
    change_context,
    staff_actions,
    template_problem,
)

router = APIRouter(prefix="/sms", tags=["sms"])


class NotSent(BaseModel):
    registration_id: uuid.UUID
    reason: str = Field(description="outside_scope, no_consent, opted_out or erased")


class ManualAnswer(BaseModel):
    queued: int
    suppressed: int
    skipped_outside_scope: int
    already_queued: int
    not_sent: list[NotSent]  # who will not receive it, and why


class ManualBody(RequestModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=400)
    registration_ids: list[uuid.UUID] = Field(default_factory=list, max_length=1000)
    course_id: uuid.UUID | None = None


@router.post("/manual-messages", status_code=202)
async def send_manual(
    body: ManualBody,
    request: Request,
    rules: RulesDep,
    staff: Staff,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> ManualAnswer:
    """To listed workers and/or everyone enrolled in a course, within the sender's scope.
    The Idempotency-Key makes a retried request queue nothing new."""
    key = checked_key(idempotency_key)
    _check_manual(body, rules)
    result = await staff_actions(request).manual(
        _manual_request(body, staff, key), staff, change_context(request, staff)
    )
    return _manual_answer(result)


def _check_manual(body: ManualBody, rules: Rules) -> None:
    if not body.registration_ids and body.course_id is None:
        raise InvalidInput.of(
            [
                FieldProblem(
                    "registration_ids",
                    "Cần chọn người nhận hoặc một lớp học",
                    "Choose recipients or a course",
                )
            ]
        )
    try:
        render(rules.template("manual"), {"text": body.text})
    except TemplateProblem as exc:
        raise template_problem("text", exc) from exc


def _manual_request(body: ManualBody, staff: Principal, key: str) -> ManualRequest:
    send_key = uuid.uuid5(uuid.NAMESPACE_URL, f"xkld-sms-manual:{staff.subject}:{key}")
    return ManualRequest(body.text, tuple(body.registration_ids), body.course_id, send_key)


def _manual_answer(result: ManualResult) -> ManualAnswer:
    return ManualAnswer(
        queued=result.queued,
        suppressed=result.suppressed,
        skipped_outside_scope=result.skipped_outside_scope,
        already_queued=result.already_queued,
        not_sent=[NotSent(registration_id=r, reason=why) for r, why in result.not_sent],
    )
