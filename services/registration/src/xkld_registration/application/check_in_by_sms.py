"""A worker's reply to the check-in SMS, read by notifications, becomes a check-in here.

It runs in the consumer's transaction, next to the inbox claim of WorkerCheckInReported, so a
redelivered event finds its id claimed and records nothing twice. The file must still be
abroad: a reply that arrives after the return (or for a file this service does not hold) is
dropped quietly, since the officer's own records come first.
"""

from __future__ import annotations

import logging
import uuid

from xkld_shared.audit import ChangeContext, record_change
from xkld_shared.contracts.envelope import Envelope, EventPayload, new_envelope
from xkld_shared.contracts.notification import WorkerCheckInReported
from xkld_shared.db.pool import Conn
from xkld_shared.identity.principal import Principal
from xkld_shared.messaging.consumer import Handler
from xkld_shared.messaging.outbox import add_to_outbox

from xkld_registration.application.journey_steps import journey_view
from xkld_registration.application.journey_terms import CheckIn
from xkld_registration.application.ports import JourneyDetails, JourneyFile, JourneyFiles
from xkld_registration.application.submit_registration import PRODUCER
from xkld_registration.domain.journey import Decision, decide
from xkld_registration.domain.journey_commands import RecordCheckIn
from xkld_registration.domain.journey_state import IllegalStep, Journey

log = logging.getLogger(__name__)

# Recorded as made by the service that read the worker's reply.
NOTIFICATIONS_SERVICE = Principal(
    subject="service:notifications", username="notifications-service", roles=frozenset()
)
# The SMS asks only about work; how the worker is doing is for the officer to ask.
NOT_ASKED = "not_asked"


class CheckInBySms:
    def __init__(
        self, registration_topic: str, files: JourneyFiles, details: JourneyDetails
    ) -> None:
        self._topic = registration_topic
        self._files = files
        self._details = details

    async def on_reported(self, conn: Conn, envelope: Envelope, payload: EventPayload) -> None:
        assert isinstance(payload, WorkerCheckInReported)
        file = await self._files.load_file(conn, envelope.registration_id)
        if file is None:
            log.info("check-in reply for an unknown registration; nothing recorded")
            return
        decision = _decided(file.journey, payload)
        if decision is None:
            return
        await self._files.save_journey(conn, file.id, decision.journey)
        check = CheckIn(payload.replied_on, "sms", payload.employment_status, NOT_ASKED, None, None)
        await self._details.add_check_in(conn, file.id, check)
        await _audit(conn, envelope, payload, (file, decision))
        await add_to_outbox(conn, self._topic, _recorded(envelope, file.id, decision))

    def handlers(self) -> dict[str, Handler]:
        return {WorkerCheckInReported.EVENT_TYPE: self.on_reported}


def _decided(journey: Journey, payload: WorkerCheckInReported) -> Decision | None:
    """The check-in step, or None (logged) when the file is no longer abroad."""
    cmd = RecordCheckIn(payload.replied_on, "sms", payload.employment_status, False)
    try:
        return decide(journey, cmd)
    except IllegalStep:
        log.info("check-in reply for a file no longer abroad; nothing recorded")
        return None


async def _audit(
    conn: Conn,
    envelope: Envelope,
    payload: WorkerCheckInReported,
    step: tuple[JourneyFile, Decision],
) -> None:
    file, decision = step
    context = ChangeContext(NOTIFICATIONS_SERVICE, None, envelope.correlation_id)
    await record_change(
        conn,
        context,
        action="journey.check_in_recorded",
        entity_type="registration",
        entity_id=str(file.id),
        before=journey_view(file.journey),
        after=journey_view(decision.journey)
        | {"check_in": payload.replied_on, "channel": "sms", "reply_id": str(payload.reply_id)},
    )


def _recorded(envelope: Envelope, file_id: uuid.UUID, decision: Decision) -> list[Envelope]:
    """The step's events, caused by the reply's event."""
    return [
        new_envelope(
            event,
            registration_id=file_id,
            producer=PRODUCER,
            correlation_id=envelope.correlation_id,
            causation_id=envelope.event_id,
        )
        for event in decision.events
    ]
