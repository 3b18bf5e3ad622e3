"""Roll-ups of the survey in the reader's area, and what they suggest: a course plan and a
target. Reads only; every figure is recounted from the member rows."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

import asyncpg
from xkld_shared.identity.principal import Principal, Role

from xkld_outreach.application.ports import Area, Communes, RollupQueries
from xkld_outreach.application.scope import OutsideYourCommunes
from xkld_outreach.domain.plan import suggested_course_plan


class Rollups:
    def __init__(self, pool: asyncpg.Pool, queries: RollupQueries, communes: Communes) -> None:
        self._pool = pool
        self._q = queries
        self._communes = communes

    def area(
        self,
        actor: Principal,
        commune_code: str | None,
        year: int | None,
        round_id: uuid.UUID | None = None,
    ) -> Area:
        """The reader's whole scope, or one commune of it (refused when outside it)."""
        if commune_code is not None:
            province = self._communes.province_of(commune_code)
            if not actor.covers_commune(commune_code, province):
                raise OutsideYourCommunes
            return Area((commune_code,), None, year, round_id)
        province = actor.scope.province if Role.LABOUR_OFFICER in actor.roles else None
        return Area(tuple(sorted(actor.scope.communes)), province, year, round_id)

    async def rollups(self, area: Area) -> dict[str, Any]:
        async with self._pool.acquire() as conn:
            body: dict[str, Any] = {"totals": await self._q.totals(conn, area)}
            for dimension in self._q.dimensions():
                body[f"by_{dimension}"] = await self._q.rollup(conn, area, dimension)
        return body

    async def course_plan(self, area: Area, plan_year: int, course_size: int) -> dict[str, Any]:
        async with self._pool.acquire() as conn:
            demand = {r["key"]: r["members"] for r in await self._q.rollup(conn, area, "trade")}
            places = await self._q.places_by_trade(conn, area, plan_year)
        lines = suggested_course_plan(demand, places, course_size)
        return {
            "plan_year": plan_year,
            "course_size": course_size,
            "lines": [dataclasses.asdict(line) for line in lines],
        }

    async def target(self, area: Area) -> dict[str, Any]:
        async with self._pool.acquire() as conn:
            markets = await self._q.abroad_by_market(conn, area)
        return {
            "markets": markets,
            "suggested_departed": sum(m["within_12_months"] for m in markets),
            "wanting": sum(m["wanting"] for m in markets),
        }
