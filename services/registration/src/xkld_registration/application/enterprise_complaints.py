"""Recording a complaint about an enterprise: the row, its audit and its event commit together;
with an Idempotency-Key a retry gets the first answer back and records nothing twice."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import asyncpg
from xkld_shared import idempotency
from xkld_shared.audit import ChangeContext, record_change
from xkld_shared.contracts.enterprise import EnterpriseComplaintRecorded
from xkld_shared.contracts.topics import Stream, Topics
from xkld_shared.db.pool import Conn

from xkld_registration.application.file_log import emit
from xkld_registration.application.journey_terms import EnterpriseNotFound
from xkld_registration.application.ports import Clock, ComplaintStore
from xkld_registration.domain.complaints import Complaint, check_complaint_date

Keyed = tuple[str | None, dict[str, Any]]


class EnterpriseComplaints:
    def __init__(
        self, pool: asyncpg.Pool, store: ComplaintStore, topics: Topics, clock: Clock
    ) -> None:
        self._pool = pool
        self._store = store
        self._topic = topics.of(Stream.REGISTRATION)
        self._clock = clock

    async def record(
        self, ctx: ChangeContext, complaint: Complaint, keyed: Keyed
    ) -> idempotency.Answer:
        check_complaint_date(complaint.complained_on, self._clock.today())
        key, request = keyed
        async with self._pool.acquire() as conn, conn.transaction():

            async def work() -> idempotency.Answer:
                return idempotency.Answer(201, await self._insert(conn, ctx, complaint))

            if key is None:
                return await work()
            return await idempotency.once(
                conn,
                scope="registration.enterprise_complaint",
                key=idempotency.checked_key(key),
                request_body=request,
                work=work,
            )

    async def _insert(self, conn: Conn, ctx: ChangeContext, c: Complaint) -> dict[str, Any]:
        if not await self._store.enterprise_listed(conn, c.enterprise_code):
            raise EnterpriseNotFound
        await self._store.add_complaint(conn, c, ctx.actor.username)
        await _audit(conn, ctx, c)
        # Keyed by the complaint's id: it is no registration's event. No free text travels.
        event = EnterpriseComplaintRecorded(
            enterprise_code=c.enterprise_code, category=c.category, complained_on=c.complained_on
        )
        await emit(conn, self._topic, event, c.id, ctx)
        return _answer(c)

    async def of_enterprise(self, code: str) -> list[dict[str, Any]]:
        async with self._pool.acquire() as conn:
            if not await self._store.enterprise_listed(conn, code):
                raise EnterpriseNotFound
            return await self._store.complaints_of(conn, code)


async def _audit(conn: Conn, ctx: ChangeContext, c: Complaint) -> None:
    after = asdict(c) | {"id": str(c.id), "complained_on": c.complained_on.isoformat()}
    await record_change(
        conn,
        ctx,
        action="enterprise.complaint_recorded",
        entity_type="enterprise",
        entity_id=c.enterprise_code,
        before={},
        after=after,
    )


def _answer(c: Complaint) -> dict[str, Any]:
    return {
        "id": str(c.id),
        "enterprise_code": c.enterprise_code,
        "category": c.category,
        "complained_on": c.complained_on.isoformat(),
    }
