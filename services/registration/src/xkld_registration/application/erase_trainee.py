"""Erasing a trainee's personal data on request; the fact and its event commit together.

What identifies the person goes: name, CCCD (sealed and its blind index on the trainee row),
date of birth, gender, phone, ethnicity, household poverty, hamlet and certificate numbers.
What the law needs kept stays: the once-per-person support row (keyed by the CCCD blind index,
so the person can never be supported twice under Decision 46/2015) and the payment lines (the
record of public money paid). Counts, courses, attendance and outcomes stay, without a person.
"""

from __future__ import annotations

import uuid

import asyncpg
from xkld_shared.audit import SEALED, ChangeContext, record_change
from xkld_shared.contracts.topics import Topics
from xkld_shared.contracts.training import TraineePersonalDataErased

from xkld_registration.application.ports import Clock, TraineeStore
from xkld_registration.application.trainee_common import load_trainee
from xkld_registration.application.trainee_events import TraineeEvents
from xkld_registration.domain.erasure import check_trainee_erasable

_PERSONAL = (
    "full_name",
    "cccd",
    "date_of_birth",
    "gender",
    "phone",
    "ethnicity",
    "household_poverty",
    "hamlet",
    "certificate_numbers",
)


class EraseTraineeHandler:
    def __init__(
        self, pool: asyncpg.Pool, store: TraineeStore, topics: Topics, clock: Clock
    ) -> None:
        self._pool = pool
        self._store = store
        self._events = TraineeEvents(topics)
        self._clock = clock

    async def __call__(self, trainee_id: uuid.UUID, ctx: ChangeContext) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            trainee = await load_trainee(
                self._store, conn, ctx.actor, trainee_id, lock=True, erased_too=True
            )
            check_trainee_erasable(trainee.erased)
            await self._store.erase(conn, trainee.id)
            await record_change(
                conn,
                ctx,
                action="trainee.personal_data_erased",
                entity_type="trainee",
                entity_id=str(trainee.id),
                before=dict.fromkeys(_PERSONAL, SEALED),
                after=dict.fromkeys(_PERSONAL),
            )
            event = TraineePersonalDataErased(erased_on=self._clock.today())
            await self._events.add(conn, trainee.id, event, ctx)
