"""What people do: delivery reports from the provider, opt-outs (inbound keyword or staff
toggle), manual messages, and template previews. Each change commits with its event or its
audit row."""

from __future__ import annotations

import datetime as dt
import unicodedata
import uuid
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from xkld_shared.audit import ChangeContext, record_change
from xkld_shared.contracts.envelope import Envelope
from xkld_shared.db.pool import Conn
from xkld_shared.identity.principal import Principal

from xkld_notifications.application.events import NotificationEvents
from xkld_notifications.application.notifier import Clock, Notifier, current_template
from xkld_notifications.application.ports import PhoneIndex
from xkld_notifications.application.storage_ports import ContactStore, SmsStores
from xkld_notifications.domain.outbound import MessageStatus, suppression_reason
from xkld_notifications.domain.rules import Planned, Rules
from xkld_notifications.domain.sms_text import unaccent
from xkld_notifications.domain.templates import Template, check

# Keywords a worker may text back to stop messages; compared unaccented and upper-case.
STOP_KEYWORDS = frozenset({"TU CHOI", "TUCHOI", "STOP", "HUY", "DUNG"})


def is_stop_keyword(text: str) -> bool:
    words = " ".join(unaccent(unicodedata.normalize("NFC", text)).upper().split())
    return words in STOP_KEYWORDS or words.split(" ")[0] == "STOP"


@dataclass(frozen=True)
class ManualRequest:
    text: str
    registration_ids: tuple[uuid.UUID, ...]
    course_id: uuid.UUID | None
    send_key: uuid.UUID  # from the Idempotency-Key: a retried request queues nothing new


@dataclass(frozen=True)
class ManualResult:
    queued: int
    suppressed: int
    skipped_outside_scope: int
    already_queued: int
    # Who will not receive it, and why: outside_scope, no_consent, opted_out or erased.
    not_sent: tuple[tuple[uuid.UUID, str], ...] = ()


class StaffActions:
    def __init__(
        self,
        pool: asyncpg.Pool,
        stores: SmsStores,
        rules: Rules,
        notifier: Notifier,
        events: NotificationEvents,
        phone_index: PhoneIndex,
        clock: Clock,
    ) -> None:
        self._pool = pool
        self._contacts = stores.contacts
        self._messages = stores.messages
        self._templates = stores.templates
        self._rules = rules
        self._notifier = notifier
        self._events = events
        self._index = phone_index
        self._clock = clock

    async def delivery_report(
        self, request_id: uuid.UUID, provider_id: str, delivered: bool
    ) -> bool:
        """Idempotent and order-tolerant; a report that beats the send's answer also records
        the send (NotificationSent then the outcome), and the late answer changes nothing."""
        now = self._clock()
        status = MessageStatus.DELIVERED if delivered else MessageStatus.FAILED
        async with self._pool.acquire() as conn, conn.transaction():
            changed = await self._messages.record_delivery(
                conn, request_id, provider_id, status, now
            )
            if changed is None:
                return False
            await self._report_events(conn, changed[0], dict(changed[1]), delivered, now)
        return True

    async def _report_events(
        self, conn: Conn, before: str, row: dict[str, Any], delivered: bool, now: dt.datetime
    ) -> None:
        if before == MessageStatus.PENDING:
            await self._events.sent(conn, row, now)
        if delivered:
            await self._events.delivered(conn, row, now)
        else:
            await self._events.failed(conn, row, now, "not_delivered")

    async def inbound(self, phone_e164: str, text: str) -> int:
        """A worker texted back; a stop keyword opts out every file with that number."""
        if not is_stop_keyword(text):
            return 0
        now = self._clock()
        async with self._pool.acquire() as conn, conn.transaction():
            ids = await self._contacts.contacts_by_phone(conn, self._index.of(phone_e164))
            for registration_id in ids:
                await self._contacts.set_opted_out(conn, registration_id, True, now)
        return len(ids)

    async def set_opt_out(
        self, registration_id: uuid.UUID, opted_out: bool, context: ChangeContext
    ) -> bool | None:
        now = self._clock()
        async with self._pool.acquire() as conn, conn.transaction():
            change = await self._contacts.set_opted_out(conn, registration_id, opted_out, now)
            if change is None:
                return None
            before, after = change
            await _audit_opt_out(conn, context, registration_id, before, after)
        return after

    async def template(self, code: str) -> Template:
        async with self._pool.acquire() as conn:
            return await current_template(
                conn, self._templates, self._rules, self._rules.template(code)
            )

    async def save_template(
        self, code: str, text: str, max_segments: int, ucs2: bool, context: ChangeContext
    ) -> Template:
        """Checked as the rules file is (raises TemplateProblem), then stored as a new version
        that the next messages use; audited."""
        base = self._rules.template(code)
        check(Template(code, base.version + 1, text, max_segments, ucs2))
        async with self._pool.acquire() as conn, conn.transaction():
            before = await current_template(conn, self._templates, self._rules, base)
            saved = await self._store_template(conn, base, text, max_segments, ucs2, context)
            await _audit_template(conn, context, before, saved)
        return saved

    async def _store_template(
        self,
        conn: Conn,
        base: Template,
        text: str,
        max_segments: int,
        ucs2: bool,
        context: ChangeContext,
    ) -> Template:
        version = await self._templates.save_template(
            conn,
            base.code,
            base.version,
            text,
            max_segments,
            ucs2,
            context.actor.username,
            self._clock(),
        )
        return Template(base.code, version, text, max_segments, ucs2)

    async def manual(
        self, request: ManualRequest, staff: Principal, context: ChangeContext
    ) -> ManualResult:
        now = self._clock()
        async with self._pool.acquire() as conn, conn.transaction():
            template = await current_template(
                conn, self._templates, self._rules, self._rules.template("manual")
            )
            targets = await _manual_targets(conn, self._contacts, request)
            in_scope = _in_scope(staff, targets, await self._contacts.areas_of(conn, targets))
            tally = _Tally(not_sent=[(t, "outside_scope") for t in targets if t not in in_scope])
            for registration_id in in_scope:
                await self._queue_manual(conn, request, template, registration_id, now, tally)
            await _audit_manual(conn, context, request, template, in_scope)
        outside = len(targets) - len(in_scope)
        return ManualResult(
            tally.queued, tally.suppressed, outside, tally.already, tuple(tally.not_sent)
        )

    async def _queue_manual(
        self,
        conn: Conn,
        request: ManualRequest,
        template: Template,
        registration_id: uuid.UUID,
        now: dt.datetime,
        tally: _Tally,
    ) -> None:
        envelope = _manual_envelope(request.send_key, registration_id, now)
        planned = Planned(template, {"text": request.text}, now, "manual")
        added, got = await self._notifier.queue(conn, envelope, [planned], now)
        tally.queued += got
        tally.suppressed += added - got
        tally.already += 1 - added
        if not got:  # suppressed now, or queued by an earlier try: say which
            reason = suppression_reason(await self._contacts.contact_state(conn, registration_id))
            if reason:
                tally.not_sent.append((registration_id, reason))


@dataclass
class _Tally:
    """What one manual send did so far, recipient by recipient."""

    queued: int = 0
    suppressed: int = 0
    already: int = 0
    not_sent: list[tuple[uuid.UUID, str]] = field(default_factory=list)


async def _manual_targets(
    conn: Conn, contacts: ContactStore, request: ManualRequest
) -> list[uuid.UUID]:
    targets = list(request.registration_ids)
    if request.course_id is not None:
        targets += await contacts.course_members(conn, request.course_id)
    return sorted(set(targets))


def _in_scope(
    staff: Principal, targets: list[uuid.UUID], areas: dict[uuid.UUID, asyncpg.Record]
) -> list[uuid.UUID]:
    return [
        t
        for t in targets
        if t in areas and staff.covers_commune(areas[t]["commune_code"], areas[t]["province_code"])
    ]


async def _audit_opt_out(
    conn: Conn, context: ChangeContext, registration_id: uuid.UUID, before: bool, after: bool
) -> None:
    await record_change(
        conn,
        context,
        action="sms_opt_out_set",
        entity_type="sms_contact",
        entity_id=str(registration_id),
        before={"opted_out": before},
        after={"opted_out": after},
    )


async def _audit_template(
    conn: Conn, context: ChangeContext, before: Template, saved: Template
) -> None:
    await record_change(
        conn,
        context,
        action="sms_template_saved",
        entity_type="sms_template",
        entity_id=saved.code,
        before={"version": before.version, "text": before.text},
        after={"version": saved.version, "text": saved.text},
    )


async def _audit_manual(
    conn: Conn,
    context: ChangeContext,
    request: ManualRequest,
    template: Template,
    in_scope: list[uuid.UUID],
) -> None:
    await record_change(
        conn,
        context,
        action="sms_manual_sent",
        entity_type="sms_manual",
        entity_id=str(request.send_key),
        before={},
        after={
            "template_version": template.version,
            "text": request.text,
            "course_id": str(request.course_id) if request.course_id else None,
            "recipients": [str(t) for t in in_scope],
        },
    )


def _manual_envelope(send_key: uuid.UUID, registration_id: uuid.UUID, now: dt.datetime) -> Envelope:
    """A manual send is its own cause: (send key, worker) plays the part of the event id."""
    event_id = uuid.uuid5(send_key, str(registration_id))
    return Envelope(
        event_id=event_id,
        event_type="ManualMessageRequested",
        schema_version=1,
        occurred_at=now,
        producer="notifications",
        correlation_id=send_key,
        registration_id=registration_id,
        payload={},
    )
