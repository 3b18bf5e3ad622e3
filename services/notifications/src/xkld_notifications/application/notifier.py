"""From events to queued messages. Each handler runs inside the consumer's transaction, after
the inbox claim: the message rows (and their events) commit with the offset's progress, and
sending happens later, from the queue table, never here."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from xkld_shared.clock import utc_now
from xkld_shared.contracts import loan
from xkld_shared.contracts.envelope import Envelope, EventPayload
from xkld_shared.contracts.journey import TrainingEnrolled
from xkld_shared.contracts.registration import (
    RegistrationPersonalDataErased,
    RegistrationSubmitted,
)
from xkld_shared.contracts.registry import payloads_of
from xkld_shared.contracts.topics import Stream
from xkld_shared.contracts.training import (
    TraineeEnrolled,
    TraineePersonalDataErased,
    TraineeRegistered,
)
from xkld_shared.db.pool import Conn
from xkld_shared.messaging.consumer import Handler

from xkld_notifications.application.events import NotificationEvents, message_row
from xkld_notifications.application.ports import PhoneIndex, PhoneOpener
from xkld_notifications.application.storage_ports import Contact, SmsStores, TemplateStore
from xkld_notifications.domain.outbound import (
    ContactState,
    MessageStatus,
    OutboundSms,
    compose,
    suppression_reason,
)
from xkld_notifications.domain.rules import Planned, Rules, plan
from xkld_notifications.domain.templates import Template
from xkld_notifications.domain.timing import release_time

Clock = Callable[[], dt.datetime]
_LOAN_TYPES = frozenset(m.EVENT_TYPE for m in payloads_of(loan))
# A worker's file and a rural trainee are contacts alike: the trainee's id plays the part of
# the registration id (it is the envelope's `registration_id`).
_CONTACT_EVENTS = (RegistrationSubmitted, TraineeRegistered)
_ERASURE_EVENTS = (RegistrationPersonalDataErased, TraineePersonalDataErased)
_ENROLMENT_EVENTS = (TrainingEnrolled, TraineeEnrolled)


def reference_of(envelope: Envelope) -> str:
    """The short file reference workers see on their paper receipt."""
    return str(envelope.registration_id)[:8].upper()


class Notifier:
    def __init__(
        self,
        rules: Rules,
        stores: SmsStores,
        events: NotificationEvents,
        phones: PhoneOpener,
        phone_index: PhoneIndex,
        clock: Clock = utc_now,
    ) -> None:
        self._rules = rules
        self._stores = stores
        self._events = events
        self._phones = phones
        self._index = phone_index
        self.clock = clock

    def handlers(self, stream: Stream) -> dict[str, Handler]:
        wanted = set(self._rules.event_types) | {
            m.EVENT_TYPE for m in (*_CONTACT_EVENTS, *_ERASURE_EVENTS, *_ENROLMENT_EVENTS)
        }
        in_stream = wanted & _LOAN_TYPES if stream is Stream.LOAN else wanted - _LOAN_TYPES
        return {event_type: self.on_event for event_type in sorted(in_stream)}

    async def on_event(self, conn: Conn, envelope: Envelope, event: EventPayload) -> None:
        now = self.clock()
        if isinstance(event, _ERASURE_EVENTS):
            await self._erase(conn, envelope, now)
            return
        contact = None
        if isinstance(event, _CONTACT_EVENTS):
            contact = await self._keep_contact(conn, envelope, event, now)
        if isinstance(event, _ENROLMENT_EVENTS):
            await self._stores.contacts.add_enrolment(
                conn, event.course_id, envelope.registration_id
            )
        payload = payload_fields(event)
        await self._cancel(conn, envelope, payload)
        planned = plan(self._rules, envelope.event_type, payload, reference_of(envelope), now)
        await self.queue(conn, envelope, planned, now, known=contact)

    async def _cancel(self, conn: Conn, envelope: Envelope, payload: Mapping[str, Any]) -> None:
        """Pending messages that the rules say this event makes moot."""
        for rule in self._rules.by_event.get(envelope.event_type, ()):
            if rule.cancels:
                course = payload.get("course_id") if rule.cancel_scope == "course" else None
                await self._stores.messages.cancel_pending(
                    conn, envelope.registration_id, rule.cancels, course, envelope.event_id
                )

    async def queue(
        self,
        conn: Conn,
        envelope: Envelope,
        planned: list[Planned],
        now: dt.datetime,
        *,
        known: ContactState | None = None,
    ) -> tuple[int, int]:
        """Store each planned message once; a replayed event finds them there already.
        `known` is the contact's state when the caller has just written it. Returns (stored
        now, of which pending)."""
        if not planned:
            return 0, 0
        contact = known or await self._stores.contacts.contact_state(conn, envelope.registration_id)
        added = queued = 0
        for item in planned:
            sms = await self._compose(conn, item, envelope, contact)
            if not await self._stores.messages.add_message(conn, sms, envelope.event_id, now):
                continue
            added += 1
            queued += sms.status is MessageStatus.PENDING
            await self._announce(conn, sms, envelope, now)
        if queued:
            await self._stores.messages.wake_dispatcher(conn)
        return added, queued

    async def _compose(
        self, conn: Conn, item: Planned, envelope: Envelope, contact: ContactState | None
    ) -> OutboundSms:
        item = replace(
            item,
            template=await current_template(
                conn, self._stores.templates, self._rules, item.template
            ),
        )
        sms = compose(
            item,
            event_id=envelope.event_id,
            registration_id=envelope.registration_id,
            contact=contact,
        )
        return _after_quiet_hours(sms, self._rules)

    async def _announce(
        self, conn: Conn, sms: OutboundSms, envelope: Envelope, now: dt.datetime
    ) -> None:
        row = _row_of(sms, envelope)
        if sms.status is MessageStatus.SUPPRESSED:
            await self._events.suppressed(conn, row, now, sms.suppressed_reason or "erased")
        elif sms.status is MessageStatus.FAILED:
            await self._events.failed(conn, row, now, "template_error")

    async def _keep_contact(
        self,
        conn: Conn,
        envelope: Envelope,
        event: RegistrationSubmitted | TraineeRegistered,
        now: dt.datetime,
    ) -> ContactState:
        phone = self._phones.open(event.phone_ciphertext)
        contact = Contact(
            registration_id=envelope.registration_id,
            phone_ciphertext=event.phone_ciphertext,
            sms_consent=event.sms_consent,
            commune_code=event.commune_code,
            province_code=event.province_code,
            phone_index=self._index.of(phone),
        )
        state = await self._stores.contacts.upsert_contact(conn, contact)
        await self._settle_awaiting(conn, envelope.registration_id, state, now)
        return state

    async def _settle_awaiting(
        self, conn: Conn, registration_id: uuid.UUID, state: ContactState, now: dt.datetime
    ) -> None:
        """Messages that arrived (from the loan stream) before this contact: they go out now,
        within the usual rules, or are suppressed for a real reason such as no consent."""
        reason = suppression_reason(state)
        released, suppressed = await self._stores.awaiting.settle_awaiting(
            conn, registration_id, reason
        )
        for row in suppressed:
            await self._events.suppressed(conn, dict(row), now, reason or "no_consent")
        if released:
            await self._stores.messages.wake_dispatcher(conn)

    async def _erase(self, conn: Conn, envelope: Envelope, now: dt.datetime) -> None:
        """Forget the phone; what was still waiting to be sent will not be sent."""
        for row in await self._stores.messages.forget_contact(conn, envelope.registration_id, now):
            await self._events.suppressed(conn, dict(row), now, "erased")


async def current_template(
    conn: Conn, templates: TemplateStore, rules: Rules, template: Template
) -> Template:
    """The highest version wins: one saved by staff, or the rules file's if it is newer."""
    row = await templates.latest_template(conn, template.code)
    if row is None or row["version"] <= template.version:
        return template
    return Template(template.code, row["version"], row["text"], row["max_segments"], row["ucs2"])


def _row_of(sms: OutboundSms, envelope: Envelope) -> dict[str, Any]:
    """The message as its events describe it."""
    return message_row(
        message_id=sms.id,
        registration_id=sms.registration_id,
        event_id=envelope.event_id,
        template=sms.template,
        template_version=sms.template_version,
        segments=sms.segments,
        encoding=sms.encoding,
    )


def _after_quiet_hours(sms: OutboundSms, rules: Rules) -> OutboundSms:
    """Created at night (or planned for it): it waits for the morning, in the stored row, so
    a restart changes nothing."""
    q = rules.quiet_hours
    at = release_time(sms.not_before, q.start, q.end, rules.zone)
    if at == sms.not_before:
        return sms
    return replace(sms, not_before=at)


def payload_fields(event: EventPayload) -> Mapping[str, Any]:
    return {name: getattr(event, name) for name in type(event).model_fields}
