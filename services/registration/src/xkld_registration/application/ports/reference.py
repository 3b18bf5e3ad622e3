"""Ports of reference data (markets, enterprises, courses, the course plan, complaints about
enterprises), file erasure and the file lists."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple, Protocol

from xkld_shared.db.pool import Conn
from xkld_shared.identity.principal import Principal

from xkld_registration.domain.complaints import Complaint
from xkld_registration.domain.course_plan import PlanLine
from xkld_registration.domain.markets import Market
from xkld_registration.domain.reference import Course


class MarketStore(Protocol):
    async def all(self, conn: Conn) -> list[Market]: ...
    async def one(self, conn: Conn, code: str, *, lock: bool) -> Market | None: ...
    async def put(self, conn: Conn, market: Market) -> None: ...


class FileState(NamedTuple):
    commune_code: str
    province_code: str
    status: str
    erased: bool


class FileErasure(Protocol):
    async def state_of(self, conn: Conn, registration_id: uuid.UUID) -> FileState | None: ...
    async def erase(self, conn: Conn, registration_id: uuid.UUID) -> None: ...


@dataclass(frozen=True)
class EnterpriseLicence:
    code: str
    name: str
    licence_number: str
    licence_valid_from: dt.date
    licence_valid_to: dt.date
    markets: tuple[str, ...]


class ReferenceStore(Protocol):
    async def add_enterprise(self, conn: Conn, licence: EnterpriseLicence) -> bool: ...
    async def licence_of(self, conn: Conn, code: str) -> dict[str, Any] | None: ...
    async def renew(self, conn: Conn, licence: EnterpriseLicence) -> None: ...
    async def revocation_of(self, conn: Conn, code: str) -> tuple[bool, dt.date | None]: ...
    async def revoke(self, conn: Conn, code: str, on: dt.date) -> None: ...
    async def enterprises(self, conn: Conn) -> list[dict[str, Any]]: ...
    async def add_course(self, conn: Conn, course: Course) -> bool: ...
    async def courses(self, conn: Conn) -> list[dict[str, Any]]: ...
    async def course_id_of(self, conn: Conn, code: str) -> uuid.UUID | None: ...
    async def roster(self, conn: Conn, course_id: uuid.UUID) -> list[dict[str, Any]]: ...


Sort = Literal[
    "submitted_on", "-submitted_on", "full_name", "-full_name", "commune_code", "-commune_code"
]


@dataclass(frozen=True)
class FileFilters:
    commune_code: str | None = None
    hamlet: str | None = None
    stage: str | None = None
    market: str | None = None
    priority_group: str | None = None
    submitted_from: dt.date | None = None
    submitted_to: dt.date | None = None
    sort: Sort = "-submitted_on"
    page: int = 1
    page_size: int = 50


@dataclass(frozen=True)
class LookupIndexes:
    """What a search by name or CCCD looks for: blind indexes, never the words themselves."""

    name_index: list[bytes] | None = None
    cccd_index: bytes | None = None


class FileFinder(Protocol):
    async def page(
        self, conn: Conn, reader: Principal, filters: FileFilters, lookup: LookupIndexes
    ) -> tuple[list[dict[str, Any]], int]: ...
    async def events_of(self, conn: Conn, registration_id: uuid.UUID) -> list[Any]: ...


class CoursePlanStore(Protocol):
    async def lock_line_id(self, conn: Conn, line_id: uuid.UUID) -> None:
        """Two first PUTs of one new line (no row to lock yet) take their turns."""
        ...

    async def find_line(
        self, conn: Conn, line_id: uuid.UUID, *, lock: bool = False
    ) -> PlanLine | None: ...
    async def courses_linked(self, conn: Conn, line_id: uuid.UUID) -> int: ...
    async def save_line(self, conn: Conn, line: PlanLine, set_by: str) -> None: ...
    async def withdraw_line(self, conn: Conn, line_id: uuid.UUID, on: dt.date, by: str) -> None: ...
    async def plan_of(
        self,
        conn: Conn,
        year: int,
        commune_code: str | None,
        communes: list[str],
        province: str | None,
    ) -> list[tuple[PlanLine, list[dict[str, Any]]]]:
        """The year's lines the reader's scope covers, each with the courses opened for it."""
        ...


class ComplaintStore(Protocol):
    async def enterprise_listed(self, conn: Conn, code: str) -> bool: ...
    async def add_complaint(self, conn: Conn, complaint: Complaint, recorded_by: str) -> None: ...
    async def complaints_of(self, conn: Conn, code: str) -> list[dict[str, Any]]: ...
