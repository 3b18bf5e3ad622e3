"""Recording a household's poverty status (audited, with its event, in one transaction) and
reading a file's statuses."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import asyncpg
from xkld_shared.audit import ChangeContext
from xkld_shared.contracts.journey import PovertyStatus, PovertyStatusRecorded
from xkld_shared.contracts.topics import Stream, Topics
from xkld_shared.db.pool import Conn
from xkld_shared.identity.principal import Principal

from xkld_registration.application.file_log import audit_file, emit
from xkld_registration.application.file_scope import file_in_scope
from xkld_registration.application.ports import (
    Clock,
    JourneyFiles,
    PovertyRecord,
    PovertyStore,
    ReintegrationStore,
)
from xkld_registration.domain import poverty


class PovertyStatuses:
    def __init__(
        self,
        pool: asyncpg.Pool,
        stores: tuple[JourneyFiles, PovertyStore, ReintegrationStore],
        topics: Topics,
        clock: Clock,
    ) -> None:
        self._pool = pool
        self._files, self._store, self._returns = stores
        self._topic = topics.of(Stream.REGISTRATION)
        self._clock = clock

    async def record(
        self, rid: uuid.UUID, ctx: ChangeContext, list_year: int, status: PovertyStatus
    ) -> bool:
        """True when recorded; the same status again changes nothing, another one for the
        same list (or a second intake status) is refused (409)."""
        today = self._clock.today()
        async with self._pool.acquire() as conn, conn.transaction():
            basis = await self._checked_basis(conn, rid, ctx, list_year, today)
            if await self._already_recorded(conn, rid, basis, (list_year, status)):
                return False
            await self._write(conn, rid, ctx, PovertyRecord(basis, list_year, status), today)
        return True

    async def _already_recorded(
        self, conn: Conn, rid: uuid.UUID, basis: str, asked: tuple[int, PovertyStatus]
    ) -> bool:
        """True for the same status again; another one for the same list is refused."""
        before = await self._store.recorded(conn, rid, basis, asked[0])
        if before is None:
            return False
        if before == asked:
            return True
        raise poverty.PovertyStatusRecorded

    async def _write(
        self, conn: Conn, rid: uuid.UUID, ctx: ChangeContext, record: PovertyRecord, today: dt.date
    ) -> None:
        await self._store.add(conn, rid, record, (today, ctx.actor.username))
        await _audit(conn, rid, ctx, record)
        event = PovertyStatusRecorded(
            basis=record.basis, list_year=record.list_year, status=record.status, recorded_on=today
        )
        await emit(conn, self._topic, event, rid, ctx)

    async def of(self, rid: uuid.UUID, reader: Principal) -> list[dict[str, Any]]:
        async with self._pool.acquire() as conn:
            await file_in_scope(self._files, conn, rid, reader, lock=False)
            return await self._store.of(conn, rid)

    async def _checked_basis(
        self, conn: Conn, rid: uuid.UUID, ctx: ChangeContext, list_year: int, today: dt.date
    ) -> poverty.Basis:
        """The basis a status is recorded on for this file, once the list's year is checked."""
        file = await file_in_scope(self._files, conn, rid, ctx.actor)
        basis = poverty.basis_of(file.journey)
        returned_on = await self._returns.returned_on(conn, rid)
        poverty.check_list_year(basis, list_year, today, returned_on)
        return basis


async def _audit(conn: Conn, rid: uuid.UUID, ctx: ChangeContext, record: PovertyRecord) -> None:
    before = {"basis": record.basis, "list_year": record.list_year, "status": None}
    after = before | {"status": record.status}
    await audit_file(conn, ctx, "poverty_status.recorded", rid, (before, after))
