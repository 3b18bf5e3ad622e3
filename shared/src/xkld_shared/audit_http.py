"""The administrator's view of a service's audit trail: who did what to which entity, when,
and which fields changed, never the values (they can be a worker's personal data).

Written once here; every service with an `audit.audit_log` mounts `audit_router()`, and the
identity component mounts it over its own account trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Mapping
from typing import Annotated, Any

import asyncpg
from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from xkld_shared.identity.http import require
from xkld_shared.identity.principal import Principal, Role

MAX_PAGE = 200
BIGINT_MAX = 2**63 - 1  # the id column's range: larger would fail in PostgreSQL, not here


class AuditRow(BaseModel):
    id: int
    occurred_at: dt.datetime
    actor_username: str
    actor_roles: list[str]
    action: str
    entity_type: str
    entity_id: str
    fields: list[str]  # the names of the changed fields, without their values


class AuditPage(BaseModel):
    service: str
    rows: list[AuditRow]
    # Pass as `before_id` for the next (older) page; None when this page is the last.
    next_before_id: int | None


Administrator = Annotated[Principal, Depends(require(Role.ADMIN))]
Text = Annotated[str | None, Query(max_length=128)]


# Where each filter looks: the shared audit log's columns. Identity's own account trail names
# them differently and holds accounts only (a constant stands in for its entity type).
AUDIT_LOG_COLUMNS = {"actor": "actor_username", "entity_type": "entity_type", "when": "occurred_at"}


def where_clause(
    actor: str | None,
    entity_type: str | None,
    action: str | None,
    since: dt.date | None,
    until: dt.date | None,
    before_id: int | None,
    columns: Mapping[str, str] = AUDIT_LOG_COLUMNS,
) -> tuple[str, list[Any]]:
    """A WHERE clause from the filters given; dates are whole days in Vietnam, `until`
    included (the database's own zone would shift a day's edge by seven hours)."""
    when = columns["when"]
    midnight = "((${}::date{})::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh')"
    wanted: list[tuple[str, Any]] = [
        (f"{columns['actor']} = ${{}}", actor),
        (f"{columns['entity_type']} = ${{}}", entity_type),
        ("action = ${}", action),
        (f"{when} >= {midnight.format('{}', '')}", since),
        (f"{when} < {midnight.format('{}', ' + 1')}", until),
        ("id < ${}", before_id),
    ]
    clauses, args = ["TRUE"], []
    for clause, value in wanted:
        if value is not None and value != "":
            args.append(value)
            clauses.append(clause.format(len(args)))
    return " AND ".join(clauses), args


async def read_trail(
    pool: asyncpg.Pool,
    limit: int,
    *filters: Any,
) -> list[AuditRow]:
    where, args = where_clause(*filters)
    rows = await pool.fetch(
        f"""SELECT id, occurred_at, actor_username, actor_roles, action, entity_type, entity_id,
                   changes
            FROM audit.audit_log WHERE {where}
            ORDER BY id DESC LIMIT {int(limit)}""",
        *args,
    )
    return [_row(r) for r in rows]


def _row(record: asyncpg.Record) -> AuditRow:
    changes = record["changes"]
    return AuditRow(
        id=record["id"],
        occurred_at=record["occurred_at"],
        actor_username=record["actor_username"],
        actor_roles=list(record["actor_roles"]),
        action=record["action"],
        entity_type=record["entity_type"],
        entity_id=record["entity_id"],
        fields=sorted(changes) if isinstance(changes, dict) else [],
    )


# Reads `limit` rows of a trail, newest first, with the six filters of `where_clause`.
TrailReader = Callable[..., Awaitable[list[AuditRow]]]


def audit_router(service: str, reader: TrailReader = read_trail) -> APIRouter:
    """`GET /audit` for this service's own trail, newest first, admin only."""
    router = APIRouter(tags=["audit"])

    @router.get("/audit", summary="Nhật ký thay đổi (chỉ tên trường, không có giá trị)")
    async def audit_trail(
        request: Request,
        _: Administrator,
        actor: Text = None,
        entity_type: Text = None,
        action: Text = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
        before_id: Annotated[int | None, Query(ge=1, le=BIGINT_MAX)] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    ) -> AuditPage:
        pool: asyncpg.Pool = request.app.state.pool
        rows = await reader(pool, limit + 1, actor, entity_type, action, since, until, before_id)
        more = len(rows) > limit
        rows = rows[:limit]
        return AuditPage(
            service=service, rows=rows, next_before_id=rows[-1].id if more and rows else None
        )

    return router
