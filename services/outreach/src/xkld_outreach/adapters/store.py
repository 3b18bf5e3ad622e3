"""Survey rows in this service's own PostgreSQL database."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence

import asyncpg
from xkld_shared.db.pool import Conn

from xkld_outreach.domain.survey import Member, OpenRound

_MEMBER_COLUMNS = (
    "id, household_id, round_id, full_name, age_band, gender, education, current_work, "
    "wants_training, trade_code, wants_abroad, market_code, abroad_when, needs_loan, "
    "priority_groups, contact_consent, consent_recorded_by, consent_recorded_at, "
    "registration_id, converted_at, (phone_sealed IS NOT NULL) AS has_phone, erased_at"
)


_INSERT_ROUND = """INSERT INTO survey_round (id, commune_code, province_code, title, period_start,
               period_end, status, opened_by)
           VALUES ($1, $2, $3, $4, $5, $6, 'open', $7) RETURNING *"""


async def insert_round(
    conn: Conn, round_id: uuid.UUID, cmd: OpenRound, opened_by: str
) -> asyncpg.Record:
    row: asyncpg.Record | None = await conn.fetchrow(
        _INSERT_ROUND,
        round_id,
        cmd.commune_code,
        cmd.province_code,
        cmd.title,
        cmd.period_start,
        cmd.period_end,
        opened_by,
    )
    assert row is not None
    return row


async def round_row(
    conn: Conn, round_id: uuid.UUID, *, lock: bool = False
) -> asyncpg.Record | None:
    suffix = " FOR UPDATE" if lock else ""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"SELECT * FROM survey_round WHERE id = $1{suffix}", round_id
    )
    return row


async def round_for_share(conn: Conn, round_id: uuid.UUID) -> asyncpg.Record | None:
    """The round, locked against closing (which takes FOR UPDATE) while households go in."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT * FROM survey_round WHERE id = $1 FOR SHARE", round_id
    )
    return row


_ROUNDS_IN = """SELECT r.*,
                   (SELECT count(*) FROM survey_household h WHERE h.round_id = r.id) AS households,
                   (SELECT count(*) FROM survey_member m WHERE m.round_id = r.id) AS members
               FROM survey_round r
               WHERE r.commune_code = ANY($1::text[]) OR r.province_code = $2
               ORDER BY r.period_start DESC, r.commune_code"""


async def rounds_in(
    conn: Conn, communes: Sequence[str], province: str | None
) -> list[asyncpg.Record]:
    return list(await conn.fetch(_ROUNDS_IN, list(communes), province))


_CLOSE_ROUND = """UPDATE survey_round SET status = 'closed', closed_by = $2, closed_at = now()
           WHERE id = $1
           RETURNING *,
               (SELECT count(*) FROM survey_household h WHERE h.round_id = $1) AS households,
               (SELECT count(*) FROM survey_member m WHERE m.round_id = $1) AS members"""


async def close_round(conn: Conn, round_id: uuid.UUID, closed_by: str) -> asyncpg.Record:
    row: asyncpg.Record | None = await conn.fetchrow(_CLOSE_ROUND, round_id, closed_by)
    assert row is not None
    return row


_INSERT_HOUSEHOLD = """INSERT INTO survey_household (id, round_id, hamlet, recorded_by)
           VALUES ($1, $2, $3, $4)"""


async def insert_household(
    conn: Conn, household_id: uuid.UUID, round_id: uuid.UUID, hamlet: str, recorded_by: str
) -> None:
    await conn.execute(_INSERT_HOUSEHOLD, household_id, round_id, hamlet, recorded_by)


_INSERT_MEMBERS = """INSERT INTO survey_member (id, household_id, round_id, full_name, age_band,
               gender, education, current_work, wants_training, trade_code, wants_abroad,
               market_code, abroad_when, needs_loan, priority_groups, contact_consent,
               consent_recorded_by, phone_sealed)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
               $18)"""


async def insert_members(
    conn: Conn,
    household_id: uuid.UUID,
    round_id: uuid.UUID,
    members: Sequence[tuple[uuid.UUID, Member]],
    recorded_by: str,
    seal: Callable[[str | None], str | None],
) -> None:
    """`seal` turns a member's typed phone into its sealed form (None stays None)."""
    rows = [
        (member_id, household_id, round_id, m.full_name, *_answers(m), recorded_by, seal(m.phone))
        for member_id, m in members
    ]
    await conn.executemany(_INSERT_MEMBERS, rows)


def _answers(m: Member) -> tuple[object, ...]:
    """The member's survey answers, in their columns' order (age_band to contact_consent)."""
    return (
        m.age_band,
        m.gender,
        m.education,
        m.current_work,
        m.wants_training,
        m.trade_code,
        m.wants_abroad,
        m.market_code,
        m.abroad_when,
        m.needs_loan,
        sorted(m.priority_groups),
        m.contact_consent,
    )


async def households_of(conn: Conn, round_id: uuid.UUID) -> list[asyncpg.Record]:
    return list(
        await conn.fetch(
            "SELECT * FROM survey_household WHERE round_id = $1 ORDER BY recorded_at, id",
            round_id,
        )
    )


_MEMBERS_OF_ROUND = f"""SELECT {_MEMBER_COLUMNS} FROM survey_member WHERE round_id = $1
                ORDER BY household_id, id"""


async def members_of_round(conn: Conn, round_id: uuid.UUID) -> list[asyncpg.Record]:
    return list(await conn.fetch(_MEMBERS_OF_ROUND, round_id))


async def member_with_round(
    conn: Conn, member_id: uuid.UUID, *, lock: bool = False
) -> asyncpg.Record | None:
    suffix = " FOR UPDATE OF m" if lock else ""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"""SELECT m.*, h.hamlet, r.commune_code, r.province_code
           FROM survey_member m
           JOIN survey_household h ON h.id = m.household_id
           JOIN survey_round r ON r.id = m.round_id
           WHERE m.id = $1{suffix}""",
        member_id,
    )
    return row


_ERASE_MEMBER = """UPDATE survey_member SET full_name = NULL, phone_sealed = NULL,
               erased_at = now(), erased_by = $2, erasure_reason = $3
           WHERE id = $1 RETURNING erased_at"""


async def erase_member(
    conn: Conn, member_id: uuid.UUID, erased_by: str, reason: str
) -> asyncpg.Record:
    """Empty what names or reaches the person; the answers (bands and codes) stay."""
    row: asyncpg.Record | None = await conn.fetchrow(_ERASE_MEMBER, member_id, erased_by, reason)
    assert row is not None
    return row
