"""Reference data managed by labour officers: every change audited like a file's."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from typing import Any

import asyncpg
from xkld_shared import idempotency
from xkld_shared.audit import ChangeContext, record_change
from xkld_shared.db.pool import Conn
from xkld_shared.errors import Conflict

from xkld_registration.application.journey_terms import (
    EnterpriseNotFound,
    found_course,
)
from xkld_registration.application.ports import CoursePlanStore, EnterpriseLicence, ReferenceStore
from xkld_registration.domain.course_plan import check_course_fits
from xkld_registration.domain.problems import invalid_field
from xkld_registration.domain.reference import Course, check_course_dates, check_licence_dates

__all__ = ["AlreadyListed", "EnterpriseLicence", "ReferenceData", "new_course_id"]

# What a retry with the same Idempotency-Key is checked against, and the key itself.
Keyed = tuple[str | None, dict[str, Any]]


class AlreadyListed(Conflict):
    code = "already_listed"

    def __init__(self, what_vi: str, what_en: str, code: str) -> None:
        super().__init__(f"{what_vi} mã {code} đã có", f"{what_en} {code} already exists")


class ReferenceData:
    def __init__(self, pool: asyncpg.Pool, store: ReferenceStore, plans: CoursePlanStore) -> None:
        self._pool = pool
        self._store = store
        self._plans = plans

    async def add_enterprise(
        self, ctx: ChangeContext, licence: EnterpriseLicence, keyed: Keyed
    ) -> idempotency.Answer:
        """The enterprise's code is its key: sent again, it is not doubled; with an
        Idempotency-Key, a retry gets the first answer back."""
        check_licence_dates(licence.licence_valid_from, licence.licence_valid_to)

        async def insert(conn: Conn) -> dict[str, Any]:
            if not await self._store.add_enterprise(conn, licence):
                raise AlreadyListed("Doanh nghiệp", "Enterprise", licence.code)
            await _audit(conn, ctx, "enterprise.listed", licence.code, {}, asdict(licence))
            return keyed[1]

        return await self._created("registration.enterprise", keyed, insert)

    async def renew_licence(self, ctx: ChangeContext, licence: EnterpriseLicence) -> None:
        """A new or extended licence (number, dates, markets); a revoked one stays revoked."""
        check_licence_dates(licence.licence_valid_from, licence.licence_valid_to)
        async with self._pool.acquire() as conn, conn.transaction():
            before = await self._store.licence_of(conn, licence.code)
            if before is None:
                raise EnterpriseNotFound
            await self._store.renew(conn, licence)
            after = asdict(licence) | {"markets": sorted(licence.markets)}
            await _audit(conn, ctx, "enterprise.licence_renewed", licence.code, before, after)

    async def revoke_enterprise(
        self, ctx: ChangeContext, code: str, revoked_on: dt.date, reason: str
    ) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            listed, before = await self._store.revocation_of(conn, code)
            if not listed:
                raise EnterpriseNotFound
            if before is not None:
                raise Conflict(
                    f"Giấy phép của doanh nghiệp {code} đã bị thu hồi từ {before:%d/%m/%Y}",
                    f"Enterprise {code}'s licence was already revoked on {before}",
                )
            await self._store.revoke(conn, code, revoked_on)
            after = {"revoked_on": revoked_on, "reason": reason}
            await _audit(conn, ctx, "enterprise.revoked", code, {}, after)

    async def enterprises(self) -> list[dict[str, Any]]:
        async with self._pool.acquire() as conn:
            return await self._store.enterprises(conn)

    async def add_course(
        self, ctx: ChangeContext, course: Course, keyed: Keyed
    ) -> idempotency.Answer:
        """The course's code is its key; with an Idempotency-Key, a retry gets the first answer
        back, with the same course id."""
        check_course_dates(course.starts_on, course.ends_on)

        async def insert(conn: Conn) -> dict[str, Any]:
            if course.plan_line_id is not None:
                await _check_plan_line(self._plans, conn, ctx, course)
            if not await self._store.add_course(conn, course):
                raise AlreadyListed("Khoá học", "Course", course.code)
            fields = asdict(course) | {"id": str(course.id)}
            line = course.plan_line_id
            fields["plan_line_id"] = None if line is None else str(line)
            await _audit(conn, ctx, "course.opened", str(course.id), {}, fields, "course")
            return keyed[1] | {"id": str(course.id)}

        return await self._created("registration.course", keyed, insert)

    async def courses(self) -> list[dict[str, Any]]:
        async with self._pool.acquire() as conn:
            return await self._store.courses(conn)

    async def roster(self, course_code: str) -> list[dict[str, Any]]:
        """Who is enrolled (file ids only, no names), their attendance and result."""
        async with self._pool.acquire() as conn:
            course_id = found_course(await self._store.course_id_of(conn, course_code))
            return await self._store.roster(conn, course_id)

    async def _created(
        self, scope: str, keyed: Keyed, insert: Callable[[Conn], Awaitable[dict[str, Any]]]
    ) -> idempotency.Answer:
        key, request = keyed
        async with self._pool.acquire() as conn, conn.transaction():

            async def work() -> idempotency.Answer:
                return idempotency.Answer(201, await insert(conn))

            if key is None:
                return await work()
            checked = idempotency.checked_key(key)
            return await idempotency.once(
                conn, scope=scope, key=checked, request_body=request, work=work
            )


async def _check_plan_line(
    plans: CoursePlanStore, conn: Conn, context: ChangeContext, course: Course
) -> None:
    """A course for a plan line is a vocational course of the line's trade, for a live line the
    officer may see (one outside their province looks like none)."""
    assert course.plan_line_id is not None
    if course.course_type != "vocational":
        raise invalid_field(
            "plan_line_id",
            "Chỉ khoá học nghề mới thực hiện kế hoạch đặt hàng",
            "Only a vocational course fills a line of the course plan",
        )
    # Locked, so the line cannot be withdrawn while the course is being opened against it.
    line = await plans.find_line(conn, course.plan_line_id, lock=True)
    if line is not None and not context.actor.covers_commune(line.commune_code, line.province_code):
        line = None
    check_course_fits(line, course.trade_code)


async def _audit(
    conn: Conn,
    context: ChangeContext,
    action: str,
    entity_id: str,
    before: dict[str, Any],
    after: dict[str, Any],
    entity_type: str = "enterprise",
) -> None:
    await record_change(
        conn,
        context,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        before=before,
        after=after,
    )


def new_course_id() -> uuid.UUID:
    return uuid.uuid4()
