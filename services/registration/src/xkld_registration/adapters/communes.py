"""The official communes after the 1 July 2025 merger, and the units they replaced.

Today's list (34 provinces, 3,321 communes and wards) comes from `vietnam-provinces`. The units
before the merger, and which new unit took each over, come from the data files shipped with
`vietnamadminunits` (its converter tables and its SQLite list of old units). Only the data files
are read: the package's own modules load geocoding libraries and are not needed for codes.
Where the two lists spell a new unit's code differently, the unit is matched by province and
name (see docs/registration-files.md).
"""

from __future__ import annotations

import importlib.util
import json
import sqlite3
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from vietnam_provinces import Ward, WardCode

from xkld_registration.domain.communes import MERGER_DAY, AdminUnit

_OLD_UNITS_END = MERGER_DAY.fromordinal(MERGER_DAY.toordinal() - 1)


class OfficialCommunes:
    def province_of(self, commune_code: str) -> str | None:
        unit = _current(commune_code)
        return None if unit is None else unit.province_code

    def unit(self, code: str) -> AdminUnit | None:
        """The unit with this code: a current one first, else one from before the merger."""
        return _current(code) or _legacy_units().get(code)

    def warm_up(self) -> None:
        """Load the old units now rather than on the first request that needs them."""
        _legacy_units()

    def current_units(self) -> list[AdminUnit]:
        return _all_current()

    def legacy_units(self) -> list[AdminUnit]:
        return list(_legacy_units().values())


@lru_cache(maxsize=8192)
def _current(code: str) -> AdminUnit | None:
    if not code.isdigit():
        return None
    try:
        ward = Ward.from_code(WardCode(int(code)))
    except ValueError:
        return None
    return AdminUnit(
        code=f"{int(ward.code):05d}",
        name=ward.name,
        province_code=f"{int(ward.province_code):02d}",
        valid_from=MERGER_DAY,
        valid_until=None,
    )


@lru_cache(maxsize=1)
def _all_current() -> list[AdminUnit]:
    return [u for w in Ward.iter_all() if (u := _current(f"{int(w.code):05d}")) is not None]


def _data_dir() -> Path:
    spec = importlib.util.find_spec("vietnamadminunits")  # finds it without importing it
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the vietnamadminunits package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _current_by_name() -> dict[tuple[str, str], str]:
    names: dict[tuple[str, str], list[str]] = {}
    for ward in Ward.iter_all():
        key = (f"{int(ward.province_code):02d}", _nfc(ward.name))
        names.setdefault(key, []).append(f"{int(ward.code):05d}")
    return {key: codes[0] for key, codes in names.items() if len(codes) == 1}


# The package's SQLite lists: the units after the merger, and those before it.
_NEW_UNITS = "SELECT provinceKey, wardKey, wardCode, provinceCode, ward FROM admin_units"
_OLD_UNITS = """SELECT provinceKey, districtKey, wardKey, wardCode, ward, district, provinceCode
               FROM admin_units_legacy WHERE wardCode IS NOT NULL"""


@lru_cache(maxsize=1)
def _legacy_units() -> dict[str, AdminUnit]:
    data = _data_dir()
    new_rows, old_rows = _dataset_rows(data / "dataset.db")
    converter = json.loads((data / "converter_2025.json").read_text(encoding="utf-8"))
    successors = _successor_codes(_new_codes(new_rows), _successor_keys(converter))
    return {unit.code: unit for unit in (_legacy_unit(row, successors) for row in old_rows)}


def _dataset_rows(path: Path) -> tuple[list[Any], list[Any]]:
    """The rows of the units after the merger, and of those before it."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return db.execute(_NEW_UNITS).fetchall(), db.execute(_OLD_UNITS).fetchall()


def _new_codes(new_rows: list[Any]) -> dict[tuple[str, str], str]:
    """(new province key, new ward key) -> the unit's current code, where one is found."""
    by_name = _current_by_name()
    new_code: dict[tuple[str, str], str] = {}
    for province_key, ward_key, code, province, name in new_rows:
        if found := _current_code(code, province, name, by_name):
            new_code[(province_key, ward_key)] = found
    return new_code


def _current_code(
    code: Any, province: Any, name: str, by_name: dict[tuple[str, str], str]
) -> str | None:
    """The code itself when it is a current one, else the current unit of that name."""
    current = _current(str(code)) and f"{int(code):05d}"
    return current or by_name.get((f"{int(province):02d}", _nfc(name)))


def _successor_codes(
    new_code: dict[tuple[str, str], str], keys: dict[str, list[tuple[str, str]]]
) -> dict[str, tuple[str, ...]]:
    """Old "province_district_ward" key -> the current codes of the units taking it over."""
    found = {old: {new_code[t] for t in targets if t in new_code} for old, targets in keys.items()}
    return {old: tuple(sorted(codes)) for old, codes in found.items()}


def _legacy_unit(row: Any, successors: dict[str, tuple[str, ...]]) -> AdminUnit:
    province_key, district_key, ward_key, code, name, district, province = row
    return AdminUnit(
        code=f"{int(code):05d}",
        name=f"{_nfc(name)} ({_nfc(district)})",
        province_code=f"{int(province):02d}",
        valid_from=None,
        valid_until=_OLD_UNITS_END,
        successors=successors.get(f"{province_key}_{district_key}_{ward_key}", ()),
    )


# The converter's tables; a takeover is an old unit's key and the (new province key, new ward
# key) of a unit that took it over.
_Converter = dict[str, dict[str, object]]
_Takeover = tuple[str, tuple[str, str]]


def _successor_keys(converter: _Converter) -> dict[str, list[tuple[str, str]]]:
    """Old "province_district_ward" key -> the (new province key, new ward key) taking it over."""
    successors: dict[str, list[tuple[str, str]]] = {}
    for old, new in [*_whole_takeovers(converter), *_divided_takeovers(converter)]:
        successors.setdefault(old, []).append(new)
    return successors


def _whole_takeovers(converter: _Converter) -> Iterator[_Takeover]:
    """Old units that went whole into one new unit."""
    for province, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_ward, olds in _dict(wards).items():
            for old in _strs(olds):
                yield old, (province, new_ward)


def _divided_takeovers(converter: _Converter) -> Iterator[_Takeover]:
    """Old units divided between several new units."""
    for province, olds in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old, parts in _dict(olds).items():
            for part in parts if isinstance(parts, list) else []:
                yield old, (province, str(part["newWardKey"]))


def _strs(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _dict(value: object) -> dict[str, object]:
    return value if isinstance(value, dict) else {}
