"""The follow-up worklist: workers abroad not heard from in N days, read within the reader's
scope (commune officers their communes, labour officers their province)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg
from xkld_shared.identity.principal import Principal, Role

from xkld_registration.adapters import follow_up_store as store
from xkld_registration.domain.follow_up import oldest_first, silent_since

WORKLIST_LIMIT = 500


async def silent_worklist(
    pool: asyncpg.Pool, reader: Principal, today: dt.date, silent_days: int
) -> dict[str, Any]:
    communes = sorted(reader.scope.communes)
    province = reader.scope.province if Role.LABOUR_OFFICER in reader.roles else None
    async with pool.acquire() as conn:
        found = await store.silent_abroad(
            conn, communes, province, silent_since(today, silent_days), WORKLIST_LIMIT
        )
    return {
        "as_of": today,
        "silent_days": silent_days,
        "workers": [
            {
                "registration_id": w.registration_id,
                "full_name": w.full_name,
                "commune_code": w.commune_code,
                "market_code": w.market_code,
                "departed_on": w.departed_on,
                "last_check_in": w.last_check_in,
                "days_silent": w.days_silent(today),
            }
            for w in oldest_first(found)
        ],
    }
