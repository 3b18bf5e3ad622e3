"""Following the support owed after an early return: read the items the cause opens with
their status, and record the officer's decision on one item (audited, in one transaction)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg
from xkld_shared.audit import ChangeContext
from xkld_shared.db.pool import Conn
from xkld_shared.errors import Conflict
from xkld_shared.identity.principal import Principal

from xkld_registration.application.file_log import audit_file
from xkld_registration.application.file_scope import file_in_scope
from xkld_registration.application.ports import Clock, JourneyFiles, ReturnSupportStore
from xkld_registration.domain.return_support import (
    SupportItem,
    SupportStatus,
    check_item,
    next_status,
    owed_for,
)


class NoEarlyReturn(Conflict):
    code = "no_early_return"

    def __init__(self) -> None:
        super().__init__(
            "Hồ sơ không có lần về nước trước hạn: không có khoản hỗ trợ nào phải theo dõi",
            "The file has no early return: there is no support to follow",
        )


@dataclass(frozen=True)
class Decision:
    item_code: str
    status: SupportStatus
    decided_on: dt.date | None
    amount_vnd: int | None
    note: str | None


class ReturnSupport:
    def __init__(
        self, pool: asyncpg.Pool, stores: tuple[JourneyFiles, ReturnSupportStore], clock: Clock
    ) -> None:
        self._pool = pool
        self._files, self._store = stores
        self._clock = clock

    async def owed(self, rid: uuid.UUID, reader: Principal) -> dict[str, Any]:
        async with self._pool.acquire() as conn, conn.transaction():
            file = await file_in_scope(self._files, conn, rid, reader, lock=False)
            decided = await self._store.decided(conn, rid)
        cause = file.journey.early_cause
        items = [_owed_item(item, decided.get(item.code)) for item in owed_for(cause)]
        return {"registration_id": rid, "early_cause": cause, "items": items}

    async def decide(self, rid: uuid.UUID, ctx: ChangeContext, decision: Decision) -> bool:
        """True when the status changed; the same status again changes nothing."""
        d = decision
        async with self._pool.acquire() as conn, conn.transaction():
            current = await self._current_status(conn, rid, ctx, d.item_code)
            if next_status(current, d.status) is None:
                return False
            on = d.decided_on or self._clock.today()
            await self._store.save(
                conn, rid, d.item_code, d.status.value, on, d.amount_vnd, d.note,
                ctx.actor.username,
            )  # fmt: skip
            shown = _shown((current, d), on)
            await audit_file(conn, ctx, f"return_support.{d.status.value}", rid, shown)
        return True

    async def _current_status(
        self, conn: Conn, rid: uuid.UUID, ctx: ChangeContext, item_code: str
    ) -> SupportStatus:
        """The item's status now, once the file is found to have an early return owing it."""
        file = await file_in_scope(self._files, conn, rid, ctx.actor, lock=True)
        if file.journey.early_cause is None:
            raise NoEarlyReturn
        check_item(file.journey.early_cause, item_code)
        row = (await self._store.decided(conn, rid)).get(item_code)
        return SupportStatus(row["status"]) if row else SupportStatus.DUE


def _owed_item(item: SupportItem, row: asyncpg.Record | None) -> dict[str, Any]:
    return {
        "item_code": item.code,
        "label_vi": item.label_vi,
        "label_en": item.label_en,
        "status": row["status"] if row else SupportStatus.DUE.value,
        "decided_on": row["decided_on"] if row else None,
        "amount_vnd": row["amount_vnd"] if row else None,
        "note": row["note"] if row else None,
        "decided_by": row["decided_by"] if row else None,
    }


def _shown(
    change: tuple[SupportStatus, Decision], on: dt.date
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The audit row's before and after."""
    current, d = change
    before = {"item_code": d.item_code, "status": current.value}
    after = {
        "item_code": d.item_code,
        "status": d.status.value,
        "decided_on": on,
        "amount_vnd": d.amount_vnd,
        "note": d.note,
    }
    return before, after
