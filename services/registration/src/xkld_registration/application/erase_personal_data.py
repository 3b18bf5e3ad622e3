"""Erasing a worker's personal data on request; the fact and its event commit together."""

from __future__ import annotations

import uuid

import asyncpg
from xkld_shared.audit import SEALED, ChangeContext
from xkld_shared.contracts.registration import RegistrationPersonalDataErased
from xkld_shared.contracts.topics import Stream, Topics
from xkld_shared.identity.principal import Principal, Role

from xkld_registration.application.file_log import audit_file, emit
from xkld_registration.application.ports import Clock, FileErasure, FileState
from xkld_registration.application.queries import RegistrationNotFound
from xkld_registration.domain.erasure import check_erasable

_PERSONAL = (
    "full_name",
    "cccd",
    "date_of_birth",
    "gender",
    "phone",
    "ethnicity",
    "household_poverty",
    "hamlet",
    "occupation",
    "desired_occupation",
)


class ErasePersonalDataHandler:
    def __init__(
        self, pool: asyncpg.Pool, store: FileErasure, topics: Topics, clock: Clock
    ) -> None:
        self._pool = pool
        self._store = store
        self._topic = topics.of(Stream.REGISTRATION)
        self._clock = clock

    async def __call__(self, registration_id: uuid.UUID, context: ChangeContext) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            file = await self._store.state_of(conn, registration_id)
            if file is None or not _may_erase(context.actor, file):
                raise RegistrationNotFound
            check_erasable(file.status, file.erased)
            await self._store.erase(conn, registration_id)
            erased = (dict.fromkeys(_PERSONAL, SEALED), dict.fromkeys(_PERSONAL))
            await audit_file(
                conn, context, "registration.personal_data_erased", registration_id, erased
            )
            event = RegistrationPersonalDataErased(erased_on=self._clock.today())
            await emit(conn, self._topic, event, registration_id, context)


def _may_erase(actor: Principal, file: FileState) -> bool:
    """The file's commune or province officers, or the administrator."""
    return Role.ADMIN in actor.roles or actor.covers_commune(file.commune_code, file.province_code)
