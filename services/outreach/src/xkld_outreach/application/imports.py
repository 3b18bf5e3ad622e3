"""Importing a round's households from a spreadsheet, one row per member.

Rows with the same household number are one household. A household goes in only when every one
of its rows is valid (half a household would skew the roll-ups); the report says, row by row and
in Vietnamese first, what went in and why the rest did not. A real import is one transaction
with its Idempotency-Key's answer, so a retried upload adds nothing; a dry run writes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import asyncpg
from xkld_shared import idempotency
from xkld_shared.audit import ChangeContext
from xkld_shared.db.pool import Conn
from xkld_shared.errors import FieldProblem

from xkld_outreach.application.ports import SurveyStore
from xkld_outreach.application.scope import RoundNotFound, writable
from xkld_outreach.application.survey import Household, Survey
from xkld_outreach.domain.survey import MAX_MEMBERS, Member, check_open

Outcome = Literal["created", "valid", "rejected"]


@dataclass(frozen=True)
class ParsedRow:
    """One spreadsheet row: its household number, hamlet, and the member or what is wrong."""

    row: int
    household: str
    hamlet: str
    member: Member | None
    problems: list[FieldProblem]


@dataclass
class RowResult:
    row: int
    household: str
    outcome: Outcome
    message_vi: str
    message_en: str
    household_id: str | None = None
    errors: list[FieldProblem] = field(default_factory=list)


def _grouped(rows: Sequence[ParsedRow]) -> dict[str, list[ParsedRow]]:
    groups: dict[str, list[ParsedRow]] = {}
    for parsed in rows:
        groups.setdefault(parsed.household or f"?{parsed.row}", []).append(parsed)
    return groups


_TWO_HAMLETS = FieldProblem(
    "hamlet", "Các dòng của cùng một hộ ghi khác ấp", "Rows of one household name two hamlets"
)
_TOO_MANY_MEMBERS = FieldProblem(
    "household",
    f"Một hộ có tối đa {MAX_MEMBERS} người",
    f"A household has at most {MAX_MEMBERS} members",
)


def _household_problem(rows: list[ParsedRow]) -> FieldProblem | None:
    if len({r.hamlet for r in rows}) > 1:
        return _TWO_HAMLETS
    if len(rows) > MAX_MEMBERS:
        return _TOO_MANY_MEMBERS
    return None


def _judged(rows: list[ParsedRow], dry_run: bool) -> list[RowResult]:
    shared = _household_problem(rows)
    bad = [r.row for r in rows if r.problems]
    return [_judged_row(r, shared, bad, dry_run) for r in rows]


def _judged_row(
    r: ParsedRow, shared: FieldProblem | None, bad: list[int], dry_run: bool
) -> RowResult:
    problems = r.problems + ([shared] if shared else [])
    if problems:
        return _rejected(r, problems)
    if bad or shared:
        return _held_back(r, bad)
    if dry_run:
        vi, en = "Hợp lệ, sẽ được nhập", "Valid; would be imported"
        return RowResult(r.row, r.household, "valid", vi, en)
    vi, en = "Đã nhập", "Imported"
    return RowResult(r.row, r.household, "created", vi, en)


def _rejected(r: ParsedRow, problems: list[FieldProblem]) -> RowResult:
    vi = "; ".join(f"{p.field}: {p.message_vi}" for p in problems)
    en = "; ".join(f"{p.field}: {p.message_en}" for p in problems)
    return RowResult(r.row, r.household, "rejected", vi, en, errors=problems)


def _held_back(r: ParsedRow, bad: list[int]) -> RowResult:
    """A valid row of a household with a row in error: the household goes in whole or not."""
    rows_vi = ", ".join(map(str, bad))
    return RowResult(
        r.row,
        r.household,
        "rejected",
        f"Dòng hợp lệ nhưng hộ này có dòng lỗi ({rows_vi}): cả hộ chưa được nhập",
        f"Valid, but this household has rows in error ({rows_vi}): not imported",
    )


def report_of(results: list[RowResult], dry_run: bool, ignored: list[str]) -> dict[str, Any]:
    ordered = sorted(results, key=lambda r: r.row)
    counts = {o: sum(r.outcome == o for r in ordered) for o in ("created", "valid", "rejected")}
    households = {r.household_id for r in ordered if r.household_id}
    return {
        "dry_run": dry_run,
        "rows": len(ordered),
        **counts,
        "households_created": len(households),
        "ignored_columns": ignored,
        "results": [asdict(r) for r in ordered],
    }


class SurveyImport:
    def __init__(self, pool: asyncpg.Pool, store: SurveyStore, survey: Survey) -> None:
        self._pool = pool
        self._store = store
        self._survey = survey

    async def dry_run(
        self, round_id: uuid.UUID, rows: Sequence[ParsedRow], context: ChangeContext
    ) -> list[RowResult]:
        async with self._pool.acquire() as conn:
            found = await self._store.round_row(conn, round_id)
            row = writable(context.actor, found, RoundNotFound())
        check_open(row["status"])
        return [r for group in _grouped(rows).values() for r in _judged(group, True)]

    async def run(
        self,
        round_id: uuid.UUID,
        rows: Sequence[ParsedRow],
        context: ChangeContext,
        keyed: idempotency.Keyed,
        ignored: list[str],
    ) -> idempotency.Answer:
        async with self._pool.acquire() as conn, conn.transaction():
            stored = (await idempotency.lock_and_find(conn, [keyed])).get(keyed.ident)
            if stored is not None:
                return stored.replay_for(keyed)
            results: list[RowResult] = []
            for group in _grouped(rows).values():
                results.extend(await self._import_group(conn, round_id, group, context))
            answer = idempotency.Answer(200, report_of(results, False, ignored))
            await idempotency.store(conn, [(keyed, answer)])
            return answer

    async def _import_group(
        self, conn: Conn, round_id: uuid.UUID, group: list[ParsedRow], context: ChangeContext
    ) -> list[RowResult]:
        """One household: written when every row of it is valid."""
        judged = _judged(group, False)
        if all(r.outcome == "created" for r in judged):
            members = [r.member for r in group if r.member is not None]
            household = Household(group[0].hamlet, members)
            answer = await self._survey.write_household(conn, round_id, household, context)
            for r in judged:
                r.household_id = answer.body["household_id"]
        return judged
