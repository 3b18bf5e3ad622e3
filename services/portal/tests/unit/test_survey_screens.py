"""The labour-demand survey's rounds and households (issue 16): the rounds list and its form, a
round's members, a household that grows by htmx or without JavaScript, refusals beside the
member's field, and who may see what; rendered in-process against a stand-in for outreach."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from xkld_portal.application.errors import Refusal

from .rural_portal import CSRF, StandIn, signed_in
from .survey_stand_in import LINKED, PATH, RID, STAYS, WANTS, survey_portal


@pytest.fixture
def portal() -> Iterator[tuple[TestClient, StandIn]]:
    yield from survey_portal()


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("vi", ["Các đợt khảo sát", "Khảo sát quý IV", "Đang nhận", "Mở đợt khảo sát"]),
        ("en", ["Survey rounds", "Khảo sát quý IV", "Open the round", "First day"]),
    ],
)
def test_the_commune_officer_sees_the_rounds_and_a_form_to_open_one_in_both_languages(
    portal: tuple[TestClient, StandIn], lang: str, expected: list[str]
) -> None:
    http, _ = portal
    page = signed_in(http, "canbo", lang).get("/survey-rounds")
    assert page.status_code == 200, page.text[:2000]
    for text in expected:
        assert text in page.text
    assert f'href="{PATH}"' in page.text
    for name in ("commune_code", "title", "period_start", "period_end"):
        assert f'<label for="f-{name}">' in page.text


def test_the_labour_officer_reads_the_rounds_but_is_offered_no_form(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, _ = portal
    page = signed_in(http, "laodong").get("/survey-rounds")
    assert page.status_code == 200
    assert 'action="/survey-rounds"' not in page.text
    assert "Khảo sát quý IV" in page.text


def test_opening_a_round_sends_the_form_with_its_key_and_leads_to_the_round(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, stand_in = portal
    form = {
        "csrf_token": CSRF,
        "form_key": "k-round",
        "commune_code": "29800",
        "title": "Khảo sát quý IV",
        "period_start": "2026-10-01",
        "period_end": "2026-12-31",
    }
    answer = signed_in(http, "canbo").post("/survey-rounds", data=form, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == PATH
    method, path, kw = stand_in.sent[0]
    assert (method, path, kw["key"]) == ("POST", "/survey-rounds", "k-round")
    assert kw["json"]["period_end"] == "2026-12-31"


def test_a_round_refused_by_outreach_shows_its_vietnamese_message_and_keeps_the_form(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, stand_in = portal
    said = ("Ngày kết thúc phải sau hoặc bằng ngày bắt đầu", "The period must end on or after")
    stand_in.refuse = Refusal(422, "Dữ liệu không hợp lệ", "Invalid input", {"period_end": said})
    form = {
        "csrf_token": CSRF,
        "form_key": "k-bad",
        "commune_code": "29800",
        "title": "Quý IV",
        "period_start": "2026-12-31",
        "period_end": "2026-10-01",
    }
    page = signed_in(http, "canbo").post("/survey-rounds", data=form)
    assert page.status_code == 422
    assert "Dữ liệu không hợp lệ" in page.text
    assert said[0] in page.text
    assert 'aria-describedby="err-period_end"' in page.text
    assert 'value="k-bad"' in page.text
    assert 'value="Quý IV"' in page.text


def test_a_round_shows_its_members_with_a_conversion_for_who_wants_to_go_and_a_file_link(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, _ = portal
    page = signed_in(http, "canbo").get(PATH)
    assert page.status_code == 200, page.text[:2000]
    assert "Ấp Tân Thuận" in page.text
    assert "Lê Văn Hùng" in page.text
    assert f'href="/survey-respondents/{WANTS}/intake"' in page.text
    assert f'href="/survey-respondents/{STAYS}/intake"' not in page.text
    assert f'href="/survey-respondents/{LINKED}/intake"' not in page.text
    assert f'href="/files/{RID}"' in page.text
    assert f'action="{PATH}/close"' in page.text
    assert f'href="{PATH}/households/new"' in page.text
    reader = signed_in(http, "laodong").get(PATH)
    assert f'action="{PATH}/close"' not in reader.text
    assert "/survey-respondents/" not in reader.text


def test_closing_a_round_twice_shows_outreachs_refusal_on_the_round(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, stand_in = portal
    stand_in.refuse = Refusal(409, "Đợt khảo sát đã kết thúc", "The round is closed")
    page = signed_in(http, "canbo").post(f"{PATH}/close", data={"csrf_token": CSRF})
    assert page.status_code == 409
    assert "Đợt khảo sát đã kết thúc" in page.text
    assert stand_in.sent[0][:2] == ("POST", f"{PATH}/close")


def test_the_household_form_starts_with_one_labelled_member_and_grows_by_htmx(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, _ = portal
    page = signed_in(http, "canbo").get(f"{PATH}/households/new")
    assert page.status_code == 200, page.text[:2000]
    for name in ("age_band", "gender", "education", "current_work", "contact_consent"):
        assert f'<label for="f-m0-{name}">' in page.text
    assert 'for="f-m0-pg-demobilised_soldier"' in page.text
    assert "f-m1-age_band" not in page.text
    assert f'hx-get="{PATH}/households/member?n=1"' in page.text
    more = signed_in(http, "canbo").get(
        f"{PATH}/households/member?n=1", headers={"HX-Request": "true"}
    )
    assert more.status_code == 200
    assert '<label for="f-m1-age_band">' in more.text
    assert 'hx-swap-oob="true"' in more.text
    assert "member?n=2" in more.text
    assert "<html" not in more.text
    assert signed_in(http, "canbo").get(f"{PATH}/households/member?n=20").status_code == 422


def _household(**extra: str) -> dict[str, Any]:
    return {
        "csrf_token": CSRF,
        "form_key": "k-house",
        "hamlet": "Ấp Tân Thuận",
        "m0-age_band": "25-29",
        "m0-gender": "male",
        "m0-education": "upper_secondary",
        "m0-current_work": "farming",
        "m0-wants_abroad": "true",
        "m0-market_code": "KR-EPS",
        "m0-abroad_when": "within_6_months",
        "m0-priority_groups": ["demobilised_soldier", "poor_household"],
        "m0-contact_consent": "true",
        "m1-age_band": "18-24",
        "m1-gender": "female",
        "m1-education": "college",
        "m1-current_work": "student",
        "m1-wants_training": "true",
        "m1-trade_code": "may",
    } | extra


def test_without_javascript_the_add_button_returns_the_form_with_one_member_more_sending_nothing(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, stand_in = portal
    page = signed_in(http, "canbo").post(f"{PATH}/households/new", data=_household(grow="1"))
    assert page.status_code == 200
    assert '<label for="f-m2-age_band">' in page.text
    assert 'value="may"' in page.text  # what was typed stays
    assert stand_in.sent == []


def test_a_household_of_two_members_is_sent_once_with_the_forms_key(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, stand_in = portal
    answer = signed_in(http, "canbo").post(
        f"{PATH}/households/new", data=_household(), follow_redirects=False
    )
    assert answer.status_code == 303, answer.text[:2000]
    assert answer.headers["location"] == PATH
    method, path, kw = stand_in.sent[0]
    assert (method, path, kw["key"]) == ("POST", f"{PATH}/households", "k-house")
    first, second = kw["json"]["members"]
    assert kw["json"]["hamlet"] == "Ấp Tân Thuận"
    assert first["wants_abroad"] is True
    assert first["wants_training"] is False
    assert first["priority_groups"] == ["poor_household", "demobilised_soldier"]
    assert first["contact_consent"] is True
    assert second["contact_consent"] is False
    assert second["trade_code"] == "MAY"
    assert "cccd" not in str(kw["json"])
    assert "phone" not in str(kw["json"])


def test_a_members_answer_refused_by_outreach_is_shown_beside_that_members_field(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, stand_in = portal
    said = ("Muốn học nghề thì cần ghi nghề muốn học", "Give the trade")
    stand_in.refuse = Refusal(
        422, "Dữ liệu không hợp lệ", "Invalid input", {"members.1.trade_code": said}
    )
    page = signed_in(http, "canbo").post(f"{PATH}/households/new", data=_household())
    assert page.status_code == 422
    assert said[0] in page.text
    assert 'aria-describedby="err-m1-trade_code"' in page.text
    assert 'value="k-house"' in page.text


def test_a_missing_answer_is_named_before_anything_is_sent(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, stand_in = portal
    page = signed_in(http, "canbo", "en").post(
        f"{PATH}/households/new", data=_household(**{"m1-gender": ""})
    )
    assert page.status_code == 422
    assert 'aria-describedby="err-m1-gender"' in page.text
    assert "This field is required" in page.text
    assert stand_in.sent == []


def test_other_roles_are_refused_every_survey_screen_and_readers_every_write(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, stand_in = portal
    reads = ("/survey-rounds", PATH, "/survey-rollups")
    writes = (f"{PATH}/households/new", f"{PATH}/import", f"/survey-respondents/{WANTS}/intake")
    for who in ("baocao", "daotao", "tindung"):
        for path in reads + writes:
            assert signed_in(http, who).get(path).status_code == 403, (who, path)
    for path in writes:
        assert signed_in(http, "laodong").get(path).status_code == 403, path
    form = {"csrf_token": CSRF, "form_key": "k"}
    for path in ("/survey-rounds", f"{PATH}/close", f"{PATH}/households/new"):
        assert signed_in(http, "laodong").post(path, data=form).status_code == 403, path
    assert stand_in.sent == []
    assert stand_in.gets == []


def test_the_menu_and_home_lead_to_the_survey_for_officers_only(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, stand_in = portal
    stand_in.answers["/registrations/overview"] = {
        "by_stage": {},
        "waiting_for_documents": [],
        "departures_this_month": [],
        "silent_abroad": [],
        "silent_days": 90,
    }
    stand_in.answers["/courses"] = []
    home = signed_in(http, "canbo").get("/")
    assert home.text.count('href="/survey-rounds"') == 2
    assert 'href="/survey-rollups"' in home.text
    assert 'href="/survey-rounds"' in signed_in(http, "laodong").get("/").text
    for who in ("baocao", "daotao"):
        assert "/survey-" not in signed_in(http, who).get("/").text
