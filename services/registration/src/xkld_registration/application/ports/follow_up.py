"""Ports of what follows intake on a file: consent answers, household poverty statuses and
success stories."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

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
