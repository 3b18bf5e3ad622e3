"""The page after a worker's return, rendered in-process in both languages against a stand-in
for registration: the support owed after an early return with a decision per item, the
reintegration outcome, the household's poverty status and the success story's editor. Each
form sends its key; a refusal keeps what was typed beside the field; other roles are refused."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from xkld_portal.application.errors import Refusal

from .rural_portal import CSRF, StandIn, portal_with, signed_in

RID = "5f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e5f"
BASE = f"/registrations/{RID}"
PAGE = f"/files/{RID}/after-return"
SUPPORT = {
    "registration_id": RID,
    "early_cause": "accident_or_illness",
    "items": [
        {
            "item_code": "fund_support_accident_illness",
            "label_vi": "Hỗ trợ từ Quỹ hỗ trợ việc làm ngoài nước",
            "label_en": "Overseas Employment Support Fund",
            "status": "given",
            "decided_on": "2027-02-01",
            "amount_vnd": 15_000_000,
            "note": None,
            "decided_by": "canbo",
        },
        {
            "item_code": "job_referral",
            "label_vi": "Giới thiệu việc làm",
            "label_en": "Job referral",
            "status": "due",
            "decided_on": None,
            "amount_vnd": None,
            "note": None,
            "decided_by": None,
        },
    ],
}
POVERTY = [
    {"basis": "intake", "list_year": 2024, "status": "poor", "recorded_on": "2024-05-02"},
    {"basis": "after_return", "list_year": 2027, "status": "neither", "recorded_on": "2027-03-01"},
]
STORY = {
    "registration_id": RID,
    "story": {
        "given_name": "An",
        "commune_name": "Xã Tân Quới",
        "country_vi": "Hàn Quốc",
        "term_months": 36,
        "job": "Công nhân cơ khí",
        "savings_vnd": 450_000_000,
        "after_return": "Mở xưởng sửa máy nông nghiệp",
        "radio_text_vi": "Người lao động An, ở Xã Tân Quới, đã đi làm việc tại Hàn Quốc.",
    },
}


def _answers() -> dict[str, Any]:
    return {
        BASE: {"registration_id": RID, "full_name": "Nguyễn Văn An", "status": "reintegration"},
        f"{BASE}/return-support": SUPPORT,
        f"{BASE}/poverty-status": POVERTY,
        f"{BASE}/success-story": STORY,
    }


@pytest.fixture
def portal() -> Iterator[tuple[TestClient, StandIn]]:
    yield from portal_with(_answers())


def _sent(stand_in: StandIn) -> list[tuple[str, str, Any, Any]]:
    return [(m, p, kw.get("json"), kw.get("key")) for m, p, kw in stand_in.sent]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "vi",
            ["Sau khi về nước: Nguyễn Văn An", "Giới thiệu việc làm", "Đã hỗ trợ", "15.000.000"],
        ),
        ("en", ["After the return: Nguyễn Văn An", "Job referral", "Given", "Neither poor"]),
    ],
)
def test_the_page_shows_the_support_the_poverty_statuses_and_the_story_in_both_languages(
    portal: tuple[TestClient, StandIn], lang: str, expected: list[str]
) -> None:
    http, _ = portal
    page = signed_in(http, "canbo", lang).get(PAGE)
    assert page.status_code == 200, page.text[:2000]
    for text in expected:
        assert text in page.text
    assert "Người lao động An, ở Xã Tân Quới" in page.text
    assert f'href="/files/{RID}/success-story"' in page.text
    # a given item is final: only the one still due gets a decision form
    assert 'id="support-job_referral"' in page.text
    assert f'action="/files/{RID}/after-return/support/job_referral"' in page.text
    assert "support/fund_support_accident_illness" not in page.text
    # the story's editor is filled with what is written, the savings grouped
    assert 'value="450.000.000"' in page.text


def test_a_support_decision_is_sent_with_its_key_and_leads_back_to_the_page(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, stand_in = portal
    form = {
        "csrf_token": CSRF,
        "form_key": "k-support",
        "status": "given",
        "decided_on": "2027-03-02",
        "amount_vnd": "2.000.000",
        "note": "",
    }
    answer = signed_in(http, "canbo").post(
        f"{PAGE}/support/job_referral", data=form, follow_redirects=False
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == PAGE
    assert _sent(stand_in) == [
        (
            "POST",
            f"{BASE}/return-support/job_referral",
            {"status": "given", "decided_on": "2027-03-02", "amount_vnd": 2_000_000},
            "k-support",
        )
    ]


@pytest.mark.parametrize(
    ("lang", "said"), [("vi", "Đã ghi kết quả khác"), ("en", "Another outcome is recorded")]
)
def test_a_refused_reintegration_outcome_keeps_what_was_typed_beside_the_field(
    portal: tuple[TestClient, StandIn], lang: str, said: str
) -> None:
    http, stand_in = portal
    stand_in.refuse = Refusal(
        409,
        "Mốc này đã có kết quả",
        "This checkpoint has an outcome",
        {"outcome": ("Đã ghi kết quả khác", "Another outcome is recorded")},
    )
    form = {
        "csrf_token": CSRF,
        "form_key": "k-reint",
        "checkpoint_months": "3",
        "outcome": "training",
        "observed_on": "2027-05-01",
        "note": "Học nghề hàn",
    }
    page = signed_in(http, "canbo", lang).post(f"{PAGE}/reintegration", data=form)
    assert page.status_code == 409
    assert said in page.text
    assert 'aria-describedby="err-reintegration-outcome"' in page.text
    assert 'name="form_key" value="k-reint"' in page.text
    assert "Học nghề hàn" in page.text
    assert _sent(stand_in)[0][2] == {
        "checkpoint_months": 3,
        "outcome": "training",
        "observed_on": "2027-05-01",
        "note": "Học nghề hàn",
    }


def test_the_poverty_status_and_the_story_go_as_registration_takes_them(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, stand_in = portal
    poverty = {"csrf_token": CSRF, "form_key": "k-pov", "list_year": "2027", "status": "neither"}
    story = {
        "csrf_token": CSRF,
        "form_key": "k-story",
        "job": "Thợ hàn",
        "savings_vnd": "300.000.000 ₫",
        "after_return": "Mở tiệm",
    }
    client = signed_in(http, "laodong")
    assert client.post(f"{PAGE}/poverty", data=poverty, follow_redirects=False).status_code == 303
    assert client.post(f"{PAGE}/story", data=story, follow_redirects=False).status_code == 303
    assert _sent(stand_in) == [
        ("POST", f"{BASE}/poverty-status", {"list_year": 2027, "status": "neither"}, "k-pov"),
        (
            "PUT",
            f"{BASE}/success-story",
            {"job": "Thợ hàn", "savings_vnd": 300_000_000, "after_return": "Mở tiệm"},
            "k-story",
        ),
    ]


def test_a_file_without_an_early_return_says_no_support_is_owed(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, stand_in = portal
    stand_in.refuse_get[f"{BASE}/return-support"] = Refusal(409, "Không", "No", code="x")
    stand_in.answers[f"{BASE}/success-story"] = {"registration_id": RID, "story": None}
    page = signed_in(http, "canbo", "en").get(PAGE)
    assert page.status_code == 200
    assert "This file has no early return" in page.text
    assert "No story is written yet." in page.text


def test_before_the_return_only_the_poverty_status_has_a_form(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, stand_in = portal
    before = {"registration_id": RID, "full_name": "Lê Thị Hoa", "status": "eligible"}
    stand_in.answers[BASE] = before
    stand_in.answers[f"{BASE}/return-support"] = {"early_cause": None, "items": []}
    stand_in.answers[f"{BASE}/success-story"] = {"registration_id": RID, "story": None}
    page = signed_in(http, "canbo", "vi").get(PAGE)
    assert page.status_code == 200
    assert "Người lao động chưa về nước" in page.text
    assert "Câu chuyện chỉ được viết khi đã hoàn thành hợp đồng." in page.text
    assert f'action="/files/{RID}/after-return/poverty"' in page.text
    assert "after-return/reintegration" not in page.text
    assert "after-return/story" not in page.text


def test_the_file_page_links_here_and_the_story_prints_from_registration(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, stand_in = portal
    asked: list[str] = []

    async def raw(service: Any, path: str, **kw: Any) -> tuple[bytes, str]:
        asked.append(path)
        return b"<html><body>An</body></html>", "text/html"

    stand_in.raw = raw  # type: ignore[method-assign]
    printed = signed_in(http, "canbo").get(f"/files/{RID}/success-story")
    assert printed.status_code == 200
    assert asked == [f"{BASE}/success-story/print"]
    assert "style-src 'unsafe-inline'" in printed.headers["content-security-policy"]


@pytest.mark.parametrize("who", ["baocao", "daotao", "tindung"])
def test_other_roles_may_neither_open_the_page_nor_send_its_forms(
    portal: tuple[TestClient, StandIn], who: str
) -> None:
    http, stand_in = portal
    client = signed_in(http, who)
    assert client.get(PAGE).status_code == 403
    form = {"csrf_token": CSRF, "form_key": "k", "list_year": "2027", "status": "poor"}
    assert client.post(f"{PAGE}/poverty", data=form).status_code == 403
    assert client.get(f"/files/{RID}/success-story").status_code == 403
    assert stand_in.sent == []
