"""Report endpoints. Every answer says how fresh its data is."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import asyncpg
from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel
from xkld_shared.identity.http import require
from xkld_shared.identity.principal import Principal, Role

router = APIRouter(prefix="/reports", tags=["reports"])


class CommuneCount(BaseModel):
    commune_code: str
    registered: int


class RegistrationsByCommune(BaseModel):
    as_of: dt.datetime
    newest_event_at: dt.datetime | None
    lag_seconds: float | None
    communes: list[CommuneCount]


def _pool(request: Request) -> asyncpg.Pool:
    pool: asyncpg.Pool = request.app.state.pool
    return pool


# Aggregates only, no personal data: anyone whose work is the programme's progress may read.
ReportReader = Annotated[
    Principal,
    Depends(require(Role.REPORT_VIEWER, Role.LABOUR_OFFICER, Role.COMMUNE_OFFICER)),
]


@router.get("/registrations-by-commune")
async def registrations_by_commune(
    pool: Annotated[asyncpg.Pool, Depends(_pool)],
    _: ReportReader,
    commune_code: str | None = None,
) -> RegistrationsByCommune:
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read"):
        rows = await conn.fetch(
            """SELECT commune_code, registered FROM registrations_by_commune
               WHERE $1::text IS NULL OR commune_code = $1 ORDER BY commune_code""",
            commune_code,
        )
        newest = await conn.fetchval(
            "SELECT last_event_at FROM stream_position WHERE stream = 'registration'"
        )
        now = await conn.fetchval("SELECT now()")
    return RegistrationsByCommune(
        as_of=now,
        newest_event_at=newest,
        lag_seconds=None if newest is None else (now - newest).total_seconds(),
        communes=[CommuneCount(**dict(r)) for r in rows],
    )
