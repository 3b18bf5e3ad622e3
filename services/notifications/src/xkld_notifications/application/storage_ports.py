"""The storage the SMS path needs: messages, contacts, messages awaiting their contact, staff's
templates and the provider's shared send rate.

Style: the storage modules are modules of functions, and a module is the implementation of
each Protocol here (mypy checks a module against a Protocol): the composition root passes e.g.
the `store` module as the `MessageStore`. No class wraps them."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import asyncpg
from xkld_shared.db.pool import Conn

from xkld_notifications.domain.outbound import ContactState, MessageStatus, OutboundSms


@dataclass(frozen=True)
class Contact:
    registration_id: uuid.UUID
    phone_ciphertext: str
    sms_consent: bool
    commune_code: str
    province_code: str | None
    phone_index: bytes | None = None


class MessageStore(Protocol):
    """The queue of SMS messages (the `store` module)."""

    async def forget_contact(
        self, conn: Conn, registration_id: uuid.UUID, now: dt.datetime
    ) -> list[asyncpg.Record]: ...

    async def add_message(
        self, conn: Conn, sms: OutboundSms, event_id: uuid.UUID, now: dt.datetime
    ) -> bool: ...

    async def cancel_pending(
        self,
        conn: Conn,
        registration_id: uuid.UUID,
        templates: Sequence[str],
        course_id: uuid.UUID | None = None,
        cause: uuid.UUID | None = None,
    ) -> int: ...

    async def claim_due(
        self, pool: asyncpg.Pool, limit: int, lease_seconds: int, now: dt.datetime
    ) -> Sequence[asyncpg.Record]: ...

    async def take_quota(
        self,
        conn: Conn | asyncpg.Pool,
        message_id: uuid.UUID,
        registration_id: uuid.UUID,
        day: dt.date,
        limit: int,
    ) -> bool: ...

    async def await_contact(self, pool: asyncpg.Pool, message_id: uuid.UUID) -> None: ...

    async def defer(
        self, pool: asyncpg.Pool, message_id: uuid.UUID, until: dt.datetime, *, refund_attempt: bool
    ) -> None: ...

    async def mark_sent(
        self, conn: Conn, message_id: uuid.UUID, provider_id: str, now: dt.datetime
    ) -> asyncpg.Record | None: ...

    async def schedule_retry(
        self, pool: asyncpg.Pool, message_id: uuid.UUID, at: dt.datetime, reason: str
    ) -> None: ...

    async def mark_failed(
        self, conn: Conn, message_id: uuid.UUID, reason: str, now: dt.datetime
    ) -> asyncpg.Record | None: ...

    async def suppress(
        self, conn: Conn, message_id: uuid.UUID, reason: str
    ) -> asyncpg.Record | None: ...

    async def record_delivery(
        self,
        conn: Conn,
        request_id: uuid.UUID,
        provider_id: str,
        status: MessageStatus,
        now: dt.datetime,
    ) -> tuple[str, asyncpg.Record] | None: ...

    async def wake_dispatcher(self, conn: Conn) -> None: ...


class ContactStore(Protocol):
    """Contacts, their opt-outs and course enrolments (the `contacts` module)."""

    async def upsert_contact(self, conn: Conn, contact: Contact) -> ContactState: ...

    async def contact_state(
        self, conn: Conn, registration_id: uuid.UUID
    ) -> ContactState | None: ...

    async def contacts_by_phone(self, conn: Conn, phone_index: bytes) -> list[uuid.UUID]: ...

    async def set_opted_out(
        self, conn: Conn, registration_id: uuid.UUID, opted_out: bool, now: dt.datetime
    ) -> tuple[bool, bool] | None: ...

    async def add_enrolment(
        self, conn: Conn, course_id: uuid.UUID, registration_id: uuid.UUID
    ) -> None: ...

    async def course_members(self, conn: Conn, course_id: uuid.UUID) -> list[uuid.UUID]: ...

    async def areas_of(
        self, conn: Conn, ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, asyncpg.Record]: ...


class AwaitingStore(Protocol):
    """Messages stored before their contact was known (the `awaiting` module)."""

    async def settle_awaiting(
        self, conn: Conn, registration_id: uuid.UUID, reason: str | None
    ) -> tuple[int, list[asyncpg.Record]]: ...

    async def sweep_awaiting(self, conn: Conn) -> tuple[int, list[asyncpg.Record]]: ...


class TemplateStore(Protocol):
    """Templates saved by staff (the `templates_store` module)."""

    async def latest_template(self, conn: Conn, code: str) -> asyncpg.Record | None: ...

    async def save_template(
        self,
        conn: Conn,
        code: str,
        base_version: int,
        text: str,
        max_segments: int,
        ucs2: bool,
        saved_by: str,
        now: dt.datetime,
    ) -> int: ...


class SendRate(Protocol):
    """The provider's send rate shared by every replica (the `send_rate` module)."""

    async def take(
        self,
        pool: asyncpg.Pool,
        channel: str,
        now: dt.datetime,
        wanted: int,
        per_second: int | None,
    ) -> int: ...

    def next_window(self, now: dt.datetime) -> dt.datetime: ...

    async def release_sms(self, pool: asyncpg.Pool, ids: list[object]) -> None: ...

    async def take_one(
        self, pool: asyncpg.Pool, channel: str, now: dt.datetime, per_second: int
    ) -> bool: ...

    async def remaining(
        self, pool: asyncpg.Pool, channel: str, now: dt.datetime, per_second: int
    ) -> int: ...


@dataclass(frozen=True)
class SmsStores:
    """What the SMS path reads and writes, as the composition root wires it."""

    messages: MessageStore
    contacts: ContactStore
    awaiting: AwaitingStore
    templates: TemplateStore
    send_rate: SendRate
