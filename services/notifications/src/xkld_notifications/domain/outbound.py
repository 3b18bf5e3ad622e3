"""Deciding what a worker is told, and whether they may be told at all."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from xkld_notifications.domain.sms_text import encoding_of, segment_count, unaccent

# Fixed namespace: the same (event, template) must give the same message id on every replica.
_MESSAGE_NAMESPACE = uuid.UUID("6f1d9a8e-3c55-4f6b-9a43-0d5e2b7c9a10")


class MessageStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"
    SUPPRESSED = "suppressed"


@dataclass(frozen=True)
class OutboundSms:
    id: uuid.UUID
    registration_id: uuid.UUID
    template: str
    body: str
    encoding: str
    segments: int
    status: MessageStatus
    suppressed_reason: str | None = None


def message_id(event_id: uuid.UUID, template: str) -> uuid.UUID:
    """Deterministic, so a redelivered event maps to the message already stored; it is also
    the provider's RequestId, so the provider never sends it twice either."""
    return uuid.uuid5(_MESSAGE_NAMESPACE, f"{event_id}:{template}")


ACKNOWLEDGEMENT = "registration_received"
_ACKNOWLEDGEMENT_TEXT = (
    "XKLĐ: Hồ sơ đăng ký đi làm việc ở nước ngoài của bạn đã được tiếp nhận tại xã {commune}, "
    "mã hồ sơ {reference}. Cán bộ xã sẽ liên hệ về bước tiếp theo."
)


def acknowledgement(
    *, event_id: uuid.UUID, registration_id: uuid.UUID, commune_code: str, consent: bool
) -> OutboundSms:
    text = unaccent(
        _ACKNOWLEDGEMENT_TEXT.format(
            commune=commune_code, reference=str(registration_id)[:8].upper()
        )
    )
    status = MessageStatus.PENDING if consent else MessageStatus.SUPPRESSED
    return OutboundSms(
        id=message_id(event_id, ACKNOWLEDGEMENT),
        registration_id=registration_id,
        template=ACKNOWLEDGEMENT,
        body=text,
        encoding=encoding_of(text).value,
        segments=segment_count(text),
        status=status,
        suppressed_reason=None if consent else "no_consent",
    )


def retry_delay_seconds(attempt: int, base: float, cap: float = 600.0) -> float:
    return float(min(base * 2 ** (attempt - 1), cap))
