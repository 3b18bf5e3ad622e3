"""The identity component's audit trail, in the shape every service's `GET /audit` answers:
who created, changed, reset, locked or unlocked which account, and which fields changed. The
values stay in `account_audit` (a password hash never goes there, but names and scopes do)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg

from xkld_shared.audit_http import AuditRow, where_clause

ENTITY = "account"
COLUMNS = {"actor": "actor", "entity_type": f"'{ENTITY}'", "when": "at"}


async def read_account_trail(
    pool: asyncpg.Pool,
    limit: int,
    actor: str | None,
    entity_type: str | None,
    action: str | None,
    since: dt.date | None,
    until: dt.date | None,
    before_id: int | None,
) -> list[AuditRow]:
    filters = (actor, entity_type, action, since, until, before_id)
    where, args = where_clause(*filters, columns=COLUMNS)
    rows = await pool.fetch(
        # The trail keeps the actor's account id; the viewer shows (and filters by) the
        # username, as every other trail does. Other actors (the command line) stay as written.
        f"""SELECT * FROM (
                SELECT t.id, t.at, COALESCE(a.username, t.actor) AS actor, t.action,
                       t.account_id, t.before, t.after
                FROM account_audit t LEFT JOIN account a ON a.id::text = t.actor
            ) trail WHERE {where}
            ORDER BY id DESC LIMIT {int(limit)}""",
        *args,
    )
    return [_row(r) for r in rows]


def changed_fields(before: Any, after: Any) -> list[str]:
    """The names of the fields whose value differs (or appears, or goes) between the two."""
    old = before if isinstance(before, dict) else {}
    new = after if isinstance(after, dict) else {}
    return sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))


def _row(record: asyncpg.Record) -> AuditRow:
    return AuditRow(
        id=record["id"],
        occurred_at=record["at"],
        actor_username=record["actor"],
        actor_roles=[],  # the account trail does not keep the actor's roles
        action=record["action"],
        entity_type=ENTITY,
        entity_id=str(record["account_id"]),
        fields=changed_fields(record["before"], record["after"]),
    )
