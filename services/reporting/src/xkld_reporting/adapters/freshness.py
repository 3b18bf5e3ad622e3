"""How fresh the projection is: per stream, the newest event applied, its lag and how many
events were applied; every report answers it beside its figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from asyncpg import Record
from xkld_shared.db.pool import Conn

from xkld_reporting.adapters.projection_schema import LIVE

S = LIVE


@dataclass(frozen=True)
class StreamFreshness:
    stream: str
    newest_event_at: dt.datetime | None
    lag_seconds: float | None
    events: int


@dataclass(frozen=True)
class Freshness:
    as_of: dt.datetime
    streams: list[StreamFreshness]


async def freshness(conn: Conn) -> Freshness:
    now = await conn.fetchval("SELECT now()")
    rows = {r["stream"]: r for r in await conn.fetch(f"SELECT * FROM {S}.stream_state")}
    streams = [_stream(now, s, rows.get(s)) for s in ("registration", "loan", "notification")]
    return Freshness(now, streams)


def _stream(now: dt.datetime, stream: str, row: Record | None) -> StreamFreshness:
    newest = row["last_event_at"] if row else None
    lag = (now - newest).total_seconds() if newest else None
    return StreamFreshness(stream, newest, lag, int(row["events"]) if row else 0)
