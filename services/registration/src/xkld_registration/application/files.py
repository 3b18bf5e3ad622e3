"""Working the files: lists, search and a file's timeline, always within the reader's scope."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

import asyncpg
from xkld_shared.audit import trail_of
from xkld_shared.db.pool import Conn
from xkld_shared.errors import FieldProblem, InvalidInput
from xkld_shared.identity.principal import Principal, Role

from xkld_registration.adapters.vault import KeyedVault
from xkld_registration.application.queries import find_in_scope
from xkld_registration.domain.search import name_tokens

Sort = Literal[
    "submitted_on", "-submitted_on", "full_name", "-full_name", "commune_code", "-commune_code"
]
_ORDER = {
    "submitted_on": "submitted_on ASC, id ASC",
    "-submitted_on": "submitted_on DESC, id DESC",
    "full_name": "full_name ASC NULLS LAST, id ASC",
    "-full_name": "full_name DESC NULLS LAST, id DESC",
    "commune_code": "commune_code ASC, submitted_on DESC, id DESC",
    "-commune_code": "commune_code DESC, submitted_on DESC, id DESC",
}


@dataclass(frozen=True)
class FileFilters:
    commune_code: str | None = None
    hamlet: str | None = None
    stage: str | None = None
    market: str | None = None
    priority_group: str | None = None
    submitted_from: dt.date | None = None
    submitted_to: dt.date | None = None
    sort: Sort = "-submitted_on"
    page: int = 1
    page_size: int = 50


@dataclass(frozen=True)
class Lookup:
    """Search terms that are personal data: they travel in a request body, never in a URL."""

    name: str | None = None
    cccd: str | None = None


@dataclass
class _Where:
    clauses: list[str] = field(default_factory=list)
    args: list[Any] = field(default_factory=list)

    def add(self, clause: str, value: Any) -> None:
        self.args.append(value)
        self.clauses.append(clause.replace("?", f"${len(self.args)}"))


def _scope(where: _Where, reader: Principal) -> None:
    communes = sorted(reader.scope.communes)
    province = reader.scope.province if Role.LABOUR_OFFICER in reader.roles else None
    where.args += [communes, province]
    n = len(where.args)
    where.clauses.append(f"(commune_code = ANY(${n - 1}::text[]) OR province_code = ${n})")


def _filters(where: _Where, f: FileFilters) -> None:
    simple = {
        "commune_code = ?": f.commune_code,
        "hamlet = ?": f.hamlet,
        "status = ?": f.stage,
        "desired_market = ?": f.market,
        "priority_groups @> ARRAY[?::text]": f.priority_group,
        "submitted_on >= ?": f.submitted_from,
        "submitted_on <= ?": f.submitted_to,
    }
    for clause, value in simple.items():
        if value is not None:
            where.add(clause, value)


def _lookup(where: _Where, lookup: Lookup, vault: KeyedVault) -> None:
    if lookup.name is not None:
        tokens = name_tokens(lookup.name)
        if not tokens:
            raise InvalidInput.of(
                [FieldProblem("name", "Hãy nhập ít nhất một chữ của tên", "Type part of a name")]
            )
        where.add("name_tokens @> ?::bytea[]", vault.name_index(tokens))
    if lookup.cccd is not None:
        where.add("cccd_blind_index = ?", vault.cccd_index(lookup.cccd.strip()))


_COLUMNS = """id, full_name, commune_code, province_code, hamlet, status, desired_market,
    priority_groups, gender, date_of_birth, submitted_on, loan_wanted, erased_at"""


async def list_files(
    pool: asyncpg.Pool,
    vault: KeyedVault,
    reader: Principal,
    filters: FileFilters,
    lookup: Lookup | None = None,
) -> dict[str, Any]:
    where = _Where()
    _scope(where, reader)
    _filters(where, filters)
    if lookup is not None:
        _lookup(where, lookup, vault)
    condition = " AND ".join(where.clauses)
    offset = (filters.page - 1) * filters.page_size
    sql = f"""SELECT {_COLUMNS}, count(*) OVER () AS total FROM registration
              WHERE {condition} ORDER BY {_ORDER[filters.sort]}
              LIMIT {filters.page_size} OFFSET {offset}"""
    async with pool.acquire() as conn:
        rows = await conn.fetch(sql, *where.args)
        total = rows[0]["total"] if rows else await _count(conn, condition, where.args)
    return {
        "items": [_item(r) for r in rows],
        "page": filters.page,
        "page_size": filters.page_size,
        "total": total,
    }


async def _count(conn: Conn, condition: str, args: list[Any]) -> int:
    # Past the last page the window count is not there; count separately.
    sql = f"SELECT count(*) FROM registration WHERE {condition}"
    return int(await conn.fetchval(sql, *args))


def _item(row: asyncpg.Record) -> dict[str, Any]:
    born = row["date_of_birth"]
    return {
        "registration_id": str(row["id"]),
        "full_name": row["full_name"],
        "commune_code": row["commune_code"],
        "province_code": row["province_code"],
        "hamlet": row["hamlet"],
        "stage": row["status"],
        "desired_market": row["desired_market"],
        "priority_groups": list(row["priority_groups"]),
        "gender": row["gender"],
        "birth_year": None if born is None else born.year,
        "submitted_on": row["submitted_on"].isoformat(),
        "loan_wanted": row["loan_wanted"],
        "erased": row["erased_at"] is not None,
    }


async def timeline(
    pool: asyncpg.Pool, registration_id: uuid.UUID, reader: Principal
) -> list[dict[str, Any]]:
    """Events and audit rows of one file, oldest first: what happened, and who did it."""
    await find_in_scope(pool, registration_id, reader)
    async with pool.acquire() as conn:
        events = await conn.fetch(
            """SELECT event_type, envelope, recorded_at FROM registration_history
               WHERE registration_id = $1 ORDER BY recorded_at, event_id""",
            registration_id,
        )
    audits = await trail_of(pool, "registration", str(registration_id))
    entries = [_event_entry(r) for r in events] + [_audit_entry(r) for r in audits]
    return sorted(entries, key=lambda e: (e["at"], e["kind"] == "event"))


def _event_entry(row: asyncpg.Record) -> dict[str, Any]:
    envelope = row["envelope"]
    envelope = json.loads(envelope) if isinstance(envelope, str) else envelope
    return {
        "at": row["recorded_at"],
        "kind": "event",
        "type": row["event_type"],
        "actor": envelope.get("producer"),
        "details": envelope.get("payload", {}),
        "correlation_id": envelope.get("correlation_id"),
    }


def _audit_entry(row: asyncpg.Record) -> dict[str, Any]:
    return {
        "at": row["occurred_at"],
        "kind": "audit",
        "type": row["action"],
        "actor": row["actor_username"],
        "details": row["changes"],
        "correlation_id": None if row["correlation_id"] is None else str(row["correlation_id"]),
    }
