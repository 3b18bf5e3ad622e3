"""The storage campaign broadcasts need: their messages (`broadcast_message`), opt-outs by
phone and the recipient's daily quota.

Style, as in `storage_ports`: the `broadcasts` storage module itself implements
`BroadcastStore` (mypy checks a module against a Protocol); no class wraps its functions."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import asyncpg
from xkld_shared.db.pool import Conn


@dataclass(frozen=True)
class NewBroadcastMessage:
    id: uuid.UUID
    event_id: uuid.UUID
    campaign_id: uuid.UUID
    broadcast_id: uuid.UUID
    recipient_id: uuid.UUID
    commune_code: str
    province_code: str
    phone_ciphertext: str
    phone_index: bytes
    route: str
    sms_text: str
    encoding: str
    segments: int
    zalo_template_id: str | None
    zalo_params: dict[str, str]
    state: str
    not_before: dt.datetime


@dataclass(frozen=True)
class Change:
    """What a transition writes. Costs are set, not added, so a repeated answer is free."""

    state: str
    fell_back: bool
    reason: str | None
    channel: str | None
    next_attempt_at: dt.datetime | None = None
    new_phase: bool = False  # fell back to SMS: the SMS gets its own attempts
    zalo_msg_id: str | None = None
    sms_provider_id: str | None = None
    zalo_cost_vnd: int | None = None
    sms_cost_vnd: int | None = None
    late_zalo: bool = False
    final: bool = False


class BroadcastStore(Protocol):
    async def add(self, conn: Conn, m: NewBroadcastMessage, now: dt.datetime) -> bool: ...

    async def exists(self, conn: Conn, message_id: uuid.UUID) -> bool: ...

    async def wake_dispatcher(self, conn: Conn) -> None: ...

    async def claim(
        self, pool: asyncpg.Pool, state: str, limit: int, lease_seconds: int, now: dt.datetime
    ) -> Sequence[asyncpg.Record]: ...

    async def expired_zalo(self, conn: Conn, now: dt.datetime, limit: int) -> list[uuid.UUID]: ...

    async def release(self, pool: asyncpg.Pool, ids: Sequence[uuid.UUID]) -> None: ...

    async def defer(
        self, pool: asyncpg.Pool, message_id: uuid.UUID, until: dt.datetime
    ) -> None: ...

    async def schedule_retry(
        self, pool: asyncpg.Pool, message_id: uuid.UUID, at: dt.datetime, error: str
    ) -> None: ...

    async def is_opted_out(self, conn: Conn, phone_index: bytes) -> bool: ...

    async def opt_out_phone(self, conn: Conn, phone_index: bytes, now: dt.datetime) -> None: ...

    async def take_quota(
        self, conn: Conn, message_id: uuid.UUID, recipient_id: uuid.UUID, day: dt.date, limit: int
    ) -> bool: ...

    async def lock(self, conn: Conn, message_id: uuid.UUID) -> asyncpg.Record | None: ...

    async def save(
        self, conn: Conn, message_id: uuid.UUID, c: Change, now: dt.datetime
    ) -> None: ...
