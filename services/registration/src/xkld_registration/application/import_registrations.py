"""Bulk import of registrations from a commune's spreadsheet.

Each valid row is submitted exactly as the form would be, in its own transaction (row, consents,
audit row and event together), so a row is either wholly in or not at all. Invalid rows come
back with their row number and the reasons. A person who already has an active file is skipped,
not doubled, which makes importing the same file twice add nothing. A dry run makes every check,
including the duplicate check, and writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import asyncpg
from xkld_shared import idempotency
from xkld_shared.audit import ChangeContext
from xkld_shared.errors import AppError, FieldProblem

from xkld_registration.application.submit_registration import SubmitRegistrationHandler
from xkld_registration.domain.registration import (
    DuplicateActiveRegistration,
    Registration,
    SubmitRegistration,
)

Outcome = Literal["created", "valid", "skipped", "rejected"]


@dataclass(frozen=True)
class ParsedRow:
    row: int
    command: SubmitRegistration | None
    problems: list[FieldProblem]


@dataclass
class RowResult:
    row: int
    outcome: Outcome
    message_vi: str
    message_en: str
    registration_id: str | None = None
    errors: list[FieldProblem] = field(default_factory=list)


async def import_rows(
    submit: SubmitRegistrationHandler,
    rows: Sequence[ParsedRow],
    context: ChangeContext,
    *,
    dry_run: bool,
) -> list[RowResult]:
    seen: dict[str, int] = {}  # CCCD -> first row with it, to catch a file listing a person twice
    results = []
    for parsed in rows:
        results.append(await _one(submit, parsed, context, dry_run, seen))
    return results


async def _one(
    submit: SubmitRegistrationHandler,
    parsed: ParsedRow,
    context: ChangeContext,
    dry_run: bool,
    seen: dict[str, int],
) -> RowResult:
    cmd = parsed.command
    if cmd is None:
        return _rejected(parsed.row, parsed.problems)
    cccd = cmd.cccd.strip()
    if (first := seen.get(cccd)) is not None:
        return _twice_in_file(parsed.row, first)
    try:
        registration = await (submit.check if dry_run else submit)(cmd, context)
    except DuplicateActiveRegistration as dup:
        seen[cccd] = parsed.row
        return _already_active(parsed.row, dup)
    except AppError as error:
        return _refused(parsed.row, error)
    seen[cccd] = parsed.row
    return _accepted(parsed.row, registration, dry_run)


def _twice_in_file(row: int, first: int) -> RowResult:
    return RowResult(
        row,
        "skipped",
        f"Trùng số CCCD với dòng {first} trong cùng tệp — bỏ qua",
        f"Same CCCD as row {first} of this file — skipped",
    )


def _already_active(row: int, dup: DuplicateActiveRegistration) -> RowResult:
    return RowResult(
        row,
        "skipped",
        f"Người này đã có hồ sơ đang hoạt động tại xã/phường mã {dup.existing_commune_code}"
        " — không nhập lại",
        f"Already has an active file in commune {dup.existing_commune_code} — not imported",
    )


def _refused(row: int, error: AppError) -> RowResult:
    problems = error.body.fields or [
        FieldProblem("row", error.body.message_vi, error.body.message_en)
    ]
    return _rejected(row, problems)


def _accepted(row: int, registration: Registration, dry_run: bool) -> RowResult:
    if dry_run:
        return RowResult(row, "valid", "Hợp lệ, sẽ được nhập", "Valid; would be imported")
    return RowResult(
        row, "created", "Đã nhập hồ sơ", "File created", registration_id=str(registration.id)
    )


def _rejected(row: int, problems: list[FieldProblem]) -> RowResult:
    return RowResult(
        row,
        "rejected",
        "; ".join(f"{p.field}: {p.message_vi}" for p in problems),
        "; ".join(f"{p.field}: {p.message_en}" for p in problems),
        errors=problems,
    )


def summary(results: Sequence[RowResult], *, dry_run: bool) -> dict[str, Any]:
    counts = {o: sum(r.outcome == o for r in results) for o in ("created", "valid", "skipped")}
    rejected = sum(r.outcome == "rejected" for r in results)
    return {
        "dry_run": dry_run,
        "rows": len(results),
        "created": counts["created"],
        "valid": counts["valid"],
        "skipped": counts["skipped"],
        "rejected": rejected,
    }


async def replayed_answer(
    pool: asyncpg.Pool, scope: str, key: str, request: dict[str, Any]
) -> dict[str, Any] | None:
    """The report of an earlier import sent with this Idempotency-Key, if it was the same file."""
    keyed = idempotency.Keyed.of(scope, key, request)
    async with pool.acquire() as conn:
        stored = (await idempotency.find(conn, [keyed])).get(keyed.ident)
    if stored is None:
        return None
    answer: dict[str, Any] = stored.replay_for(keyed).body
    return answer


async def keep_answer(
    pool: asyncpg.Pool, scope: str, key: str, request: dict[str, Any], report: dict[str, Any]
) -> None:
    """Kept after the rows committed: a retry after a crash before this re-runs the import,
    which is safe because rows already in are skipped."""
    keyed = idempotency.Keyed.of(scope, key, request)
    async with pool.acquire() as conn:
        await idempotency.keep_first(conn, keyed, idempotency.Answer(200, report))
