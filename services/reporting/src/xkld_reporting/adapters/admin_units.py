"""Administrative units after the 1 July 2025 reform, and the map from the old ones.

New units (34 provinces, 3,321 communes and wards) come from the pinned `vietnam-provinces`
package. The old-to-new map is a data file generated once from `vietnamadminunits` (see
`scripts/generate_admin_unit_map.py`): 6,700-odd old ward codes and the new ward each became.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from vietnam_provinces import Province, ProvinceCode, Ward, WardCode


@dataclass(frozen=True)
class AdminUnits:
    old_to_new: dict[str, str]
    commune_province: dict[str, str]
    commune_name: dict[str, str]
    province_name: dict[str, str]

    def current(self, commune_code: str) -> str:
        """The unit a commune is reported under today (itself, if it was not merged)."""
        return self.old_to_new.get(commune_code, commune_code)

    def province_of(self, commune_code: str) -> str | None:
        return self.commune_province.get(self.current(commune_code))

    def communes_of(self, province_code: str) -> list[str]:
        return sorted(c for c, p in self.commune_province.items() if p == province_code)

    def old_codes_of(self, commune_code: str) -> list[str]:
        return sorted(old for old, new in self.old_to_new.items() if new == commune_code)

    def name_of(self, area_code: str) -> str:
        if len(area_code) == 2:
            return self.province_name.get(area_code, area_code)
        return self.commune_name.get(area_code, area_code)


@cache
def admin_units() -> AdminUnits:
    communes, names = _wards()
    provinces = {f"{int(p.code):02d}": p.name for p in Province.iter_all()}
    old_to_new = _old_to_new()
    return AdminUnits(old_to_new, communes, names, provinces)


def _wards() -> tuple[dict[str, str], dict[str, str]]:
    """Each commune's province and name, by its 5-digit code."""
    communes: dict[str, str] = {}
    names: dict[str, str] = {}
    for ward in Ward.iter_all():
        code = f"{int(ward.code):05d}"
        communes[code] = f"{int(ward.province_code):02d}"
        names[code] = ward.name
    return communes, names


def _old_to_new() -> dict[str, str]:
    """The commune codes before the 2025 merger, to the codes after it."""
    text = files("xkld_reporting.data").joinpath("admin_unit_map.csv").read_text("utf-8")
    return {row["old_code"]: row["new_code"] for row in csv.DictReader(text.splitlines())}


__all__ = ["AdminUnits", "ProvinceCode", "WardCode", "admin_units"]
