"""Broadcasts, their recipients and the facts a funnel is counted from. Every write here is a
batch: one statement for all of a broadcast's recipients, not one per person."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import asyncpg
from xkld_shared.db.pool import Conn

_CANDIDATES = """SELECT m.id, r.commune_code, r.province_code, h.hamlet, m.age_band,
                   m.priority_groups, m.contact_consent, m.phone_sealed
               FROM survey_member m
               JOIN survey_household h ON h.id = m.household_id
               JOIN survey_round r ON r.id = m.round_id
               WHERE r.commune_code = ANY($1::text[]) AND m.erased_at IS NULL"""


async def candidates(conn: Conn, communes: Sequence[str]) -> list[asyncpg.Record]:
    """Everyone surveyed in these communes and not erased, with what the audience is chosen
    by. The sealed phone comes along for the event; it never leaves the service otherwise."""
    return list(await conn.fetch(_CANDIDATES, list(communes)))


async def already_sent(conn: Conn, campaign_id: uuid.UUID) -> list[uuid.UUID]:
    rows = await conn.fetch(
        "SELECT member_id FROM campaign_recipient WHERE campaign_id = $1", campaign_id
    )
    return [r["member_id"] for r in rows]


_INSERT_BROADCAST = """INSERT INTO campaign_broadcast (id, campaign_id, route, template_code,
               template_version, recipients, already_sent, requested_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"""


async def insert_broadcast(conn: Conn, values: dict[str, Any]) -> None:
    await conn.execute(
        _INSERT_BROADCAST,
        values["id"],
        values["campaign_id"],
        values["route"],
        values["template_code"],
        values["template_version"],
        values["recipients"],
        values["already_sent"],
        values["requested_by"],
    )


_INSERT_RECIPIENTS = """INSERT INTO campaign_recipient (id, broadcast_id, campaign_id, member_id,
               commune_code)
           SELECT r.id, $1, $2, r.member_id, r.commune_code
           FROM unnest($3::uuid[], $4::uuid[], $5::text[]) AS r (id, member_id, commune_code)"""


async def insert_recipients(
    conn: Conn,
    broadcast_id: uuid.UUID,
    campaign_id: uuid.UUID,
    rows: Sequence[tuple[uuid.UUID, uuid.UUID, str]],
) -> None:
    """(recipient id, member id, commune) per person, in one statement."""
    await conn.execute(
        _INSERT_RECIPIENTS,
        broadcast_id,
        campaign_id,
        [r[0] for r in rows],
        [r[1] for r in rows],
        [r[2] for r in rows],
    )


async def recipient_for_update(conn: Conn, recipient_id: uuid.UUID) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT * FROM campaign_recipient WHERE id = $1 FOR UPDATE", recipient_id
    )
    return row


_SETTLE = """UPDATE campaign_recipient SET outcome = $2, channel = $3, fell_back = $4,
               reason = $5, cost_vnd = $6, settled_at = $7
           WHERE id = $1"""


async def settle(conn: Conn, recipient_id: uuid.UUID, values: dict[str, Any]) -> None:
    await conn.execute(
        _SETTLE,
        recipient_id,
        values["outcome"],
        values["channel"],
        values["fell_back"],
        values["reason"],
        values["cost_vnd"],
        values["settled_at"],
    )


_RECIPIENTS = """SELECT id, broadcast_id, member_id, commune_code, outcome, channel, fell_back,
                   reason, cost_vnd, settled_at
               FROM campaign_recipient WHERE campaign_id = $1
               ORDER BY commune_code, member_id"""


async def recipients(conn: Conn, campaign_id: uuid.UUID) -> list[asyncpg.Record]:
    return list(await conn.fetch(_RECIPIENTS, campaign_id))


async def broadcasts(conn: Conn, campaign_id: uuid.UUID) -> list[asyncpg.Record]:
    return list(
        await conn.fetch(
            """SELECT * FROM campaign_broadcast WHERE campaign_id = $1 ORDER BY requested_at""",
            campaign_id,
        )
    )


_FUNNEL_FACTS = """WITH touched AS (
                   SELECT member_id, outcome = 'delivered' AS delivered, false AS attended,
                          false AS interested
                   FROM campaign_recipient WHERE campaign_id = $1
                   UNION ALL
                   SELECT a.member_id, false, true, a.interested
                   FROM campaign_attendee a JOIN campaign_meeting g ON g.id = a.meeting_id
                   WHERE g.campaign_id = $1)
               SELECT m.id, m.priority_groups, m.wants_abroad,
                   m.registration_id IS NOT NULL AS registered,
                   m.departed_on IS NOT NULL AS departed,
                   bool_or(t.delivered) AS delivered, bool_or(t.attended) AS attended,
                   bool_or(t.interested) AS marked_interested
               FROM touched t JOIN survey_member m ON m.id = t.member_id
               GROUP BY m.id"""


async def funnel_facts(conn: Conn, campaign_id: uuid.UUID) -> list[asyncpg.Record]:
    """One row per person the campaign touched: a recipient of a broadcast or an attendee."""
    return list(await conn.fetch(_FUNNEL_FACTS, campaign_id))


async def walk_ins(conn: Conn, campaign_id: uuid.UUID) -> int:
    total: int = await conn.fetchval(
        "SELECT coalesce(sum(walk_ins), 0) FROM campaign_meeting WHERE campaign_id = $1",
        campaign_id,
    )
    return total
