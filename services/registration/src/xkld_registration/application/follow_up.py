"""The follow-up worklist: workers abroad not heard from in N days, read within the reader's
scope (commune officers their communes, labour officers their province)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg
from xkld_shared.identity.principal import Principal

from xkld_registration.application.ports import FollowUpStore
from xkld_registration.application.scope import listed_scope
from xkld_registration.domain.follow_up import SilentWorker, oldest_first, silent_since

WORKLIST_LIMIT = 500


async def silent_worklist(
    pool: asyncpg.Pool,
    store: FollowUpStore,
    reader: Principal,
    today: dt.date,
    silent_days: int,
) -> dict[str, Any]:
    communes, province = listed_scope(reader)
    async with pool.acquire() as conn:
        found = await store.silent_abroad(
            conn, communes, province, silent_since(today, silent_days), WORKLIST_LIMIT
        )
    workers = [_silent_worker(w, today) for w in oldest_first(found)]
    return {"as_of": today, "silent_days": silent_days, "workers": workers}


def _silent_worker(w: SilentWorker, today: dt.date) -> dict[str, Any]:
    return {
        "registration_id": w.registration_id,
        "full_name": w.full_name,
        "commune_code": w.commune_code,
        "market_code": w.market_code,
        "departed_on": w.departed_on,
        "last_check_in": w.last_check_in,
        "days_silent": w.days_silent(today),
    }
