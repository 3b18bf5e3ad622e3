"""Complaints about enterprises in the registration database."""

from __future__ import annotations

from typing import Any

from xkld_shared.db.pool import Conn

from xkld_registration.domain.complaints import Complaint


class PostgresComplaints:
    """The complaints' SQL, as the application's `ComplaintStore` port."""

    async def enterprise_listed(self, conn: Conn, code: str) -> bool:
        return bool(await conn.fetchval("SELECT 1 FROM enterprise WHERE code = $1", code))

    async def add_complaint(self, conn: Conn, complaint: Complaint, recorded_by: str) -> None:
        await conn.execute(
            """INSERT INTO enterprise_complaint (id, enterprise_code, category, complained_on,
                                             details, recorded_by)
           VALUES ($1, $2, $3, $4, $5, $6)""",
            complaint.id,
            complaint.enterprise_code,
            complaint.category,
            complaint.complained_on,
            complaint.details,
            recorded_by,
        )

    async def complaints_of(self, conn: Conn, code: str) -> list[dict[str, Any]]:
        rows = await conn.fetch(
            """SELECT id, category, complained_on, details, recorded_by, recorded_at
           FROM enterprise_complaint WHERE enterprise_code = $1
           ORDER BY complained_on DESC, recorded_at DESC""",
            code,
        )
        return [dict(r) for r in rows]
