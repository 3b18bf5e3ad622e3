"""The officers' lists of issue 17 (the check-in replies nobody could read, the reintegration
outcomes due, the success stories) and the outcomes report with its downloads, rendered
in-process in both languages against a stand-in for the services."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from xkld_portal.application.errors import Refusal

from .rural_portal import CSRF, StandIn, portal_with, signed_in

RID = "5f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e5f"
REPLY = "0c9d8e7f-6a5b-4c3d-9e2f-1a0b9c8d7e6f"
OLD_REPLY = "3a4b5c6d-7e8f-4a9b-8c0d-1e2f3a4b5c6d"
UNREAD = [
    {
        "reply_id": REPLY,
        "registration_id": RID,
        "text": "con dang o Busan, khoe",
        "received_at": "2027-03-01T02:30:00+00:00",
        "commune_code": "29800",
        "handled_at": None,
        "handled_by": None,
        "handled_note": None,
    }
]
HANDLED = [
    {
        "reply_id": OLD_REPLY,
        "registration_id": RID,
        "text": "??",
        "received_at": "2027-01-05T02:30:00+00:00",
        "commune_code": "29800",
        "handled_at": "2027-01-06T03:00:00+00:00",
        "handled_by": "canbo",
        "handled_note": "Đã gọi gia đình",
    }
]
DUE = {
    "as_of": "2027-06-01",
    "within_days": 14,
    "due": [
        {
            "registration_id": RID,
            "full_name": "Nguyễn Văn An",
            "commune_code": "29800",
            "early_cause": None,
            "returned_on": "2027-02-20",
            "checkpoint_months": 3,
            "due_on": "2027-05-20",
            "days_overdue": 12,
        }
    ],
}
STORIES = [
    {
        "registration_id": RID,
        "given_name": "An",
        "commune_name": "Xã Tân Quới",
        "country_vi": "Hàn Quốc",
        "radio_text_vi": "Người lao động An, ở Xã Tân Quới, đã đi làm việc tại Hàn Quốc.",
    }
]
ROW = {
    "key": "29800",
    "name": "Xã Tân Quới",
    "followed": 4,
    "left_poor": 2,
    "left_near_poor": 1,
    "left_poverty": 3,
    "left_poverty_bp": 7500,
    "remittance_vnd": 120_000_000,
    "remittance_reports": 5,
    "loans_disbursed_vnd": 200_000_000,
    "remittance_of_loans_bp": 6000,
}
REPORT = {
    "area_code": "86",
    "area_name": "Vĩnh Long",
    "year": 2027,
    "freshness": {"as_of": "2027-06-01T01:00:00+00:00", "streams": []},
    "rows": [ROW],
    "total": {k: v for k, v in ROW.items() if k not in ("key", "name")},
}


class Replies(StandIn):
    """Answers the inbox by the `handled` asked for."""

    async def get(self, service: Any, path: str, **kw: Any) -> Any:
        if path == "/sms/check-in-replies":
            self.gets.append((path, kw.get("params")))
            return HANDLED if kw["params"]["handled"] == "true" else UNREAD
        return await super().get(service, path, **kw)


@pytest.fixture
def portal() -> Iterator[tuple[TestClient, StandIn]]:
    answers = {
        "/registrations/follow-up/reintegration-due": DUE,
        "/success-stories": STORIES,
        "/reports/outcomes": REPORT,
    }
    for http, _ in portal_with(answers):
        replies = Replies(answers)
        http.app.state.portal.api = replies  # type: ignore[attr-defined]
        yield http, replies


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("vi", ["Tin trả lời liên lạc cần đọc", "con dang o Busan, khoe", "Đánh dấu đã xử lý"]),
        ("en", ["Check-in replies to read", "con dang o Busan, khoe", "Mark handled"]),
    ],
)
def test_the_inbox_lists_unreadable_replies_with_a_form_each_in_both_languages(
    portal: tuple[TestClient, StandIn], lang: str, expected: list[str]
) -> None:
    http, stand_in = portal
    page = signed_in(http, "canbo", lang).get("/sms/check-in-replies")
    assert page.status_code == 200, page.text[:2000]
    for text in expected:
        assert text in page.text
    assert f'action="/sms/check-in-replies/{REPLY}/handled"' in page.text
    assert f'href="/files/{RID}"' in page.text
    assert 'for="reply-' in page.text  # the note has its label
    assert stand_in.gets[-1] == ("/sms/check-in-replies", {"handled": "false"})


def test_the_handled_replies_show_who_handled_them_and_no_form(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, _ = portal
    page = signed_in(http, "canbo", "en").get("/sms/check-in-replies?handled=true")
    assert "Handled by canbo" in page.text
    assert "Đã gọi gia đình" in page.text
    assert "/handled" not in page.text.split("<main", 1)[1]


def test_marking_a_reply_handled_sends_the_note_and_the_forms_key(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, stand_in = portal
    form = {"csrf_token": CSRF, "form_key": "k-reply", "note": "Đã gọi, vẫn làm việc"}
    answer = signed_in(http, "canbo").post(
        f"/sms/check-in-replies/{REPLY}/handled", data=form, follow_redirects=False
    )
    assert answer.status_code == 303
    method, path, kw = stand_in.sent[0]
    assert (method, path) == ("POST", f"/sms/check-in-replies/{REPLY}/handled")
    assert kw["json"] == {"note": "Đã gọi, vẫn làm việc"}
    assert kw["key"] == "k-reply"


@pytest.mark.parametrize(("lang", "said"), [("vi", "Ghi chú quá dài"), ("en", "Note too long")])
def test_a_refused_note_is_kept_and_explained_beside_it(
    portal: tuple[TestClient, StandIn], lang: str, said: str
) -> None:
    http, stand_in = portal
    stand_in.refuse = Refusal(
        422, "Không hợp lệ", "Not valid", {"note": ("Ghi chú quá dài", "Note too long")}
    )
    form = {"csrf_token": CSRF, "form_key": "k-long", "note": "rất dài"}
    page = signed_in(http, "canbo", lang).post(f"/sms/check-in-replies/{REPLY}/handled", data=form)
    assert page.status_code == 422
    assert said in page.text
    assert f'aria-describedby="err-reply-{REPLY}-note"' in page.text
    assert ">rất dài</textarea>" in page.text
    assert 'value="k-long"' in page.text


def test_the_reintegration_due_list_links_each_worker_to_the_page_after_the_return(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, stand_in = portal
    page = signed_in(http, "canbo", "vi").get("/follow-up/reintegration-due?within=30")
    assert page.status_code == 200
    assert "Kết quả tái hòa nhập đến hạn" in page.text
    assert "3 tháng sau khi về nước" in page.text
    assert f'href="/files/{RID}/after-return"' in page.text
    assert "20/05/2027" in page.text
    assert stand_in.gets[-1] == ("/registrations/follow-up/reintegration-due", {"within_days": 30})
    english = signed_in(http, "laodong", "en").get("/follow-up/reintegration-due?within=abc")
    assert "6 months after return" not in english.text
    assert "3 months after return" in english.text
    assert ("/registrations/follow-up/reintegration-due", None) in stand_in.gets


def test_the_success_stories_list_their_radio_texts_and_printable_pages(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, _ = portal
    page = signed_in(http, "canbo", "en").get("/success-stories")
    assert page.status_code == 200
    assert "Người lao động An, ở Xã Tân Quới" in page.text
    assert f'href="/files/{RID}/success-story"' in page.text


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("vi", ["Giảm nghèo và tiền gửi về", "75,00%", "120.000.000"]),
        ("en", ["Outcomes, poverty and money sent home", "75.00%", "Households followed"]),
    ],
)
def test_the_outcomes_report_shows_each_commune_and_the_total(
    portal: tuple[TestClient, StandIn], lang: str, expected: list[str]
) -> None:
    http, stand_in = portal
    page = signed_in(http, "baocao", lang).get("/reports/outcomes?year=2027")
    assert page.status_code == 200, page.text[:2000]
    for text in expected:
        assert text in page.text
    assert stand_in.gets[-1] == ("/reports/outcomes", {"area": "86", "year": 2027})
    assert 'href="/reports/outcomes.csv?' in page.text


def test_the_outcomes_report_downloads_with_vietnamese_headings_and_the_total_last(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, _ = portal
    answer = signed_in(http, "laodong").get("/reports/outcomes.csv?year=2027")
    assert answer.status_code == 200
    lines = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert lines[0][:3] == ["Mã xã/phường", "Tên xã", "Số hộ được theo dõi"]
    assert lines[1][0] == "29800"
    assert lines[-1][0] == "Tổng"
    assert "Tiền vay đã giải ngân" in lines[0]  # an amount, not the number of loans
    assert "75.00" in lines[-1]
    workbook = signed_in(http, "laodong").get("/reports/outcomes.xlsx?year=2027")
    assert workbook.status_code == 200
    assert workbook.content[:2] == b"PK"


def test_the_lists_are_for_officers_and_the_report_for_readers(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, stand_in = portal
    viewer = signed_in(http, "baocao")
    for path in ("/sms/check-in-replies", "/follow-up/reintegration-due", "/success-stories"):
        assert viewer.get(path).status_code == 403
    form = {"csrf_token": CSRF, "form_key": "k", "note": ""}
    assert viewer.post(f"/sms/check-in-replies/{REPLY}/handled", data=form).status_code == 403
    assert stand_in.sent == []
    assert signed_in(http, "canbo").get("/reports/outcomes").status_code == 403


def test_the_home_and_the_menu_lead_to_the_lists(portal: tuple[TestClient, StandIn]) -> None:
    http, stand_in = portal
    stand_in.answers["/registrations/overview"] = {
        "by_stage": {},
        "waiting_for_documents": [],
        "departures_this_month": [],
        "silent_abroad": [],
        "silent_days": 90,
    }
    home = signed_in(http, "canbo").get("/")
    for link in ("/sms/check-in-replies", "/follow-up/reintegration-due", "/success-stories"):
        assert f'href="{link}"' in home.text
