"""The commune officer's trainee screens in process, with registration replaced by a stand-in
that answers as it does: each renders in Vietnamese and English, each form sends the body and
the Idempotency-Key registration expects, and a refusal shows next to its field."""

from __future__ import annotations

from typing import Any

import pytest
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient
from xkld_portal.adapters.catalogue import LOCALES
from xkld_portal.application.errors import Refusal
from xkld_shared.identity.principal import Role

from .rural_stand_in import (
    COURSE_ID,
    CSRF,
    RID,
    TID,
    RegistrationStandIn,
    portal,
    signed_in,
)

__all__ = ["portal"]  # the fixture, imported so pytest finds it here

OFFICER_PAGES = {
    "/trainees": {"vi": "Học viên học nghề ở lại địa phương", "en": "Trainees who stay"},
    "/trainees/new": {"vi": "Nhóm đối tượng theo QĐ 46/2015", "en": "Decision 46/2015 groups"},
    f"/trainees/{TID}": {
        "vi": "Ghi nhận việc làm sau học nghề",
        "en": "Record work after training",
    },
    "/trainees/due": {"vi": "Hạn ghi nhận", "en": "Due by"},
    "/": {"vi": "Cần ghi nhận việc làm sau học nghề", "en": "Employment outcomes due"},
}


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("path", sorted(OFFICER_PAGES))
def test_each_commune_officer_trainee_screen_renders_in_both_languages(
    portal: tuple[TestClient, Any], path: str, lang: str
) -> None:
    client = signed_in(portal, RegistrationStandIn(), Role.COMMUNE_OFFICER, lang=lang)
    page = client.get(path)
    assert page.status_code == 200, page.text
    assert f'<html lang="{lang}">' in page.text
    assert OFFICER_PAGES[path][lang] in page.text
    assert "Traceback" not in page.text


def test_the_trainee_page_shows_the_one_history_the_support_and_the_file_abroad(
    portal: tuple[TestClient, Any],
) -> None:
    client = signed_in(portal, RegistrationStandIn(), Role.COMMUNE_OFFICER)
    page = client.get(f"/trainees/{TID}").text
    assert "Người khuyết tật; Phụ nữ" in page
    assert (
        "Xử lý thông tin cá nhân để học nghề (bắt buộc); Nhận tin nhắn SMS về từng bước</dd>"
        in page
    )
    assert "Nuôi trồng thuỷ sản (NGHE-01)" in page
    assert "6.660.000 ₫" in page
    assert f'href="/files/{RID}"' in page
    assert f'<option value="{COURSE_ID}" selected>' in page  # the one finished course


def test_taking_in_a_trainee_sends_the_person_the_groups_and_the_consents_with_the_key(
    portal: tuple[TestClient, Any],
) -> None:
    stand_in = RegistrationStandIn()
    client = signed_in(portal, stand_in, Role.COMMUNE_OFFICER)
    form = {
        "csrf_token": CSRF,
        "form_key": "key-intake-1",
        "full_name": " Đặng Thị Ánh ",
        "cccd": "086301000001",
        "date_of_birth": "2001-03-04",
        "gender": "female",
        "phone": "0912000001",
        "ethnicity_code": "01",
        "household_poverty": "poor",
        "commune_code": "29800",
        "support_groups": ["disability", "woman", "not-a-group"],
        "difficult_commune": "true",
        "consents": ["registration_processing", "sms_notifications"],
    }
    answer = client.post("/trainees/new", data=form, headers={"HX-Request": "true"})
    assert answer.headers["hx-redirect"] == f"/trainees/{TID}?done=key-intake-1"
    ((method, path, body, key),) = stand_in.sent
    assert (method, path, key) == ("POST", "/trainees", "key-intake-1")
    assert body["full_name"] == "Đặng Thị Ánh"
    assert body["support_groups"] == ["disability", "woman"]
    assert body["difficult_commune"] is True
    assert "other_state_support" not in body
    assert body["consents"] == {
        "registration_processing": True,
        "sms_notifications": True,
        "share_with_enterprise": False,
        "share_with_bank": False,
    }


@pytest.mark.parametrize(
    ("lang", "said"), [("vi", "Số CCCD không khớp ngày sinh"), ("en", "CCCD does not match")]
)
def test_a_refused_intake_shows_the_service_s_words_next_to_the_field_and_keeps_the_key(
    portal: tuple[TestClient, Any], lang: str, said: str
) -> None:
    stand_in = RegistrationStandIn()
    stand_in.refuse = Refusal(
        422,
        "Dữ liệu không hợp lệ",
        "Invalid input",
        {"cccd": ("Số CCCD không khớp ngày sinh", "CCCD does not match the date of birth")},
    )
    client = signed_in(portal, stand_in, Role.COMMUNE_OFFICER, lang=lang)
    form = {"csrf_token": CSRF, "form_key": "key-refused-2", "cccd": "086301000009"} | {
        name: "x"
        for name in (
            "full_name",
            "date_of_birth",
            "gender",
            "phone",
            "ethnicity_code",
            "household_poverty",
            "commune_code",
        )
    }
    page = client.post("/trainees/new", data=form)
    assert page.status_code == 422
    assert f'id="err-cccd">{said}' in page.text
    assert 'aria-describedby="err-cccd"' in page.text
    assert 'name="form_key" value="key-refused-2"' in page.text
    assert 'value="086301000009"' in page.text


def test_a_blank_required_field_is_refused_before_anything_is_sent(
    portal: tuple[TestClient, Any],
) -> None:
    stand_in = RegistrationStandIn()
    client = signed_in(portal, stand_in, Role.COMMUNE_OFFICER)
    page = client.post("/trainees/new", data={"csrf_token": CSRF, "form_key": "key-blank-3"})
    assert page.status_code == 422
    assert 'id="err-full_name">Thông tin này là bắt buộc' in page.text
    assert stand_in.sent == []


def test_a_duplicate_trainee_offers_the_existing_one(portal: tuple[TestClient, Any]) -> None:
    stand_in = RegistrationStandIn()
    stand_in.refuse = Refusal(
        409, "Người này đã là học viên", "Already a trainee", {}, "duplicate_trainee"
    )
    client = signed_in(portal, stand_in, Role.COMMUNE_OFFICER)
    form = {"csrf_token": CSRF, "form_key": "key-duplicate-4", "cccd": "086301000001"} | {
        name: "x"
        for name in (
            "full_name",
            "date_of_birth",
            "gender",
            "phone",
            "ethnicity_code",
            "household_poverty",
            "commune_code",
        )
    }
    page = client.post("/trainees/new", data=form)
    assert page.status_code == 409
    assert f'href="/trainees/{TID}"' in page.text
    assert stand_in.sent[-1][1:3] == ("/trainees/search", {"cccd": "086301000001"})


def test_the_search_by_name_is_a_post_and_never_puts_the_name_in_a_url(
    portal: tuple[TestClient, Any],
) -> None:
    stand_in = RegistrationStandIn()
    client = signed_in(portal, stand_in, Role.COMMUNE_OFFICER)
    page = client.post("/trainees/search", data={"csrf_token": CSRF, "name": "dang thi anh"})
    assert page.status_code == 200
    assert stand_in.sent == [
        ("POST", "/trainees/search", {"page": 1, "page_size": 25, "name": "dang thi anh"}, None)
    ]
    assert f'href="/trainees/{TID}"' in page.text


def test_an_employment_outcome_is_sent_with_the_course_and_the_form_s_key(
    portal: tuple[TestClient, Any],
) -> None:
    stand_in = RegistrationStandIn()
    client = signed_in(portal, stand_in, Role.COMMUNE_OFFICER)
    form = {
        "csrf_token": CSRF,
        "form_key": "key-out-1",
        "course_id": COURSE_ID,
        "outcome": "went_abroad",
        "observed_on": "2026-12-02",
        "registration_id": RID,
    }
    answer = client.post(f"/trainees/{TID}/outcomes", data=form, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/trainees/{TID}?done=key-out-1"
    assert stand_in.sent == [
        (
            "POST",
            f"/trainees/{TID}/employment-outcomes",
            {
                "course_id": COURSE_ID,
                "outcome": "went_abroad",
                "observed_on": "2026-12-02",
                "registration_id": RID,
            },
            "key-out-1",
        )
    ]


def test_a_refused_outcome_shows_the_message_at_the_date(portal: tuple[TestClient, Any]) -> None:
    stand_in = RegistrationStandIn()
    stand_in.refuse = Refusal(
        422, "Sai", "Wrong", {"observed_on": ("Ngày ghi nhận ở tương lai", "In the future")}
    )
    client = signed_in(portal, stand_in, Role.COMMUNE_OFFICER)
    form = {
        "csrf_token": CSRF,
        "form_key": "key-outcome-5",
        "course_id": COURSE_ID,
        "outcome": "other_work",
    }
    page = client.post(f"/trainees/{TID}/outcomes", data=form | {"observed_on": "2099-01-01"})
    assert page.status_code == 422
    assert 'id="err-outcome-observed_on">Ngày ghi nhận ở tương lai<' in page.text
    assert 'value="2099-01-01"' in page.text


@pytest.mark.parametrize(
    ("role", "path"),
    [
        (Role.TRAINING_STAFF, "/trainees/new"),
        (Role.LABOUR_OFFICER, "/trainees/due"),
        (Role.LOAN_OFFICER, "/trainees"),
    ],
)
def test_a_role_that_may_not_use_a_trainee_screen_gets_403(
    portal: tuple[TestClient, Any], role: Role, path: str
) -> None:
    client = signed_in(portal, RegistrationStandIn(), role)
    assert client.get(path).status_code == 403


def test_the_rural_catalogue_translates_no_message_another_catalogue_already_has() -> None:
    """Catalogues are merged, so a message given twice would take whichever file sorts last."""
    folder = LOCALES / "vi" / "LC_MESSAGES"
    with (folder / "rural.po").open("rb") as handle:
        mine = {m.id for m in read_po(handle) if m.id}
    assert len(mine) > 50
    for other in sorted(folder.glob("*.po")):
        if other.name != "rural.po":
            with other.open("rb") as handle:
                assert mine.isdisjoint(m.id for m in read_po(handle) if m.id), other.name
