"""The labour-demand survey's import, roll-ups and conversion (issue 16): the dry run's
per-row report and its keyed confirmation, the roll-up tables with the course plan and target,
and a respondent converted through the pre-filled intake; in-process against a stand-in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from xkld_portal.application.errors import NotAllowed, Refusal

from .rural_portal import CSRF, StandIn, signed_in
from .survey_stand_in import LINKED, PATH, RID, ROUND, STAYS, WANTS, survey_portal


@pytest.fixture
def portal() -> Iterator[tuple[TestClient, StandIn]]:
    yield from survey_portal()


def test_the_import_dry_run_shows_each_rows_vietnamese_message_and_a_keyed_confirmation(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, stand_in = portal
    sheet = {"sheet": ("phieu.csv", "Số hộ,Ấp\n1,Ấp A\n".encode(), "text/csv")}
    page = signed_in(http, "canbo").post(
        f"{PATH}/import/check", data={"csrf_token": CSRF}, files=sheet
    )
    assert page.status_code == 200, page.text[:2000]
    assert "Không rõ nhóm tuổi &#39;70&#39;" in page.text
    assert "Ghi chú" in page.text  # the ignored column
    assert stand_in.sent[0][2]["params"] == {"dry_run": "true"}
    assert stand_in.sent[0][2].get("key") is None
    assert f'action="{PATH}/import/confirm"' in page.text
    sealed = page.text.split('name="sealed" value="')[1].split('"')[0]
    form = {"csrf_token": CSRF, "form_key": "k-import", "sealed": sealed}
    for _ in range(2):  # a double submit carries the same key: outreach imports once
        done = signed_in(http, "canbo").post(f"{PATH}/import/confirm", data=form)
        assert done.status_code == 200
    assert [s[2]["key"] for s in stand_in.sent[1:]] == ["k-import", "k-import"]
    assert stand_in.sent[1][2]["content"] == "Số hộ,Ấp\n1,Ấp A\n".encode()


def test_an_unreadable_file_is_refused_with_outreachs_message(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, stand_in = portal
    stand_in.refuse = Refusal(
        422, "Dữ liệu không hợp lệ", "Invalid", {"file": ("Thiếu cột Số hộ", "No household col")}
    )
    sheet = {"sheet": ("x.csv", b"a,b\n", "text/csv")}
    page = signed_in(http, "canbo").post(
        f"{PATH}/import/check", data={"csrf_token": CSRF}, files=sheet
    )
    assert page.status_code == 422
    assert "Thiếu cột Số hộ" in page.text
    assert "/import/confirm" not in page.text


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("vi", ["Tổng hợp khảo sát", "Theo nhóm ưu tiên", "Bộ đội, công an xuất ngũ", "HAN"]),
        ("en", ["Survey roll-ups", "By priority group", "Demobilised soldier", "Suggested target"]),
    ],
)
def test_the_rollups_show_tables_the_course_plan_and_the_target_for_the_filters_asked(
    portal: tuple[TestClient, StandIn], lang: str, expected: list[str]
) -> None:
    http, stand_in = portal
    page = signed_in(http, "canbo", lang).get(
        f"/survey-rollups?commune_code=29800&year=2026&round_id={ROUND}&plan_year=2027"
    )
    assert page.status_code == 200, page.text[:2000]
    for text in expected:
        assert text in page.text
    asked = dict(stand_in.gets)
    assert asked["/survey-rollups"] == {"commune_code": "29800", "year": 2026, "round_id": ROUND}
    assert asked["/survey-rollups/course-plan"] == {
        "commune_code": "29800",
        "year": 2026,
        "plan_year": 2027,
        "course_size": 25,
    }
    assert asked["/survey-rollups/target"] == {"commune_code": "29800", "year": 2026}
    for name in ("commune_code", "year", "round_id", "plan_year", "course_size"):
        assert f'<label for="f-{name}">' in page.text


def test_a_bad_filter_is_dropped_not_sent(portal: tuple[TestClient, StandIn]) -> None:
    http, stand_in = portal
    page = signed_in(http, "laodong").get("/survey-rollups?commune_code=abc&year=99999")
    assert page.status_code == 200
    assert dict(stand_in.gets)["/survey-rollups"] == {}


def test_a_respondent_who_wants_to_go_opens_the_intake_pre_filled_with_their_id(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, _ = portal
    page = signed_in(http, "canbo").get(f"/survey-respondents/{WANTS}/intake")
    assert page.status_code == 200, page.text[:2000]
    assert 'value="Lê Văn Hùng"' in page.text
    assert f'name="outreach_respondent_id" value="{WANTS}"' in page.text
    assert '<option value="KR-EPS" selected>' in page.text
    checked = 'name="priority_groups" type="checkbox" value="demobilised_soldier" checked'
    assert checked in page.text
    assert "Đã điền sẵn từ phiếu khảo sát" in page.text


def test_the_pre_filled_intake_sends_the_respondents_id_to_registration(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, stand_in = portal
    form = {
        "csrf_token": CSRF,
        "form_key": "k-intake",
        "outreach_respondent_id": WANTS,
        "full_name": "Lê Văn Hùng",
        "cccd": "086095001234",
        "date_of_birth": "1999-04-02",
        "gender": "male",
        "phone": "0912345678",
        "commune_code": "29800",
        "ethnicity_code": "01",
        "household_poverty": "not_poor",
        "consents": "registration_processing",
    }
    answer = signed_in(http, "canbo").post("/files/new", data=form, follow_redirects=False)
    assert answer.status_code == 303, answer.text[:2000]
    assert answer.headers["location"].startswith(f"/files/{RID}")
    _, path, kw = stand_in.sent[0]
    assert (path, kw["key"]) == ("/registrations", "k-intake")
    assert kw["json"]["outreach_respondent_id"] == WANTS
    junk = signed_in(http, "canbo").post(
        "/files/new", data=form | {"outreach_respondent_id": "x"}, follow_redirects=False
    )
    assert junk.status_code == 303
    assert "outreach_respondent_id" not in stand_in.sent[1][2]["json"]


def test_a_converted_respondent_leads_to_their_file_and_a_refusal_is_shown(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, stand_in = portal
    page = signed_in(http, "canbo").get(f"/survey-respondents/{LINKED}/intake")
    assert page.status_code == 200
    assert f'href="/files/{RID}"' in page.text
    assert 'name="outreach_respondent_id"' not in page.text
    stand_in.refuse_get[f"/respondents/{STAYS}/intake"] = Refusal(
        409, "Người này không muốn đi làm việc ở nước ngoài", "Does not want to go"
    )
    refused = signed_in(http, "canbo").get(f"/survey-respondents/{STAYS}/intake")
    assert refused.status_code == 409
    assert "Người này không muốn đi làm việc ở nước ngoài" in refused.text


def test_outreach_refusing_a_commune_outside_the_readers_area_is_a_403_page(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, stand_in = portal
    stand_in.refuse_get["/survey-rollups"] = NotAllowed()
    page = signed_in(http, "canbo").get("/survey-rollups?commune_code=29641")
    assert page.status_code == 403
    assert "<main" in page.text  # the portal's own error page, not a bare error
