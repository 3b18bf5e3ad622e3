"""How people here read dates and money: dd/mm/yyyy in Vietnam's time, and `12.500.000 ₫`."""

from __future__ import annotations

import datetime as dt

from xkld_shared.clock import VIETNAM


def money(vnd: int | None) -> str:
    if vnd is None:
        return ""
    grouped = f"{abs(vnd):,}".replace(",", ".")
    return f"{'-' if vnd < 0 else ''}{grouped} ₫"


def _parsed(value: dt.date | str) -> dt.date | dt.datetime:
    if isinstance(value, dt.date):
        return value
    if "T" in value or " " in value:
        return dt.datetime.fromisoformat(value)
    return dt.date.fromisoformat(value)


def day(value: dt.date | str | None) -> str:
    """dd/mm/yyyy; a moment is first brought to Vietnam's calendar day."""
    if value is None or value == "":
        return ""
    parsed = _parsed(value)
    if isinstance(parsed, dt.datetime):
        parsed = _local(parsed).date()
    return parsed.strftime("%d/%m/%Y")


def moment(value: dt.datetime | str | None) -> str:
    """dd/mm/yyyy HH:MM in Vietnam's time."""
    if value is None or value == "":
        return ""
    parsed = _parsed(value)
    if not isinstance(parsed, dt.datetime):
        return parsed.strftime("%d/%m/%Y")
    return _local(parsed).strftime("%d/%m/%Y %H:%M")


def _local(moment_: dt.datetime) -> dt.datetime:
    aware = moment_ if moment_.tzinfo else moment_.replace(tzinfo=dt.UTC)
    return aware.astimezone(VIETNAM)


def today() -> dt.date:
    return dt.datetime.now(VIETNAM).date()
