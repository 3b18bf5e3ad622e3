from xkld_registration.adapters.communes import OfficialCommunes


def test_current_communes_map_to_their_province() -> None:
    communes = OfficialCommunes()
    assert communes.province_of("29800") == "86"  # Xã Tân Quới, Vĩnh Long


def test_merged_away_and_malformed_codes_are_unknown() -> None:
    communes = OfficialCommunes()
    assert communes.province_of("29791") is None  # Xã Thành Lợi, merged into Tân Quới
    assert communes.province_of("99999") is None
    assert communes.province_of("abcde") is None
