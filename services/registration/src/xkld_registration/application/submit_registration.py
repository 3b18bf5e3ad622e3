"""Taking in a worker's file: the row and its RegistrationSubmitted event commit together."""

from __future__ import annotations

import uuid

import asyncpg
from xkld_shared.contracts.envelope import new_envelope
from xkld_shared.contracts.topics import Stream, Topics
from xkld_shared.messaging.outbox import add_to_outbox

from xkld_registration.application.ports import Clock, PersonalDataVault, RegistrationStore
from xkld_registration.domain.registration import (
    DuplicateActiveRegistration,
    Registration,
    SubmitRegistration,
    submit,
    submitted_event,
)

PRODUCER = "registration"


class SubmitRegistrationHandler:
    def __init__(
        self,
        pool: asyncpg.Pool,
        store: RegistrationStore,
        vault: PersonalDataVault,
        topics: Topics,
        clock: Clock,
    ) -> None:
        self._pool = pool
        self._store = store
        self._vault = vault
        self._topic = topics.of(Stream.REGISTRATION)
        self._clock = clock

    async def __call__(
        self, cmd: SubmitRegistration, *, correlation_id: uuid.UUID | None = None
    ) -> Registration:
        registration = submit(cmd, registration_id=uuid.uuid4(), today=self._clock.today())
        event = submitted_event(registration, self._vault.seal_phone(registration.phone_e164))
        envelope = new_envelope(
            event,
            registration_id=registration.id,
            producer=PRODUCER,
            correlation_id=correlation_id,
        )
        index = self._vault.cccd_index(registration.cccd)
        try:
            async with self._pool.acquire() as conn, conn.transaction():
                existing = await self._store.active_commune_for(conn, index)
                if existing is not None:
                    raise DuplicateActiveRegistration(existing)
                await self._store.add(conn, registration, self._vault)
                await add_to_outbox(conn, self._topic, [envelope])
        except asyncpg.UniqueViolationError:
            # Two officers submitted the same person at once; the unique index decided.
            async with self._pool.acquire() as conn:
                existing = await self._store.active_commune_for(conn, index)
            raise DuplicateActiveRegistration(existing or "?") from None
        return registration
