"""What every campaign write shares: one transaction with its idempotency key and audit row."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from xkld_shared import idempotency
from xkld_shared.audit import Change, ChangeContext, record_changes
from xkld_shared.db.pool import Conn

Work = Callable[[Conn], Awaitable[idempotency.Answer]]


async def once(pool: asyncpg.Pool, keyed: idempotency.Keyed, work: Work) -> idempotency.Answer:
    """The work and its stored answer commit together: a retry with the key gets the answer."""
    async with pool.acquire() as conn, conn.transaction():
        stored = (await idempotency.lock_and_find(conn, [keyed])).get(keyed.ident)
        if stored is not None:
            return stored.replay_for(keyed)
        answer = await work(conn)
        await idempotency.store(conn, [(keyed, answer)])
        return answer


async def audited(
    conn: Conn,
    context: ChangeContext,
    action: str,
    entity_id: Any,
    before: dict[str, Any],
    after: dict[str, Any],
) -> None:
    entity = action.split(".")[0]
    await record_changes(conn, [Change(context, action, entity, str(entity_id), before, after)])
