"""Recording changes made by people, inside the same transaction as the change."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg

from xkld_shared.db.pool import Conn
from xkld_shared.idempotency import Keyed
from xkld_shared.identity.principal import Principal

SEALED = "«sealed»"  # what the trail shows for a sensitive field: that it changed, not its value


@dataclass(frozen=True)
class ChangeContext:
    actor: Principal
    source_ip: str | None
    correlation_id: uuid.UUID | None
    # The request's Idempotency-Key, for changes that honour one (a form sent twice).
    idempotency: Keyed | None = None


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    fields = sorted(set(before) | set(after))
    return {
        f: {"before": before.get(f), "after": after.get(f)}
        for f in fields
        if before.get(f) != after.get(f)
    }


@dataclass(frozen=True)
class Change:
    """One audit row: who (the context) did what to which entity."""

    context: ChangeContext
    action: str
    entity_type: str
    entity_id: str
    before: Mapping[str, Any]
    after: Mapping[str, Any]


async def record_change(
    conn: Conn,
    context: ChangeContext,
    *,
    action: str,
    entity_type: str,
    entity_id: str,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
) -> None:
    await record_changes(conn, [Change(context, action, entity_type, entity_id, before, after)])


async def record_changes(conn: Conn, changes: Sequence[Change]) -> None:
    """Several audit rows in one round trip (a group commit's batch)."""
    if not conn.is_in_transaction():
        raise RuntimeError("an audit row must share the change's transaction")
    await conn.executemany(
        """INSERT INTO audit.audit_log (actor_subject, actor_username, actor_roles, source_ip,
               action, entity_type, entity_id, changes, correlation_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9)""",
        [
            (
                c.context.actor.subject,
                c.context.actor.username,
                sorted(c.context.actor.roles),
                c.context.source_ip,
                c.action,
                c.entity_type,
                c.entity_id,
                diff(c.before, c.after),
                c.context.correlation_id,
            )
            for c in changes
        ],
    )


async def trail_of(
    pool: asyncpg.Pool, entity_type: str, entity_id: str
) -> Sequence[asyncpg.Record]:
    return await pool.fetch(
        """SELECT id, occurred_at, actor_subject, actor_username, actor_roles, source_ip, action,
                  changes, correlation_id
           FROM audit.audit_log WHERE entity_type = $1 AND entity_id = $2 ORDER BY id""",
        entity_type,
        entity_id,
    )
