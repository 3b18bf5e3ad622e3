"""Erasing a worker's personal data on request; the fact and its event commit together."""

from __future__ import annotations

import uuid

import asyncpg
from xkld_shared.audit import SEALED, ChangeContext, record_change
from xkld_shared.contracts.envelope import new_envelope
from xkld_shared.contracts.registration import RegistrationPersonalDataErased
from xkld_shared.contracts.topics import Stream, Topics
from xkld_shared.messaging.outbox import add_to_outbox

from xkld_registration.adapters.journey_store import erase_journey_details
from xkld_registration.application.ports import Clock
from xkld_registration.application.queries import RegistrationNotFound, covers
from xkld_registration.application.submit_registration import PRODUCER
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
    def __init__(self, pool: asyncpg.Pool, topics: Topics, clock: Clock) -> None:
        self._pool = pool
        self._topic = topics.of(Stream.REGISTRATION)
        self._clock = clock

    async def __call__(self, registration_id: uuid.UUID, context: ChangeContext) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow(
                """SELECT commune_code, province_code, status, erased_at FROM registration
                   WHERE id = $1 FOR UPDATE""",
                registration_id,
            )
            if row is None or not covers(context.actor, row):
                raise RegistrationNotFound
            check_erasable(row["status"], row["erased_at"] is not None)
            await conn.execute(
                """UPDATE registration SET full_name = NULL, cccd_ciphertext = NULL,
                       cccd_blind_index = NULL, date_of_birth = NULL, gender = NULL,
                       phone_ciphertext = NULL, ethnicity_ciphertext = NULL,
                       poverty_ciphertext = NULL, name_tokens = '{}', hamlet = NULL,
                       occupation = NULL, desired_occupation = NULL,
                       erased_at = now(), updated_at = now()
                   WHERE id = $1""",
                registration_id,
            )
            await erase_journey_details(conn, registration_id)
            # The file's history keeps what happened, not where the person lives.
            await conn.execute(
                """UPDATE registration_history SET envelope = envelope #- '{payload,hamlet}'
                   WHERE registration_id = $1""",
                registration_id,
            )
            await record_change(
                conn,
                context,
                action="registration.personal_data_erased",
                entity_type="registration",
                entity_id=str(registration_id),
                before=dict.fromkeys(_PERSONAL, SEALED),
                after=dict.fromkeys(_PERSONAL),
            )
            event = RegistrationPersonalDataErased(erased_on=self._clock.today())
            envelope = new_envelope(
                event,
                registration_id=registration_id,
                producer=PRODUCER,
                correlation_id=context.correlation_id,
            )
            await add_to_outbox(conn, self._topic, [envelope])
