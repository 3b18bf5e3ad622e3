"""Today's communes (after the 1 July 2025 merger), from `vietnam-provinces`.

A survey is new work: it is recorded against today's units only, so an old code is refused
rather than mapped."""

from __future__ import annotations

from functools import lru_cache

from vietnam_provinces import Ward, WardCode


class CurrentCommunes:
    def province_of(self, commune_code: str) -> str | None:
        return _province_of(commune_code)


@lru_cache(maxsize=4096)
def _province_of(code: str) -> str | None:
    if not (code.isdigit() and len(code) == 5):
        return None
    try:
        ward = Ward.from_code(WardCode(int(code)))
    except ValueError:
        return None
    return f"{int(ward.province_code):02d}"
