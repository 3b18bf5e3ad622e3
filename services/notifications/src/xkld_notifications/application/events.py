"""Notification events into the outbox, in the transaction of the status change they report.

They carry the message id, template and outcome; never a phone number or the text."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from xkld_shared.contracts.envelope import EventPayload, new_envelope
from xkld_shared.contracts.notification import (
    NotificationDelivered,
    NotificationFailed,
    NotificationSent,
    NotificationSuppressed,
    TraineeWorkReported,
    WorkerCheckInReported,
)
from xkld_shared.contracts.training import EmploymentOutcome
from xkld_shared.db.pool import Conn
from xkld_shared.messaging.outbox import add_to_outbox

PRODUCER = "notifications"
Row = Mapping[str, Any]


class NotificationEvents:
    def __init__(self, topic: str) -> None:
        self._topic = topic
        self.topic = topic

    async def _add(self, conn: Conn, row: Row, payload: EventPayload) -> None:
        envelope = new_envelope(
            payload,
            registration_id=row["registration_id"],
            producer=PRODUCER,
            causation_id=row["event_id"],
        )
        await add_to_outbox(conn, self._topic, [envelope])

    @staticmethod
    def _ids(row: Row) -> dict[str, object]:
        return {
            "message_id": row["id"],
            "template_code": row["template"],
            "template_version": row["template_version"],
        }

    async def sent(self, conn: Conn, row: Row, at: dt.datetime) -> None:
        payload = NotificationSent(
            **self._ids(row),
            sent_at=at,
            segments=max(1, row["segments"]),
            encoding=row["encoding"],
        )
        await self._add(conn, row, payload)

    async def delivered(self, conn: Conn, row: Row, at: dt.datetime) -> None:
        payload = NotificationDelivered(**self._ids(row), delivered_at=at)
        await self._add(conn, row, payload)

    async def failed(self, conn: Conn, row: Row, at: dt.datetime, reason_code: str) -> None:
        payload = NotificationFailed(
            **self._ids(row),
            failed_at=at,
            reason_code=reason_code,
        )
        await self._add(conn, row, payload)

    async def suppressed(self, conn: Conn, row: Row, at: dt.datetime, reason: str) -> None:
        payload = NotificationSuppressed(
            **self._ids(row),
            suppressed_at=at,
            reason=reason,
        )
        await self._add(conn, row, payload)

    async def work_reported(
        self,
        conn: Conn,
        trainee_id: uuid.UUID,
        course_id: uuid.UUID,
        outcome: EmploymentOutcome,
        replied_on: dt.date,
        *,
        cause: uuid.UUID,
    ) -> None:
        """A trainee's own answer about work, keyed by the trainee; `cause` is the reply."""
        payload = TraineeWorkReported(course_id=course_id, outcome=outcome, replied_on=replied_on)
        envelope = new_envelope(
            payload, registration_id=trainee_id, producer=PRODUCER, causation_id=cause
        )
        await add_to_outbox(conn, self._topic, [envelope])

    async def check_in_reported(
        self,
        conn: Conn,
        registration_id: uuid.UUID,
        reply_id: uuid.UUID,
        employment_status: str,
        replied_on: dt.date,
    ) -> None:
        """A worker's own answer to the check-in SMS, keyed by the registration."""
        payload = WorkerCheckInReported(
            reply_id=reply_id, replied_on=replied_on, employment_status=employment_status
        )
        envelope = new_envelope(
            payload, registration_id=registration_id, producer=PRODUCER, causation_id=reply_id
        )
        await add_to_outbox(conn, self._topic, [envelope])


def message_row(
    *,
    message_id: uuid.UUID,
    registration_id: uuid.UUID,
    event_id: uuid.UUID,
    template: str,
    template_version: int,
    segments: int,
    encoding: str,
) -> dict[str, object]:
    """The fields events need, for a message just composed (before it has a stored row)."""
    return {
        "id": message_id,
        "registration_id": registration_id,
        "event_id": event_id,
        "template": template,
        "template_version": template_version,
        "segments": segments,
        "encoding": encoding,
    }
