"""Ports of trainees who stay: their rows, their courses, what their history reads, and the
staff's trainee screens."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple, Protocol

import asyncpg
from xkld_shared.db.pool import Conn

from xkld_registration.domain.reference import Course


@dataclass(frozen=True)
class TraineeRow:
    id: uuid.UUID
    commune_code: str
    province_code: str
    cccd_index: bytes | None  # None once the person's data is erased
    erased: bool = False


class Holder(NamedTuple):
    """The trainee who already holds a person's blind index."""

    trainee_id: uuid.UUID
    commune_code: str


class FileLink(NamedTuple):
    """One of the person's labour-export files, found by the CCCD blind index."""

    registration_id: uuid.UUID
    status: str
    commune_code: str
    submitted_on: dt.date

    def view(self) -> dict[str, str]:
        return {
            "registration_id": str(self.registration_id),
            "status": self.status,
            "commune_code": self.commune_code,
            "submitted_on": self.submitted_on.isoformat(),
        }


class TraineeInsert(NamedTuple):
    """A new trainee as stored, sealed and hashed; its fields are the table's columns."""

    id: uuid.UUID
    full_name: str
    cccd_ciphertext: str
    cccd_blind_index: bytes
    date_of_birth: dt.date
    gender: str
    phone_ciphertext: str
    commune_code: str
    province_code: str
    ethnicity_ciphertext: str
    poverty_ciphertext: str
    hamlet: str | None
    consents: dict[str, bool]
    consent_text_version: str
    support_groups: list[str]
    difficult_commune: bool
    registered_on: dt.date
    registered_by: str


# A trainee and one course: (trainee_id, course_id).
TraineeCourse = tuple[uuid.UUID, uuid.UUID]


class TraineeStore(Protocol):
    async def find(self, conn: Conn, trainee_id: uuid.UUID, *, lock: bool) -> TraineeRow | None: ...
    async def add(self, conn: Conn, row: TraineeInsert) -> bool: ...
    async def holder(self, conn: Conn, index: bytes) -> Holder | None: ...
    async def note_other_support(
        self, conn: Conn, index: bytes, trainee_id: uuid.UUID, policy_code: str
    ) -> None: ...
    async def files_of(self, conn: Conn, index: bytes) -> list[FileLink]: ...
    async def course(self, conn: Conn, course_id: uuid.UUID, *, lock: bool) -> Course | None: ...
    async def seats(
        self, conn: Conn, course_id: uuid.UUID, trainee_id: uuid.UUID
    ) -> tuple[int, bool]: ...
    async def enrol(
        self, conn: Conn, ids: TraineeCourse, on: dt.date, distance_km: Decimal
    ) -> None: ...
    async def enrolment(self, conn: Conn, ids: TraineeCourse) -> tuple[bool, dt.date | None]: ...
    async def attendance(self, conn: Conn, ids: TraineeCourse, on: dt.date) -> bool | None: ...
    async def set_attendance(
        self, conn: Conn, ids: TraineeCourse, on: dt.date, present: bool
    ) -> None: ...
    async def complete(
        self, conn: Conn, ids: TraineeCourse, on: dt.date, result: tuple[bool, str | None]
    ) -> bool: ...
    async def owns_file(
        self, conn: Conn, registration_id: uuid.UUID, index: bytes | None
    ) -> bool: ...
    async def outcome(self, conn: Conn, ids: TraineeCourse) -> str | None: ...
    async def put_outcome(
        self,
        conn: Conn,
        ids: TraineeCourse,
        observed: tuple[str, dt.date, uuid.UUID | None],
        by: str,
    ) -> None: ...
    async def erase(self, conn: Conn, trainee_id: uuid.UUID) -> None: ...


class TraineeHead(NamedTuple):
    full_name: str | None  # None once erased
    commune_code: str
    registered_on: dt.date
    support_groups: list[str]
    difficult_commune: bool
    erased: bool


class FileOwner(NamedTuple):
    """Where a labour-export file belongs, and the person's blind index."""

    commune_code: str
    province_code: str
    cccd_index: bytes | None


class TraineeRecords(Protocol):
    async def head(self, conn: Conn, trainee_id: uuid.UUID) -> TraineeHead: ...
    async def file_owner(self, conn: Conn, registration_id: uuid.UUID) -> FileOwner | None: ...
    async def trainee_of(self, conn: Conn, index: bytes) -> uuid.UUID | None: ...
    async def courses_of(self, conn: Conn, trainee_id: uuid.UUID) -> list[dict[str, Any]]: ...
    async def support_of(
        self, conn: Conn, person_index: bytes | None, trainee_id: uuid.UUID | None = None
    ) -> dict[str, Any] | None: ...
    async def outcomes_due(
        self, conn: Conn, communes: list[str], today: dt.date
    ) -> list[dict[str, Any]]: ...


@dataclass(frozen=True)
class ReaderScope:
    """Whose trainees a reader sees: their communes, and a whole province for labour officers
    and provincial training centres (`province` is None otherwise)."""

    communes: list[str]
    province: str | None


@dataclass(frozen=True)
class TraineeQuery:
    commune_code: str | None = None
    name_tokens: tuple[str, ...] = ()
    cccd_index: bytes | None = None
    page: int = 1
    page_size: int = 50


class TraineeReadStore(Protocol):
    """The staff's trainee screens: each read takes a connection of its own from the pool."""

    async def trainee_page(
        self, pool: asyncpg.Pool, scope: ReaderScope, query: TraineeQuery
    ) -> dict[str, Any]: ...
    async def trainee_summary(
        self, pool: asyncpg.Pool, trainee_id: uuid.UUID
    ) -> asyncpg.Record | None: ...
    async def course_id_of(self, pool: asyncpg.Pool, course_code: str) -> uuid.UUID | None: ...
    async def course_trainees(
        self, pool: asyncpg.Pool, course_id: uuid.UUID
    ) -> list[asyncpg.Record]: ...
