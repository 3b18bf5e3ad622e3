"""Telling time, once for every service: instants are UTC; days are counted as people in the
programme count them, in Asia/Ho_Chi_Minh, whatever zone the server runs in."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def vietnam_today(now: dt.datetime | None = None) -> dt.date:
    """The calendar day in Vietnam at `now` (an aware instant; the present if omitted)."""
    return (now or utc_now()).astimezone(VIETNAM).date()
