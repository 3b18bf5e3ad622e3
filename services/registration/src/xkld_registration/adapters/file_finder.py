"""Finding files as stored: a page of the files in the reader's scope, filtered and sorted, and
the events a file went through. The statement is built from fixed pieces; values only ever
travel as parameters."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from xkld_shared.db.pool import Conn
from xkld_shared.identity.principal import Principal, Role

from xkld_registration.application.ports import FileFilters, LookupIndexes

_ORDER = {
    "submitted_on": "submitted_on ASC, id ASC",
    "-submitted_on": "submitted_on DESC, id DESC",
    "full_name": "full_name ASC NULLS LAST, id ASC",
    "-full_name": "full_name DESC NULLS LAST, id DESC",
    "commune_code": "commune_code ASC, submitted_on DESC, id DESC",
    "-commune_code": "commune_code DESC, submitted_on DESC, id DESC",
}


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


def _lookup(where: _Where, lookup: LookupIndexes) -> None:
    if lookup.name_index is not None:
        where.add("name_tokens @> ?::bytea[]", lookup.name_index)
    if lookup.cccd_index is not None:
        where.add("cccd_blind_index = ?", lookup.cccd_index)


_COLUMNS = """id, full_name, commune_code, province_code, hamlet, status, desired_market,
    priority_groups, gender, date_of_birth, submitted_on, loan_wanted, erased_at"""


class PostgresFileFinder:
    async def page(
        self, conn: Conn, reader: Principal, filters: FileFilters, lookup: LookupIndexes
    ) -> tuple[list[dict[str, Any]], int]:
        """One page of files, as the list shows them, and how many match in all."""
        where = _Where()
        _scope(where, reader)
        _filters(where, filters)
        _lookup(where, lookup)
        condition = " AND ".join(where.clauses)
        offset = (filters.page - 1) * filters.page_size
        sql = f"""SELECT {_COLUMNS}, count(*) OVER () AS total FROM registration
                  WHERE {condition} ORDER BY {_ORDER[filters.sort]}
                  LIMIT {filters.page_size} OFFSET {offset}"""
        rows = await conn.fetch(sql, *where.args)
        total = rows[0]["total"] if rows else await _count(conn, condition, where.args)
        return [_item(r) for r in rows], total

    async def events_of(self, conn: Conn, registration_id: uuid.UUID) -> list[asyncpg.Record]:
        return await conn.fetch(
            """SELECT event_type, envelope, recorded_at FROM registration_history
               WHERE registration_id = $1 ORDER BY recorded_at, event_id""",
            registration_id,
        )


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
