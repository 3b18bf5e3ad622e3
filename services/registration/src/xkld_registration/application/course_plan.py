"""The yearly course plan (đặt hàng), kept by labour officers: set a line (an upsert, so a
retry changes nothing), withdraw it, and read a year's lines with the courses filling them.
Every change and its event commit together; a change that changes nothing writes neither."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from typing import Any

import asyncpg
from xkld_shared.audit import ChangeContext, record_change
from xkld_shared.contracts.envelope import EventPayload
from xkld_shared.contracts.topics import Stream, Topics
from xkld_shared.contracts.training import CoursePlanLineSet, CoursePlanLineWithdrawn
from xkld_shared.db.pool import Conn
from xkld_shared.errors import FieldProblem, InvalidInput, NotAllowed, NotFound
from xkld_shared.identity.principal import Principal, Role

from xkld_registration.application.file_log import emit
from xkld_registration.application.ports import Clock, CommuneDirectory, CoursePlanStore
from xkld_registration.domain.communes import resolve_commune
from xkld_registration.domain.course_plan import (
    PlanLine,
    check_dates,
    check_replacement,
    same_terms,
)

PRODUCER = "registration"


class PlanLineNotFound(NotFound):
    code = "plan_line_not_found"

    def __init__(self) -> None:
        super().__init__("Không tìm thấy dòng kế hoạch", "No such plan line")


class OutsideYourScope(NotAllowed):
    code = "outside_your_scope"

    def __init__(self) -> None:
        super().__init__(
            "Bạn chỉ được lập kế hoạch cho xã/phường thuộc phạm vi mình phụ trách",
            "You may only plan for the communes within your scope",
        )


def line_view(line: PlanLine) -> dict[str, Any]:
    return {k: v for k, v in dataclasses.asdict(line).items() if k != "id"} | {"line_id": line.id}


class CoursePlan:
    def __init__(
        self,
        pool: asyncpg.Pool,
        store: CoursePlanStore,
        topics: Topics,
        clock: Clock,
        communes: CommuneDirectory,
    ) -> None:
        self._pool = pool
        self._store = store
        self._topic = topics.of(Stream.REGISTRATION)
        self._clock = clock
        self._communes = communes

    def _line(self, line_id: uuid.UUID, terms: dict[str, Any]) -> PlanLine:
        """The line as asked, its commune resolved (an old code maps to today's) and checked."""
        commune = resolve_commune(terms["commune_code"], self._communes.unit, self._clock.today())
        if isinstance(commune, FieldProblem):
            raise InvalidInput.of([commune])
        check_dates(terms["plan_year"], terms["planned_starts_on"], terms["planned_ends_on"])
        fields = terms | {"commune_code": commune.code, "province_code": commune.province_code}
        return PlanLine(id=line_id, **fields)

    async def set_line(
        self, line_id: uuid.UUID, terms: dict[str, Any], ctx: ChangeContext
    ) -> dict[str, Any]:
        line = self._line(line_id, terms)
        _check_scope(ctx.actor, line)
        async with self._pool.acquire() as conn, conn.transaction():
            old = await _locked_line(self._store, conn, line_id, ctx.actor)
            if same_terms(old, line):
                return line_view(line)
            check_replacement(old, line, await self._store.courses_linked(conn, line_id))
            await self._store.save_line(conn, line, ctx.actor.subject)
            before = {} if old is None else _audited(old)
            await self._record(conn, ctx, "course_plan.line_set", line, before, _audited(line))
            await self._emit(conn, line.id, _line_set(line, self._clock.today()), ctx)
        return line_view(line)

    async def withdraw(self, line_id: uuid.UUID, ctx: ChangeContext) -> dict[str, Any]:
        """Taking a line out of the plan; asking again answers the same and announces nothing."""
        async with self._pool.acquire() as conn, conn.transaction():
            line = await _line_in_scope(self._store, conn, line_id, ctx.actor)
            if line.withdrawn_on is not None:
                return line_view(line)
            today = self._clock.today()
            await self._store.withdraw_line(conn, line_id, today, ctx.actor.subject)
            withdrawn = dataclasses.replace(line, withdrawn_on=today)
            after = {"withdrawn_on": today.isoformat()}
            await self._record(conn, ctx, "course_plan.line_withdrawn", line, {}, after)
            event = CoursePlanLineWithdrawn(
                line_id=line_id, plan_year=line.plan_year, withdrawn_on=today
            )
            await self._emit(conn, line_id, event, ctx)
        return line_view(withdrawn)

    async def plan(self, year: int, commune_code: str | None, reader: Principal) -> dict[str, Any]:
        wide = reader.roles & {Role.LABOUR_OFFICER, Role.TRAINING_STAFF}
        province = reader.scope.province if wide else None
        async with self._pool.acquire() as conn:
            rows = await self._store.plan_of(
                conn, year, commune_code, sorted(reader.scope.communes), province
            )
        lines = [
            line_view(line)
            | {"courses": courses, "places_taken": sum(c["places_taken"] for c in courses)}
            for line, courses in rows
        ]
        return {"plan_year": year, "commune_code": commune_code, "lines": lines}

    async def _record(
        self,
        conn: Conn,
        ctx: ChangeContext,
        action: str,
        line: PlanLine,
        before: dict[str, Any],
        after: dict[str, Any],
    ) -> None:
        await record_change(
            conn,
            ctx,
            action=action,
            entity_type="course_plan_line",
            entity_id=str(line.id),
            before=before,
            after=after,
        )

    async def _emit(
        self, conn: Conn, line_id: uuid.UUID, payload: EventPayload, ctx: ChangeContext
    ) -> None:
        # Plan events are keyed by the line's id, so one line's events stay in order.
        await emit(conn, self._topic, payload, line_id, ctx)


async def _locked_line(
    store: CoursePlanStore, conn: Conn, line_id: uuid.UUID, actor: Principal
) -> PlanLine | None:
    """The line as it stands, if any, locked (and its id, even before it exists)."""
    await store.lock_line_id(conn, line_id)
    old = await store.find_line(conn, line_id, lock=True)
    if old is not None:
        _check_scope(actor, old)
    return old


async def _line_in_scope(
    store: CoursePlanStore, conn: Conn, line_id: uuid.UUID, actor: Principal
) -> PlanLine:
    line = await store.find_line(conn, line_id, lock=True)
    if line is None or not actor.covers_commune(line.commune_code, line.province_code):
        raise PlanLineNotFound
    return line


def _line_set(line: PlanLine, today: dt.date) -> CoursePlanLineSet:
    return CoursePlanLineSet(
        **{k: v for k, v in dataclasses.asdict(line).items() if k != "id"},
        line_id=line.id,
        set_on=today,
    )


def _check_scope(actor: Principal, line: PlanLine) -> None:
    if not actor.covers_commune(line.commune_code, line.province_code):
        raise OutsideYourScope


def _audited(line: PlanLine) -> dict[str, Any]:
    return {
        k: (v.isoformat() if hasattr(v, "isoformat") else v)
        for k, v in dataclasses.asdict(line).items()
        if k not in ("id", "withdrawn_on")
    }
