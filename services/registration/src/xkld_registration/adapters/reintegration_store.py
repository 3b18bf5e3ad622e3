"""The SQL behind reintegration outcomes: the day of return, the outcomes recorded, and the
returned workers of a scope with what is recorded for them."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg
from xkld_shared.db.pool import Conn

_RETURNED = "('returned_completed', 'returned_early', 'reintegration')"


class PostgresReintegration:
    """The SQL behind reintegration outcomes, as the application's `ReintegrationStore` port."""

    async def returned_on(self, conn: Conn, registration_id: uuid.UUID) -> dt.date | None:
        day: dt.date | None = await conn.fetchval(
            """SELECT max(recorded_on) FROM journey_record
           WHERE registration_id = $1 AND kind = 'return'""",
            registration_id,
        )
        return day

    async def recorded_outcome(
        self, conn: Conn, registration_id: uuid.UUID, months: int
    ) -> asyncpg.Record | None:
        row: asyncpg.Record | None = await conn.fetchrow(
            """SELECT outcome, observed_on FROM reintegration_outcome
           WHERE registration_id = $1 AND checkpoint_months = $2""",
            registration_id,
            months,
        )
        return row

    async def add_outcome(
        self,
        conn: Conn,
        registration_id: uuid.UUID,
        months: int,
        outcome: str,
        observed_on: dt.date,
        note: str | None,
        recorded_by: str,
    ) -> None:
        await conn.execute(
            """INSERT INTO reintegration_outcome (registration_id, checkpoint_months, outcome,
               observed_on, note, recorded_by)
           VALUES ($1, $2, $3, $4, $5, $6)""",
            registration_id,
            months,
            outcome,
            observed_on,
            note,
            recorded_by,
        )

    async def returned_in_scope(
        self, conn: Conn, communes: list[str], province: str | None
    ) -> list[asyncpg.Record]:
        """Returned workers of the scope, with their day of return and the checkpoints recorded."""
        return list(
            await conn.fetch(
                f"""SELECT r.id, r.full_name, r.commune_code, r.status, r.early_cause,
                       (SELECT max(j.recorded_on) FROM journey_record j
                        WHERE j.registration_id = r.id AND j.kind = 'return') AS returned_on,
                       coalesce((SELECT array_agg(o.checkpoint_months) FROM reintegration_outcome o
                        WHERE o.registration_id = r.id), '{{}}') AS recorded
                FROM registration r
                WHERE (r.commune_code = ANY($1::text[]) OR r.province_code = $2)
                  AND r.status IN {_RETURNED}""",
                communes,
                province,
            )
        )
