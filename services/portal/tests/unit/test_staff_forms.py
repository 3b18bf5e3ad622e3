"""The training centre's and the labour officer's forms, as the services' JSON bodies."""

from __future__ import annotations

import datetime as dt
import uuid

from xkld_portal.domain import staff_forms as forms

TODAY = dt.date(2026, 12, 2)


def test_a_course_form_becomes_the_course_body_with_what_was_typed_trimmed() -> None:
    typed = {
        "code": " DH-2026-01 ",
        "course_type": "orientation",
        "title": "Giáo dục định hướng",
        "provider": "Trung tâm GDNN",
        "venue": "Vĩnh Long",
        "starts_on": "2026-12-01",
        "ends_on": "2026-12-20",
        "capacity": "30",
        "csrf_token": "x",
        "form_key": "k",
    }
    body = forms.course_body(typed)
    assert body == {
        "code": "DH-2026-01",
        "course_type": "orientation",
        "title": "Giáo dục định hướng",
        "provider": "Trung tâm GDNN",
        "venue": "Vĩnh Long",
        "starts_on": "2026-12-01",
        "ends_on": "2026-12-20",
        "capacity": 30,
    }


def test_attendance_is_present_only_when_present_was_chosen() -> None:
    assert forms.attendance_body({"attended_on": "2026-12-02", "present": "true"}) == {
        "attended_on": "2026-12-02",
        "present": True,
    }
    absent = forms.attendance_body({"attended_on": "2026-12-02", "present": "false"})
    assert absent["present"] is False
    assert forms.attendance_body({"attended_on": "2026-12-02"})["present"] is False


def test_a_result_leaves_out_a_blank_certificate_and_date() -> None:
    assert forms.result_body({"passed": "true", "certificate_number": " ", "completed_on": ""}) == {
        "passed": True
    }


def test_a_result_carries_the_certificate_number_when_one_is_typed() -> None:
    body = forms.result_body(
        {"passed": "true", "certificate_number": " GDDH-001 ", "completed_on": "2026-12-20"}
    )
    assert body == {"passed": True, "certificate_number": "GDDH-001", "completed_on": "2026-12-20"}


def test_a_rejection_without_explanation_sends_none_rather_than_an_empty_text() -> None:
    assert forms.rejection_body({"reason_code": "age", "reason": "  "}) == {
        "reason_code": "age",
        "reason": None,
    }


def test_an_enterprise_s_markets_may_be_typed_with_commas_spaces_or_semicolons() -> None:
    body = forms.enterprise_body(
        {
            "code": "DN-01",
            "name": "Công ty A",
            "licence_number": "12/GP",
            "licence_valid_from": "2026-01-01",
            "licence_valid_to": "2031-01-01",
            "markets": "JP_TITP, KR_EPS;TW  ",
        }
    )
    assert body["markets"] == ["JP_TITP", "KR_EPS", "TW"]
    assert body["code"] == "DN-01"
    assert set(body) == {
        "code",
        "name",
        "licence_number",
        "licence_valid_from",
        "licence_valid_to",
        "markets",
    }


def test_no_markets_typed_is_an_empty_list_for_the_service_to_refuse() -> None:
    assert forms.licence_body({"markets": " "})["markets"] == []


def test_a_market_s_cost_is_read_as_people_type_money() -> None:
    body = forms.market_body(
        {
            "code": "kr_eps",
            "country_vi": "Hàn Quốc",
            "programme": "EPS",
            "min_age": "18",
            "max_age": "",
            "typical_cost_vnd": "30.000.000 ₫",
            "active": "true",
        }
    )
    assert body == {
        "code": "KR_EPS",
        "country_vi": "Hàn Quốc",
        "programme": "EPS",
        "min_age": 18,
        "max_age": None,
        "typical_cost_vnd": 30_000_000,
        "active": True,
    }


def test_an_unticked_market_is_closed_to_new_files() -> None:
    assert forms.market_body({"code": "TW"})["active"] is False
    assert forms.market_body({"code": "TW"})["typical_cost_vnd"] is None


def test_a_file_code_is_read_with_or_without_dashes_and_spaces_around() -> None:
    rid = uuid.uuid4()
    assert forms.file_id(f"  {rid} ") == rid
    assert forms.file_id(rid.hex) == rid


def test_something_that_is_not_a_file_code_is_not_read_as_one() -> None:
    assert forms.file_id("") is None
    assert forms.file_id("HS-0012") is None


def test_a_revoked_licence_is_revoked_even_while_its_dates_are_still_running() -> None:
    enterprise = {"licence_valid_to": "2030-01-01", "revoked_on": "2026-06-01"}
    assert forms.licence_state(enterprise, TODAY) == "revoked"


def test_a_licence_past_its_end_date_is_expired_and_one_ending_today_is_still_valid() -> None:
    assert forms.licence_state({"licence_valid_to": "2026-12-01"}, TODAY) == "expired"
    assert forms.licence_state({"licence_valid_to": "2026-12-02"}, TODAY) == "valid"


def test_a_course_is_found_by_its_code_and_a_missing_code_finds_nothing() -> None:
    courses = [{"code": "A", "id": "1"}, {"code": "B", "id": "2"}]
    assert forms.course_of(courses, "B") == {"code": "B", "id": "2"}
    assert forms.course_of(courses, "C") is None


def test_a_number_that_is_not_whole_goes_as_typed_for_the_service_to_refuse() -> None:
    body = forms.market_body({"code": "TW", "min_age": "18,5", "typical_cost_vnd": "30tr"})
    assert (body["min_age"], body["typical_cost_vnd"]) == ("18,5", "30tr")
