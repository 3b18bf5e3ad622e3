"""Taking in a worker's file: the row and its RegistrationSubmitted event commit together."""

from __future__ import annotations

import uuid

import asyncpg
from xkld_shared.audit import ChangeContext, record_change
from xkld_shared.contracts.envelope import new_envelope
from xkld_shared.contracts.topics import Stream, Topics
from xkld_shared.errors import AppError
from xkld_shared.messaging.outbox import add_to_outbox

from xkld_registration.application.ports import (
    Clock,
    CommuneDirectory,
    PersonalDataVault,
    RegistrationStore,
)
from xkld_registration.domain.registration import (
    DuplicateActiveRegistration,
    Registration,
    SubmitRegistration,
    audit_view,
    submit,
    submitted_event,
)

PRODUCER = "registration"


class OutsideYourCommunes(AppError):
    status_code = 403
    code = "outside_your_communes"

    def __init__(self) -> None:
        super().__init__(
            "Bạn chỉ được nhận hồ sơ của xã/phường mình phụ trách",
            "You may only register workers of the communes you are responsible for",
        )


class SubmitRegistrationHandler:
    def __init__(
        self,
        pool: asyncpg.Pool,
        store: RegistrationStore,
        vault: PersonalDataVault,
        topics: Topics,
        clock: Clock,
        communes: CommuneDirectory,
    ) -> None:
        self._pool = pool
        self._store = store
        self._vault = vault
        self._topic = topics.of(Stream.REGISTRATION)
        self._clock = clock
        self._communes = communes

    async def __call__(self, cmd: SubmitRegistration, context: ChangeContext) -> Registration:
        registration = submit(
            cmd,
            registration_id=uuid.uuid4(),
            today=self._clock.today(),
            province_code=self._communes.province_of(cmd.commune_code),
        )
        if registration.commune_code not in context.actor.scope.communes:
            raise OutsideYourCommunes
        event = submitted_event(registration, self._vault.seal_phone(registration.phone_e164))
        envelope = new_envelope(
            event,
            registration_id=registration.id,
            producer=PRODUCER,
            correlation_id=context.correlation_id,
        )
        index = self._vault.cccd_index(registration.cccd)
        try:
            async with self._pool.acquire() as conn, conn.transaction():
                existing = await self._store.active_commune_for(conn, index)
                if existing is not None:
                    raise DuplicateActiveRegistration(existing)
                await self._store.add(conn, registration, self._vault)
                actor = context.actor
                await self._store.add_consents(conn, registration, actor.subject, actor.username)
                await record_change(
                    conn,
                    context,
                    action="registration.submitted",
                    entity_type="registration",
                    entity_id=str(registration.id),
                    before={},
                    after=audit_view(registration),
                )
                await add_to_outbox(conn, self._topic, [envelope])
        except asyncpg.UniqueViolationError:
            # Two officers submitted the same person at once; the unique index decided.
            async with self._pool.acquire() as conn:
                existing = await self._store.active_commune_for(conn, index)
            raise DuplicateActiveRegistration(existing or "?") from None
        return registration
