"""The labour officer's targets and regimes, the progress dashboard and the reports, rendered
in-process in both languages from the services' answers as they are shaped (a stand-in plays
the services), with their forms sent as the services expect them."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from xkld_portal.adapters.session_cookie import COOKIE, Session, SessionCookie
from xkld_portal.adapters.sheets import read_rows
from xkld_portal.application.errors import Refusal
from xkld_portal.application.ports import Service
from xkld_portal.bootstrap import create_app
from xkld_portal.entrypoints.regimes import regime_body
from xkld_portal.entrypoints.targets import of_the_form, target_body
from xkld_portal.settings import PortalSettings
from xkld_shared.crypto import generate_key
from xkld_shared.identity.principal import Principal, Role, Scope
from xkld_shared.identity.tokens import SigningKey, TokenIssuer, jwks_of

KEY = SigningKey.generate()
SESSION_KEY = generate_key()
CSRF = "c" * 30
FRESH = {
    "as_of": "2026-12-02T09:30:00+00:00",
    "streams": [
        {
            "stream": "registration",
            "newest_event_at": "2026-12-02T09:29:00+00:00",
            "lag_seconds": 60.0,
            "events": 12,
        },
        {"stream": "loan", "newest_event_at": None, "lag_seconds": None, "events": 0},
    ],
}


def _indicator(name: str, actual: int, target: int | None, percent: str | None) -> dict[str, Any]:
    return {
        "indicator": name,
        "heading_vi": name,
        "actual": actual,
        "target": target,
        "percent": percent,
        "percent_text": "",
        "previous_year_actual": 1,
    }


def _area(code: str, name: str, actual: int) -> dict[str, Any]:
    return {
        "area_code": code,
        "area_name": name,
        "indicators": [
            _indicator("registered", actual, 3, "66.7"),
            _indicator("trained", 0, None, None),
            _indicator("departed", 0, None, None),
            _indicator("loans_disbursed", 0, None, None),
            _indicator("loans_disbursed_vnd", 0, None, None),
        ],
    }


PROGRESS = {
    "area_code": "86",
    "area_name": "Tỉnh Vĩnh Long",
    "market": None,
    "freshness": FRESH,
    "period": {"year": 2026, "quarter": None, "month": None, "label_vi": "Năm 2026"},
    "areas": [_area("86", "Tỉnh Vĩnh Long", 2), _area("29800", "Phường Long Châu", 2)],
}
ANSWERS: dict[str, Any] = {
    "/reports/progress": PROGRESS,
    "/targets": {
        "area_code": "86",
        "targets": [
            {
                "area_code": "29800",
                "year": 2026,
                "quarter": None,
                "indicator": "registered",
                "market": None,
                "value": 3,
                "updated_at": "2026-12-02T09:00:00+00:00",
            },
            {
                "area_code": "86",
                "year": 2026,
                "quarter": 1,
                "indicator": "loans_disbursed_vnd",
                "market": "JP_TITP",
                "value": 5_000_000_000,
                "updated_at": "2026-12-02T09:00:00Z",
            },
        ],
    },
    "/reports/registrations": {
        "freshness": FRESH,
        "rows": [{"period": "2026-12-01", "key": "29800", "count": 4}],
    },
    "/reports/training": {
        "freshness": FRESH,
        "courses": [
            {
                "course_type": "orientation",
                "enrolled": 5,
                "completed": 4,
                "passed": 4,
                "certificates": 3,
                "trainees": 4,
                "employed_or_departed": 2,
                "certificate_rate_percent": "75.0",
                "employed_or_departed_percent": "50.0",
            }
        ],
    },
    "/reports/loans": {
        "freshness": FRESH,
        "communes": [
            {
                "commune_code": "29800",
                "applied": 3,
                "approved": 2,
                "rejected": 1,
                "disbursed": 2,
                "disbursed_vnd": 120_000_000,
                "repaid_vnd": 5_000_000,
                "outstanding_vnd": 115_000_000,
                "settled": 0,
                "overdue": {
                    "1-30": {"loans": 1, "outstanding_vnd": 60_000_000},
                    "31-90": {"loans": 0, "outstanding_vnd": 0},
                },
            }
        ],
    },
    "/reports/follow-up": {
        "freshness": FRESH,
        "abroad_now": 7,
        "returned_completed": 2,
        "returned_early": 1,
        "absconded": 0,
        "returned_early_by_cause": {"accident_or_illness": 1},
    },
    "/reports/sms": {
        "freshness": FRESH,
        "templates": [
            {
                "template_code": "disbursement_day",
                "sent": 9,
                "delivered": 8,
                "failed": 1,
                "suppressed": 2,
            }
        ],
    },
    "/regimes": [
        {
            "code": "ND-61-2015",
            "name": "Cho vay XKLĐ",
            "legal_basis": "Nghị định 61/2015/NĐ-CP",
            "programme": "labour_export",
            "effective_from": "2015-07-09",
            "effective_to": None,
            "origin": "shipped",
            "source_notes": ["Rate: unknown."],
            "source_notes_vi": ["Lãi suất: chưa rõ."],
        },
    ],
}


class StandIn:
    """Answers like the services would, and remembers what it was sent."""

    def __init__(self) -> None:
        self.gets: list[tuple[str, dict[str, Any] | None]] = []
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.refuse: Refusal | None = None

    async def get(self, service: Service, path: str, **kw: Any) -> Any:
        self.gets.append((path, kw.get("params")))
        return ANSWERS[path]

    async def send(self, service: Service, method: str, path: str, **kw: Any) -> Any:
        self.sent.append((path, kw))
        if self.refuse:
            raise self.refuse
        return {"received": 2, "changed": 1}

    async def raw(self, service: Service, path: str, **kw: Any) -> tuple[bytes, str]:
        self.gets.append((path, kw.get("params")))
        return b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml"


PEOPLE = {
    "laodong": (Role.LABOUR_OFFICER, Scope(province="86")),
    "baocao": (Role.REPORT_VIEWER, Scope()),
    "giamdoc": (Role.BANK_MANAGER, Scope(branch="VBSP-86")),
    "tindung": (Role.LOAN_OFFICER, Scope(branch="VBSP-86")),
    "canbo": (Role.COMMUNE_OFFICER, Scope(communes=frozenset({"29800"}))),
}


def _cookie(username: str) -> str:
    role, scope = PEOPLE[username]
    issuer = TokenIssuer(KEY, "xkld", "xkld", lifetime=dt.timedelta(minutes=15))
    token = issuer.issue(Principal("u", username, frozenset({role}), scope))
    raw = base64.urlsafe_b64decode(SESSION_KEY + "=" * (-len(SESSION_KEY) % 4))
    return SessionCookie(raw).seal(Session(token, "r", CSRF))


@pytest.fixture
def portal() -> Iterator[tuple[TestClient, StandIn]]:
    settings = PortalSettings(
        portal_session_key=SESSION_KEY,
        portal_cookie_secure=False,
        auth_jwks=json.dumps(jwks_of([KEY])),
        log_json=False,
    )
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as http:
        stand_in = StandIn()
        app.state.portal.api = stand_in
        http.cookies.set("xkld_csrf", CSRF)
        yield http, stand_in


def _as(http: TestClient, username: str, lang: str = "vi") -> TestClient:
    http.cookies.set(COOKIE, _cookie(username))
    http.cookies.set("xkld_lang", lang)
    return http


SCREENS = {
    "/targets": ("laodong", {"vi": "Giao chỉ tiêu", "en": "Set a target"}),
    "/progress": ("baocao", {"vi": "đạt 66,7%", "en": "achieved 66.7%"}),
    "/progress?area=29800": ("laodong", {"vi": "Quay lại toàn tỉnh", "en": "Back to the whole"}),
    "/reports": ("baocao", {"vi": "Tiến độ thực hiện chỉ tiêu", "en": "Progress against"}),
    "/reports/registrations": ("baocao", {"vi": "Chia theo", "en": "Broken down by"}),
    "/reports/training": ("baocao", {"vi": "75,0%", "en": "75.0%"}),
    "/reports/loans": ("laodong", {"vi": "60.000.000 ₫", "en": "Overdue balance"}),
    "/reports/follow-up": ("baocao", {"vi": "Tai nạn", "en": "Accident or illness"}),
    "/reports/sms": ("baocao", {"vi": "Mẫu tin nhắn", "en": "SMS template"}),
    "/regimes": ("laodong", {"vi": "Nghị định 61/2015/NĐ-CP", "en": "Legal basis"}),
    "/": ("baocao", {"vi": "Tiến độ của chương trình", "en": "The programme's progress"}),
}


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("path", sorted(SCREENS))
def test_each_screen_renders_in_both_languages_from_the_services_answers(
    portal: tuple[TestClient, StandIn], path: str, lang: str
) -> None:
    http, _ = portal
    username, expected = SCREENS[path]
    page = _as(http, username, lang).get(path)
    assert page.status_code == 200, page.text[:2000]
    assert expected[lang] in page.text
    assert f'<html lang="{lang}">' in page.text


def test_the_dashboard_drills_down_from_the_province_to_each_commune_with_last_year_beside(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, stand_in = portal
    page = _as(http, "baocao").get("/progress?year=2026&indicator=registered")
    assert 'href="/progress?area=29800&amp;year=2026&amp;indicator=registered"' in page.text
    assert "Cùng kỳ năm trước" in page.text
    assert "Số liệu tính đến 02/12/2026 16:30." in page.text
    assert 'src="/charts/progress.svg?area=86&amp;year=2026&amp;indicator=registered"' in page.text
    # The report viewer's account has no area: the programme's province is asked for.
    assert ("/reports/progress", {"area": "86", "year": 2026}) in stand_in.gets


def test_a_chart_is_served_from_the_portal_as_an_image_that_runs_nothing(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, stand_in = portal
    answer = _as(http, "baocao").get("/charts/progress.svg?area=29800&indicator=departed")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("image/svg+xml")
    assert answer.headers["content-security-policy"] == "default-src 'none'"
    path, params = stand_in.gets[-1]
    assert path == "/reports/charts/progress.svg"
    assert params is not None
    assert params["area"] == "29800"
    assert params["indicator"] == "departed"
    assert _as(http, "baocao").get("/charts/secret.svg").status_code == 404


def test_each_report_downloads_as_csv_with_the_pages_columns_in_the_readers_language(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, _ = portal
    answer = _as(http, "baocao").get("/reports/loans.csv?area=29800")
    assert answer.status_code == 200
    assert answer.headers["content-disposition"] == 'attachment; filename="bao-cao-loans.csv"'
    lines = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert lines[0][:2] == ["Xã/phường", "Đã nộp hồ sơ vay"]
    assert lines[1][0] == "29800"
    assert lines[1][-2:] == ["1", "60000000"]


def test_each_report_downloads_as_xlsx_with_numbers_kept_as_numbers(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, _ = portal
    answer = _as(http, "laodong", "en").get("/reports/training.xlsx")
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Course type"
    assert rows[1][:3] == ("Orientation (pre-departure education)", 5, 4)
    assert rows[1][5] == "75.0"


def test_the_sms_and_training_reports_name_templates_and_course_types_not_their_codes(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, _ = portal
    sms = _as(http, "baocao").get("/reports/sms")
    assert "Ngày giải ngân" in sms.text
    assert "disbursement_day" not in sms.text
    training = _as(http, "baocao").get("/reports/training")
    assert "Giáo dục định hướng" in training.text
    assert ">orientation<" not in training.text
    exported = _as(http, "baocao").get("/reports/sms.csv").content.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(exported)))
    assert lines[1][0] == "Ngày giải ngân"


def test_a_line_without_a_course_type_shows_a_dash_not_an_error(
    portal: tuple[TestClient, StandIn], monkeypatch: pytest.MonkeyPatch
) -> None:
    http, _ = portal
    answer = ANSWERS["/reports/training"]
    line = answer["courses"][0] | {"course_type": None}
    monkeypatch.setitem(ANSWERS, "/reports/training", answer | {"courses": [line]})
    page = _as(http, "baocao").get("/reports/training")
    assert page.status_code == 200
    assert '<th scope="row">—</th>' in page.text


def test_a_regimes_notes_are_shown_in_the_readers_language(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, _ = portal
    vietnamese = _as(http, "laodong").get("/regimes").text
    assert "Lãi suất: chưa rõ." in vietnamese
    assert "Rate: unknown." not in vietnamese
    english = _as(http, "laodong", "en").get("/regimes").text
    assert "Rate: unknown." in english
    assert "Lãi suất: chưa rõ." not in english


def test_the_progress_export_is_the_reporting_services_own_file(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, stand_in = portal
    answer = _as(http, "laodong").get("/progress.xlsx?area=29800&year=2025")
    assert answer.status_code == 200
    assert stand_in.gets[-1] == ("/reports/progress.xlsx", {"area": "29800", "year": 2025})
    assert "tien-do-29800-2025.xlsx" in answer.headers["content-disposition"]


def test_the_report_viewer_reaches_no_target_or_regime_and_no_form_to_change_anything(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, _ = portal
    viewer = _as(http, "baocao")
    assert viewer.get("/targets").status_code == 403
    assert viewer.get("/regimes").status_code == 403
    assert viewer.get("/targets/template.csv").status_code == 403
    home = viewer.get("/").text
    assert 'href="/targets"' not in home
    assert 'href="/regimes"' not in home
    for path in ("/progress", "/reports/loans"):
        assert 'method="post" action="/' not in viewer.get(path).text.replace(
            'action="/language"', ""
        ).replace('action="/logout"', "")


def test_a_commune_officer_is_not_shown_the_provinces_reports(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, _ = portal
    assert _as(http, "canbo").get("/progress").status_code == 403


def test_only_the_roles_the_loans_service_lets_change_regimes_see_the_add_and_close_forms(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, _ = portal
    for username, may in (("laodong", True), ("giamdoc", True), ("tindung", False)):
        page = _as(http, username).get("/regimes")
        assert page.status_code == 200
        assert ('id="regime"' in page.text) is may, username
        assert ('action="/regimes/ND-61-2015/closure"' in page.text) is may, username
    assert "Lãi suất: chưa rõ." in page.text  # the source notes, for every reader


def test_a_loan_officer_posting_a_regime_by_hand_is_refused(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, stand_in = portal
    answer = _as(http, "tindung").post("/regimes", data={"csrf_token": CSRF, "code": "X"})
    assert answer.status_code == 403
    assert stand_in.sent == []


def test_setting_a_target_sends_one_target_with_its_key_and_returns_to_its_area(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, stand_in = portal
    form = {
        "csrf_token": CSRF,
        "form_key": "k" * 12,
        "area_code": "29800",
        "year": "2026",
        "quarter": "",
        "indicator": "registered",
        "market": "",
        "value": "3",
    }
    answer = _as(http, "laodong").post("/targets", data=form, headers={"HX-Request": "true"})
    assert answer.status_code == 200
    assert answer.headers["hx-redirect"] == f"/targets?area=29800&year=2026&done={'k' * 12}"
    path, sent = stand_in.sent[-1]
    assert path == "/targets"
    assert sent["key"] == "k" * 12
    assert sent["json"] == {
        "targets": [
            {
                "area_code": "29800",
                "year": 2026,
                "quarter": None,
                "indicator": "registered",
                "market": None,
                "value": 3,
            }
        ]
    }


def test_a_refused_target_is_shown_again_with_the_message_beside_its_field(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, stand_in = portal
    stand_in.refuse = Refusal(
        403,
        "Địa bàn 01 nằm ngoài phạm vi",
        "Area 01 is outside",
        {"targets.0.area_code": ("Ngoài phạm vi", "Outside")},
    )
    form = {
        "csrf_token": CSRF,
        "form_key": "k" * 12,
        "area_code": "01",
        "year": "2026",
        "indicator": "registered",
        "value": "3",
    }
    page = _as(http, "laodong").post("/targets", data=form)
    assert page.status_code == 403
    assert "Địa bàn 01 nằm ngoài phạm vi" in page.text
    assert 'id="err-target-area_code"' in page.text
    assert f'name="form_key" value="{"k" * 12}"' in page.text
    assert "data-fresh-error" in page.text


def test_an_uploaded_file_goes_to_the_service_as_it_is_and_its_report_is_shown(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, stand_in = portal
    sheet = b"area_code,year,quarter,indicator,market,value\r\n29800,2026,,registered,,3\r\n"
    files = {"sheet": ("chi-tieu.csv", sheet, "text/csv")}
    page = _as(http, "laodong").post(
        "/targets/import", data={"csrf_token": CSRF, "form_key": "u" * 12}, files=files
    )
    assert page.status_code == 200
    assert "Đã lưu: đọc 2 dòng, thay đổi 1 chỉ tiêu" in page.text
    assert '<tr data-row="2" data-outcome="saved">' in page.text
    path, sent = stand_in.sent[-1]
    assert path == "/targets/import"
    assert sent["content"] == sheet


def test_a_refused_upload_names_the_row_and_saves_nothing(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, stand_in = portal
    stand_in.refuse = Refusal(422, "Dòng 3: năm không hợp lệ", "Line 3: the year is out of range")
    sheet = b"area_code,year,value\r\n29800,2026,3\r\n\r\n29800,1900,3\r\n"
    files = {"sheet": ("chi-tieu.csv", sheet, "text/csv")}
    page = _as(http, "laodong", "en").post(
        "/targets/import", data={"csrf_token": CSRF}, files=files
    )
    assert page.status_code == 422
    assert "Nothing was saved. Line 3: the year is out of range" in page.text
    assert '<tr data-row="2" data-outcome="not_saved">' in page.text
    assert '<tr data-row="3" data-outcome="refused">' in page.text  # the blank line is not counted
    assert page.text.count("Line 3: the year is out of range") == 2


def test_an_upload_without_a_file_is_refused_before_anything_is_sent(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, stand_in = portal
    page = _as(http, "laodong").post("/targets/import", data={"csrf_token": CSRF})
    assert page.status_code == 422
    assert "Hãy chọn tệp CSV hoặc XLSX, tối đa 2 MB" in page.text
    assert stand_in.sent == []


def test_a_target_form_is_shaped_as_the_service_takes_it() -> None:
    body = target_body(
        {
            "area_code": " 86 ",
            "year": "2026",
            "quarter": "2",
            "indicator": "loans_disbursed_vnd",
            "market": "JP_TITP",
            "value": "5.000.000.000",
        }
    )
    assert body == {
        "targets": [
            {
                "area_code": "86",
                "year": 2026,
                "quarter": 2,
                "indicator": "loans_disbursed_vnd",
                "market": "JP_TITP",
                "value": 5_000_000_000,
            }
        ]
    }
    refused = Refusal(422, "x", "y", {"targets.0.value": ("a", "b")})
    assert of_the_form(refused).field_message("value", "vi") == "a"


def test_a_regime_form_keeps_rates_as_text_and_leaves_blanks_out() -> None:
    body = regime_body(
        {
            "code": "ND-X",
            "name": "N",
            "legal_basis": "NĐ",
            "programme": "labour_export",
            "effective_from": "2027-01-01",
            "effective_to": "",
            "max_share_of_costs": "1",
            "absolute_cap_vnd": "",
            "collateral_threshold_vnd": "200.000.000",
            "poor_household_monthly_rate": "0.0055",
            "default_factor": "1.27",
            "overdue_factor": "1.3",
            "max_term_months": "",
            "source_note": "",
        }
    )
    assert body["effective_to"] is None
    assert body["absolute_cap_vnd"] is None
    assert body["collateral_threshold_vnd"] == 200_000_000
    assert body["poor_household_monthly_rate"] == "0.0055"
    assert body["rate_factor_by_group"] == {"default": "1.27"}
    assert body["source_notes"] == []
    assert body["max_term_months"] is None


def test_closing_a_regime_sends_its_end_date_with_the_forms_key(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, stand_in = portal
    form = {"csrf_token": CSRF, "form_key": "z" * 12, "effective_to": "2027-01-01"}
    answer = _as(http, "giamdoc").post(
        "/regimes/ND-61-2015/closure", data=form, follow_redirects=False
    )
    assert answer.status_code == 303
    path, sent = stand_in.sent[-1]
    assert path == "/regimes/ND-61-2015/closure"
    assert sent["json"] == {"effective_to": "2027-01-01"}
    assert sent["key"] == "z" * 12


def test_a_reports_filters_pass_on_only_known_choices(portal: tuple[TestClient, StandIn]) -> None:
    http, stand_in = portal
    _as(http, "baocao").get("/reports/registrations?by=full_name&milestone=departed&area=x")
    path, params = stand_in.gets[-1]
    assert path == "/reports/registrations"
    assert params == {"area": "86", "milestone": "departed"}


def test_an_xlsx_upload_is_read_back_row_by_row_with_whole_numbers_as_written() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["area_code", "year", "value"])
    sheet.append([None, None, None])
    sheet.append(["29800", 2026.0, 5_000_000_000])
    out = io.BytesIO()
    book.save(out)
    assert read_rows(out.getvalue()) == [
        ["area_code", "year", "value"],
        ["29800", "2026", "5000000000"],
    ]
    assert read_rows(b"PK not a workbook") == []
