"""Reference data managed by labour officers: every change audited like a file's."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import asdict, dataclass
from typing import Any

import asyncpg
from xkld_shared.audit import ChangeContext, record_change
from xkld_shared.db.pool import Conn
from xkld_shared.errors import Conflict, FieldProblem, InvalidInput

from xkld_registration.adapters.course_plan_store import find_line
from xkld_registration.adapters.journey_store import course_of
from xkld_registration.application.journey import CourseNotFound, EnterpriseNotFound
from xkld_registration.domain.course_plan import check_course_fits
from xkld_registration.domain.reference import Course, check_course_dates, check_licence_dates


@dataclass(frozen=True)
class EnterpriseLicence:
    code: str
    name: str
    licence_number: str
    licence_valid_from: dt.date
    licence_valid_to: dt.date
    markets: tuple[str, ...]


class AlreadyListed(Conflict):
    code = "already_listed"

    def __init__(self, what_vi: str, what_en: str, code: str) -> None:
        super().__init__(f"{what_vi} mã {code} đã có", f"{what_en} {code} already exists")


async def add_enterprise(
    pool: asyncpg.Pool, context: ChangeContext, licence: EnterpriseLicence
) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await insert_enterprise(conn, context, licence)


async def insert_enterprise(conn: Conn, context: ChangeContext, licence: EnterpriseLicence) -> None:
    """Inside the caller's transaction (which an idempotency key may share)."""
    check_licence_dates(licence.licence_valid_from, licence.licence_valid_to)
    fields = asdict(licence)
    try:
        async with conn.transaction():  # a savepoint: a duplicate leaves the caller's work intact
            await conn.execute(
                """INSERT INTO enterprise (code, name, licence_number, licence_valid_from,
                       licence_valid_to, markets) VALUES ($1, $2, $3, $4, $5, $6)""",
                licence.code,
                licence.name,
                licence.licence_number,
                licence.licence_valid_from,
                licence.licence_valid_to,
                sorted(licence.markets),
            )
    except asyncpg.UniqueViolationError:
        raise AlreadyListed("Doanh nghiệp", "Enterprise", licence.code) from None
    await _audit(conn, context, "enterprise.listed", "enterprise", licence.code, {}, fields)


async def renew_licence(
    pool: asyncpg.Pool, context: ChangeContext, licence: EnterpriseLicence
) -> None:
    """A new or extended licence (number, dates, markets); a revoked one stays revoked."""
    check_licence_dates(licence.licence_valid_from, licence.licence_valid_to)
    async with pool.acquire() as conn, conn.transaction():
        before = await conn.fetchrow(
            """SELECT name, licence_number, licence_valid_from, licence_valid_to, markets
               FROM enterprise WHERE code = $1 FOR UPDATE""",
            licence.code,
        )
        if before is None:
            raise EnterpriseNotFound
        await conn.execute(
            """UPDATE enterprise SET name = $2, licence_number = $3, licence_valid_from = $4,
                   licence_valid_to = $5, markets = $6, updated_at = now() WHERE code = $1""",
            licence.code,
            licence.name,
            licence.licence_number,
            licence.licence_valid_from,
            licence.licence_valid_to,
            sorted(licence.markets),
        )
        after = asdict(licence) | {"markets": sorted(licence.markets)}
        shown_before = dict(before) | {"markets": list(before["markets"])}
        await _audit(
            conn,
            context,
            "enterprise.licence_renewed",
            "enterprise",
            licence.code,
            shown_before,
            after,
        )


async def revoke_enterprise(
    pool: asyncpg.Pool, context: ChangeContext, code: str, revoked_on: dt.date, reason: str
) -> None:
    async with pool.acquire() as conn, conn.transaction():
        before = await conn.fetchval(
            "SELECT revoked_on FROM enterprise WHERE code = $1 FOR UPDATE", code
        )
        exists = await conn.fetchval("SELECT true FROM enterprise WHERE code = $1", code)
        if not exists:
            raise EnterpriseNotFound
        if before is not None:
            raise Conflict(
                f"Giấy phép của doanh nghiệp {code} đã bị thu hồi từ {before:%d/%m/%Y}",
                f"Enterprise {code}'s licence was already revoked on {before}",
            )
        await conn.execute(
            "UPDATE enterprise SET revoked_on = $2, updated_at = now() WHERE code = $1",
            code,
            revoked_on,
        )
        after = {"revoked_on": revoked_on, "reason": reason}
        await _audit(conn, context, "enterprise.revoked", "enterprise", code, {}, after)


async def list_enterprises(pool: asyncpg.Pool) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        """SELECT code, name, licence_number, licence_valid_from, licence_valid_to, markets,
                  revoked_on FROM enterprise ORDER BY code"""
    )
    return [dict(r) for r in rows]


async def add_course(pool: asyncpg.Pool, context: ChangeContext, course: Course) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await insert_course(conn, context, course)


async def insert_course(conn: Conn, context: ChangeContext, course: Course) -> None:
    """Inside the caller's transaction (which an idempotency key may share)."""
    check_course_dates(course.starts_on, course.ends_on)
    if course.plan_line_id is not None:
        await _check_plan_line(conn, context, course)
    try:
        async with conn.transaction():  # a savepoint: a duplicate leaves the caller's work intact
            await conn.execute(
                """INSERT INTO course (id, code, course_type, title, provider, venue, starts_on,
                       ends_on, capacity, trade_code, plan_line_id)
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)""",
                course.id,
                course.code,
                course.course_type,
                course.title,
                course.provider,
                course.venue,
                course.starts_on,
                course.ends_on,
                course.capacity,
                course.trade_code,
                course.plan_line_id,
            )
    except asyncpg.UniqueViolationError:
        raise AlreadyListed("Khoá học", "Course", course.code) from None
    fields = asdict(course) | {"id": str(course.id)}
    fields["plan_line_id"] = None if course.plan_line_id is None else str(course.plan_line_id)
    await _audit(conn, context, "course.opened", "course", str(course.id), {}, fields)


async def _check_plan_line(conn: Conn, context: ChangeContext, course: Course) -> None:
    """A course for a plan line is a vocational course of the line's trade, for a live line the
    officer may see (one outside their province looks like none)."""
    assert course.plan_line_id is not None
    if course.course_type != "vocational":
        raise InvalidInput.of(
            [
                FieldProblem(
                    "plan_line_id",
                    "Chỉ khoá học nghề mới thực hiện kế hoạch đặt hàng",
                    "Only a vocational course fills a line of the course plan",
                )
            ]
        )
    # Locked, so the line cannot be withdrawn while the course is being opened against it.
    line = await find_line(conn, course.plan_line_id, lock=True)
    if line is not None and not context.actor.covers_commune(line.commune_code, line.province_code):
        line = None
    check_course_fits(line, course.trade_code)


async def list_courses(pool: asyncpg.Pool) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        """SELECT c.*, (SELECT count(*) FROM enrolment e WHERE e.course_id = c.id)
                    + (SELECT count(*) FROM trainee_enrolment t WHERE t.course_id = c.id)
                      AS enrolled
           FROM course c ORDER BY c.starts_on, c.code"""
    )
    return [asdict(course_of(r)) | {"enrolled": r["enrolled"]} for r in rows]


async def roster(pool: asyncpg.Pool, course_code: str) -> list[dict[str, Any]]:
    """Who is enrolled (file ids only, no names), their attendance and result."""
    course_id = await pool.fetchval("SELECT id FROM course WHERE code = $1", course_code)
    if course_id is None:
        raise CourseNotFound
    rows = await pool.fetch(
        """SELECT e.registration_id, e.enrolled_on, e.completed_on, e.passed,
                  e.certificate_number,
                  count(a.*) FILTER (WHERE a.present) AS days_present,
                  count(a.*) FILTER (WHERE NOT a.present) AS days_absent
           FROM enrolment e LEFT JOIN attendance a
             ON a.registration_id = e.registration_id AND a.course_id = e.course_id
           WHERE e.course_id = $1 GROUP BY e.registration_id, e.course_id
           ORDER BY e.enrolled_on, e.registration_id""",
        course_id,
    )
    return [dict(r) for r in rows]


async def _audit(
    conn: Any,
    context: ChangeContext,
    action: str,
    entity_type: str,
    entity_id: str,
    before: dict[str, Any],
    after: dict[str, Any],
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
