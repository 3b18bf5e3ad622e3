"""The SQL behind follow-up: workers abroad and their last check-in, within a scope."""

from __future__ import annotations

import datetime as dt

import asyncpg
from xkld_shared.db.pool import Conn

from xkld_registration.domain.follow_up import SilentWorker

# Commune staff see their communes; labour officers their province (as the overview does).
_IN_SCOPE = "(r.commune_code = ANY($1::text[]) OR r.province_code = $2)"


def _silent_worker(r: asyncpg.Record) -> SilentWorker:
    return SilentWorker(
        registration_id=str(r["id"]),
        full_name=r["full_name"] or "",
        commune_code=r["commune_code"],
        market_code=r["market_code"],
        departed_on=r["departure_on"],
        last_check_in=r["last_check_in"],
    )


class PostgresFollowUp:
    """The follow-up worklist's SQL, as the application's `FollowUpStore` port."""

    async def silent_abroad(
        self, conn: Conn, communes: list[str], province: str | None, since: dt.date, limit: int
    ) -> list[SilentWorker]:
        """Workers abroad whose last check-in (or departure, with none) is on or before `since`."""
        rows = await conn.fetch(
            f"""SELECT * FROM (
                SELECT r.id, r.full_name, r.commune_code, r.market_code, r.departure_on,
                       (SELECT max(c.checked_in_on) FROM check_in c
                        WHERE c.registration_id = r.id) AS last_check_in
                FROM registration r
                WHERE {_IN_SCOPE} AND r.status = 'abroad' AND r.erased_at IS NULL) AS abroad
            WHERE coalesce(last_check_in, departure_on) IS NULL
               OR coalesce(last_check_in, departure_on) <= $3
            ORDER BY coalesce(last_check_in, departure_on) NULLS FIRST, id LIMIT $4""",
            communes,
            province,
            since,
            limit,
        )
        return [_silent_worker(r) for r in rows]
