"""Generate `admin_unit_map.csv`: every pre-2025 ward code -> the ward that absorbed it.

Run once, by hand, in a throw-away environment with the pinned package installed:

    uv venv /tmp/vau && uv pip install -p /tmp/vau vietnamadminunits==1.0.4
    /tmp/vau/bin/python services/reporting/scripts/generate_admin_unit_map.py \
        > services/reporting/src/xkld_reporting/data/admin_unit_map.csv

The package maps by normalised names (province_district_ward keys); this script turns that
into codes. A ward split between several new wards goes to the package's default new ward.
The output is committed, so the service needs neither the package nor its 11 MB database.
"""

from __future__ import annotations

import csv
import json
import sqlite3
import sys
from pathlib import Path

import vietnamadminunits  # type: ignore[import-not-found]

DATA = Path(vietnamadminunits.__file__).parent / "data"


def main() -> None:
    db = sqlite3.connect(DATA / "dataset.db")
    converter = json.loads((DATA / "converter_2025.json").read_text())
    provinces: dict[str, str] = {}
    for new_key, old_keys in converter["DICT_PROVINCE"].items():
        for old in old_keys:
            provinces[old] = new_key
    new_codes = {
        (p, w): (code, pcode)
        for p, w, code, pcode in db.execute(
            "SELECT provinceKey, wardKey, wardCode, provinceCode FROM admin_units"
        )
    }
    undivided: dict[str, str] = {}
    for wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].values():
        for new_ward, olds in wards.items():
            for old in olds:
                undivided[old] = new_ward
    divided = {
        old: next((w["newWardKey"] for w in news if w["isDefaultNewWard"]), None)
        for wards in converter["DICT_PROVINCE_WARD_DIVIDED"].values()
        for old, news in wards.items()
    }
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["old_code", "new_code", "new_province_code"])
    rows = db.execute(
        "SELECT provinceKey, districtKey, wardKey, wardCode FROM admin_units_legacy "
        "WHERE wardCode IS NOT NULL ORDER BY wardCode"
    )
    for province, district, ward, code in rows:
        key = f"{province}_{district}_{ward}"
        new_ward = undivided.get(key) or divided.get(key)
        target = new_codes.get((provinces.get(province, ""), new_ward or ""))
        if target is None or not code:
            continue
        new_code, new_province = target
        if f"{int(code):05d}" != f"{int(new_code):05d}":
            out.writerow([f"{int(code):05d}", f"{int(new_code):05d}", f"{int(new_province):02d}"])


if __name__ == "__main__":
    main()
