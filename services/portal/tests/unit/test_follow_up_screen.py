"""The follow-up worklist screen, rendered in-process in both languages from registration's
answer: each worker abroad not heard from, the longest silence first, links to their file."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from .rural_portal import StandIn, portal_with, signed_in

SILENT = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
NEVER = "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e"
WORKLIST = {
    "as_of": "2027-03-01",
    "silent_days": 90,
    "workers": [
        {
            "registration_id": NEVER,
            "full_name": "Trần Thị Bích",
            "commune_code": "29800",
            "market_code": "JP",
            "departed_on": "2026-08-01",
            "last_check_in": None,
            "days_silent": 212,
        },
        {
            "registration_id": SILENT,
            "full_name": "Nguyễn Văn An",
            "commune_code": "29800",
            "market_code": "KR",
            "departed_on": "2026-01-10",
            "last_check_in": "2026-11-20",
            "days_silent": 101,
        },
    ],
}
ANSWERS: dict[str, Any] = {"/registrations/follow-up/silent-abroad": WORKLIST}


@pytest.fixture
def portal() -> Iterator[tuple[TestClient, StandIn]]:
    yield from portal_with(ANSWERS)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("vi", ["Người lao động ở nước ngoài lâu không liên lạc", "chưa có", "20/11/2026"]),
        ("en", ["Workers abroad not heard from", "none yet", "No news for 90 days or more"]),
    ],
)
def test_each_silent_worker_is_listed_oldest_first_in_both_languages(
    portal: tuple[TestClient, StandIn], lang: str, expected: list[str]
) -> None:
    http, _ = portal
    page = signed_in(http, "canbo", lang).get("/follow-up/silent-abroad")
    assert page.status_code == 200, page.text[:2000]
    for text in expected:
        assert text in page.text
    assert page.text.index("Trần Thị Bích") < page.text.index("Nguyễn Văn An")
    assert f'href="/files/{SILENT}"' in page.text
    assert ">212<" in page.text


def test_the_days_asked_for_are_passed_on_and_nonsense_is_left_out(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, stand_in = portal
    signed_in(http, "canbo").get("/follow-up/silent-abroad?days=30")
    assert ("/registrations/follow-up/silent-abroad", {"silent_days": 30}) in stand_in.gets
    signed_in(http, "canbo").get("/follow-up/silent-abroad?days=abc")
    assert stand_in.gets[-1] == ("/registrations/follow-up/silent-abroad", None)


def test_the_home_leads_to_the_worklist_and_a_report_viewer_may_not_open_it(
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
    assert 'href="/follow-up/silent-abroad"' in home.text
    assert signed_in(http, "baocao").get("/follow-up/silent-abroad").status_code == 403
