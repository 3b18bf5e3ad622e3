"""Administrative units with validity periods, and mapping a commune code to today's unit.

Vietnam merged communes and removed districts on 1 July 2025. A code from before the merger is
still what many papers and spreadsheets carry, so it is mapped to the unit that absorbed it;
a code whose old unit was split between several new ones cannot be mapped without the address,
so the officer is asked to choose.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from xkld_shared.errors import FieldProblem

MERGER_DAY = dt.date(2025, 7, 1)


@dataclass(frozen=True)
class AdminUnit:
    code: str
    name: str
    province_code: str
    valid_from: dt.date | None  # None: before any date we know of
    valid_until: dt.date | None  # last day of validity; None: still valid
    successors: tuple[str, ...] = ()  # for a unit no longer valid, the units that took it over

    def valid_on(self, day: dt.date) -> bool:
        started = self.valid_from is None or self.valid_from <= day
        return started and (self.valid_until is None or day <= self.valid_until)


@dataclass(frozen=True)
class CurrentCommune:
    code: str
    province_code: str
    entered_code: str  # what the officer typed, kept when it was an old code


Lookup = Callable[[str], AdminUnit | None]

_FIELD = "commune_code"


def resolve_commune(
    code: str, lookup: Lookup, on: dt.date, field: str = _FIELD
) -> CurrentCommune | FieldProblem:
    """Today's commune for a code typed by the officer, or the reason it cannot be used."""
    code = code.strip()
    if not re.fullmatch(r"\d{5}", code):
        return FieldProblem(field, "Mã xã/phường phải gồm 5 chữ số", "A commune code is 5 digits")
    unit = lookup(code)
    if unit is None:
        return FieldProblem(
            field,
            "Mã xã/phường không có trong danh mục đơn vị hành chính (trước hoặc sau 01/07/2025)",
            "The commune code is in neither the official list before nor after 1 July 2025",
        )
    if unit.valid_on(on):
        return CurrentCommune(unit.code, unit.province_code, code)
    current = [u for u in map(lookup, unit.successors) if u is not None and u.valid_on(on)]
    return _succeeded(unit, code, current, field)


def _succeeded(
    unit: AdminUnit, code: str, current: list[AdminUnit], field: str
) -> CurrentCommune | FieldProblem:
    """An old unit's one successor today, or why its code cannot be used."""
    if len(current) == 1:
        return CurrentCommune(current[0].code, current[0].province_code, code)
    if len(current) > 1:
        return _split_between(unit, code, current, field)
    return FieldProblem(
        field,
        f"Mã xã/phường {code} không còn hiệu lực và không có đơn vị thay thế",
        f"Commune code {code} is no longer valid and has no successor",
    )


def _split_between(
    unit: AdminUnit, code: str, current: list[AdminUnit], field: str
) -> FieldProblem:
    choices = ", ".join(f"{u.code} {u.name}" for u in current)
    return FieldProblem(
        field,
        f"{unit.name} (mã cũ {code}) đã được chia cho nhiều xã/phường mới: {choices}. "
        "Hãy nhập mã xã/phường mới",
        f"{unit.name} (old code {code}) was split between several new units: {choices}. "
        "Enter the new code",
    )
