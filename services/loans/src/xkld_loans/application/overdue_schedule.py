"""Runs the overdue job once a day, and at start-up if today's run has not finished.

Every replica runs this loop; the job itself makes extra runs harmless (see overdue_job).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

import asyncpg
from xkld_shared.runtime import Worker

from xkld_loans.application.overdue_job import run_overdue_job
from xkld_loans.application.ports import OverdueRecords
from xkld_loans.domain.local_time import LOCAL, local_today

log = logging.getLogger(__name__)
RETRY_SECONDS = 60.0


def seconds_until_next_run(now: dt.datetime, hour: int) -> float:
    local = now.astimezone(LOCAL)
    target = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if target <= local:
        target += dt.timedelta(days=1)
    return (target - local).total_seconds()


def daily_overdue_worker(
    pool: asyncpg.Pool,
    topic: str,
    *,
    records: OverdueRecords,
    hour: int,
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
) -> Worker:
    run = _DailyRun(pool, topic, records)

    async def worker(stop: asyncio.Event) -> None:
        while not stop.is_set():
            wait = seconds_until_next_run(clock(), hour)
            done = await run.attempt(clock)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=wait if done else RETRY_SECONDS)

    return worker


@dataclass(frozen=True)
class _DailyRun:
    """What each day's run needs: the database, the event topic and the overdue records."""

    pool: asyncpg.Pool
    topic: str
    records: OverdueRecords

    async def attempt(self, clock: Callable[[], dt.datetime]) -> bool:
        """Today's run unless it has finished already; False when it failed."""
        try:
            await self._unless_finished(local_today(clock()))
        except Exception:
            # Whatever failed (database away, a bug on one loan), the daily job must not
            # die silently with the worker task: log it and try again shortly.
            log.exception("overdue job failed; retrying")
            return False
        return True

    async def _unless_finished(self, today: dt.date) -> None:
        async with self.pool.acquire() as conn:
            finished = await self.records.finished_for(conn, today)
        if not finished:
            await self._run(today)

    async def _run(self, today: dt.date) -> None:
        result = await run_overdue_job(self.pool, self.topic, today, records=self.records)
        extra = {"as_of": str(today), "newly_overdue": result.newly_overdue}
        log.info("overdue job finished", extra=extra)
