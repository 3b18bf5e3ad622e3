"""Ports of training support and labour-export course enrolments."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import NamedTuple, Protocol

from xkld_shared.db.pool import Conn

from xkld_registration.domain.reference import Course
from xkld_registration.domain.training_support import CourseTerms, SupportGroup, SupportLine


class SupportFacts(NamedTuple):
    """One enrolled trainee of a course, with attendance and any support already given."""

    trainee_id: uuid.UUID
    full_name: str | None  # None once erased (then kept only on the sheet that paid them)
    commune_code: str
    province_code: str
    person_index: bytes | None
    support_groups: list[SupportGroup]
    difficult_commune: bool
    distance_km: Decimal
    days_present: int
    kind: str | None  # 'paid' | 'other_policy' | None: no support yet
    supported_course: uuid.UUID | None
    paid: SupportLine | None  # the line paid to them for `supported_course`


class SupportStore(Protocol):
    async def course_by_code(self, conn: Conn, code: str, *, lock: bool) -> Course | None: ...
    async def terms(self, conn: Conn, course_id: uuid.UUID) -> CourseTerms | None: ...
    async def put_terms(
        self, conn: Conn, course_id: uuid.UUID, terms: CourseTerms, by: str
    ) -> None: ...
    async def facts(self, conn: Conn, course_id: uuid.UUID) -> list[SupportFacts]: ...
    async def add_payment(self, conn: Conn, payment: NewPayment) -> None: ...
    async def claim(
        self, conn: Conn, payment: NewPayment, people: Sequence[tuple[bytes, uuid.UUID]]
    ) -> set[uuid.UUID]: ...
    async def settle(
        self, conn: Conn, payment_id: uuid.UUID, total_vnd: int, lines: Sequence[SupportLine]
    ) -> None: ...


class NewPayment(NamedTuple):
    id: uuid.UUID
    course_id: uuid.UUID
    policy_code: str
    paid_on: dt.date
    total_vnd: int
    recorded_by: str


# A labour-export file and one course: (registration_id, course_id).
FileCourse = tuple[uuid.UUID, uuid.UUID]


class Enrolments(Protocol):
    async def seats(self, conn: Conn, ids: FileCourse) -> tuple[int, bool]: ...
    async def enrol(self, conn: Conn, ids: FileCourse, on: dt.date) -> None: ...
    async def enrolment(self, conn: Conn, ids: FileCourse) -> tuple[bool, dt.date | None]: ...
    async def complete(
        self, conn: Conn, ids: FileCourse, on: dt.date, result: tuple[bool, str | None]
    ) -> None: ...
    async def certify_orientation(self, conn: Conn, rid: uuid.UUID, number: str | None) -> bool: ...
    async def attendance(self, conn: Conn, ids: FileCourse, on: dt.date) -> bool | None: ...
    async def set_attendance(
        self, conn: Conn, ids: FileCourse, on: dt.date, present: bool
    ) -> None: ...
