"""Templates, campaigns and meetings in this service's own database."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import asyncpg
from xkld_shared.db.pool import Conn

from xkld_outreach.domain.campaign import NewCampaign

_LATEST = """SELECT DISTINCT ON (code) * FROM message_template
             ORDER BY code, version DESC"""


async def templates(conn: Conn) -> list[asyncpg.Record]:
    return list(await conn.fetch(_LATEST))


async def template(conn: Conn, code: str, *, lock: bool = False) -> asyncpg.Record | None:
    # The latest version; locking it queues two edits of one template one after the other.
    suffix = " FOR UPDATE" if lock else ""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"SELECT * FROM message_template WHERE code = $1 ORDER BY version DESC LIMIT 1{suffix}",
        code,
    )
    return row


_TEMPLATE_VERSIONS = """SELECT code, version, edited_by, edited_at FROM message_template
               WHERE code = $1 ORDER BY version DESC"""


async def template_versions(conn: Conn, code: str) -> list[asyncpg.Record]:
    return list(await conn.fetch(_TEMPLATE_VERSIONS, code))


_INSERT_TEMPLATE = """INSERT INTO message_template (code, version, title, sms_text,
               zalo_template_id, zalo_params, announcement, edited_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *"""


async def insert_template(
    conn: Conn, code: str, version: int, fields: dict[str, Any], edited_by: str
) -> asyncpg.Record:
    row: asyncpg.Record | None = await conn.fetchrow(
        _INSERT_TEMPLATE,
        code,
        version,
        fields["title"],
        fields["sms_text"],
        fields["zalo_template_id"],
        fields["zalo_params"],
        fields["announcement"],
        edited_by,
    )
    assert row is not None
    return row


_INSERT_CAMPAIGN = """INSERT INTO campaign (id, goal, province_code, communes, priority_groups,
               hamlets, age_bands, channels, period_start, period_end, template_code, status,
               created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'draft', $12) RETURNING *"""


async def insert_campaign(
    conn: Conn, campaign_id: uuid.UUID, cmd: NewCampaign, province: str, created_by: str
) -> asyncpg.Record:
    t = cmd.target
    row: asyncpg.Record | None = await conn.fetchrow(
        _INSERT_CAMPAIGN,
        campaign_id,
        cmd.goal,
        province,
        sorted(t.communes),
        sorted(t.priority_groups),
        sorted(t.hamlets),
        sorted(t.age_bands),
        sorted(cmd.channels),
        cmd.period_start,
        cmd.period_end,
        cmd.template_code,
        created_by,
    )
    assert row is not None
    return row


async def campaign(
    conn: Conn, campaign_id: uuid.UUID, *, lock: bool = False
) -> asyncpg.Record | None:
    suffix = " FOR UPDATE" if lock else ""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"SELECT * FROM campaign WHERE id = $1{suffix}", campaign_id
    )
    return row


_CAMPAIGNS_IN = """SELECT * FROM campaign WHERE communes && $1::text[] OR province_code = $2
               ORDER BY period_start DESC, created_at DESC"""


async def campaigns_in(
    conn: Conn, communes: Sequence[str], province: str | None
) -> list[asyncpg.Record]:
    return list(await conn.fetch(_CAMPAIGNS_IN, list(communes), province))


async def set_status(conn: Conn, campaign_id: uuid.UUID, status: str) -> asyncpg.Record:
    row: asyncpg.Record | None = await conn.fetchrow(
        "UPDATE campaign SET status = $2 WHERE id = $1 RETURNING *", campaign_id, status
    )
    assert row is not None
    return row


_MEMBERS_OF_COMMUNE = """SELECT m.id FROM survey_member m JOIN survey_round r ON r.id = m.round_id
           WHERE m.id = ANY($1::uuid[]) AND r.commune_code = $2"""


async def members_of_commune(
    conn: Conn, member_ids: Sequence[uuid.UUID], commune_code: str
) -> set[uuid.UUID]:
    """Which of these survey members were surveyed in that commune."""
    rows = await conn.fetch(_MEMBERS_OF_COMMUNE, list(member_ids), commune_code)
    return {r["id"] for r in rows}


_INSERT_MEETING = """INSERT INTO campaign_meeting (id, campaign_id, commune_code, held_on, place,
               walk_ins, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7)"""


async def insert_meeting(
    conn: Conn, meeting_id: uuid.UUID, campaign_id: uuid.UUID, fields: dict[str, Any], by: str
) -> None:
    await conn.execute(
        _INSERT_MEETING,
        meeting_id,
        campaign_id,
        fields["commune_code"],
        fields["held_on"],
        fields["place"],
        fields["walk_ins"],
        by,
    )


_INSERT_ATTENDEES = """INSERT INTO campaign_attendee (meeting_id, member_id, interested)
           SELECT $1, a.member_id, a.interested
           FROM unnest($2::uuid[], $3::boolean[]) AS a (member_id, interested)"""


async def insert_attendees(
    conn: Conn, meeting_id: uuid.UUID, attendees: Sequence[tuple[uuid.UUID, bool]]
) -> None:
    await conn.execute(
        _INSERT_ATTENDEES, meeting_id, [m for m, _ in attendees], [i for _, i in attendees]
    )


_MEETINGS_OF = """SELECT g.*, (SELECT count(*) FROM campaign_attendee a WHERE a.meeting_id = g.id)
                   AS attendees,
                   (SELECT count(*) FROM campaign_attendee a
                    WHERE a.meeting_id = g.id AND a.interested) AS interested
               FROM campaign_meeting g WHERE g.campaign_id = $1 ORDER BY held_on, recorded_at"""


async def meetings_of(conn: Conn, campaign_id: uuid.UUID) -> list[asyncpg.Record]:
    return list(await conn.fetch(_MEETINGS_OF, campaign_id))
