"""Events of the notification stream: what became of each SMS, for reporting.

No phone number and no message text travel; the template code and the message id do.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from pydantic import AwareDatetime, Field

from xkld_shared.contracts.envelope import EventPayload
from xkld_shared.contracts.registration import Code
from xkld_shared.contracts.training import EmploymentOutcome

SuppressionReason = Literal["no_consent", "opted_out", "no_contact", "erased"]


class _NotificationEvent(EventPayload):
    message_id: uuid.UUID
    template_code: Code
    template_version: int = Field(ge=1)


class NotificationSent(_NotificationEvent):
    """The provider accepted the message."""

    EVENT_TYPE = "NotificationSent"

    sent_at: AwareDatetime
    segments: int = Field(ge=1)
    encoding: Literal["gsm7", "ucs2"]


class NotificationDelivered(_NotificationEvent):
    EVENT_TYPE = "NotificationDelivered"

    delivered_at: AwareDatetime


class NotificationFailed(_NotificationEvent):
    """Refused by the provider (4xx) or out of retries; `reason_code` is ours, not theirs."""

    EVENT_TYPE = "NotificationFailed"

    failed_at: AwareDatetime
    reason_code: Code


class NotificationSuppressed(_NotificationEvent):
    EVENT_TYPE = "NotificationSuppressed"

    suppressed_at: AwareDatetime
    reason: SuppressionReason


class TraineeWorkReported(EventPayload):
    """A trainee answered the follow-up SMS about work. Keyed by the trainee's id. It is the
    trainee's own word, not yet the commune's record: the officer confirms it as an employment
    outcome."""

    EVENT_TYPE = "TraineeWorkReported"
    SCHEMA_VERSION = 1

    course_id: uuid.UUID
    outcome: EmploymentOutcome
    replied_on: dt.date


class WorkerCheckInReported(EventPayload):
    """A worker abroad answered the check-in SMS with a reply that could be read ("TT 1" …
    "TT 3"). Keyed by the registration id; registration records it as a check-in by SMS, once.
    No phone and no text: the reply's id (one per inbound message) and what it said."""

    EVENT_TYPE = "WorkerCheckInReported"
    SCHEMA_VERSION = 1

    reply_id: uuid.UUID
    replied_on: dt.date
    employment_status: Literal["working", "between_jobs", "not_working"]


BroadcastOutcome = Literal["sent", "delivered", "failed", "suppressed"]


class BroadcastRecipientSettled(EventPayload):
    """What became of one recipient of a campaign broadcast, on the channel that carried it.
    Keyed by the campaign's id. Several may follow one another for a recipient (`sent`, then
    `delivered` or `failed`); outreach keeps the furthest. `fell_back` says Zalo could not carry
    it (no Zalo account, refused, not delivered) and SMS did. No phone and no text."""

    EVENT_TYPE = "BroadcastRecipientSettled"
    SCHEMA_VERSION = 1

    campaign_id: uuid.UUID
    broadcast_id: uuid.UUID
    recipient_id: uuid.UUID
    outcome: BroadcastOutcome
    channel: Literal["sms", "zalo"] | None = None  # None when suppressed before any channel
    fell_back: bool = False
    reason: Code | None = None  # why failed or suppressed, in our words
    cost_vnd: int = Field(default=0, ge=0)
    settled_at: AwareDatetime
