"""Reintegration outcomes, 3 and 6 months after the return: record one (audited, with its
event, in one transaction) and list what is due for the officer."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg
from xkld_shared.audit import ChangeContext
from xkld_shared.contracts.journey import ReintegrationOutcome, ReintegrationOutcomeRecorded
from xkld_shared.contracts.topics import Stream, Topics
from xkld_shared.db.pool import Conn
from xkld_shared.identity.principal import Principal

from xkld_registration.application.file_log import audit_file, emit
from xkld_registration.application.file_scope import file_in_scope
from xkld_registration.application.ports import Clock, JourneyFiles, ReintegrationStore
from xkld_registration.application.scope import listed_scope
from xkld_registration.domain.journey_state import Stage, stage_refused
from xkld_registration.domain.reintegration import (
    Due,
    OutcomeAlreadyRecorded,
    check_observed_on,
    due_checkpoints,
)

_RETURNED = {Stage.RETURNED_COMPLETED, Stage.RETURNED_EARLY, Stage.REINTEGRATION}
DUE_LIMIT = 500


@dataclass(frozen=True)
class Observation:
    checkpoint_months: int
    outcome: ReintegrationOutcome
    observed_on: dt.date | None
    note: str | None


class Reintegration:
    def __init__(
        self,
        pool: asyncpg.Pool,
        stores: tuple[JourneyFiles, ReintegrationStore],
        topics: Topics,
        clock: Clock,
    ) -> None:
        self._pool = pool
        self._files, self._store = stores
        self._topic = topics.of(Stream.REGISTRATION)
        self._clock = clock

    async def record(self, rid: uuid.UUID, ctx: ChangeContext, seen: Observation) -> bool:
        """True when recorded; the same outcome sent again changes nothing (a retried form),
        another one for a recorded checkpoint is refused (409)."""
        today = self._clock.today()
        observed_on = seen.observed_on or today
        async with self._pool.acquire() as conn, conn.transaction():
            await _check_returned(self._files, conn, rid, ctx)
            if await _already_recorded(self._store, conn, rid, seen):
                return False
            returned_on = await self._store.returned_on(conn, rid) or observed_on
            check_observed_on(returned_on, observed_on, today)
            await self._write(conn, rid, ctx, seen, observed_on)
        return True

    async def _write(
        self,
        conn: Conn,
        rid: uuid.UUID,
        ctx: ChangeContext,
        seen: Observation,
        observed_on: dt.date,
    ) -> None:
        await self._store.add_outcome(
            conn, rid, seen.checkpoint_months, seen.outcome, observed_on, seen.note,
            ctx.actor.username,
        )  # fmt: skip
        await audit_file(
            conn, ctx, "reintegration.outcome_recorded", rid, _shown(seen, observed_on)
        )
        event = ReintegrationOutcomeRecorded(
            checkpoint_months=seen.checkpoint_months,
            outcome=seen.outcome,
            observed_on=observed_on,
        )
        await emit(conn, self._topic, event, rid, ctx)

    async def due(self, reader: Principal, within_days: int) -> dict[str, Any]:
        """Checkpoints whose day has come (or comes within `within_days`), the oldest first."""
        today = self._clock.today()
        communes, province = listed_scope(reader)
        async with self._pool.acquire() as conn:
            rows = await self._store.returned_in_scope(conn, communes, province)
        items = [
            _due_item(r, d, today)
            for r in rows
            if r["returned_on"] is not None
            for d in due_checkpoints(r["returned_on"], set(r["recorded"]), today, within_days)
        ]
        items.sort(key=lambda i: (i["due_on"], str(i["registration_id"]), i["checkpoint_months"]))
        return {"as_of": today, "within_days": within_days, "due": items[:DUE_LIMIT]}


def _due_item(r: Any, d: Due, today: dt.date) -> dict[str, Any]:
    return {
        "registration_id": r["id"],
        "full_name": r["full_name"] or "",
        "commune_code": r["commune_code"],
        "early_cause": r["early_cause"],
        "returned_on": r["returned_on"],
        "checkpoint_months": d.checkpoint_months,
        "due_on": d.due_on,
        "days_overdue": max(0, (today - d.due_on).days),
    }


async def _check_returned(
    files: JourneyFiles, conn: Conn, rid: uuid.UUID, ctx: ChangeContext
) -> None:
    file = await file_in_scope(files, conn, rid, ctx.actor)
    if file.journey.stage not in _RETURNED:
        raise stage_refused(
            file.journey, "ghi nhận kết quả tái hoà nhập", "record a reintegration outcome"
        )


async def _already_recorded(
    store: ReintegrationStore, conn: Conn, rid: uuid.UUID, seen: Observation
) -> bool:
    """True for the same outcome sent again; another outcome for the checkpoint is refused."""
    before = await store.recorded_outcome(conn, rid, seen.checkpoint_months)
    if before is None:
        return False
    if before["outcome"] == seen.outcome:
        return True
    raise OutcomeAlreadyRecorded(seen.checkpoint_months)


def _shown(seen: Observation, observed_on: dt.date) -> tuple[dict[str, Any], dict[str, Any]]:
    """The audit row's before and after."""
    before = {"checkpoint_months": seen.checkpoint_months, "outcome": None}
    after = {
        "checkpoint_months": seen.checkpoint_months,
        "outcome": seen.outcome,
        "observed_on": observed_on,
        "note": seen.note,
    }
    return before, after
