"""The SQL behind a commune's overview: counts by stage and the short lists of what is due."""

from __future__ import annotations

import datetime as dt
from typing import Any

from xkld_shared.db.pool import Conn

# Commune staff see their communes; labour officers their province (the same rule as lists).
_IN_SCOPE = "(commune_code = ANY($1::text[]) OR province_code = $2)"
_PREPARING = "('eligible', 'in_training', 'trained')"
_GATES = 4


class PostgresOverview:
    """The overview's SQL, as the application's `OverviewStore` port."""

    async def counts_by_stage(
        self, conn: Conn, communes: list[str], province: str | None
    ) -> dict[str, int]:
        rows = await conn.fetch(
            f"""SELECT status, count(*) AS n FROM registration
            WHERE {_IN_SCOPE} AND erased_at IS NULL GROUP BY status""",
            communes,
            province,
        )
        return {r["status"]: r["n"] for r in rows}

    async def waiting_for_documents(
        self, conn: Conn, communes: list[str], province: str | None, limit: int
    ) -> list[dict[str, Any]]:
        """Files being prepared that still lack a gate or the orientation certificate."""
        rows = await conn.fetch(
            f"""SELECT id, full_name, commune_code, status, gates,
                   orientation_certificate_no IS NOT NULL AS oriented
            FROM registration
            WHERE {_IN_SCOPE} AND status IN {_PREPARING}
              AND (cardinality(gates) < {_GATES} OR orientation_certificate_no IS NULL)
            ORDER BY submitted_on, id LIMIT $3""",
            communes,
            province,
            limit,
        )
        return [dict(r) for r in rows]

    async def departures_between(
        self, conn: Conn, communes: list[str], province: str | None, first: dt.date, last: dt.date
    ) -> list[dict[str, Any]]:
        rows = await conn.fetch(
            f"""SELECT id, full_name, commune_code, status, departure_on, market_code
            FROM registration
            WHERE {_IN_SCOPE} AND departure_on BETWEEN $3 AND $4
              AND status NOT IN ('withdrawn', 'rejected')
            ORDER BY departure_on, id""",
            communes,
            province,
            first,
            last,
        )
        return [dict(r) for r in rows]

    async def silent_abroad(
        self, conn: Conn, communes: list[str], province: str | None, since: dt.date, limit: int
    ) -> list[dict[str, Any]]:
        """Workers abroad whose last check-in (or departure, with none) is before `since`."""
        rows = await conn.fetch(
            f"""SELECT * FROM (
                SELECT r.id, r.full_name, r.commune_code, r.market_code, r.departure_on,
                       (SELECT max(c.checked_in_on) FROM check_in c
                        WHERE c.registration_id = r.id) AS last_check_in
                FROM registration r WHERE {_IN_SCOPE} AND r.status = 'abroad') AS abroad
            WHERE coalesce(last_check_in, departure_on) < $3
            ORDER BY coalesce(last_check_in, departure_on), id LIMIT $4""",
            communes,
            province,
            since,
            limit,
        )
        return [dict(r) for r in rows]
