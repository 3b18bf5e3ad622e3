"""The official list of communes and wards after the 1 July 2025 merger (34 provinces)."""

from __future__ import annotations

from functools import lru_cache

from vietnam_provinces import Ward, WardCode


class OfficialCommunes:
    def province_of(self, commune_code: str) -> str | None:
        return _province_of(commune_code)


@lru_cache(maxsize=4096)
def _province_of(commune_code: str) -> str | None:
    if not commune_code.isdigit():
        return None
    try:
        ward = Ward.from_code(WardCode(int(commune_code)))
    except ValueError:
        return None
    return f"{int(ward.province_code):02d}"
