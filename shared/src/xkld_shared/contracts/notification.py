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
