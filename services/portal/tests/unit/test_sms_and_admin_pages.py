"""The SMS and administration screens, in process with the services replaced by a stand-in:
each renders in Vietnamese and English, the counter tells GSM-7 from diacritics, forms send
what the services expect, and refusals come back next to their field."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from xkld_portal.adapters.session_cookie import COOKIE, Session, SessionCookie
from xkld_portal.application.errors import Refusal, Unavailable
from xkld_portal.application.ports import Service
from xkld_portal.bootstrap import create_app
from xkld_portal.domain import sms_counter
from xkld_portal.entrypoints.cookies import LANG_COOKIE
from xkld_portal.settings import PortalSettings
from xkld_shared.crypto import generate_key
from xkld_shared.identity.principal import Principal, Role, Scope
from xkld_shared.identity.tokens import SigningKey, TokenIssuer, jwks_of

KEY = SigningKey.generate()
SESSION_KEY = generate_key()
CSRF = "c" * 30
ACCOUNT_ID = "156d1603-755a-4c1e-9d2f-0a7b3c5e8f01"  # fixed: it names parametrized tests
RID, OUTSIDE = "3b0f7c2e-1d4a-4e8b-9c6f-2a5d8e1f4b70", "7e2a9d41-5c3b-4f6e-8a1d-9b0c2e4f6a83"
TEMPLATE = {
    "code": "loan_rejected",
    "version": 1,
    "text": "XKLĐ: Đề nghị vay vốn của bạn chưa được duyệt.",
    "ucs2": False,
    "max_segments": 1,
    "event_types": ["LoanRejected"],
}
ACCOUNT = {
    "id": ACCOUNT_ID,
    "username": "moi.canbo",
    "full_name": "Cán bộ mới",
    "roles": ["commune_officer"],
    "communes": ["29800"],
    "province": None,
    "branch": None,
    "disabled": False,
    "locked_until": None,
    "password_changed_at": "2026-12-02T10:00:00+00:00",
    "created_at": "2026-12-02T10:00:00+00:00",
    "updated_at": "2026-12-02T10:00:00+00:00",
    "created_by": "quantri",
}


def _audit_rows(service: str, hour: int, written: tuple[str, str] | None) -> dict[str, Any]:
    """One row at the hour given; `written` is its (action, kind of record), when not a code
    the portal has no name for."""
    action, kind = written or (f"{service}_changed", "registration")
    row = {
        "id": hour,
        "occurred_at": f"2026-12-02T{hour:02d}:00:00+00:00",
        "actor_username": f"canbo-{service}",
        "actor_roles": ["commune_officer"],
        "action": action,
        "entity_type": kind,
        "entity_id": RID,
        "fields": ["full_name", "phone"],
    }
    return {"service": service, "rows": [row], "next_before_id": None}


def _preview(body: dict[str, Any]) -> dict[str, Any]:
    """Like the service: a text with diacritics stays UCS-2 only when ucs2 is asked for."""
    text = body.get("text") or body.get("variables", {}).get("text", "")
    ucs2 = bool(body.get("ucs2")) and sms_counter.needs_ucs2(text)
    sent = text if ucs2 else text.replace("ộ", "o").replace("Đ", "D").replace("đ", "d")
    single, multi = (70, 67) if ucs2 else (160, 153)
    segments = 1 if len(sent) <= single else -(-len(sent) // multi)
    return {"text": sent, "encoding": "ucs2" if ucs2 else "gsm7", "segments": segments}


class StandIn:
    """Answers like the services would, and remembers what it was sent."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, Any, str | None]] = []
        self.refuse: Refusal | None = None
        self.silent: set[Service] = set()
        self.audit_written: dict[Service, tuple[str, str]] = {}
        self.audit_asked: list[dict[str, Any]] = []

    async def get(self, service: Service, path: str, **kw: Any) -> Any:
        if service in self.silent:
            raise Unavailable("0b8c3c1e-0000-4000-8000-000000000000")
        answers: dict[str, Any] = {
            "/sms/templates": [TEMPLATE],
            "/courses": [{"id": str(uuid.uuid4()), "code": "KH-1", "title": "Tiếng Hàn"}],
            "/registrations": {
                "items": [
                    {"registration_id": RID, "full_name": "Lê Thị Hoa", "commune_code": "29800"}
                ]
            },
            f"/registrations/{RID}": {"full_name": "Lê Thị Hoa"},
            "/accounts": {"accounts": [ACCOUNT]},
            f"/accounts/{ACCOUNT_ID}": ACCOUNT,
        }
        if path == "/audit":
            self.audit_asked.append(kw["params"])
            written = self.audit_written.get(service)
            return _audit_rows(service.value, len(service.value), written)
        return answers[path]

    async def send(self, service: Service, method: str, path: str, **kw: Any) -> Any:
        self.sent.append((method, path, kw.get("json"), kw.get("key")))
        if path == "/sms/templates/preview":
            return _preview(kw["json"])
        if self.refuse:
            raise self.refuse
        if path == "/sms/manual-messages":
            not_sent = [
                {"registration_id": RID, "reason": "opted_out"},
                {"registration_id": OUTSIDE, "reason": "outside_scope"},
            ]
            return {
                "queued": 3,
                "suppressed": 1,
                "skipped_outside_scope": 1,
                "already_queued": 0,
                "not_sent": not_sent,
            }
        if path == "/accounts":
            return ACCOUNT
        return ACCOUNT if method == "PATCH" else None

    async def raw(self, *_: Any, **__: Any) -> tuple[bytes, str]:
        return b"", "text/html"


def _principal(role: Role) -> Principal:
    return Principal(f"u-{role}", str(role), frozenset({role}), Scope(frozenset({"29800"}), "86"))


def _cookie(role: Role) -> str:
    token = TokenIssuer(KEY, "xkld", "xkld").issue(_principal(role))
    raw = base64.urlsafe_b64decode(SESSION_KEY + "=" * (-len(SESSION_KEY) % 4))
    return SessionCookie(raw).seal(Session(token, "refresh", CSRF))


@pytest.fixture
def portal() -> Iterator[tuple[TestClient, StandIn]]:
    settings = PortalSettings(
        portal_session_key=SESSION_KEY,
        portal_cookie_secure=False,
        auth_jwks=json.dumps(jwks_of([KEY])),
        log_json=False,
    )
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        stand_in = StandIn()
        app.state.portal.api = stand_in
        client.get("/login")
        client.cookies.set("xkld_csrf", CSRF)
        yield client, stand_in


def _as(client: TestClient, role: Role, lang: str = "vi") -> TestClient:
    client.cookies.set(COOKIE, _cookie(role))
    client.cookies.set(LANG_COOKIE, lang)
    return client


SCREENS = [
    (Role.LABOUR_OFFICER, "/sms/templates", ("Mẫu tin nhắn", "SMS templates")),
    (
        Role.LABOUR_OFFICER,
        "/sms/templates/loan_rejected",
        ("Lưu phiên bản mới", "Save a new version"),
    ),
    (Role.COMMUNE_OFFICER, "/sms/messages/new", ("Gửi tin nhắn", "Send an SMS")),
    (
        Role.COMMUNE_OFFICER,
        f"/sms/messages/sent?r=3.1.1.0&n={RID}:opted_out&t=1",
        ("Đã yêu cầu ngừng nhận tin nhắn", "Asked to stop receiving SMS"),
    ),
    (Role.ADMIN, "/admin/accounts", ("Tạo tài khoản", "Create an account")),
    (Role.ADMIN, f"/admin/accounts/{ACCOUNT_ID}", ("Đặt lại mật khẩu", "Reset the password")),
    (Role.ADMIN, "/admin/audit", ("Nhật ký thay đổi", "Audit trail")),
]


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize(("role", "path", "said"), SCREENS, ids=[s[1][:30] for s in SCREENS])
def test_each_sms_and_administration_screen_renders_in_both_languages(
    portal: tuple[TestClient, StandIn], role: Role, path: str, said: tuple[str, str], lang: str
) -> None:
    client, _ = portal
    page = _as(client, role, lang).get(path)
    assert page.status_code == 200, page.text
    assert said[0 if lang == "vi" else 1] in page.text
    assert "<main" in page.text


@pytest.mark.parametrize(
    ("role", "path"),
    [
        (Role.REPORT_VIEWER, "/sms/templates"),
        (Role.TRAINING_STAFF, "/sms/messages/new"),
        (Role.LABOUR_OFFICER, "/admin/accounts"),
        (Role.COMMUNE_OFFICER, "/admin/audit"),
    ],
)
def test_a_role_without_the_right_gets_the_not_allowed_page(
    portal: tuple[TestClient, StandIn], role: Role, path: str
) -> None:
    client, _ = portal
    assert _as(client, role).get(path).status_code == 403


def _count(client: TestClient, text: str, keep: bool = True) -> str:
    form = {"csrf_token": CSRF, "text": text, "counter_for": "template", "max_segments": "2"}
    if keep:
        form["keep_diacritics"] = "true"
    answer = client.post("/sms/counter", data=form, headers={"HX-Request": "true"})
    assert answer.status_code == 200, answer.text
    html: str = answer.text
    return html


def test_the_templates_are_named_in_words_and_so_are_the_events_they_are_sent_on(
    portal: tuple[TestClient, StandIn],
) -> None:
    client, _ = portal
    listed = _as(client, Role.LABOUR_OFFICER).get("/sms/templates?saved=loan_rejected")
    assert '<th scope="row" data-code="loan_rejected">Từ chối cho vay</th>' in listed.text
    assert 'aria-label="Xem trước mẫu Từ chối cho vay"' in listed.text
    assert "Đã lưu phiên bản mới của mẫu «Từ chối cho vay»." in listed.text
    editor = _as(client, Role.LABOUR_OFFICER, "en").get("/sms/templates/loan_rejected")
    assert "<h1>SMS template: Loan refused</h1>" in editor.text
    assert "Sent on: Loan refused" in editor.text
    assert "LoanRejected" not in editor.text


def test_the_counter_shows_gsm7_and_what_is_left_for_plain_text(
    portal: tuple[TestClient, StandIn],
) -> None:
    client, _ = portal
    html = _count(_as(client, Role.LABOUR_OFFICER), "Hop lop luc 8 gio")
    assert 'data-encoding="gsm7"' in html
    assert "<dd data-left>143</dd>" in html  # 160 - 17
    assert "<dd data-segments>1 / 2</dd>" in html
    assert "data-ucs2-warning" not in html
    assert "<html" not in html  # only the counter, for htmx to swap


def test_diacritics_switch_the_counter_to_ucs2_with_a_warning(
    portal: tuple[TestClient, StandIn],
) -> None:
    client, _ = portal
    html = _count(_as(client, Role.LABOUR_OFFICER), "Hop lop luc 8 giộ")
    assert 'data-encoding="ucs2"' in html
    assert "<dd data-left>53</dd>" in html  # 70 - 17
    assert "data-ucs2-warning" in html
    assert "Chữ có dấu buộc gửi bằng UCS-2" in html


def test_diacritics_that_will_be_removed_are_said_and_shown_as_sent(
    portal: tuple[TestClient, StandIn],
) -> None:
    client, _ = portal
    html = _count(_as(client, Role.LABOUR_OFFICER, "en"), "Họp lớp lúc 8 giờ", keep=False)
    assert 'data-encoding="gsm7"' in html
    assert "they will be removed before sending" in html


def test_a_long_ucs2_text_counts_in_parts_of_67(portal: tuple[TestClient, StandIn]) -> None:
    client, _ = portal
    html = _count(_as(client, Role.LABOUR_OFFICER), "ộ" * 80)
    assert "<dd data-segments>2 / 2</dd>" in html
    assert "<dd data-left>54</dd>" in html  # 2 × 67 - 80


def test_the_counter_asks_the_preview_with_sample_values_for_variables(
    portal: tuple[TestClient, StandIn],
) -> None:
    client, stand_in = portal
    _count(_as(client, Role.LABOUR_OFFICER), "Ngày {{ due_on }}: {{ amount_vnd | vnd }}")
    body = stand_in.sent[-1][2]
    assert body["variables"] == {"amount_vnd": 90_000_000, "due_on": "05/01/2027"}


def test_saving_a_template_sends_a_new_version_with_the_form_key(
    portal: tuple[TestClient, StandIn],
) -> None:
    client, stand_in = portal
    form = {
        "csrf_token": CSRF,
        "form_key": "key-12345678",
        "text": "Xin chào bạn",
        "max_segments": "1",
        "keep_diacritics": "true",
    }
    answer = _as(client, Role.LABOUR_OFFICER).post(
        "/sms/templates/loan_rejected", data=form, headers={"HX-Request": "true"}
    )
    assert answer.headers["HX-Redirect"] == "/sms/templates?saved=loan_rejected&done=key-12345678"
    body = {"code": "loan_rejected", "text": "Xin chào bạn", "max_segments": 1, "ucs2": True}
    assert ("POST", "/sms/template-versions", body, "key-12345678") in stand_in.sent


def test_a_refused_template_comes_back_with_the_message_next_to_the_text(
    portal: tuple[TestClient, StandIn],
) -> None:
    client, stand_in = portal
    stand_in.refuse = Refusal(422, "Sai", "Wrong", {"text": ("Ký tự lạ", "Odd character")})
    form = {"csrf_token": CSRF, "form_key": "key-12345678", "text": "🙂", "max_segments": "1"}
    page = _as(client, Role.LABOUR_OFFICER).post("/sms/templates/loan_rejected", data=form)
    assert page.status_code == 422
    assert 'id="err-template-text">Ký tự lạ<' in page.text
    assert "🙂</textarea>" in page.text
    assert 'value="key-12345678"' in page.text


def test_a_manual_message_goes_to_the_course_and_files_and_names_who_is_left_out(
    portal: tuple[TestClient, StandIn],
) -> None:
    client, stand_in = portal
    course = str(uuid.uuid4())
    form = {
        "csrf_token": CSRF,
        "form_key": "key-abcdefgh",
        "text": "Họp lớp",
        "course_id": course,
        "registration_ids": RID,
        "other_files": OUTSIDE,
    }
    answer = _as(client, Role.COMMUNE_OFFICER).post(
        "/sms/messages", data=form, follow_redirects=False
    )
    assert answer.status_code == 303
    body = {"text": "Họp lớp", "course_id": course, "registration_ids": [RID, OUTSIDE]}
    assert ("POST", "/sms/manual-messages", body, "key-abcdefgh") in stand_in.sent
    page = client.get(answer.headers["location"])
    assert "Lê Thị Hoa" in page.text  # the sender may read this file: named
    assert "Đã yêu cầu ngừng nhận tin nhắn" in page.text
    assert f"Hồ sơ {OUTSIDE}" in page.text  # outside the area: only its code
    assert "Ngoài địa bàn của bạn, hoặc không có hồ sơ này" in page.text
    assert "<dd data-queued>3</dd>" in page.text


def test_the_administrator_creates_an_account_with_roles_and_communes(
    portal: tuple[TestClient, StandIn],
) -> None:
    client, stand_in = portal
    form = {
        "csrf_token": CSRF,
        "form_key": "key-create01",
        "username": "moi.canbo",
        "full_name": "Cán bộ mới",
        "password": "mat-khau-rat-dai-1",
        "roles": "commune_officer",
        "communes": "29800, 29641",
        "province": "",
        "branch": "",
    }
    answer = _as(client, Role.ADMIN).post("/admin/accounts", data=form, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/admin/accounts/{ACCOUNT_ID}?created=1"
    body = {
        "username": "moi.canbo",
        "full_name": "Cán bộ mới",
        "password": "mat-khau-rat-dai-1",
        "roles": ["commune_officer"],
        "communes": ["29800", "29641"],
        "province": None,
        "branch": None,
    }
    assert ("POST", "/accounts", body, "key-create01") in stand_in.sent


def test_a_refused_account_keeps_what_was_typed_but_never_the_password(
    portal: tuple[TestClient, StandIn],
) -> None:
    client, stand_in = portal
    stand_in.refuse = Refusal(409, "Trùng", "Taken", {"username": ("Đã có", "Taken")})
    form = {
        "csrf_token": CSRF,
        "form_key": "key-create02",
        "username": "canbo",
        "full_name": "Ai đó",
        "password": "mat-khau-bi-mat-9",
        "roles": "admin",
    }
    page = _as(client, Role.ADMIN).post("/admin/accounts", data=form)
    assert page.status_code == 409
    assert 'id="err-account-username">Đã có<' in page.text
    assert 'value="Ai đó"' in page.text
    assert "mat-khau-bi-mat-9" not in page.text
    assert 'id="account-role-admin" name="roles" type="checkbox" value="admin" checked' in page.text


def test_locking_disables_and_unlocking_enables_and_ends_the_sign_in_lock(
    portal: tuple[TestClient, StandIn],
) -> None:
    client, stand_in = portal
    url = f"/admin/accounts/{ACCOUNT_ID}/lock"
    _as(client, Role.ADMIN).post(url, data={"csrf_token": CSRF, "locked": "true"})
    assert stand_in.sent[-1][:3] == ("PATCH", f"/accounts/{ACCOUNT_ID}", {"disabled": True})
    client.post(url, data={"csrf_token": CSRF, "locked": "false"})
    assert stand_in.sent[-2][:3] == ("PATCH", f"/accounts/{ACCOUNT_ID}", {"disabled": False})
    assert stand_in.sent[-1][:2] == ("POST", f"/accounts/{ACCOUNT_ID}/unlock")


def test_roles_and_password_reset_go_to_the_identity_component(
    portal: tuple[TestClient, StandIn],
) -> None:
    client, stand_in = portal
    base = f"/admin/accounts/{ACCOUNT_ID}"
    edit = {
        "csrf_token": CSRF,
        "full_name": "Cán bộ",
        "roles": ["loan_officer", "bank_manager"],
        "communes": "",
        "province": "",
        "branch": "VBSP-86",
    }
    _as(client, Role.ADMIN).post(base, data=edit)
    body = {
        "full_name": "Cán bộ",
        "roles": ["loan_officer", "bank_manager"],
        "communes": [],
        "province": None,
        "branch": "VBSP-86",
    }
    assert stand_in.sent[-1][:3] == ("PATCH", f"/accounts/{ACCOUNT_ID}", body)
    client.post(f"{base}/password", data={"csrf_token": CSRF, "password": "mot-mat-khau-moi"})
    reset = ("POST", f"/accounts/{ACCOUNT_ID}/reset-password", {"password": "mot-mat-khau-moi"})
    assert stand_in.sent[-1][:3] == reset


def test_the_audit_page_merges_every_service_by_time_and_shows_field_names_only(
    portal: tuple[TestClient, StandIn],
) -> None:
    client, _ = portal
    page = _as(client, Role.ADMIN).get("/admin/audit")
    # each stand-in service's row is at the hour of its name's length
    order = [
        page.text.index(f"{s}_changed")
        for s in ("notifications", "registration", "reporting", "outreach", "loans")
    ]
    assert order == sorted(order)
    # identity's account trail, at the same hour as outreach's row
    assert order[2] < page.text.index("identity_changed") < order[4]
    assert "full_name, phone" in page.text


def test_the_audit_page_says_which_service_did_not_answer(
    portal: tuple[TestClient, StandIn],
) -> None:
    client, stand_in = portal
    stand_in.silent = {Service.LOANS}
    page = _as(client, Role.ADMIN, "en").get("/admin/audit?actor=canbo-registration")
    assert page.status_code == 200
    assert "their rows are missing: Bank loans" in page.text
    assert "registration_changed" in page.text


def test_the_audit_page_names_actions_kinds_of_record_and_services_in_words(
    portal: tuple[TestClient, StandIn],
) -> None:
    client, stand_in = portal
    stand_in.audit_written = {
        Service.REGISTRATION: ("journey.gate_cleared.visa", "registration"),
        Service.LOANS: ("loan.proposed", "loan_application"),
        Service.IDENTITY: ("create", "account"),
    }
    page = _as(client, Role.ADMIN).get("/admin/audit")
    rows = page.text[page.text.index("<tbody>") :]
    for words in ("Đã ghi nhận thị thực", "Đã đề xuất quyết định", "Đã tạo tài khoản"):
        assert words in rows
    for words in ("Hồ sơ người lao động", "Hồ sơ vay", "Tài khoản cán bộ", "Vay vốn ngân hàng"):
        assert words in rows
    assert ">journey.gate_cleared.visa<" not in rows
    assert 'data-code="journey.gate_cleared.visa"' in rows  # the code stays, out of sight
    assert "reporting_changed" in rows  # a code without a name is shown as it is
    english = _as(client, Role.ADMIN, "en").get("/admin/audit").text
    assert "Visa recorded" in english
    assert "Loan application" in english


def test_the_audit_filters_offer_named_choices_and_send_the_codes_chosen(
    portal: tuple[TestClient, StandIn],
) -> None:
    client, stand_in = portal
    chosen = "?action=loan.proposed&entity_type=loan_application&service=loans"
    page = _as(client, Role.ADMIN).get(f"/admin/audit{chosen}").text
    assert '<option value="loan.proposed" selected>Đã đề xuất quyết định</option>' in page
    assert '<option value="loan_application" selected>Hồ sơ vay</option>' in page
    assert '<option value="loans" selected>Vay vốn ngân hàng</option>' in page
    assert '<optgroup label="Truyền thông và khảo sát">' in page
    assert stand_in.audit_asked[-1] == {
        "action": "loan.proposed",
        "entity_type": "loan_application",
        "limit": 100,
    }


def test_an_audit_filter_on_a_code_without_a_name_keeps_the_code_chosen(
    portal: tuple[TestClient, StandIn],
) -> None:
    client, stand_in = portal
    page = _as(client, Role.ADMIN).get("/admin/audit?action=something.new").text
    assert '<option value="something.new" selected>something.new</option>' in page
    assert page.count(" selected>") == 1  # "every kind" and "all services" stay first
    assert stand_in.audit_asked[-1]["action"] == "something.new"


def test_the_administrator_s_home_and_menu_lead_to_accounts_audit_and_templates(
    portal: tuple[TestClient, StandIn],
) -> None:
    client, _ = portal
    page = _as(client, Role.ADMIN).get("/")
    assert page.status_code == 200
    assert "<title>Trang chủ · " in page.text
    for path in ("/admin/accounts", "/admin/audit", "/sms/templates"):
        assert page.text.count(f'href="{path}"') == 2  # the menu and the home page
    assert 'href="/sms/messages/new"' not in page.text  # sending is for officers


def test_a_manual_message_without_recipients_comes_back_with_the_service_s_words(
    portal: tuple[TestClient, StandIn],
) -> None:
    client, stand_in = portal
    stand_in.refuse = Refusal(
        422, "Sai", "Wrong", {"registration_ids": ("Cần chọn người nhận", "Choose recipients")}
    )
    form = {"csrf_token": CSRF, "form_key": "key-manual01", "text": "Họp lớp", "course_id": ""}
    page = _as(client, Role.COMMUNE_OFFICER).post("/sms/messages", data=form)
    assert page.status_code == 422
    assert 'id="err-manual-registration_ids">Cần chọn người nhận<' in page.text
    assert "Họp lớp</textarea>" in page.text
    assert 'name="form_key" value="key-manual01"' in page.text
    assert 'data-encoding="gsm7"' in page.text  # the counter is there for what was typed
