"""The storage of the replies workers and trainees text back: which question a phone answers,
and the replies themselves.

Style, as in `storage_ports`: the `check_in_replies` and `trainee_replies` storage modules
themselves implement these Protocols (mypy checks a module against a Protocol); no class
wraps their functions."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Protocol

import asyncpg
from xkld_shared.db.pool import Conn


@dataclass(frozen=True)
class CheckInReply:
    id: uuid.UUID  # from the inbound message's identity: a redelivered callback finds it
    registration_id: uuid.UUID
    asked_by: uuid.UUID  # the check-in SMS it answers
    employment_status: str | None  # None: could not be read
    unreadable_text: str | None  # kept only when it could not be read, for the officer
    received_at: dt.datetime
    commune_code: str
    province_code: str | None


@dataclass(frozen=True)
class WorkReply:
    id: uuid.UUID  # from the inbound message's identity: a redelivered callback finds it
    trainee_id: uuid.UUID
    course_id: uuid.UUID
    follow_up_id: uuid.UUID
    outcome: str | None  # None: not understood
    received_at: dt.datetime
    commune_code: str
    province_code: str | None


class CheckInReplyStore(Protocol):
    async def answered_check_in(self, conn: Conn, phone_index: bytes) -> asyncpg.Record | None: ...

    async def add_reply(self, conn: Conn, reply: CheckInReply) -> bool: ...

    async def lock_unreadable(self, conn: Conn, reply_id: uuid.UUID) -> asyncpg.Record | None: ...

    async def mark_handled(
        self, conn: Conn, reply_id: uuid.UUID, at: dt.datetime, by: str, note: str | None
    ) -> None: ...


class WorkReplyStore(Protocol):
    async def answered_follow_up(self, conn: Conn, phone_index: bytes) -> asyncpg.Record | None: ...

    async def add_reply(self, conn: Conn, reply: WorkReply) -> bool: ...
