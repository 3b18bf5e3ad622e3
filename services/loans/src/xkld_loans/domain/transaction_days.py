"""Commune transaction days: when VBSP meets borrowers in each commune. Data, not code."""

from __future__ import annotations

import calendar
import datetime as dt
import json
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class TransactionDays:
    default_day: int
    by_commune: dict[str, int]

    def next_on_or_after(self, commune_code: str, day: dt.date) -> dt.date:
        wanted = self.by_commune.get(commune_code, self.default_day)
        this_month = _clamped(day.year, day.month, wanted)
        if this_month >= day:
            return this_month
        year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
        return _clamped(year, month, wanted)


def _clamped(year: int, month: int, wanted: int) -> dt.date:
    return dt.date(year, month, min(wanted, calendar.monthrange(year, month)[1]))


def load_transaction_days() -> TransactionDays:
    text = resources.files("xkld_loans.domain").joinpath("transaction_days.json").read_text()
    raw = json.loads(text)
    days = {str(k): int(v) for k, v in raw["day_of_month_by_commune"].items()}
    default = int(raw["default_day_of_month"])
    if not all(1 <= d <= 31 for d in [default, *days.values()]):
        raise ValueError("transaction days must be days of the month (1-31)")
    return TransactionDays(default, days)
