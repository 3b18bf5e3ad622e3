"""The commune officer's list of trainees' SMS replies about work, rendered in-process in both
languages from the notifications service's answer: each names the answer, the time and the
course, and links to the trainee's page where the officer confirms it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from xkld_portal.application.errors import NotAllowed

from .rural_portal import StandIn, portal_with, signed_in

TRAINEE = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
OTHER = "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e"
COURSE_ID = "2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f"
REPLIES = [
    {
        "reply_id": "r1",
        "trainee_id": TRAINEE,
        "course_id": COURSE_ID,
        "outcome": "work_in_trade",
        "understood": True,
        "received_at": "2027-02-28T04:00:00Z",
        "commune_code": "29800",
    },
    {
        "reply_id": "r2",
        "trainee_id": OTHER,
        "course_id": COURSE_ID,
        "outcome": None,
        "understood": False,
        "received_at": "2027-02-27T02:00:00Z",
        "commune_code": "29800",
    },
]
COURSES = [{"id": COURSE_ID, "code": "NTTS-26-01", "title": "Nuôi tôm nước lợ"}]
ANSWERS: dict[str, Any] = {"/sms/trainee-replies": REPLIES, "/courses": COURSES}


@pytest.fixture
def portal() -> Iterator[tuple[TestClient, StandIn]]:
    yield from portal_with(ANSWERS)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("vi", ["Làm đúng nghề đã học", "Không hiểu được: hãy gọi", "28/02/2027 11:00"]),
        ("en", ["Work in the trade learnt", "Not understood: call the trainee", "Confirm on"]),
    ],
)
def test_each_reply_shows_the_answer_the_time_and_the_course_in_both_languages(
    portal: tuple[TestClient, StandIn], lang: str, expected: list[str]
) -> None:
    http, _ = portal
    page = signed_in(http, "canbo", lang).get("/sms/trainee-replies")
    assert page.status_code == 200, page.text[:2000]
    for text in expected:
        assert text in page.text
    assert 'href="/courses/NTTS-26-01"' in page.text
    assert "Nuôi tôm nước lợ" in page.text


def test_each_reply_links_to_its_trainees_page(portal: tuple[TestClient, StandIn]) -> None:
    http, _ = portal
    page = signed_in(http, "canbo").get("/sms/trainee-replies")
    assert f'href="/trainees/{TRAINEE}"' in page.text
    assert f'href="/trainees/{OTHER}"' in page.text


def test_the_day_asked_for_is_passed_on_and_a_malformed_one_is_left_out(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, stand_in = portal
    signed_in(http, "canbo").get("/sms/trainee-replies?since=2027-02-01")
    assert ("/sms/trainee-replies", {"limit": 200, "since": "2027-02-01"}) in stand_in.gets
    signed_in(http, "canbo").get("/sms/trainee-replies?since=01/02/2027")
    assert stand_in.gets[-2] == ("/sms/trainee-replies", {"limit": 200})


def test_the_replies_are_listed_even_when_the_courses_cannot_be_read(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, stand_in = portal
    stand_in.refuse_get["/courses"] = NotAllowed()
    page = signed_in(http, "canbo", "en").get("/sms/trainee-replies")
    assert page.status_code == 200
    assert COURSE_ID in page.text


def test_the_commune_officers_home_leads_to_the_replies_and_others_may_not_open_them(
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
    home = signed_in(http, "canbo").get("/")
    assert home.status_code == 200, home.text[:2000]
    assert 'href="/sms/trainee-replies"' in home.text
    assert signed_in(http, "baocao").get("/sms/trainee-replies").status_code == 403
