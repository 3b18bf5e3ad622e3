"""Deciding what a worker is told, and whether they may be told at all."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from xkld_notifications.domain.rules import Planned
from xkld_notifications.domain.templates import TemplateProblem, render

# Fixed namespace: the same (event, template) must give the same message id on every replica.
_MESSAGE_NAMESPACE = uuid.UUID("6f1d9a8e-3c55-4f6b-9a43-0d5e2b7c9a10")


class MessageStatus(StrEnum):
    PENDING = "pending"  # queued: waiting for its time, the limit, or the provider
    # The worker's contact is not known here yet (their registration event is still behind
    # in the other stream): the message waits for it rather than being dropped.
    AWAITING_CONTACT = "awaiting_contact"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"
    SUPPRESSED = "suppressed"
    CANCELLED = "cancelled"  # a later event made it moot (e.g. a restructured schedule)


@dataclass(frozen=True)
class ContactState:
    sms_consent: bool
    opted_out: bool
    erased: bool = False  # the worker's personal data was erased: nothing more goes out


@dataclass(frozen=True)
class OutboundSms:
    id: uuid.UUID
    registration_id: uuid.UUID
    template: str
    template_version: int
    body: str
    encoding: str
    segments: int
    status: MessageStatus
    not_before: dt.datetime
    urgent: bool = False
    suppressed_reason: str | None = None
    error: str | None = None
    course_id: uuid.UUID | None = None  # what a course-scoped cancel or a reply is matched on


def message_id(event_id: uuid.UUID, template: str) -> uuid.UUID:
    """Deterministic, so a redelivered event maps to the message already stored; it is also
    the provider's RequestId, so the provider never sends it twice either."""
    return uuid.uuid5(_MESSAGE_NAMESPACE, f"{event_id}:{template}")


def suppression_reason(contact: ContactState | None) -> str | None:
    """A real reason not to send, or None. A contact not known yet is no reason: the message
    waits for it (`AWAITING_CONTACT`) and is decided when it arrives."""
    if contact is None:
        return None
    if contact.erased:
        return "erased"
    if not contact.sms_consent:
        return "no_consent"
    if contact.opted_out:
        return "opted_out"
    return None


def compose(
    planned: Planned,
    *,
    event_id: uuid.UUID,
    registration_id: uuid.UUID,
    contact: ContactState | None,
) -> OutboundSms:
    """Render now, so a bad variable is a recorded failure rather than a silent blank."""
    common = _common_fields(planned, event_id, registration_id)
    try:
        rendered = render(planned.template, planned.variables)
    except TemplateProblem as exc:
        return _unrenderable(common, exc)
    reason = suppression_reason(contact)
    return OutboundSms(
        **common,
        body=rendered.text,
        encoding=rendered.encoding.value,
        segments=rendered.segments,
        status=_status(contact, reason),
        suppressed_reason=reason,
    )


def _common_fields(
    planned: Planned, event_id: uuid.UUID, registration_id: uuid.UUID
) -> dict[str, Any]:
    return {
        "id": message_id(event_id, planned.key),
        "registration_id": registration_id,
        "template": planned.template.code,
        "template_version": planned.template.version,
        "not_before": planned.not_before,
        "urgent": planned.urgent,
        "course_id": planned.course_id,
    }


def _unrenderable(common: dict[str, Any], exc: TemplateProblem) -> OutboundSms:
    return OutboundSms(
        **common,
        body="",
        encoding="gsm7",
        segments=0,
        status=MessageStatus.FAILED,
        error=f"template_error: {exc}",
    )


def _status(contact: ContactState | None, reason: str | None) -> MessageStatus:
    if contact is None:
        return MessageStatus.AWAITING_CONTACT
    return MessageStatus.SUPPRESSED if reason else MessageStatus.PENDING


def retry_delay_seconds(
    attempt: int, base: float, cap: float = 600.0, jitter: float = 1.0
) -> float:
    """Exponential backoff; `jitter` in [0, 1] (drawn by the caller) spreads replicas apart:
    the delay falls between half and all of the exponential step."""
    step = min(base * 2 ** (attempt - 1), cap)
    return float(step * (0.5 + 0.5 * jitter))
