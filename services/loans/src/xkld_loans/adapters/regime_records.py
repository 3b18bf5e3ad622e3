"""SQL of the regimes added and closed through the API (the shipped ones are package data)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from xkld_shared.db.pool import Conn


async def lock(conn: Conn) -> None:
    """One change to the regimes at a time, until the transaction ends."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext('xkld_loans.regimes'))")


async def added_documents(conn: Conn) -> list[dict[str, Any]]:
    rows = await conn.fetch("SELECT document FROM added_regime ORDER BY code")
    return [r["document"] for r in rows]


async def closures(conn: Conn) -> dict[str, dt.date]:
    rows = await conn.fetch("SELECT code, effective_to FROM regime_closure")
    return {r["code"]: r["effective_to"] for r in rows}


async def add(conn: Conn, code: str, document: dict[str, Any], added_by: str) -> None:
    await conn.execute(
        "INSERT INTO added_regime (code, document, added_by) VALUES ($1, $2, $3)",
        code,
        document,
        added_by,
    )


async def close(conn: Conn, code: str, effective_to: dt.date, closed_by: str) -> None:
    await conn.execute(
        """INSERT INTO regime_closure (code, effective_to, closed_by) VALUES ($1, $2, $3)
           ON CONFLICT (code) DO UPDATE SET effective_to = EXCLUDED.effective_to,
               closed_by = EXCLUDED.closed_by, closed_at = now()""",
        code,
        effective_to,
        closed_by,
    )
