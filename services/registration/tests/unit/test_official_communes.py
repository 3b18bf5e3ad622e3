import datetime as dt

from xkld_registration.adapters.communes import OfficialCommunes, _legacy_units
from xkld_registration.domain.communes import CurrentCommune, resolve_commune
from xkld_shared.errors import FieldProblem

TODAY = dt.date(2026, 11, 26)


def test_current_communes_map_to_their_province() -> None:
    communes = OfficialCommunes()
    assert communes.province_of("29800") == "86"  # Xã Tân Quới, Vĩnh Long


def test_merged_away_and_malformed_codes_are_not_current_communes() -> None:
    communes = OfficialCommunes()
    assert communes.province_of("29791") is None  # Xã Thành Lợi, merged into Tân Quới
    assert communes.province_of("99999") is None
    assert communes.province_of("abcde") is None


def test_a_pre_merger_unit_has_a_validity_period_and_its_successor() -> None:
    thanh_loi = OfficialCommunes().unit("29791")
    assert thanh_loi is not None
    assert thanh_loi.valid_until == dt.date(2025, 6, 30)
    assert thanh_loi.successors == ("29800",)
    assert not thanh_loi.valid_on(TODAY)
    tan_quoi = OfficialCommunes().unit("29800")
    assert tan_quoi is not None
    assert tan_quoi.valid_from == dt.date(2025, 7, 1)


def test_thanh_loi_of_binh_tan_district_maps_to_tan_quoi() -> None:
    resolved = resolve_commune("29791", OfficialCommunes().unit, TODAY)
    assert resolved == CurrentCommune("29800", "86", "29791")


def test_an_old_ward_split_between_new_wards_is_refused_with_the_choices() -> None:
    resolved = resolve_commune("29764", OfficialCommunes().unit, TODAY)  # Ngãi Tứ, Tam Bình
    assert isinstance(resolved, FieldProblem)
    assert resolved.field == "commune_code"
    assert "29767" in resolved.message_vi
    assert "29770" in resolved.message_vi


def test_every_old_units_successors_are_in_todays_list() -> None:
    communes = OfficialCommunes()
    olds = _legacy_units().values()
    assert len(olds) > 10_000
    assert all(communes.unit(code) for unit in olds for code in unit.successors)
    mapped = sum(1 for unit in olds if unit.successors)
    assert mapped / len(olds) > 0.99
