"""SMS endpoints: the provider's callbacks (token), staff views and actions (roles, scope)."""

from __future__ import annotations

import datetime as dt
import hmac
import uuid
from typing import Annotated, Any

import asyncpg
import phonenumbers
from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field, SecretStr
from xkld_shared.audit import ChangeContext
from xkld_shared.errors import FieldProblem, InvalidInput, NotFound, NotSignedIn
from xkld_shared.http.app import correlation_id_of
from xkld_shared.http.strict import RequestModel
from xkld_shared.http.wiring import from_app_state, state_value
from xkld_shared.identity.http import require
from xkld_shared.identity.principal import Principal, Role

from xkld_notifications.adapters import contacts, store
from xkld_notifications.application.check_in_replies import CheckInReplies
from xkld_notifications.application.staff import StaffActions, is_stop_keyword
from xkld_notifications.application.trainee_replies import TraineeReplies
from xkld_notifications.domain.rules import Rules
from xkld_notifications.domain.templates import TemplateProblem
from xkld_notifications.entrypoints.broadcasts_http import broadcast_report, broadcast_stop

router = APIRouter(prefix="/sms", tags=["sms"])

_DELIVERED = 5


class DeliveryReport(BaseModel):
    """eSMS's callback body; it retries up to 5 times, so handling must be idempotent."""

    model_config = ConfigDict(extra="ignore")

    SMSID: str = Field(max_length=100)
    RequestId: uuid.UUID
    SendStatus: int


class InboundSms(BaseModel):
    """A worker's or a trainee's reply, as the provider forwards it."""

    model_config = ConfigDict(extra="ignore")

    Phone: str = Field(max_length=20)
    Content: str = Field(max_length=1000)
    # The provider's id of this inbound message, when it sends one: a repeated callback then
    # records a trainee's answer once.
    MessageId: str | None = Field(default=None, max_length=100)


class InboundAnswer(BaseModel):
    opted_out: int
    # For a reply that is not a stop keyword: recorded, not_understood, duplicate or
    # no_follow_up (the number was not asked about work).
    work_reply: str | None = None
    # For a worker abroad answering the check-in SMS: recorded, unreadable (in the officers'
    # inbox) or duplicate.
    check_in_reply: str | None = None


class MessageView(BaseModel):
    id: uuid.UUID
    template: str
    template_version: int
    body: str
    encoding: str
    segments: int
    status: str
    suppressed_reason: str | None
    attempts: int
    created_at: dt.datetime
    next_attempt_at: dt.datetime
    sent_at: dt.datetime | None
    delivered_at: dt.datetime | None


_pool = from_app_state("pool", asyncpg.Pool)


actions_of = from_app_state("staff_actions", StaffActions)


def staff_actions(request: Request) -> StaffActions:
    """The same use case, for a route that reaches it only on some paths."""
    return state_value(request, "staff_actions", StaffActions)


_replies = from_app_state("trainee_replies", TraineeReplies)


_rules = from_app_state("rules", Rules)


Pool = Annotated[asyncpg.Pool, Depends(_pool)]
Actions = Annotated[StaffActions, Depends(actions_of)]
Replies = Annotated[TraineeReplies, Depends(_replies)]
CheckIns = Annotated[CheckInReplies, Depends(from_app_state("check_in_replies", CheckInReplies))]
RulesDep = Annotated[Rules, Depends(_rules)]


class CallbackRefused(NotSignedIn):
    code = "callback_token_invalid"

    def __init__(self) -> None:
        super().__init__(
            "Mã xác thực của báo cáo giao tin không đúng", "The delivery report's token is wrong"
        )


def _token_check(attribute: str) -> Any:
    async def check_token(
        request: Request, token: Annotated[str, Query(max_length=200)] = ""
    ) -> None:
        expected = state_value(request, attribute, SecretStr)
        secret = expected.get_secret_value().encode()
        if not secret or not hmac.compare_digest(token.encode(), secret):
            raise CallbackRefused

    return check_token


@router.post("/delivery-reports", dependencies=[Depends(_token_check("callback_token"))])
async def receive_delivery_report(
    report: DeliveryReport, actions: Actions, request: Request
) -> dict[str, bool]:
    delivered = report.SendStatus == _DELIVERED
    broadcast = await broadcast_report(request, report.RequestId, report.SMSID, delivered)
    if broadcast is not None:  # the SMS of a campaign broadcast
        return {"accepted": True, "changed": broadcast}
    changed = await actions.delivery_report(report.RequestId, report.SMSID, delivered)
    return {"accepted": True, "changed": changed}


# A stop keyword's answer stays `{"opted_out": n}`, as before trainees' replies existed.
@router.post(
    "/inbound",
    dependencies=[Depends(_token_check("inbound_token"))],
    response_model_exclude_none=True,
)
async def receive_inbound(
    message: InboundSms,
    actions: Actions,
    replies: Replies,
    check_ins: CheckIns,
    request: Request,
) -> InboundAnswer:
    """ "TU CHOI" / "STOP" opts the sender out. Anything else answers the latest question the
    number was sent: a check-in while abroad, or a trainee's follow-up about work; other
    replies are not kept."""
    phone = _e164(message.Phone)
    if phone is None:
        return InboundAnswer(opted_out=0)
    if is_stop_keyword(message.Content):
        await broadcast_stop(request, phone)
        return InboundAnswer(opted_out=await actions.inbound(phone, message.Content))
    return await _answer_reply(phone, message, replies, check_ins)


async def _answer_reply(
    phone: str, message: InboundSms, replies: TraineeReplies, check_ins: CheckInReplies
) -> InboundAnswer:
    """A check-in answer if the number was sent one, else a trainee's answer about work."""
    checked_in = await check_ins.receive(phone, message.Content, message.MessageId)
    if checked_in is not None:
        return InboundAnswer(opted_out=0, check_in_reply=checked_in)
    status = await replies.receive(phone, message.Content, message.MessageId)
    return InboundAnswer(opted_out=0, work_reply=status)


def _e164(raw: str) -> str | None:
    try:
        number = phonenumbers.parse(raw, "VN")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class WorkerNotFound(NotFound):
    code = "worker_not_found"

    def __init__(self) -> None:
        super().__init__("Không tìm thấy người lao động", "No such worker")


Staff = Annotated[Principal, Depends(require(Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER))]
TemplateReaders = Annotated[
    Principal, Depends(require(Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER, Role.ADMIN))
]


async def _in_scope(
    pool: asyncpg.Pool, staff: Principal, registration_id: uuid.UUID
) -> asyncpg.Record:
    area = await contacts.contact_area(pool, registration_id)
    if area is None or not staff.covers_commune(area["commune_code"], area["province_code"]):
        raise WorkerNotFound  # outside the reader's scope it does not exist
    return area


def change_context(request: Request, actor: Principal) -> ChangeContext:
    source = request.client.host if request.client else None
    return ChangeContext(actor, source, correlation_id_of(request))


@router.get("/messages/{registration_id}")
async def list_messages(registration_id: uuid.UUID, pool: Pool, staff: Staff) -> list[MessageView]:
    await _in_scope(pool, staff, registration_id)
    return [MessageView(**dict(row)) for row in await store.messages_of(pool, registration_id)]


class OptOutBody(RequestModel):
    model_config = ConfigDict(extra="forbid")

    opted_out: bool


@router.post("/contacts/{registration_id}/opt-out")
async def set_opt_out(
    registration_id: uuid.UUID, body: OptOutBody, request: Request, pool: Pool, staff: Staff
) -> dict[str, bool]:
    """The staff toggle, e.g. when a worker asks at the commune office; audited."""
    await _in_scope(pool, staff, registration_id)
    after = await staff_actions(request).set_opt_out(
        registration_id, body.opted_out, change_context(request, staff)
    )
    if after is None:
        raise WorkerNotFound
    return {"opted_out": after}


@router.get("/contacts/{registration_id}")
async def get_contact(registration_id: uuid.UUID, pool: Pool, staff: Staff) -> dict[str, bool]:
    """Whether the worker agreed to SMS and whether they opted out (for the staff's switch)."""
    area = await _in_scope(pool, staff, registration_id)
    return {"sms_consent": area["sms_consent"], "opted_out": area["opted_out_at"] is not None}


def template_problem(field: str, exc: TemplateProblem) -> InvalidInput:
    return InvalidInput.of(
        [FieldProblem(field, f"Không gửi được tin nhắn này: {exc}", f"Cannot send this: {exc}")]
    )
