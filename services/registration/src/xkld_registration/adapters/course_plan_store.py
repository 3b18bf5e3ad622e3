"""SQL of the course plan: its lines, and the courses that fill them."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import asyncpg
from xkld_shared.db.pool import Conn

from xkld_registration.domain.course_plan import PlanLine

_COLUMNS = """id, plan_year, province_code, commune_code, trade_code, trade_title, institution,
    places, planned_starts_on, planned_ends_on, budget_vnd, withdrawn_on"""


def line_of(row: asyncpg.Record) -> PlanLine:
    return PlanLine(**{k: row[k] for k in PlanLine.__dataclass_fields__})


_PLAN = f"""
    SELECT {_COLUMNS},
           coalesce((SELECT jsonb_agg(jsonb_build_object(
                        'course_id', c.id, 'course_code', c.code, 'starts_on', c.starts_on,
                        'ends_on', c.ends_on, 'capacity', c.capacity,
                        'places_taken', (SELECT count(*) FROM trainee_enrolment t
                                          WHERE t.course_id = c.id)
                                      + (SELECT count(*) FROM enrolment e
                                          WHERE e.course_id = c.id))
                        ORDER BY c.starts_on, c.code)
                     FROM course c WHERE c.plan_line_id = l.id), '[]'::jsonb) AS courses
    FROM course_plan_line l
    WHERE l.plan_year = $1 AND ($2::text IS NULL OR l.commune_code = $2)
      AND (l.commune_code = ANY($3::text[]) OR l.province_code = $4)
    ORDER BY l.commune_code, l.trade_code, l.planned_starts_on, l.id"""


class PostgresCoursePlan:
    """The course plan's SQL, as the application's `CoursePlanStore` port."""

    async def lock_line_id(self, conn: Conn, line_id: uuid.UUID) -> None:
        """Two first PUTs of one new line (no row to lock yet) take their turns: the second then
        finds the first's row and, seeing the same terms, changes and announces nothing."""
        await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", str(line_id))

    async def find_line(
        self, conn: Conn, line_id: uuid.UUID, *, lock: bool = False
    ) -> PlanLine | None:
        # Locking the line serialises setting it, withdrawing it and opening courses against it.
        sql = f"SELECT {_COLUMNS} FROM course_plan_line WHERE id = $1" + (
            " FOR UPDATE" if lock else ""
        )
        row = await conn.fetchrow(sql, line_id)
        return None if row is None else line_of(row)

    async def courses_linked(self, conn: Conn, line_id: uuid.UUID) -> int:
        count = await conn.fetchval("SELECT count(*) FROM course WHERE plan_line_id = $1", line_id)
        return int(count)

    async def save_line(self, conn: Conn, line: PlanLine, set_by: str) -> None:
        await conn.execute(
            f"""INSERT INTO course_plan_line ({_COLUMNS}, set_by)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, NULL, $12)
            ON CONFLICT (id) DO UPDATE SET
                plan_year = EXCLUDED.plan_year, province_code = EXCLUDED.province_code,
                commune_code = EXCLUDED.commune_code, trade_code = EXCLUDED.trade_code,
                trade_title = EXCLUDED.trade_title, institution = EXCLUDED.institution,
                places = EXCLUDED.places, planned_starts_on = EXCLUDED.planned_starts_on,
                planned_ends_on = EXCLUDED.planned_ends_on, budget_vnd = EXCLUDED.budget_vnd,
                set_by = EXCLUDED.set_by, updated_at = now()""",
            line.id,
            line.plan_year,
            line.province_code,
            line.commune_code,
            line.trade_code,
            line.trade_title,
            line.institution,
            line.places,
            line.planned_starts_on,
            line.planned_ends_on,
            line.budget_vnd,
            set_by,
        )

    async def withdraw_line(self, conn: Conn, line_id: uuid.UUID, on: dt.date, by: str) -> None:
        await conn.execute(
            """UPDATE course_plan_line SET withdrawn_on = $2, set_by = $3, updated_at = now()
           WHERE id = $1""",
            line_id,
            on,
            by,
        )

    async def plan_of(
        self,
        conn: Conn,
        year: int,
        commune_code: str | None,
        communes: list[str],
        province: str | None,
    ) -> list[tuple[PlanLine, list[dict[str, Any]]]]:
        """The year's lines the reader's scope covers (their communes, or their province), each
        with the courses opened for it and the places they have taken."""
        rows = await conn.fetch(_PLAN, year, commune_code, communes, province)
        return [(line_of(r), list(r["courses"])) for r in rows]
