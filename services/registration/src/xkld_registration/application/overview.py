"""A commune's overview: files by stage, what needs doing, departures this month, and workers
abroad not heard from. Read within the reader's scope, in one snapshot."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import asyncpg
from xkld_shared.identity.principal import Principal

from xkld_registration.application.ports import OverviewStore
from xkld_registration.application.scope import listed_scope

LIST_LIMIT = 50


@dataclass(frozen=True)
class Overview:
    by_stage: dict[str, int]
    waiting_for_documents: list[dict[str, Any]]
    departures_this_month: list[dict[str, Any]]
    silent_abroad: list[dict[str, Any]]
    silent_days: int


def _month_of(today: dt.date) -> tuple[dt.date, dt.date]:
    first = today.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


async def overview(
    pool: asyncpg.Pool,
    store: OverviewStore,
    reader: Principal,
    today: dt.date,
    silent_days: int,
) -> Overview:
    communes, province = listed_scope(reader)
    first, last = _month_of(today)
    since = today - dt.timedelta(days=silent_days)
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read"):
        return Overview(
            by_stage=await store.counts_by_stage(conn, communes, province),
            waiting_for_documents=await store.waiting_for_documents(
                conn, communes, province, LIST_LIMIT
            ),
            departures_this_month=await store.departures_between(
                conn, communes, province, first, last
            ),
            silent_abroad=await store.silent_abroad(conn, communes, province, since, LIST_LIMIT),
            silent_days=silent_days,
        )
