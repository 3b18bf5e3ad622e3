"""One history per person: a trainee's courses, results, outcomes and support, and the same
person's labour-export files, linked by the CCCD blind index (either side may come first)."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
from xkld_shared.identity.principal import Principal

from xkld_registration.application.ports import Clock, TraineeRecords, TraineeStore
from xkld_registration.application.queries import RegistrationNotFound
from xkld_registration.application.scope import may_act_on
from xkld_registration.application.trainee_common import load_trainee


class TraineeHistory:
    def __init__(
        self, pool: asyncpg.Pool, stores: tuple[TraineeStore, TraineeRecords], clock: Clock
    ) -> None:
        self._pool = pool
        self._store, self._records = stores
        self._clock = clock

    async def outcomes_due(self, actor: Principal) -> list[dict[str, Any]]:
        """The commune officer's reminders: trainees of their communes who finished a course
        less than six months ago with no employment outcome recorded yet, soonest due first."""
        async with self._pool.acquire() as conn:
            communes = sorted(actor.scope.communes)
            return await self._records.outcomes_due(conn, communes, self._clock.today())

    async def history(self, trainee_id: uuid.UUID, actor: Principal) -> dict[str, Any]:
        async with self._pool.acquire() as conn:
            trainee = await load_trainee(self._store, conn, actor, trainee_id)
            head = await self._records.head(conn, trainee.id)
            courses = await self._records.courses_of(conn, trainee.id)
            support = await self._records.support_of(conn, trainee.cccd_index, trainee.id)
            index = trainee.cccd_index
            files = [] if index is None else await self._store.files_of(conn, index)
        return {
            "trainee_id": str(trainee.id),
            "full_name": head.full_name,
            "commune_code": head.commune_code,
            "registered_on": head.registered_on.isoformat(),
            "support_groups": head.support_groups,
            "difficult_commune": head.difficult_commune,
            "courses": courses,
            "support": support,
            "labour_export_files": [f.view() for f in files],
            # An erased trainee keeps courses and support, without the person.
            "personal_data_erased": head.erased,
        }

    async def of_registration(self, registration_id: uuid.UUID, actor: Principal) -> dict[str, Any]:
        """The same person's training at home, seen from their labour-export file."""
        async with self._pool.acquire() as conn:
            file = await self._records.file_owner(conn, registration_id)
            if file is None or not may_act_on(actor, file.commune_code, file.province_code):
                raise RegistrationNotFound
            index = file.cccd_index
            trainee_id = None if index is None else await self._records.trainee_of(conn, index)
            courses = [] if trainee_id is None else await self._records.courses_of(conn, trainee_id)
            support = await self._records.support_of(conn, index)
        return {
            "registration_id": str(registration_id),
            "trainee_id": None if trainee_id is None else str(trainee_id),
            "courses": courses,
            "support": support,
        }
