"""The labour officer's yearly course plan and the course form's plan line, rendered in-process
in both languages from the registration service's answers, with their forms sent as the service
expects them and its refusals shown next to the fields."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from xkld_portal.application.errors import NotAllowed, Refusal

from .rural_portal import CSRF, StandIn, portal_with, signed_in

LINE_ID = "5b0d4c3e-8f6a-4c1e-9d2b-7a1f0e3c9b11"
GONE_ID = "0f9e8d7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f"
LINE: dict[str, Any] = {
    "line_id": LINE_ID,
    "plan_year": 2026,
    "province_code": "86",
    "commune_code": "29800",
    "trade_code": "NTTS",
    "trade_title": "Nuôi trồng thuỷ sản",
    "institution": "Trường Trung cấp Vĩnh Long",
    "places": 35,
    "planned_starts_on": "2026-03-02",
    "planned_ends_on": "2026-05-29",
    "budget_vnd": 40_000_000,
    "withdrawn_on": None,
    "courses": [
        {
            "course_id": "c1",
            "course_code": "NTTS-26-01",
            "starts_on": "2026-03-02",
            "ends_on": "2026-05-29",
            "capacity": 30,
            "places_taken": 12,
        }
    ],
    "places_taken": 12,
}
GONE = LINE | {"line_id": GONE_ID, "trade_code": "SXM", "withdrawn_on": "2026-02-01", "courses": []}
ANSWERS = {"/course-plan": {"plan_year": 2026, "commune_code": None, "lines": [LINE, GONE]}}


@pytest.fixture
def portal() -> Iterator[tuple[TestClient, StandIn]]:
    yield from portal_with(ANSWERS)


def _line_form(**changes: str) -> dict[str, str]:
    form = {
        "csrf_token": CSRF,
        "form_key": "k" * 12,
        "line_id": LINE_ID,
        "new": "true",
        "plan_year": "2026",
        "commune_code": "29800",
        "trade_code": "NTTS",
        "trade_title": "Nuôi trồng thuỷ sản",
        "institution": "Trường Trung cấp Vĩnh Long",
        "places": "35",
        "planned_starts_on": "2026-03-02",
        "planned_ends_on": "2026-05-29",
        "budget_vnd": "40.000.000",
    }
    return form | changes


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("vi", ["Kế hoạch đặt hàng đào tạo nghề năm 2026", "12 / 35", "còn 23 chỗ", "Đã rút ngày"]),
        ("en", ["Course plan 2026", "12 / 35", "23 left", "Withdrawn on 01/02/2026"]),
    ],
)
def test_the_plan_lists_each_line_with_its_courses_and_places_taken_in_both_languages(
    portal: tuple[TestClient, StandIn], lang: str, expected: list[str]
) -> None:
    http, stand_in = portal
    page = signed_in(http, "laodong", lang).get("/course-plan?year=2026&commune=29800")
    assert page.status_code == 200, page.text[:2000]
    for text in expected:
        assert text in page.text
    assert 'href="/courses/NTTS-26-01"' in page.text
    assert f'href="/course-plan/lines/{LINE_ID}/withdraw?year=2026"' in page.text
    # a withdrawn line offers neither edit nor withdrawal
    assert f"/course-plan/lines/{GONE_ID}/edit" not in page.text
    assert stand_in.gets[-1] == ("/course-plan", {"year": 2026, "commune_code": "29800"})


def test_a_commune_officer_reads_the_plan_but_is_offered_no_change(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, _ = portal
    page = signed_in(http, "canbo").get("/course-plan?year=2026")
    assert page.status_code == 200
    assert "/course-plan/lines/new" not in page.text
    assert signed_in(http, "canbo").get("/course-plan/lines/new").status_code == 403
    assert signed_in(http, "tindung").get("/course-plan").status_code == 403


def test_a_new_lines_form_carries_one_id_made_when_it_was_drawn(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, _ = portal
    first = signed_in(http, "laodong").get("/course-plan/lines/new?year=2027").text
    second = signed_in(http, "laodong").get("/course-plan/lines/new?year=2027").text
    ids = [re.search(r'name="line_id" value="([0-9a-f-]{36})"', p) for p in (first, second)]
    assert ids[0]
    assert ids[1]
    assert ids[0].group(1) != ids[1].group(1)
    assert 'name="plan_year" type="number" value="2027"' in first


def test_saving_a_line_puts_it_at_its_own_id_with_numbers_as_numbers(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, stand_in = portal
    answer = signed_in(http, "laodong").post(
        "/course-plan/lines", data=_line_form(), headers={"HX-Request": "true"}
    )
    assert answer.status_code == 200
    assert answer.headers["hx-redirect"] == f"/course-plan?year=2026&done={'k' * 12}"
    method, path, sent = stand_in.sent[-1]
    assert (method, path) == ("PUT", f"/course-plan/lines/{LINE_ID}")
    assert sent["json"]["places"] == 35
    assert sent["json"]["budget_vnd"] == 40_000_000
    assert sent["json"]["plan_year"] == 2026
    assert sent["json"]["planned_starts_on"] == "2026-03-02"


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("vi", "Ngày khai giảng dự kiến phải trong năm kế hoạch 2026"),
        ("en", "The planned start must fall in the plan year 2026"),
    ],
)
def test_a_refused_line_comes_back_with_the_message_beside_its_field_and_the_same_id(
    portal: tuple[TestClient, StandIn], lang: str, said: str
) -> None:
    http, stand_in = portal
    stand_in.refuse = Refusal(
        422,
        "Dữ liệu không hợp lệ",
        "Invalid input",
        {
            "planned_starts_on": (
                "Ngày khai giảng dự kiến phải trong năm kế hoạch 2026",
                "The planned start must fall in the plan year 2026",
            )
        },
        "invalid_input",
    )
    page = signed_in(http, "laodong", lang).post(
        "/course-plan/lines", data=_line_form(planned_starts_on="2025-12-01")
    )
    assert page.status_code == 422
    assert f'<span class="field-error" id="err-line-planned_starts_on">{said}</span>' in page.text
    assert f'name="line_id" value="{LINE_ID}"' in page.text
    assert f'name="form_key" value="{"k" * 12}"' in page.text
    assert 'value="2025-12-01"' in page.text


@pytest.mark.parametrize(
    ("lang", "said"),
    [("vi", "không thuộc tỉnh bạn phụ trách"), ("en", "outside your province")],
)
def test_a_commune_outside_the_province_is_answered_politely_at_the_commune_field(
    portal: tuple[TestClient, StandIn], lang: str, said: str
) -> None:
    http, stand_in = portal
    stand_in.refuse = NotAllowed()
    page = signed_in(http, "laodong", lang).post(
        "/course-plan/lines", data=_line_form(commune_code="00004")
    )
    assert page.status_code == 403
    assert 'id="err-line-commune_code"' in page.text
    assert said in page.text
    assert 'value="00004"' in page.text


def test_setting_a_withdrawn_line_again_shows_the_services_conflict_at_the_form(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, stand_in = portal
    stand_in.refuse = Refusal(
        409,
        "Dòng kế hoạch này đã rút khỏi kế hoạch; hãy lập dòng mới",
        "This plan line was withdrawn; set up a new line instead",
        code="plan_line_refused",
    )
    page = signed_in(http, "laodong", "en").post("/course-plan/lines", data=_line_form())
    assert page.status_code == 409
    assert "This plan line was withdrawn; set up a new line instead" in page.text


def test_editing_a_line_shows_what_it_says_now(portal: tuple[TestClient, StandIn]) -> None:
    http, _ = portal
    page = signed_in(http, "laodong").get(f"/course-plan/lines/{LINE_ID}/edit?year=2026")
    assert page.status_code == 200
    assert 'value="Trường Trung cấp Vĩnh Long"' in page.text
    assert 'name="new" value="false"' in page.text
    missing = signed_in(http, "laodong").get(f"/course-plan/lines/{'1' * 32}/edit?year=2026")
    assert missing.status_code == 404


def test_withdrawing_asks_first_then_sends_the_withdrawal_once_confirmed(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, stand_in = portal
    ask = signed_in(http, "laodong").get(f"/course-plan/lines/{LINE_ID}/withdraw?year=2026")
    assert ask.status_code == 200
    assert "Có, rút dòng này" in ask.text
    assert stand_in.sent == []
    form = {"csrf_token": CSRF, "form_key": "w" * 12, "plan_year": "2026"}
    done = signed_in(http, "laodong").post(
        f"/course-plan/lines/{LINE_ID}/withdraw", data=form, follow_redirects=False
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/course-plan?year=2026"
    assert stand_in.sent[-1][:2] == ("POST", f"/course-plan/lines/{LINE_ID}/withdraw")
    assert stand_in.sent[-1][2]["key"] == "w" * 12


def test_the_course_form_offers_the_years_open_plan_lines_and_sends_the_chosen_one(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, stand_in = portal
    page = signed_in(http, "laodong", "en").get("/courses/new?year=2026")
    assert page.status_code == 200
    assert f'<option value="{LINE_ID}">NTTS' in page.text
    assert GONE_ID not in page.text
    assert "12 of 35 places taken" in page.text
    form = {
        "csrf_token": CSRF,
        "form_key": "c" * 12,
        "code": "NTTS-26-02",
        "course_type": "vocational",
        "title": "Nuôi tôm",
        "provider": "Trường",
        "venue": "Xã",
        "starts_on": "2026-04-01",
        "ends_on": "2026-06-01",
        "capacity": "20",
        "trade_code": "NTTS",
        "plan_line_id": LINE_ID,
    }
    signed_in(http, "laodong").post("/courses/new", data=form)
    sent = stand_in.sent[-1][2]["json"]
    assert (sent["trade_code"], sent["plan_line_id"]) == ("NTTS", LINE_ID)
    signed_in(http, "laodong").post(
        "/courses/new", data=form | {"form_key": "d" * 12, "trade_code": "", "plan_line_id": ""}
    )
    assert "trade_code" not in stand_in.sent[-1][2]["json"]
    assert "plan_line_id" not in stand_in.sent[-1][2]["json"]


def test_a_course_refused_for_its_plan_line_shows_why_beside_the_choice(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, stand_in = portal
    stand_in.refuse = Refusal(
        422,
        "Dữ liệu không hợp lệ",
        "Invalid input",
        {"plan_line_id": ("Dòng kế hoạch dạy nghề khác", "The plan line is for another trade")},
    )
    form = {
        "csrf_token": CSRF,
        "form_key": "c" * 12,
        "starts_on": "2026-04-01",
        "plan_line_id": LINE_ID,
        "trade_code": "SXM",
    }
    page = signed_in(http, "laodong", "en").post("/courses/new", data=form)
    assert page.status_code == 422
    assert 'id="err-course-plan_line_id">The plan line is for another trade' in page.text
    assert f'<option value="{LINE_ID}" selected>' in page.text
