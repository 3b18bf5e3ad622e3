"""Recording a household's poverty status (audited, with its event, in one transaction) and
reading a file's statuses."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
from xkld_shared.audit import ChangeContext, record_change
from xkld_shared.contracts.envelope import new_envelope
from xkld_shared.contracts.journey import PovertyStatus, PovertyStatusRecorded
from xkld_shared.contracts.topics import Stream, Topics
from xkld_shared.identity.principal import Principal
from xkld_shared.messaging.outbox import add_to_outbox

from xkld_registration.adapters import reintegration_store
from xkld_registration.adapters.journey_store import load_file
from xkld_registration.application.ports import Clock, PovertyRecord, PovertyStore
from xkld_registration.application.queries import RegistrationNotFound
from xkld_registration.application.scope import may_act_on
from xkld_registration.application.submit_registration import PRODUCER
from xkld_registration.domain import poverty


class PovertyStatuses:
    def __init__(
        self, pool: asyncpg.Pool, store: PovertyStore, topics: Topics, clock: Clock
    ) -> None:
        self._pool = pool
        self._store = store
        self._topic = topics.of(Stream.REGISTRATION)
        self._clock = clock

    async def record(
        self, rid: uuid.UUID, ctx: ChangeContext, list_year: int, status: PovertyStatus
    ) -> bool:
        """True when recorded; the same status again changes nothing, another one for the
        same list (or a second intake status) is refused (409)."""
        today = self._clock.today()
        async with self._pool.acquire() as conn, conn.transaction():
            file = await load_file(conn, rid)
            if file is None or not may_act_on(ctx.actor, file.commune_code, file.province_code):
                raise RegistrationNotFound
            basis = poverty.basis_of(file.journey)
            returned_on = await reintegration_store.returned_on(conn, rid)
            poverty.check_list_year(basis, list_year, today, returned_on)
            before = await self._store.recorded(conn, rid, basis, list_year)
            if before is not None:
                if before == (list_year, status):
                    return False
                raise poverty.PovertyStatusRecorded
            record = PovertyRecord(basis, list_year, status)
            await self._store.add(conn, rid, record, (today, ctx.actor.username))
            shown = {"basis": basis, "list_year": list_year, "status": status}
            await record_change(
                conn,
                ctx,
                action="poverty_status.recorded",
                entity_type="registration",
                entity_id=str(rid),
                before={"basis": basis, "list_year": list_year, "status": None},
                after=shown,
            )
            event = PovertyStatusRecorded(
                basis=basis, list_year=list_year, status=status, recorded_on=today
            )
            envelope = new_envelope(
                event, registration_id=rid, producer=PRODUCER, correlation_id=ctx.correlation_id
            )
            await add_to_outbox(conn, self._topic, [envelope])
        return True

    async def of(self, rid: uuid.UUID, reader: Principal) -> list[dict[str, Any]]:
        async with self._pool.acquire() as conn:
            file = await load_file(conn, rid, lock=False)
            if file is None or not may_act_on(reader, file.commune_code, file.province_code):
                raise RegistrationNotFound
            return await self._store.of(conn, rid)
