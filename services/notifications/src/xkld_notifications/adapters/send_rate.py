"""The provider's send rate, shared by every replica: one counter row per channel and second.
A replica takes slots for what it claimed; the row lock orders replicas, so together they
never pass the rate within a second."""

from __future__ import annotations

import datetime as dt

import asyncpg
from xkld_shared.db.pool import Conn

_OPEN_WINDOW = """INSERT INTO send_rate (channel, window_start, used) VALUES ($1, $2, 0)
               ON CONFLICT DO NOTHING"""
_USE_SLOTS = """UPDATE send_rate SET used = used + $3
                   WHERE channel = $1 AND window_start = $2"""


async def take(
    pool: asyncpg.Pool, channel: str, now: dt.datetime, wanted: int, per_second: int | None
) -> int:
    """How many of `wanted` sends may start in the second of `now` (all of them without a rate)."""
    if per_second is None or wanted <= 0:
        return wanted
    window = now.replace(microsecond=0)
    async with pool.acquire() as conn, conn.transaction():
        granted = await _grant(conn, channel, window, wanted, per_second)
        await _drop_old_windows(conn, channel, window)
    return granted


async def _grant(
    conn: Conn, channel: str, window: dt.datetime, wanted: int, per_second: int
) -> int:
    await conn.execute(_OPEN_WINDOW, channel, window)
    used = await conn.fetchval(
        "SELECT used FROM send_rate WHERE channel = $1 AND window_start = $2 FOR UPDATE",
        channel,
        window,
    )
    granted = max(0, min(wanted, per_second - int(used)))
    if granted:
        await conn.execute(_USE_SLOTS, channel, window, granted)
    return granted


async def _drop_old_windows(conn: Conn, channel: str, window: dt.datetime) -> None:
    # Old windows are of no use; keep the table a few rows long.
    await conn.execute(
        "DELETE FROM send_rate WHERE channel = $1 AND window_start < $2",
        channel,
        window - dt.timedelta(seconds=10),
    )


def next_window(now: dt.datetime) -> dt.datetime:
    return now.replace(microsecond=0) + dt.timedelta(seconds=1)


async def release_sms(pool: asyncpg.Pool, ids: list[object]) -> None:
    """Claimed over the rate: back to the queue at once, and not an attempt."""
    await pool.execute(
        """UPDATE sms_message SET lease_until = NULL, attempts = attempts - 1
           WHERE id = ANY($1::uuid[])""",
        ids,
    )


async def take_one(pool: asyncpg.Pool, channel: str, now: dt.datetime, per_second: int) -> bool:
    """One slot in the second of `now`, taken just before a send: what the provider counts is
    when requests arrive, so the slot is taken as late as possible. One atomic statement."""
    used = await pool.fetchval(
        """INSERT INTO send_rate AS r (channel, window_start, used) VALUES ($1, $2, 1)
           ON CONFLICT (channel, window_start) DO UPDATE SET used = r.used + 1
           WHERE r.used < $3 RETURNING used""",
        channel,
        now.replace(microsecond=0),
        per_second,
    )
    return used is not None


async def remaining(pool: asyncpg.Pool, channel: str, now: dt.datetime, per_second: int) -> int:
    """Slots left in this second (a hint for how many rows to claim), and old windows dropped."""
    window = now.replace(microsecond=0)
    await pool.execute(
        "DELETE FROM send_rate WHERE channel = $1 AND window_start < $2",
        channel,
        window - dt.timedelta(seconds=10),
    )
    used = await pool.fetchval(
        "SELECT used FROM send_rate WHERE channel = $1 AND window_start = $2", channel, window
    )
    return max(0, per_second - int(used or 0))
