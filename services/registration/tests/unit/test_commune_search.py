"""The commune picker: today's communes by code or name, and old ones with their successor."""

from __future__ import annotations

import datetime as dt

from xkld_registration.adapters.communes import OfficialCommunes
from xkld_registration.domain.commune_search import suggest
from xkld_registration.domain.communes import AdminUnit

CURRENT = [
    AdminUnit("29800", "Xã Tân Quới", "86", dt.date(2025, 7, 1), None),
    AdminUnit("29623", "Phường Long Châu", "86", dt.date(2025, 7, 1), None),
]
OLD = [AdminUnit("29791", "Xã Thành Lợi (Huyện Bình Tân)", "86", None, None, ("29800",))]


def test_a_name_typed_without_accents_finds_the_commune() -> None:
    assert [s.code for s in suggest("tan quoi", CURRENT, OLD)] == ["29800"]


def test_a_code_prefix_finds_todays_communes() -> None:
    assert [s.code for s in suggest("296", CURRENT, OLD)] == ["29623"]


def test_an_old_code_is_offered_with_the_commune_that_took_it_over() -> None:
    [found] = suggest("29791", CURRENT, OLD)
    assert (found.code, found.replaces_code) == ("29800", "29791")


def test_an_old_name_is_offered_with_its_successor_from_the_official_lists() -> None:
    communes = OfficialCommunes()
    found = suggest("thanh loi", communes.current_units(), communes.legacy_units(), limit=200)
    assert any(s.code == "29800" and s.replaces_code == "29791" for s in found)
