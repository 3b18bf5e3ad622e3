"""The training centre's and the labour officer's screens render in both languages from the
services' answers as they are shaped (the browser tests then use them for real)."""

from __future__ import annotations

import uuid
from types import SimpleNamespace
from typing import Any

import pytest
from xkld_portal.adapters.templating import environments
from xkld_portal.application.errors import Refusal
from xkld_portal.domain import staff_forms as forms
from xkld_portal.domain.labels import PRIORITY_GROUPS
from xkld_portal.entrypoints.staff_common import Attempt

RID = str(uuid.uuid4())
COURSE = {
    "id": str(uuid.uuid4()),
    "code": "DH-01",
    "course_type": "orientation",
    "title": "Định hướng",
    "provider": "Trung tâm",
    "venue": "Vĩnh Long",
    "starts_on": "2026-12-01",
    "ends_on": "2026-12-20",
    "capacity": 30,
    "enrolled": 1,
}
ROSTER = [
    {
        "registration_id": RID,
        "enrolled_on": "2026-12-02",
        "completed_on": None,
        "passed": None,
        "certificate_number": None,
        "days_present": 1,
        "days_absent": 0,
    }
]
FILES = {
    "items": [
        {
            "registration_id": RID,
            "full_name": "Nguyễn Văn Thành",
            "commune_code": "29800",
            "hamlet": None,
            "submitted_on": "2026-12-01",
            "birth_year": 2000,
            "desired_market": "JP_TITP",
            "priority_groups": ["poor_household"],
        }
    ],
    "page": 1,
    "page_size": 25,
    "total": 1,
}
ENTERPRISE = {
    "code": "DN-01",
    "name": "Công ty A",
    "licence_number": "1/GP",
    "licence_valid_from": "2026-01-01",
    "licence_valid_to": "2031-01-01",
    "markets": ["JP_TITP"],
    "revoked_on": None,
    "state": "valid",
}
MARKET = {
    "code": "JP_TITP",
    "country_vi": "Nhật Bản",
    "programme": "TITP",
    "min_age": 18,
    "max_age": 35,
    "typical_cost_vnd": 30_000_000,
    "active": True,
}
REFUSED = Refusal(422, "Sai", "Wrong", {"certificate_number": ("Chỉ cấp khi đạt", "Only passed")})


def _visitor(role: str) -> Any:
    return SimpleNamespace(
        can=lambda *roles: role in roles, principal=SimpleNamespace(username="u"), lang="vi"
    )


SCREENS: dict[str, dict[str, Any]] = {
    "courses.html": {"courses": [COURSE], "may_open": True, "course_types": forms.COURSE_TYPES},
    "course_new.html": {
        "attempt": Attempt(),
        "course_types": forms.COURSE_TYPES,
        "plan_year": 2026,
        "plan_lines": [],
    },
    "course.html": {
        "course": COURSE,
        "roster": ROSTER,
        "attempt": Attempt("result", "k", {"certificate_number": "C-1"}, REFUSED),
        "may_train": True,
        "course_types": forms.COURSE_TYPES,
        "today": "2026-12-02",
    },
    "eligibility.html": {
        "files": FILES,
        "pages": 1,
        "attempt": Attempt(),
        "reasons": forms.REJECTION_REASONS,
        "priority_groups": PRIORITY_GROUPS,
    },
    "enterprises.html": {
        "enterprises": [ENTERPRISE],
        "attempt": Attempt(),
        "states": forms.LICENCE_STATES,
    },
    "markets.html": {"markets": [MARKET], "editing": False, "attempt": Attempt()},
}


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("template", sorted(SCREENS))
def test_each_staff_screen_renders_from_the_services_answers(template: str, lang: str) -> None:
    page = environments()[lang].get_template(template)
    html = page.render(
        request=SimpleNamespace(url=SimpleNamespace(path="/x")),
        visitor=_visitor("training_staff" if "course" in template else "labour_officer"),
        lang=lang,
        csrf="c",
        new_form_key=lambda: "fresh",
        **SCREENS[template],
    )
    assert "<main" in html
    assert 'name="csrf_token" value="c"' in html or template == "courses.html"


def test_the_refused_form_shows_the_service_s_message_next_to_its_field() -> None:
    page = environments()["vi"].get_template("course.html")
    html = page.render(
        request=SimpleNamespace(url=SimpleNamespace(path="/x")),
        visitor=_visitor("training_staff"),
        lang="vi",
        csrf="c",
        new_form_key=lambda: "fresh",
        **SCREENS["course.html"],
    )
    assert 'id="err-result-certificate_number">Chỉ cấp khi đạt<' in html
    assert 'name="form_key" value="k"' in html
    assert 'value="C-1"' in html
