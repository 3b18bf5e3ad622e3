"""Quiet hours and the daily limit, as functions of time (the clock is passed in)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def in_quiet_hours(at: dt.datetime, start: dt.time, end: dt.time, zone: ZoneInfo) -> bool:
    local = at.astimezone(zone).time()
    if start > end:  # the window crosses midnight, as 21:00-07:00 does
        return local >= start or local < end
    return start <= local < end


def release_time(at: dt.datetime, start: dt.time, end: dt.time, zone: ZoneInfo) -> dt.datetime:
    """`at` itself, or the end of the quiet window `at` falls in (UTC)."""
    if not in_quiet_hours(at, start, end, zone):
        return at
    local = at.astimezone(zone)
    day = local.date() if local.time() < end else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, end, tzinfo=zone).astimezone(dt.UTC)


def local_day(at: dt.datetime, zone: ZoneInfo) -> dt.date:
    return at.astimezone(zone).date()


def next_morning(at: dt.datetime, end: dt.time, zone: ZoneInfo) -> dt.datetime:
    """The first allowed moment of the next local day: where over-the-limit messages wait."""
    day = local_day(at, zone) + dt.timedelta(days=1)
    return dt.datetime.combine(day, end, tzinfo=zone).astimezone(dt.UTC)
