"""The rows of the support owed after an early return."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg
from xkld_shared.db.pool import Conn


class PostgresReturnSupport:
    """The return support rows, as the application's `ReturnSupportStore` port."""

    async def decided(self, conn: Conn, registration_id: uuid.UUID) -> dict[str, asyncpg.Record]:
        rows = await conn.fetch(
            """SELECT item_code, status, decided_on, amount_vnd, note, decided_by, updated_at
           FROM return_support WHERE registration_id = $1""",
            registration_id,
        )
        return {r["item_code"]: r for r in rows}

    async def save(
        self,
        conn: Conn,
        registration_id: uuid.UUID,
        item_code: str,
        status: str,
        decided_on: dt.date,
        amount_vnd: int | None,
        note: str | None,
        decided_by: str,
    ) -> None:
        await conn.execute(
            """INSERT INTO return_support (registration_id, item_code, status, decided_on,
               amount_vnd, note, decided_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (registration_id, item_code) DO UPDATE SET status = EXCLUDED.status,
               decided_on = EXCLUDED.decided_on, amount_vnd = EXCLUDED.amount_vnd,
               note = EXCLUDED.note, decided_by = EXCLUDED.decided_by, updated_at = now()""",
            registration_id,
            item_code,
            status,
            decided_on,
            amount_vnd,
            note,
            decided_by,
        )
