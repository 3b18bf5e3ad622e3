"""Erasing a survey member's personal data on request, for someone who never registered.

The name and the sealed phone are emptied and the member is marked erased, with the audit row
and the key's stored answer, in one transaction. The answers stay: they are bands and codes,
and the roll-ups and funnels keep counting them. No event: nothing personal ever left this
service on its own topic (the phone only inside CampaignBroadcastRequested, sealed, which
notifications keeps under its own rules), so no other service has anything to forget.
"""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
from xkld_shared import idempotency
from xkld_shared.audit import SEALED, ChangeContext
from xkld_shared.db.pool import Conn

from xkld_outreach.application.ports import SurveyStore
from xkld_outreach.application.scope import RespondentNotFound, readable
from xkld_outreach.application.unit_of_work import audited, once
from xkld_outreach.domain.erasure import check_erasable


class MemberErasure:
    def __init__(self, pool: asyncpg.Pool, store: SurveyStore) -> None:
        self._pool = pool
        self._store = store

    async def erase(
        self,
        member_id: uuid.UUID,
        reason: str,
        context: ChangeContext,
        keyed: idempotency.Keyed,
    ) -> idempotency.Answer:
        async def work(conn: Conn) -> idempotency.Answer:
            # The row lock orders this against a conversion link arriving at the same moment.
            found = await self._store.member_with_round(conn, member_id, lock=True)
            row = readable(context.actor, found, RespondentNotFound())
            check_erasable(row["erased_at"], row["registration_id"])
            erased = await self._store.erase_member(conn, member_id, context.actor.username, reason)
            body = _answer(member_id, erased, context.actor.username, reason)
            before = _personal(row)
            after = dict.fromkeys(before) | {"reason": reason}
            await audited(conn, context, "survey_member.erased", member_id, before, after)
            return idempotency.Answer(200, body)

        return await once(self._pool, keyed, work)


def _personal(row: asyncpg.Record) -> dict[str, Any]:
    """What was held, shown only as sealed: the audit trail never echoes a name."""
    return {
        "full_name": None if row["full_name"] is None else SEALED,
        "phone": None if row["phone_sealed"] is None else SEALED,
    }


def _answer(
    member_id: uuid.UUID, erased: asyncpg.Record, erased_by: str, reason: str
) -> dict[str, Any]:
    return {
        "respondent_id": str(member_id),
        "erased_at": erased["erased_at"].isoformat(),
        "erased_by": erased_by,
        "reason": reason,
    }
