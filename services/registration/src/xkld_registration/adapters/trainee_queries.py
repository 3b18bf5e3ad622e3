"""SQL of the trainee reads: a scoped, paged list with an accent-insensitive name search, one
trainee's summary, and the trainees of a course with their attendance and result.

The trainee table keeps the name in clear and has no name-token column, so the search folds
the name in SQL: `translate` maps every accented Latin letter (and Đ/đ) to the letter the
domain's `fold` gives, the same way on every server whatever its collation."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
from xkld_shared.db.pool import Conn

from xkld_registration.application.ports import ReaderScope, TraineeQuery
from xkld_registration.domain.search import fold


def _fold_map() -> tuple[str, str]:
    """The letters `fold` turns into one plain letter, for SQL's translate()."""
    letters = [chr(c) for c in range(ord("A"), ord("Z") + 1)]
    letters += [chr(c) for c in (*range(0xC0, 0x250), *range(0x1E00, 0x1F00))]
    pairs = [(c, fold(c)) for c in letters]
    kept = [(c, f) for c, f in pairs if len(f) == 1 and f.isascii() and f.isalpha() and c != f]
    return "".join(c for c, _ in kept), "".join(f for _, f in kept)


FOLD_FROM, FOLD_TO = _fold_map()
_WORDS = "regexp_split_to_array(translate(t.full_name, $FROM, $TO), '[^a-z0-9]+')"


class _Where:
    def __init__(self) -> None:
        self.clauses: list[str] = []
        self.args: list[Any] = []

    def add(self, clause: str, *values: Any) -> None:
        for value in values:
            self.args.append(value)
            clause = clause.replace("?", f"${len(self.args)}", 1)
        self.clauses.append(clause)

    def condition(self) -> str:
        return " AND ".join(self.clauses)


def _where(scope: ReaderScope, query: TraineeQuery) -> _Where:
    where = _Where()
    where.add(
        "(t.commune_code = ANY(?::text[]) OR t.province_code = ?)", scope.communes, scope.province
    )
    where.clauses.append("t.erased_at IS NULL")  # nothing left to list or find them by
    if query.commune_code is not None:
        where.add("t.commune_code = ?", query.commune_code)
    if query.cccd_index is not None:
        where.add("t.cccd_blind_index = ?", query.cccd_index)
    if query.name_tokens:
        where.add(
            f"{_WORDS.replace('$FROM', '?').replace('$TO', '?')} @> ?::text[]",
            FOLD_FROM,
            FOLD_TO,
            list(query.name_tokens),
        )
    return where


async def _page_rows(conn: Conn, where: _Where, query: TraineeQuery) -> list[asyncpg.Record]:
    condition = where.condition()
    offset = (query.page - 1) * query.page_size
    return await conn.fetch(
        f"""SELECT t.id, t.full_name, t.commune_code, t.hamlet, t.gender,
                       extract(year FROM t.date_of_birth)::int AS birth_year, t.registered_on,
                       t.support_groups,
                       (SELECT count(*) FROM trainee_enrolment e WHERE e.trainee_id = t.id)
                         AS courses,
                       count(*) OVER () AS total
                FROM trainee t WHERE {condition}
                ORDER BY t.registered_on DESC, t.full_name, t.id
                LIMIT {int(query.page_size)} OFFSET {int(offset)}""",
        *where.args,
    )


async def _count(conn: Conn, where: _Where) -> int:
    total: int = await conn.fetchval(
        f"SELECT count(*) FROM trainee t WHERE {where.condition()}", *where.args
    )
    return total


def _item(r: asyncpg.Record) -> dict[str, Any]:
    return {
        "trainee_id": str(r["id"]),
        "full_name": r["full_name"],
        "commune_code": r["commune_code"],
        "hamlet": r["hamlet"],
        "gender": r["gender"],
        "birth_year": r["birth_year"],
        "registered_on": r["registered_on"].isoformat(),
        "support_groups": list(r["support_groups"]),
        "courses": r["courses"],
    }


class PostgresTraineeReads:
    """The trainee reads' SQL, as the application's `TraineeReadStore` port."""

    async def trainee_page(
        self, pool: asyncpg.Pool, scope: ReaderScope, query: TraineeQuery
    ) -> dict[str, Any]:
        where = _where(scope, query)
        async with pool.acquire() as conn:
            rows = await _page_rows(conn, where, query)
            total = rows[0]["total"] if rows else await _count(conn, where)
        return {
            "items": [_item(r) for r in rows],
            "page": query.page,
            "page_size": query.page_size,
            "total": int(total),
        }

    async def trainee_summary(
        self, pool: asyncpg.Pool, trainee_id: uuid.UUID
    ) -> asyncpg.Record | None:
        return await pool.fetchrow(
            """SELECT t.id, t.full_name, t.commune_code, t.province_code, t.hamlet, t.gender,
                  t.date_of_birth, t.registered_on, t.support_groups, t.difficult_commune,
                  t.consents, t.consent_text_version, t.erased_at,
                  s.kind AS support_kind, s.policy_code AS support_policy
           FROM trainee t
           LEFT JOIN training_support_once s ON s.person_index = t.cccd_blind_index
           WHERE t.id = $1""",
            trainee_id,
        )

    async def course_id_of(self, pool: asyncpg.Pool, course_code: str) -> uuid.UUID | None:
        found: uuid.UUID | None = await pool.fetchval(
            "SELECT id FROM course WHERE code = $1", course_code
        )
        return found

    async def course_trainees(
        self, pool: asyncpg.Pool, course_id: uuid.UUID
    ) -> list[asyncpg.Record]:
        return list(
            await pool.fetch(
                """SELECT t.id, t.full_name, t.commune_code, t.province_code, e.enrolled_on,
                      e.distance_km, e.completed_on, e.passed, e.certificate_number,
                      count(a.*) FILTER (WHERE a.present) AS days_present,
                      count(a.*) FILTER (WHERE NOT a.present) AS days_absent,
                      max(a.attended_on) AS last_day
               FROM trainee_enrolment e
               JOIN trainee t ON t.id = e.trainee_id
               LEFT JOIN trainee_attendance a
                 ON a.trainee_id = e.trainee_id AND a.course_id = e.course_id
               WHERE e.course_id = $1
               GROUP BY t.id, e.trainee_id, e.course_id
               ORDER BY t.full_name, t.id""",
                course_id,
            )
        )
