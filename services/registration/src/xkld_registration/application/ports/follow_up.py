"""Ports of what follows intake on a file: consent answers, household poverty statuses,
success stories, reintegration outcomes and the support owed after an early return."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

import asyncpg
from xkld_shared.db.pool import Conn


class ConsentAnswer(NamedTuple):
    """One consent answer as stored, and who recorded it."""

    purpose: str
    granted: bool
    text_version: str
    recorded_by: str
    recorded_by_name: str


class ConsentStore(Protocol):
    async def lock_place(self, conn: Conn, registration_id: uuid.UUID) -> tuple[str, str] | None:
        """The (commune, province) of a file not erased, locked for the change; or None."""
        ...

    async def latest(self, conn: Conn, registration_id: uuid.UUID, purpose: str) -> bool | None: ...
    async def add(self, conn: Conn, registration_id: uuid.UUID, answer: ConsentAnswer) -> None: ...
    async def drop_story(self, conn: Conn, registration_id: uuid.UUID) -> bool:
        """Deletes the file's success story; True when there was one."""
        ...


class PovertyRecord(NamedTuple):
    basis: str
    list_year: int
    status: str


class PovertyStore(Protocol):
    async def recorded(
        self, conn: Conn, registration_id: uuid.UUID, basis: str, list_year: int
    ) -> tuple[int, str] | None:
        """The (list year, status) already recorded on this basis: the intake one, or the one
        for this list year."""
        ...

    async def add(
        self, conn: Conn, registration_id: uuid.UUID, record: PovertyRecord, by: tuple[dt.date, str]
    ) -> None: ...
    async def of(self, conn: Conn, registration_id: uuid.UUID) -> list[dict[str, Any]]: ...


@dataclass(frozen=True)
class StoryInput:
    job: str
    savings_vnd: int
    after_return: str


class StoryRow(NamedTuple):
    """A story with what it is shown with: the worker's name, commune, country and term."""

    id: uuid.UUID
    full_name: str | None
    commune_code: str
    country_vi: str | None
    term_months: int | None
    job: str
    savings_vnd: int
    after_return: str
    updated_at: dt.datetime


class StoryStore(Protocol):
    async def consented(self, conn: Conn, registration_id: uuid.UUID) -> bool: ...
    async def put(
        self, conn: Conn, registration_id: uuid.UUID, story: StoryInput, by: str
    ) -> None: ...
    async def one(self, conn: Conn, registration_id: uuid.UUID) -> StoryRow | None:
        """The story, if written and its consent stands."""
        ...

    async def in_scope(
        self, conn: Conn, communes: list[str], province: str | None
    ) -> list[StoryRow]:
        """Stories of these communes (or this province) whose consent stands, newest first."""
        ...


class ReintegrationStore(Protocol):
    async def returned_on(self, conn: Conn, registration_id: uuid.UUID) -> dt.date | None: ...
    async def recorded_outcome(
        self, conn: Conn, registration_id: uuid.UUID, months: int
    ) -> asyncpg.Record | None: ...
    async def add_outcome(
        self,
        conn: Conn,
        registration_id: uuid.UUID,
        months: int,
        outcome: str,
        observed_on: dt.date,
        note: str | None,
        recorded_by: str,
    ) -> None: ...
    async def returned_in_scope(
        self, conn: Conn, communes: list[str], province: str | None
    ) -> list[asyncpg.Record]:
        """Returned workers of the scope, with their day of return and the checkpoints
        recorded."""
        ...


class ReturnSupportStore(Protocol):
    async def decided(
        self, conn: Conn, registration_id: uuid.UUID
    ) -> dict[str, asyncpg.Record]: ...
    async def save(
        self,
        conn: Conn,
        registration_id: uuid.UUID,
        item_code: str,
        status: str,
        decided_on: dt.date,
        amount_vnd: int | None,
        note: str | None,
        decided_by: str,
    ) -> None: ...
