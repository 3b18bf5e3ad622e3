"""The training centre's trainee forms on a course page and the labour officer's support sheet
and payment, in process with registration replaced by a stand-in (see rural_stand_in.py)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from xkld_portal.application.errors import Refusal
from xkld_shared.identity.principal import Role

from .rural_stand_in import (
    CODE,
    COURSE_ID,
    CSRF,
    TID,
    RegistrationStandIn,
    portal,
    signed_in,
)

__all__ = ["portal"]  # the fixture, imported so pytest finds it here


@pytest.mark.parametrize(
    ("lang", "said"), [("vi", "Ghi danh học viên này"), ("en", "Enrol the trainee")]
)
def test_a_vocational_course_page_lists_its_trainees_with_the_centre_s_forms(
    portal: tuple[TestClient, Any], lang: str, said: str
) -> None:
    client = signed_in(portal, RegistrationStandIn(), Role.TRAINING_STAFF, lang=lang)
    page = client.get(f"/courses/{CODE}")
    assert page.status_code == 200, page.text
    assert said in page.text
    assert "Đặng Thị Ánh" in page.text
    assert f'<option value="{TID}">Đặng Thị Ánh — 29800</option>' in page.text
    assert f'action="/courses/{CODE}/trainee-attendance"' in page.text


def test_enrolling_a_trainee_sends_the_distance_with_a_point_the_course_and_the_key(
    portal: tuple[TestClient, Any],
) -> None:
    stand_in = RegistrationStandIn()
    client = signed_in(portal, stand_in, Role.TRAINING_STAFF)
    form = {
        "csrf_token": CSRF,
        "form_key": "key-enrol-1",
        "trainee_code": f" {TID} ",
        "distance_km": "16,5",
    }
    answer = client.post(f"/courses/{CODE}/trainee-enrolments", data=form, follow_redirects=False)
    assert answer.headers["location"] == f"/courses/{CODE}?done=key-enrol-1"
    assert stand_in.sent == [
        (
            "POST",
            f"/trainees/{TID}/enrolments",
            {"distance_km": "16.5", "course_id": COURSE_ID},
            "key-enrol-1",
        )
    ]


def test_attendance_and_a_result_of_a_trainee_go_to_registration_with_their_keys(
    portal: tuple[TestClient, Any],
) -> None:
    stand_in = RegistrationStandIn()
    client = signed_in(portal, stand_in, Role.TRAINING_STAFF)
    present = {"trainee_id": TID, "attended_on": "2026-11-02", "present": "false"}
    client.post(
        f"/courses/{CODE}/trainee-attendance",
        data={"csrf_token": CSRF, "form_key": "key-attend-1"} | present,
    )
    passed = {"trainee_id": TID, "passed": "true", "certificate_number": " SC-1 "}
    client.post(
        f"/courses/{CODE}/trainee-results",
        data={"csrf_token": CSRF, "form_key": "key-result-1"} | passed,
    )
    assert [(p, b, k) for _, p, b, k in stand_in.sent] == [
        (
            f"/trainees/{TID}/attendance",
            {"attended_on": "2026-11-02", "present": False, "course_id": COURSE_ID},
            "key-attend-1",
        ),
        (
            f"/trainees/{TID}/training-results",
            {"passed": True, "certificate_number": "SC-1", "course_id": COURSE_ID},
            "key-result-1",
        ),
    ]


def test_a_mistyped_trainee_code_is_refused_beside_the_field_and_nothing_is_sent(
    portal: tuple[TestClient, Any],
) -> None:
    stand_in = RegistrationStandIn()
    client = signed_in(portal, stand_in, Role.TRAINING_STAFF)
    form = {"csrf_token": CSRF, "form_key": "key-enrol-2", "trainee_code": "HV-12"}
    page = client.post(f"/courses/{CODE}/trainee-enrolments", data=form | {"distance_km": "3"})
    assert page.status_code == 422
    assert 'id="err-trainee-enrol-trainee_code">Mã học viên không đúng' in page.text
    assert 'name="form_key" value="key-enrol-2"' in page.text
    assert stand_in.sent == []


def test_a_refused_enrolment_shows_the_service_s_message_at_the_distance(
    portal: tuple[TestClient, Any],
) -> None:
    stand_in = RegistrationStandIn()
    stand_in.refuse = Refusal(
        422, "Sai", "Wrong", {"distance_km": ("Tối đa 1 chữ số thập phân", "One decimal")}
    )
    client = signed_in(portal, stand_in, Role.TRAINING_STAFF, lang="en")
    form = {"csrf_token": CSRF, "form_key": "key-enrol-3", "trainee_code": TID}
    page = client.post(f"/courses/{CODE}/trainee-enrolments", data=form | {"distance_km": "1.25"})
    assert page.status_code == 422
    assert 'id="err-trainee-enrol-distance_km">One decimal<' in page.text
    assert 'value="1.25"' in page.text


def test_only_the_training_centre_records_a_trainee_s_training(
    portal: tuple[TestClient, Any],
) -> None:
    stand_in = RegistrationStandIn()
    client = signed_in(portal, stand_in, Role.LABOUR_OFFICER)
    form = {"csrf_token": CSRF, "form_key": "key-enrol-4", "trainee_code": TID}
    answer = client.post(f"/courses/{CODE}/trainee-enrolments", data=form)
    assert answer.status_code == 403
    assert stand_in.sent == []


@pytest.mark.parametrize(
    ("lang", "said"), [("vi", "Tổng hỗ trợ chưa chi trả: 6.660.000 ₫"), ("en", "Support still")]
)
def test_the_support_sheet_shows_each_line_the_total_and_the_printable_parts(
    portal: tuple[TestClient, Any], lang: str, said: str
) -> None:
    client = signed_in(portal, RegistrationStandIn(), Role.LABOUR_OFFICER, lang=lang)
    page = client.get(f"/courses/{CODE}/support")
    assert page.status_code == 200, page.text
    assert said in page.text
    assert "Quyết định 46/2015/QĐ-TTg" in page.text
    assert page.text.count('class="signature"') == 2
    assert "data-print" in page.text
    assert f'href="/courses/{CODE}/support.xlsx"' in page.text
    assert f'action="/courses/{CODE}/support/confirm"' in page.text
    assert {"vi": "Không đi học buổi nào", "en": "Attended no day"}[lang] in page.text


def test_a_training_centre_reads_the_sheet_but_is_offered_neither_terms_nor_payment(
    portal: tuple[TestClient, Any],
) -> None:
    client = signed_in(portal, RegistrationStandIn(), Role.TRAINING_STAFF)
    page = client.get(f"/courses/{CODE}/support").text
    assert "6.660.000 ₫" in page
    assert "/support/confirm" not in page
    assert "/support/terms" not in page
    form = {"csrf_token": CSRF, "form_key": "key-pay-9", "paid_on": "2026-12-02"}
    assert client.post(f"/courses/{CODE}/support/payments", data=form).status_code == 403


def test_the_confirmation_step_shows_what_is_paid_and_carries_the_key_sending_nothing(
    portal: tuple[TestClient, Any],
) -> None:
    stand_in = RegistrationStandIn()
    client = signed_in(portal, stand_in, Role.LABOUR_OFFICER)
    form = {"csrf_token": CSRF, "form_key": "key-pay-1", "paid_on": "2026-12-02"}
    page = client.post(f"/courses/{CODE}/support/confirm", data=form)
    assert page.status_code == 200, page.text
    assert "Chi trả cho 1 học viên, tổng cộng 6.660.000 ₫, ngày 02/12/2026." in page.text
    assert 'name="form_key" value="key-pay-1"' in page.text
    assert 'name="paid_on" value="2026-12-02"' in page.text
    assert "Trần Văn Ba" not in page.text  # attended no day: not paid
    assert stand_in.sent == []


def test_recording_the_payment_sends_the_confirmed_key_and_the_day(
    portal: tuple[TestClient, Any],
) -> None:
    stand_in = RegistrationStandIn()
    client = signed_in(portal, stand_in, Role.LABOUR_OFFICER)
    form = {"csrf_token": CSRF, "form_key": "key-pay-2", "paid_on": "2026-12-02"}
    answer = client.post(f"/courses/{CODE}/support/payments", data=form, follow_redirects=False)
    assert answer.headers["location"] == f"/courses/{CODE}/support?done=key-pay-2"
    assert stand_in.sent == [
        ("POST", f"/courses/{CODE}/support-payments", {"paid_on": "2026-12-02"}, "key-pay-2")
    ]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_nothing_to_pay_is_said_politely_and_the_payment_form_gets_a_fresh_key(
    portal: tuple[TestClient, Any], lang: str
) -> None:
    stand_in = RegistrationStandIn()
    stand_in.refuse = Refusal(409, "Không còn ai", "Nobody left", {}, "nothing_to_pay")
    client = signed_in(portal, stand_in, Role.LABOUR_OFFICER, lang=lang)
    form = {"csrf_token": CSRF, "form_key": "key-pay-3", "paid_on": "2026-12-02"}
    page = client.post(f"/courses/{CODE}/support/payments", data=form)
    assert page.status_code == 409
    said = {"vi": "Chưa chi trả gì", "en": "Nothing was paid"}[lang]
    assert f'<div class="notice" role="status">{said}' in page.text
    assert 'role="alert"' not in page.text
    assert 'value="key-pay-3"' not in page.text


def test_a_date_that_is_not_one_is_refused_at_the_confirmation_step(
    portal: tuple[TestClient, Any],
) -> None:
    client = signed_in(portal, RegistrationStandIn(), Role.LABOUR_OFFICER)
    form = {"csrf_token": CSRF, "form_key": "key-pay-4", "paid_on": "02/13/2026"}
    page = client.post(f"/courses/{CODE}/support/confirm", data=form)
    assert page.status_code == 422
    assert 'id="err-pay-paid_on">Ngày chi trả không hợp lệ<' in page.text
    assert 'name="form_key" value="key-pay-4"' in page.text


def test_the_terms_go_as_whole_dong_with_the_fisher_trade_and_the_key(
    portal: tuple[TestClient, Any],
) -> None:
    stand_in = RegistrationStandIn()
    client = signed_in(portal, stand_in, Role.LABOUR_OFFICER)
    form = {
        "csrf_token": CSRF,
        "form_key": "key-terms-1",
        "tuition_vnd": "8.000.000 ₫",
        "fisher_vessel_trade": "true",
    }
    answer = client.post(f"/courses/{CODE}/support/terms", data=form, follow_redirects=False)
    assert answer.status_code == 303
    assert stand_in.sent == [
        (
            "PUT",
            f"/courses/{CODE}/support-terms",
            {"tuition_vnd": 8_000_000, "fisher_vessel_trade": True},
            "key-terms-1",
        )
    ]


def test_a_course_without_terms_says_so_and_offers_the_terms_form(
    portal: tuple[TestClient, Any],
) -> None:
    stand_in = RegistrationStandIn()
    stand_in.refuse_sheet = Refusal(
        409, "Khoá NGHE-01 chưa có mức học phí", "No tuition", {}, "support_terms_missing"
    )
    client = signed_in(portal, stand_in, Role.LABOUR_OFFICER)
    page = client.get(f"/courses/{CODE}/support")
    assert page.status_code == 200
    assert "Khoá NGHE-01 chưa có mức học phí" in page.text
    assert f'action="/courses/{CODE}/support/terms"' in page.text
    assert "/support/confirm" not in page.text


def test_the_xlsx_sheet_is_registration_s_own_workbook_passed_on(
    portal: tuple[TestClient, Any],
) -> None:
    stand_in = RegistrationStandIn()
    client = signed_in(portal, stand_in, Role.LABOUR_OFFICER)
    answer = client.get(f"/courses/{CODE}/support.xlsx")
    assert answer.status_code == 200
    assert answer.content == b"PK\x03\x04 workbook"
    assert answer.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert f'filename="bang-ke-{CODE}.xlsx"' in answer.headers["content-disposition"]
    assert stand_in.asked[-1] == (f"/courses/{CODE}/support-sheet", {"format": "xlsx"})


def test_a_commune_officer_gets_no_support_sheet(portal: tuple[TestClient, Any]) -> None:
    client = signed_in(portal, RegistrationStandIn(), Role.COMMUNE_OFFICER)
    assert client.get(f"/courses/{CODE}/support").status_code == 403
