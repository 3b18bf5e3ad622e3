"""Following workers abroad and after return (pure): who is overdue for a check-in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class SilentWorker:
    """A worker abroad and the last time anyone heard from them (a check-in, or the day they
    left when there was none)."""

    registration_id: str
    full_name: str
    commune_code: str
    market_code: str | None
    departed_on: dt.date | None
    last_check_in: dt.date | None

    @property
    def last_contact(self) -> dt.date | None:
        return self.last_check_in or self.departed_on

    def days_silent(self, today: dt.date) -> int | None:
        last = self.last_contact
        return None if last is None else (today - last).days


def silent_since(today: dt.date, silent_days: int) -> dt.date:
    """The last contact must be on or before this day for the worker to be on the worklist:
    exactly `silent_days` days without a check-in counts as silent."""
    return today - dt.timedelta(days=silent_days)


def oldest_first(workers: list[SilentWorker]) -> list[SilentWorker]:
    """The longest silence first; a file with no date at all (never expected) comes first too,
    because nobody knows how long it has been."""
    return sorted(workers, key=lambda w: (w.last_contact or dt.date.min, w.registration_id))
