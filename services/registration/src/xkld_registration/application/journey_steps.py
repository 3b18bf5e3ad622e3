"""Running one journey step: lock the file, check scope and rules, then write the new stage,
the step's details, the audit row and the events in one transaction."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from xkld_shared import idempotency
from xkld_shared.audit import ChangeContext
from xkld_shared.contracts.envelope import new_envelope
from xkld_shared.contracts.topics import Stream, Topics
from xkld_shared.db.pool import Conn
from xkld_shared.messaging.outbox import add_to_outbox

from xkld_registration.application.file_log import audit_file
from xkld_registration.application.file_scope import file_in_scope
from xkld_registration.application.ports import Clock, JourneyFile, JourneyFiles
from xkld_registration.application.submit_registration import PRODUCER
from xkld_registration.domain.journey import Decision, decide
from xkld_registration.domain.journey_commands import Command
from xkld_registration.domain.journey_state import Journey

# Builds the command once the file is locked (it may read reference data in the same transaction).
MakeCommand = Callable[[Conn, JourneyFile], Awaitable[Command]]
# Writes the step's own details; returns what the audit row should show of them.
WriteDetails = Callable[[Conn, JourneyFile, Decision], Awaitable[dict[str, Any]]]


def journey_view(journey: Journey) -> dict[str, Any]:
    return {
        "stage": journey.stage.value,
        "loan": journey.loan.value,
        "gates": sorted(g.value for g in journey.gates),
        "orientation_certified": journey.orientation_certified,
        "market_code": journey.market_code,
        "enterprise_code": journey.enterprise_code,
        "departure_on": journey.departure_on,
        "early_cause": journey.early_cause,
    }


class JourneySteps:
    def __init__(
        self, pool: asyncpg.Pool, files: JourneyFiles, topics: Topics, clock: Clock
    ) -> None:
        self.pool = pool
        self.files = files
        self._topic = topics.of(Stream.REGISTRATION)
        self.clock = clock

    async def run(
        self,
        registration_id: uuid.UUID,
        context: ChangeContext,
        *,
        action: str,
        command: MakeCommand,
        details: WriteDetails | None = None,
    ) -> Journey:
        async with self.pool.acquire() as conn, conn.transaction():
            if (done := await self._done_before(conn, registration_id, context)) is not None:
                return done
            file = await file_in_scope(self.files, conn, registration_id, context.actor)
            decision = decide(file.journey, await command(conn, file))
            await self.files.save_journey(conn, registration_id, decision.journey)
            shown = await details(conn, file, decision) if details else {}
            await self._record(conn, context, action, file, decision, shown)
            await _keep_answer(conn, context, action)
        return decision.journey

    async def _done_before(
        self, conn: Conn, registration_id: uuid.UUID, context: ChangeContext
    ) -> Journey | None:
        """With an Idempotency-Key used before (a form sent twice), the file as it is now."""
        key = context.idempotency
        if key is None:
            return None
        stored = (await idempotency.lock_and_find(conn, [key])).get(key.ident)
        if stored is None:
            return None
        stored.replay_for(key)  # the same key with another body is refused
        file = await file_in_scope(self.files, conn, registration_id, context.actor, lock=False)
        return file.journey

    async def _record(
        self,
        conn: Conn,
        context: ChangeContext,
        action: str,
        file: JourneyFile,
        decision: Decision,
        shown: dict[str, Any],
    ) -> None:
        registration_id = file.id
        change = (journey_view(file.journey), journey_view(decision.journey) | shown)
        await audit_file(conn, context, f"journey.{action}", registration_id, change)
        envelopes = [
            new_envelope(
                event,
                registration_id=registration_id,
                producer=PRODUCER,
                correlation_id=context.correlation_id,
            )
            for event in decision.events
        ]
        await add_to_outbox(conn, self._topic, envelopes)


async def _keep_answer(conn: Conn, context: ChangeContext, action: str) -> None:
    """With an Idempotency-Key, the step's answer is kept for a form sent again."""
    if context.idempotency is not None:
        answer = idempotency.Answer(200, {"action": action})
        await idempotency.store(conn, [(context.idempotency, answer)])
