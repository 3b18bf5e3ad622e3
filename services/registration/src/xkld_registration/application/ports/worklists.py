"""Ports of the read-only worklists of a scope: the overview's counts and short lists, and the
workers abroad not heard from."""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from xkld_shared.db.pool import Conn

from xkld_registration.domain.follow_up import SilentWorker


class FollowUpStore(Protocol):
    async def silent_abroad(
        self, conn: Conn, communes: list[str], province: str | None, since: dt.date, limit: int
    ) -> list[SilentWorker]:
        """Workers abroad whose last check-in (or departure, with none) is on or before
        `since`."""
        ...


class OverviewStore(Protocol):
    async def counts_by_stage(
        self, conn: Conn, communes: list[str], province: str | None
    ) -> dict[str, int]: ...
    async def waiting_for_documents(
        self, conn: Conn, communes: list[str], province: str | None, limit: int
    ) -> list[dict[str, Any]]:
        """Files being prepared that still lack a gate or the orientation certificate."""
        ...

    async def departures_between(
        self, conn: Conn, communes: list[str], province: str | None, first: dt.date, last: dt.date
    ) -> list[dict[str, Any]]: ...
    async def silent_abroad(
        self, conn: Conn, communes: list[str], province: str | None, since: dt.date, limit: int
    ) -> list[dict[str, Any]]:
        """Workers abroad whose last check-in (or departure, with none) is before `since`."""
        ...
