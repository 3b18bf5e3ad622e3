"""SMS templates saved by staff: each edit a new version, numbered after the rules file's."""

from __future__ import annotations

import datetime as dt

import asyncpg
from xkld_shared.db.pool import Conn

_LATEST = """SELECT code, version, text, max_segments, ucs2 FROM sms_template
           WHERE code = $1 ORDER BY version DESC LIMIT 1"""


async def latest_template(conn: Conn, code: str) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(_LATEST, code)
    return row


_SAVE_TEMPLATE = """INSERT INTO sms_template (code, version, text, max_segments, ucs2, saved_by,
               saved_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)"""


async def save_template(
    conn: Conn,
    code: str,
    base_version: int,
    text: str,
    max_segments: int,
    ucs2: bool,
    saved_by: str,
    now: dt.datetime,
) -> int:
    """The next version after both the file's and the saved ones; serialised per code."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 7))", f"tpl:{code}")
    latest = await conn.fetchval("SELECT max(version) FROM sms_template WHERE code = $1", code)
    version = max(base_version, latest or 0) + 1
    await conn.execute(_SAVE_TEMPLATE, code, version, text, max_segments, ucs2, saved_by, now)
    return version
