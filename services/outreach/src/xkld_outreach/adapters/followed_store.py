"""What outreach keeps from the registration stream: course-plan lines (the places the
suggested course plan counts against), the files made from respondents, their erasure, and
the departures of converted respondents."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg
from xkld_shared.contracts.training import CoursePlanLineSet
from xkld_shared.db.pool import Conn

_SET_PLAN_LINE = """INSERT INTO plan_capacity (line_id, plan_year, province_code, commune_code,
               trade_code, trade_title, places)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (line_id) DO UPDATE SET plan_year = EXCLUDED.plan_year,
               province_code = EXCLUDED.province_code, commune_code = EXCLUDED.commune_code,
               trade_code = EXCLUDED.trade_code, trade_title = EXCLUDED.trade_title,
               places = EXCLUDED.places, withdrawn = false"""


async def set_plan_line(conn: Conn, line: CoursePlanLineSet) -> None:
    """A line set again (new places, another trade) replaces the one kept, and a withdrawn
    line set again counts again."""
    await conn.execute(
        _SET_PLAN_LINE,
        line.line_id,
        line.plan_year,
        line.province_code,
        line.commune_code,
        line.trade_code,
        line.trade_title,
        line.places,
    )


async def withdraw_plan_line(conn: Conn, line_id: uuid.UUID) -> None:
    await conn.execute("UPDATE plan_capacity SET withdrawn = true WHERE line_id = $1", line_id)


async def record_departure(conn: Conn, registration_id: uuid.UUID, on: dt.date) -> None:
    """Files not made from the survey match no member and change nothing."""
    await conn.execute(
        "UPDATE survey_member SET departed_on = $2 WHERE registration_id = $1",
        registration_id,
        on,
    )


_LINK_MEMBER = """UPDATE survey_member SET registration_id = $2, converted_at = now()
           WHERE id = $1 AND registration_id IS NULL AND erased_at IS NULL
           RETURNING id, household_id, round_id,
               (SELECT commune_code FROM survey_round r WHERE r.id = survey_member.round_id)
                   AS commune_code"""


async def link_member(
    conn: Conn, respondent_id: uuid.UUID, registration_id: uuid.UUID
) -> asyncpg.Record | None:
    """The member, linked once to the file made from them; None when already linked, unknown
    or erased."""
    row: asyncpg.Record | None = await conn.fetchrow(_LINK_MEMBER, respondent_id, registration_id)
    return row


_FORGET_MEMBER_OF = """UPDATE survey_member SET full_name = NULL, phone_sealed = NULL
           WHERE registration_id = $1
             AND (full_name IS NOT NULL OR phone_sealed IS NOT NULL) RETURNING id"""


async def forget_member_of(conn: Conn, registration_id: uuid.UUID) -> asyncpg.Record | None:
    """The name and phone of the member the erased file was made from, emptied; None when
    there is nothing (left) to forget."""
    row: asyncpg.Record | None = await conn.fetchrow(_FORGET_MEMBER_OF, registration_id)
    return row
