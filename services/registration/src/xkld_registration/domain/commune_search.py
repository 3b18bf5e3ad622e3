"""Finding a commune as an officer types it: today's communes by code or name (accents
optional), and an old (pre-1 July 2025) code or name offered with the commune that took it
over. Pure: the lists are passed in."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from xkld_registration.domain.communes import AdminUnit
from xkld_registration.domain.search import fold


@dataclass(frozen=True)
class Suggestion:
    code: str
    name: str
    province_code: str
    replaces_code: str | None = None  # the old unit the officer typed, when converted
    replaces_name: str | None = None


def suggest(
    query: str,
    current: list[AdminUnit],
    legacy: list[AdminUnit],
    limit: int = 20,
) -> list[Suggestion]:
    wanted = fold(query.strip())
    if not wanted:
        return []
    by_code = {u.code: u for u in current}
    found = [_plain(u) for u in current if _matches(u, wanted)]
    for old in (u for u in legacy if _matches(u, wanted)):
        found += [_converted(by_code[c], old) for c in old.successors if c in by_code]
    return found[:limit]


def _matches(unit: AdminUnit, wanted: str) -> bool:
    return unit.code.startswith(wanted) if wanted.isdigit() else wanted in _folded(unit.name)


@lru_cache(maxsize=32768)  # about 14 000 names, old and new: fold each once
def _folded(name: str) -> str:
    return fold(name)


def _plain(unit: AdminUnit) -> Suggestion:
    return Suggestion(unit.code, unit.name, unit.province_code)


def _converted(unit: AdminUnit, old: AdminUnit) -> Suggestion:
    return Suggestion(unit.code, unit.name, unit.province_code, old.code, old.name)
