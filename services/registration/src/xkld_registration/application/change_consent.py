"""A worker gives or takes back a consent after intake (the bank or the enterprise purpose).

The answer is added to the history, never overwritten, so the printed record stays complete.
Consents that other services act on through events (processing, SMS) are not changed here.
"""

from __future__ import annotations

import uuid

import asyncpg
from xkld_shared.audit import ChangeContext
from xkld_shared.db.pool import Conn
from xkld_shared.identity.principal import Principal

from xkld_registration.application.file_log import audit_file
from xkld_registration.application.ports import ConsentAnswer, ConsentStore
from xkld_registration.application.queries import RegistrationNotFound
from xkld_registration.application.scope import may_act_on
from xkld_registration.domain.consent import Purpose

CHANGEABLE = frozenset(
    {Purpose.SHARE_WITH_BANK, Purpose.SHARE_WITH_ENTERPRISE, Purpose.SUCCESS_STORY}
)


class ConsentChanges:
    def __init__(self, pool: asyncpg.Pool, store: ConsentStore) -> None:
        self._pool = pool
        self._store = store

    async def change(
        self,
        context: ChangeContext,
        registration_id: uuid.UUID,
        purpose: Purpose,
        granted: bool,
        text_version: str,
    ) -> None:
        assert purpose in CHANGEABLE, "the HTTP edge admits only these purposes"
        actor = context.actor
        async with self._pool.acquire() as conn, conn.transaction():
            await self._lock_in_scope(conn, registration_id, actor)
            before = await self._store.latest(conn, registration_id, purpose.value)
            answer = ConsentAnswer(
                purpose.value, granted, text_version, actor.subject, actor.username
            )
            await self._store.add(conn, registration_id, answer)
            changed = (
                {f"consent.{purpose.value}": before},
                {f"consent.{purpose.value}": granted, "consent_text_version": text_version}
                | await self._forget_story_unless(conn, registration_id, purpose, granted),
            )
            await audit_file(
                conn, context, "registration.consent_changed", registration_id, changed
            )

    async def _lock_in_scope(
        self, conn: Conn, registration_id: uuid.UUID, actor: Principal
    ) -> None:
        place = await self._store.lock_place(conn, registration_id)
        if place is None or not may_act_on(actor, *place):
            raise RegistrationNotFound

    async def _forget_story_unless(
        self, conn: Conn, registration_id: uuid.UUID, purpose: Purpose, granted: bool
    ) -> dict[str, bool]:
        """Taking back the consent to a success story deletes the story, in the same
        transaction: no story outlives its consent."""
        if purpose is not Purpose.SUCCESS_STORY or granted:
            return {}
        return {"success_story_removed": await self._store.drop_story(conn, registration_id)}
