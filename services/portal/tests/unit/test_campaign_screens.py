"""The outreach campaign screens (issue 16): the list and the new campaign's form, a campaign's
status buttons, templates edited into a new version, a meeting's attendance, the broadcast
confirmed with its audience and sent once, outcomes without phones, the funnel and its
downloads, the printable announcement, refusals shown in place, and who may see any of it;
rendered in-process against a stand-in for outreach."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from xkld_portal.application.errors import Refusal

from .campaign_stand_in import CAMPAIGN, PATH, Outreach, campaign_portal
from .rural_portal import CSRF, signed_in
from .survey_stand_in import LINKED, STAYS, WANTS

SCREENS = (
    "/campaigns",
    PATH,
    f"{PATH}/meetings/new",
    f"{PATH}/broadcast",
    f"{PATH}/outcomes",
    "/message-templates",
    "/message-templates/loan_policy_nq37",
)


@pytest.fixture
def portal() -> Iterator[tuple[TestClient, Outreach]]:
    yield from campaign_portal()


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("vi", ["Chiến dịch truyền thông", "Tạo chiến dịch", "Chính sách vay vốn", "Đang diễn ra"]),
        ("en", ["Outreach campaigns", "Create a campaign", "Chính sách vay vốn", "Under way"]),
    ],
)
def test_the_commune_officer_sees_the_campaigns_and_the_form_to_create_one_in_both_languages(
    portal: tuple[TestClient, Outreach], lang: str, expected: list[str]
) -> None:
    http, _ = portal
    page = signed_in(http, "canbo", lang).get("/campaigns")
    assert page.status_code == 200, page.text[:2000]
    for text in expected:
        assert text in page.text
    assert f'href="{PATH}"' in page.text
    for name in ("goal", "period_start", "period_end", "template_code", "hamlets"):
        assert f'<label for="f-{name}">' in page.text


def test_creating_a_campaign_sends_its_targets_with_the_forms_key_and_leads_to_it(
    portal: tuple[TestClient, Outreach],
) -> None:
    http, stand_in = portal
    form = {
        "csrf_token": CSRF,
        "form_key": "k-campaign",
        "goal": "Chính sách vay vốn",
        "communes": "29800",
        "channels": ["sms_broadcast", "meeting"],
        "priority_groups": ["demobilised_soldier", "unemployed_graduate"],
        "age_bands": "18-24",
        "hamlets": "Ấp Tân Thuận\nẤp Mỹ Lợi, Ấp Tân Thuận",
        "period_start": "2026-11-01",
        "period_end": "2026-12-31",
        "template_code": "loan_policy_nq37",
    }
    answer = signed_in(http, "canbo").post("/campaigns", data=form, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == PATH
    method, path, kw = stand_in.sent[0]
    assert (method, path, kw["key"]) == ("POST", "/campaigns", "k-campaign")
    assert kw["json"] == {
        "goal": "Chính sách vay vốn",
        "communes": ["29800"],
        "channels": ["sms_broadcast", "meeting"],
        "priority_groups": ["demobilised_soldier", "unemployed_graduate"],
        "age_bands": ["18-24"],
        "hamlets": ["Ấp Tân Thuận", "Ấp Mỹ Lợi"],
        "period_start": "2026-11-01",
        "period_end": "2026-12-31",
        "template_code": "loan_policy_nq37",
    }


def test_the_labour_officer_types_the_province_s_commune_codes_for_a_new_campaign(
    portal: tuple[TestClient, Outreach],
) -> None:
    http, stand_in = portal
    page = signed_in(http, "laodong").get("/campaigns")
    assert '<input id="f-communes" name="communes" type="text"' in page.text
    form = {"csrf_token": CSRF, "form_key": "k-lab", "goal": "EPS", "communes": "29800, 29623;",
            "channels": "loudspeaker", "period_start": "2026-11-01",
            "period_end": "2026-12-31", "template_code": "eps_korea"}  # fmt: skip
    answer = signed_in(http, "laodong").post("/campaigns", data=form, follow_redirects=False)
    assert answer.status_code == 303
    assert stand_in.sent[0][2]["json"]["communes"] == ["29800", "29623"]


def test_a_campaign_without_a_channel_is_refused_by_the_portal_before_anything_is_sent(
    portal: tuple[TestClient, Outreach],
) -> None:
    http, stand_in = portal
    form = {"csrf_token": CSRF, "form_key": "k-x", "goal": "G", "communes": "29800",
            "period_start": "2026-11-01", "period_end": "2026-12-31",
            "template_code": "t"}  # fmt: skip
    page = signed_in(http, "canbo").post("/campaigns", data=form)
    assert page.status_code == 422
    assert "Hãy chọn ít nhất một mục" in page.text
    assert 'value="k-x"' in page.text
    assert stand_in.sent == []


def test_a_campaign_refused_by_outreach_shows_its_vietnamese_message_beside_the_field(
    portal: tuple[TestClient, Outreach],
) -> None:
    http, stand_in = portal
    said = ("Thời gian chiến dịch tối đa 366 ngày", "A campaign lasts at most 366 days")
    stand_in.refuse = Refusal(422, "Dữ liệu không hợp lệ", "Invalid input", {"period_end": said})
    form = {"csrf_token": CSRF, "form_key": "k-long", "goal": "G", "communes": "29800",
            "channels": "meeting", "period_start": "2026-01-01", "period_end": "2027-06-30",
            "template_code": "loan_policy_nq37"}  # fmt: skip
    page = signed_in(http, "canbo").post("/campaigns", data=form)
    assert page.status_code == 422
    assert 'id="err-period_end">Thời gian chiến dịch tối đa 366 ngày' in page.text
    assert 'value="k-long"' in page.text
    assert 'value="2027-06-30"' in page.text


def test_the_campaigns_page_shows_its_status_and_the_button_that_ends_it(
    portal: tuple[TestClient, Outreach],
) -> None:
    http, stand_in = portal
    page = signed_in(http, "canbo").get(PATH)
    assert page.status_code == 200
    assert 'name="status" value="closed"' in page.text
    assert "Kết thúc chiến dịch" in page.text
    assert f'href="{PATH}/announcement"' in page.text
    assert "Nhà văn hoá ấp Tân Thuận" in page.text
    answer = signed_in(http, "canbo").post(
        f"{PATH}/status", data={"csrf_token": CSRF, "form_key": "k", "status": "closed"},
        follow_redirects=False,
    )  # fmt: skip
    assert answer.status_code == 303
    assert stand_in.sent[0][:2] == ("POST", f"{PATH}/status")
    assert stand_in.sent[0][2]["json"] == {"status": "closed"}


def test_a_second_start_refused_by_outreach_is_shown_on_the_campaigns_page(
    portal: tuple[TestClient, Outreach],
) -> None:
    http, stand_in = portal
    stand_in.refuse = Refusal(409, "Chiến dịch đã kết thúc", "The campaign has ended", {})
    page = signed_in(http, "canbo").post(
        f"{PATH}/status", data={"csrf_token": CSRF, "form_key": "k", "status": "closed"}
    )
    assert page.status_code == 409
    assert 'role="alert">Chiến dịch đã kết thúc' in page.text


def test_a_template_is_edited_into_a_new_version_with_its_sms_counter_and_zalo_parameters(
    portal: tuple[TestClient, Outreach],
) -> None:
    http, stand_in = portal
    page = signed_in(http, "canbo").get("/message-templates/loan_policy_nq37")
    assert page.status_code == 200
    assert 'hx-post="/sms/counter"' in page.text
    assert 'id="counter"' in page.text
    assert "chuong_trinh=NQ37" in page.text
    assert "Tinh ho tro vay von" in page.text
    form = {"csrf_token": CSRF, "form_key": "k-tpl", "title": "Vay vốn", "text": "Tinh ho tro",
            "zalo_template_id": "ZNS02", "zalo_params": "chuong_trinh=NQ37\n\nxa = Tan Thuan",
            "announcement": "Kính thưa bà con"}  # fmt: skip
    answer = signed_in(http, "canbo").post(
        "/message-templates/loan_policy_nq37", data=form, follow_redirects=False
    )
    assert answer.status_code == 303
    method, path, kw = stand_in.sent[0]
    assert (method, path, kw["key"]) == ("PUT", "/message-templates/loan_policy_nq37", "k-tpl")
    assert kw["json"] == {
        "title": "Vay vốn",
        "sms_text": "Tinh ho tro",
        "zalo_template_id": "ZNS02",
        "zalo_params": {"chuong_trinh": "NQ37", "xa": "Tan Thuan"},
        "announcement": "Kính thưa bà con",
    }


def test_a_zalo_parameter_line_without_a_name_is_refused_in_place(
    portal: tuple[TestClient, Outreach],
) -> None:
    http, stand_in = portal
    form = {"csrf_token": CSRF, "form_key": "k-tpl", "title": "T", "text": "S",
            "zalo_params": "NQ37", "announcement": "A"}  # fmt: skip
    page = signed_in(http, "canbo").post("/message-templates/loan_policy_nq37", data=form)
    assert page.status_code == 422
    assert 'id="err-zalo_params">Mỗi dòng một tham số' in page.text
    assert stand_in.sent == []


def test_the_meeting_form_lists_the_communes_respondents_and_sends_who_came_and_who_is_keen(
    portal: tuple[TestClient, Outreach],
) -> None:
    http, stand_in = portal
    page = signed_in(http, "canbo").get(f"{PATH}/meetings/new")
    assert page.status_code == 200
    for rid in (WANTS, STAYS, LINKED):
        assert f'name="attended" value="{rid}"' in page.text
    form = {"csrf_token": CSRF, "form_key": "k-meet", "commune_code": "29800",
            "held_on": "2026-11-05", "place": "Nhà văn hoá", "walk_ins": "3",
            "attended": [WANTS, STAYS], "interested": [WANTS, LINKED]}  # fmt: skip
    answer = signed_in(http, "canbo").post(
        f"{PATH}/meetings/new", data=form, follow_redirects=False
    )
    assert answer.status_code == 303
    method, path, kw = stand_in.sent[0]
    assert (method, path, kw["key"]) == ("POST", f"{PATH}/meetings", "k-meet")
    assert kw["json"]["attendees"] == [
        {"respondent_id": WANTS, "interested": True},
        {"respondent_id": STAYS, "interested": False},
        {"respondent_id": LINKED, "interested": True},
    ]
    assert kw["json"]["walk_ins"] == 3


def test_an_attendee_refused_by_outreach_keeps_the_ticks_and_shows_why(
    portal: tuple[TestClient, Outreach],
) -> None:
    http, stand_in = portal
    said = ("Người dự không thuộc xã này", "An attendee is not of this commune")
    stand_in.refuse = Refusal(422, "Dữ liệu không hợp lệ", "Invalid input", {"attendees": said})
    form = {"csrf_token": CSRF, "form_key": "k-meet", "commune_code": "29800",
            "held_on": "2026-11-05", "place": "Nhà văn hoá", "interested": WANTS}  # fmt: skip
    page = signed_in(http, "canbo").post(f"{PATH}/meetings/new", data=form)
    assert page.status_code == 422
    assert "Người dự không thuộc xã này" in page.text
    assert f'name="interested" value="{WANTS}" aria-label' in page.text
    assert 'value="k-meet"' in page.text
    assert f'value="{WANTS}" aria-label="Lê Văn Hùng quan tâm" checked' in page.text


def test_the_broadcast_is_confirmed_with_its_audience_and_sent_once_under_the_forms_key(
    portal: tuple[TestClient, Outreach],
) -> None:
    http, stand_in = portal
    page = signed_in(http, "canbo").get(f"{PATH}/broadcast")
    assert page.status_code == 200
    # One matches: the other with a phone was sent to before, the third has no phone.
    assert 'data-audience="1"' in page.text
    key = page.text.split('name="form_key" value="')[1].split('"')[0]
    form = {"csrf_token": CSRF, "form_key": key, "route": "zalo_then_sms"}
    first = signed_in(http, "canbo").post(f"{PATH}/broadcast", data=form, follow_redirects=False)
    again = signed_in(http, "canbo").post(f"{PATH}/broadcast", data=form, follow_redirects=False)
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == f"{PATH}/outcomes"
    assert [(m, p, kw["key"], kw["json"]) for m, p, kw in stand_in.sent] == [
        ("POST", f"{PATH}/broadcasts", key, {"route": "zalo_then_sms"})
    ] * 2


def test_a_broadcast_outreach_refuses_shows_its_message_on_the_confirmation(
    portal: tuple[TestClient, Outreach],
) -> None:
    http, stand_in = portal
    said = ("Mẫu tin chưa có mã mẫu Zalo", "The template has no Zalo template id")
    stand_in.refuse = Refusal(422, "Dữ liệu không hợp lệ", "Invalid input", {"route": said})
    form = {"csrf_token": CSRF, "form_key": "k-b", "route": "zalo_then_sms"}
    page = signed_in(http, "canbo").post(f"{PATH}/broadcast", data=form)
    assert page.status_code == 422
    assert "Mẫu tin chưa có mã mẫu Zalo" in page.text


def test_the_outcomes_show_each_recipient_by_respondent_code_and_the_funnel_by_group(
    portal: tuple[TestClient, Outreach],
) -> None:
    http, _ = portal
    page = signed_in(http, "canbo").get(f"{PATH}/outcomes")
    assert page.status_code == 200
    assert "<td>Đã nhận</td>" in page.text
    assert "no_zalo_account" in page.text
    assert "(sau Zalo)" in page.text
    assert f"<td>{STAYS[:8]}</td>" in page.text
    assert '<td data-stage="reached">7</td>' in page.text
    assert '<td data-stage="interested">2</td>' in page.text
    assert '<th scope="row">Bộ đội, công an xuất ngũ</th><td>3</td>' in page.text
    assert f'href="{PATH}/funnel.csv"' in page.text
    assert f'href="{PATH}/funnel.xlsx"' in page.text


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_funnel_downloads_through_the_portal_in_the_asked_format(
    portal: tuple[TestClient, Outreach], kind: str
) -> None:
    http, stand_in = portal
    answer = signed_in(http, "laodong").get(f"{PATH}/funnel.{kind}")
    assert answer.status_code == 200
    assert f"pheu-chien-dich-{CAMPAIGN}.{kind}" in answer.headers["content-disposition"]
    assert stand_in.fetched == [(f"{PATH}/funnel", {"format": kind})]


def test_the_announcement_is_fetched_with_the_readers_token_and_served_to_print(
    portal: tuple[TestClient, Outreach],
) -> None:
    http, stand_in = portal
    answer = signed_in(http, "canbo").get(f"{PATH}/announcement")
    assert answer.status_code == 200
    assert "Loa xa" in answer.text
    assert "@media print" in answer.text.split("</head>")[0]
    assert "default-src 'none'" in answer.headers["content-security-policy"]
    assert stand_in.fetched == [(f"{PATH}/announcement", None)]


@pytest.mark.parametrize("path", SCREENS)
def test_the_labour_officer_reads_every_campaign_screen(
    portal: tuple[TestClient, Outreach], path: str
) -> None:
    http, _ = portal
    assert signed_in(http, "laodong").get(path).status_code == 200


@pytest.mark.parametrize("who", ["baocao", "daotao", "tindung"])
@pytest.mark.parametrize("path", [*SCREENS, f"{PATH}/announcement", f"{PATH}/funnel.csv"])
def test_other_roles_are_shown_nothing_of_the_campaigns(
    portal: tuple[TestClient, Outreach], who: str, path: str
) -> None:
    http, stand_in = portal
    page = signed_in(http, who).get(path)
    assert page.status_code == 403
    assert "Chính sách vay vốn" not in page.text
    assert stand_in.gets == []
    assert stand_in.fetched == []


@pytest.mark.parametrize("who", ["baocao", "daotao", "tindung"])
def test_other_roles_cannot_send_anything_to_outreach(
    portal: tuple[TestClient, Outreach], who: str
) -> None:
    http, stand_in = portal
    form = {"csrf_token": CSRF, "form_key": "k", "route": "sms", "status": "active"}
    for path in ("/campaigns", f"{PATH}/status", f"{PATH}/broadcast", f"{PATH}/meetings/new"):
        assert signed_in(http, who).post(path, data=form).status_code == 403
    assert stand_in.sent == []
