"""Reading trainees for the staff's screens: the list of one's communes (or province) with a
name or CCCD search, one trainee's summary, and a course's trainees. Read-only: nothing here
changes a row, so nothing here writes an audit row either.

Scope is the neighbouring routes' rule (`may_act_on`): commune staff see their communes,
labour officers and provincial training centres their province. A trainee outside the scope
answers 404, as if there were none."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

import asyncpg
from xkld_shared.errors import FieldProblem, InvalidInput
from xkld_shared.identity.principal import Principal, Role

from xkld_registration.application.journey_terms import found_course
from xkld_registration.application.ports import (
    PersonalDataVault,
    ReaderScope,
    TraineeQuery,
    TraineeReadStore,
)
from xkld_registration.application.scope import may_act_on
from xkld_registration.application.trainee_common import TraineeNotFound
from xkld_registration.domain.search import name_tokens


def reader_scope(actor: Principal) -> ReaderScope:
    wide = actor.roles & {Role.LABOUR_OFFICER, Role.TRAINING_STAFF}
    return ReaderScope(sorted(actor.scope.communes), actor.scope.province if wide else None)


class TraineeReads:
    def __init__(
        self, pool: asyncpg.Pool, store: TraineeReadStore, vault: PersonalDataVault
    ) -> None:
        self._pool = pool
        self._store = store
        self._vault = vault

    async def page(
        self,
        actor: Principal,
        query: TraineeQuery,
        *,
        name: str | None = None,
        cccd: str | None = None,
    ) -> dict[str, Any]:
        if name is not None:
            query = replace(query, name_tokens=_searched_tokens(name))
        if cccd is not None:
            index = self._vault.cccd_index(cccd.strip())
            query = replace(query, cccd_index=index)
        return await self._store.trainee_page(self._pool, reader_scope(actor), query)

    async def summary(self, actor: Principal, trainee_id: uuid.UUID) -> dict[str, Any]:
        r = await self._store.trainee_summary(self._pool, trainee_id)
        if r is None or not may_act_on(actor, r["commune_code"], r["province_code"]):
            raise TraineeNotFound
        return _summary_view(r)

    async def of_course(self, actor: Principal, course_code: str) -> list[dict[str, Any]]:
        course_id = found_course(await self._store.course_id_of(self._pool, course_code))
        rows = await self._store.course_trainees(self._pool, course_id)
        return [
            _roster_line(r)
            for r in rows
            if may_act_on(actor, r["commune_code"], r["province_code"])
        ]


def _searched_tokens(name: str) -> tuple[str, ...]:
    tokens = name_tokens(name)
    if not tokens:
        problem = FieldProblem("name", "Hãy nhập ít nhất một chữ của tên", "Type a name")
        raise InvalidInput.of([problem])
    return tuple(sorted(tokens))


def _summary_view(r: asyncpg.Record) -> dict[str, Any]:
    consents = r["consents"]
    return {
        "trainee_id": str(r["id"]),
        "full_name": r["full_name"],
        "commune_code": r["commune_code"],
        "province_code": r["province_code"],
        "hamlet": r["hamlet"],
        "gender": r["gender"],
        # Erased on request: the personal columns are empty, the record of training stays.
        "date_of_birth": None if r["date_of_birth"] is None else r["date_of_birth"].isoformat(),
        "personal_data_erased": r["erased_at"] is not None,
        "registered_on": r["registered_on"].isoformat(),
        "support_groups": list(r["support_groups"]),
        "difficult_commune": r["difficult_commune"],
        "consents": consents if isinstance(consents, dict) else {},
        "consent_text_version": r["consent_text_version"],
        "other_state_support": r["support_policy"] if r["support_kind"] == "other_policy" else None,
    }


def _roster_line(r: asyncpg.Record) -> dict[str, Any]:
    def day(value: Any) -> str | None:
        return None if value is None else str(value.isoformat())

    return {
        "trainee_id": str(r["id"]),
        "full_name": r["full_name"],
        "commune_code": r["commune_code"],
        "enrolled_on": day(r["enrolled_on"]),
        "distance_km": str(r["distance_km"]),
        "days_present": r["days_present"],
        "days_absent": r["days_absent"],
        "last_attended_on": day(r["last_day"]),
        "completed_on": day(r["completed_on"]),
        "passed": r["passed"],
        "certificate_number": r["certificate_number"],
    }
