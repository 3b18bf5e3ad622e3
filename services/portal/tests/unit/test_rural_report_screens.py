"""The rural training reports, rendered in-process in both languages from the reporting
service's answers as the helper section of docs/reporting.md shapes them, and downloaded as CSV
and XLSX with the page's columns and the total last."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from xkld_portal.application.errors import Refusal
from xkld_shared.clock import vietnam_today

from .rural_portal import StandIn, portal_with, signed_in

FRESH = {"as_of": "2026-12-02T09:30:00+00:00", "streams": []}
FRAME = {"area_code": "86", "area_name": "Vĩnh Long", "year": 2026, "freshness": FRESH}
TRAINEES = FRAME | {
    "by": "trade",
    "rows": [
        {
            "key": "NTTS",
            "planned_places": 35,
            "enrolled": 28,
            "trainees": 27,
            "completed": 20,
            "passed": 18,
            "certificates": 18,
            "enrolled_of_planned_bp": 8000,
            "name": None,
        },
        {
            "key": None,
            "planned_places": None,
            "enrolled": 3,
            "trainees": 3,
            "completed": 0,
            "passed": 0,
            "certificates": 0,
            "enrolled_of_planned_bp": None,
            "name": None,
        },
    ],
    "total": {
        "planned_places": 35,
        "enrolled": 31,
        "trainees": 30,
        "completed": 20,
        "passed": 18,
        "certificates": 18,
        "enrolled_of_planned_bp": 8857,
    },
}
_MONEY = {
    "budget_vnd": 40_000_000,
    "paid_vnd": 6_250_000,
    "paid_cost_vnd": 5_000_000,
    "paid_meals_vnd": 1_050_000,
    "paid_travel_vnd": 200_000,
    "trainees_paid": 3,
    "balance_vnd": 33_750_000,
    "paid_of_budget_bp": 1563,
}
SUPPORT = FRAME | {
    "by": "plan_line",
    "rows": [
        _MONEY
        | {
            "key": "5b0d4c3e-8f6a-4c1e-9d2b-7a1f0e3c9b11",
            "plan_year": 2026,
            "trade_code": "NTTS",
            "commune_code": "29800",
            "places": 35,
            "withdrawn": True,
            "name": None,
        }
    ],
    "total": _MONEY,
}
_OUTCOMES = {
    "completed": 6,
    "outcomes_recorded": 5,
    "work_in_trade": 2,
    "other_work": 1,
    "own_business": 1,
    "went_abroad": 0,
    "no_work_yet": 1,
    "employed": 4,
    "employment_rate_bp": 8000,
    "completed_without_outcome": 1,
}
EMPLOYMENT = FRAME | {
    "by": "commune",
    "rows": [_OUTCOMES | {"key": "29800", "name": "Phường Long Châu"}],
    "total": _OUTCOMES,
}
ANSWERS: dict[str, Any] = {
    "/reports/rural-training/trainees": TRAINEES,
    "/reports/rural-training/support": SUPPORT,
    "/reports/rural-training/employment": EMPLOYMENT,
}


@pytest.fixture
def portal() -> Iterator[tuple[TestClient, StandIn]]:
    yield from portal_with(ANSWERS)


SCREENS = {
    "/reports/rural-training/trainees?year=2026": (
        "baocao",
        {"vi": ["80,00%", "88,57%", "Số chỗ kế hoạch", "Tổng"], "en": ["80.00%", "Total"]},
    ),
    "/reports/rural-training/support?by=plan_line": (
        "laodong",
        {
            "vi": ["6.250.000 ₫", "15,63%", "Đã rút khỏi kế hoạch"],
            "en": ["33.750.000 ₫", "15.63%", "Line withdrawn", "Budget left"],
        },
    ),
    "/reports/rural-training/employment?by=commune&area=29800": (
        "baocao",
        {"vi": ["Phường Long Châu", "Tỷ lệ có việc làm"], "en": ["Employment rate", "80.00%"]},
    ),
}


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("path", sorted(SCREENS))
def test_each_rural_report_renders_in_both_languages_with_rates_as_percentages(
    portal: tuple[TestClient, StandIn], path: str, lang: str
) -> None:
    http, _ = portal
    username, expected = SCREENS[path]
    page = signed_in(http, username, lang).get(path)
    assert page.status_code == 200, page.text[:2000]
    for text in expected[lang]:
        assert text in page.text
    assert f'<html lang="{lang}">' in page.text


def test_the_report_asks_for_the_area_year_and_breakdown_picked_and_the_default_otherwise(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, stand_in = portal
    signed_in(http, "baocao").get("/reports/rural-training/employment?year=2027&by=trade")
    assert stand_in.gets[-1][1] == {"area": "86", "year": 2027, "by": "trade"}
    # a breakdown this report does not offer falls back to its first
    signed_in(http, "baocao").get("/reports/rural-training/employment?by=group&area=29800")
    this_year = vietnam_today().year
    assert stand_in.gets[-1][1] == {"area": "29800", "year": this_year, "by": "course"}


def test_a_trainee_with_no_trade_is_shown_under_none_not_as_an_empty_row(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, _ = portal
    page = signed_in(http, "baocao", "en").get("/reports/rural-training/trainees")
    assert "None (no trade, course or plan line)" in page.text
    assert '<tfoot class="total">' in page.text


def test_a_rural_report_downloads_as_csv_with_the_total_last(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, _ = portal
    answer = signed_in(http, "baocao").get("/reports/rural-training/trainees.csv?year=2026")
    assert answer.status_code == 200
    assert "dao-tao-nghe-trainees-86-2026-trade.csv" in answer.headers["content-disposition"]
    lines = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert lines[0][:3] == ["Nghề", "Số chỗ kế hoạch", "Đã ghi danh"]
    assert lines[1] == ["NTTS", "35", "28", "27", "20", "18", "18", "80.00"]
    assert lines[-1][0] == "Tổng"
    assert lines[-1][-1] == "88.57"


def test_a_rural_report_downloads_as_xlsx_with_numbers_kept_as_numbers(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, _ = portal
    answer = signed_in(http, "laodong", "en").get(
        "/reports/rural-training/support.xlsx?by=plan_line"
    )
    assert answer.status_code == 200
    rows = list(load_workbook(io.BytesIO(answer.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[0][:6] == (
        "Plan line",
        "Trade code",
        "Commune code",
        "Places ordered",
        "Line withdrawn",
        "Budget",
    )
    assert rows[1][3:7] == (35, "Line withdrawn", 40_000_000, 6_250_000)
    assert rows[-1][0] == "Total"


@pytest.mark.parametrize(("lang", "said"), [("vi", "Địa bàn ngoài phạm vi"), ("en", "Outside")])
def test_an_area_outside_the_readers_scope_is_said_on_the_page(
    portal: tuple[TestClient, StandIn], lang: str, said: str
) -> None:
    http, stand_in = portal
    stand_in.refuse_get["/reports/rural-training/trainees"] = Refusal(
        422, "Địa bàn ngoài phạm vi", "Outside your area", code="unknown_area"
    )
    page = signed_in(http, "laodong", lang).get("/reports/rural-training/trainees?area=01")
    assert page.status_code == 422
    assert said in page.text


def test_only_readers_of_reports_open_them_and_an_unknown_report_is_not_there(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, _ = portal
    assert signed_in(http, "tindung").get("/reports/rural-training/trainees").status_code == 403
    assert signed_in(http, "baocao").get("/reports/rural-training/secret").status_code == 404
    assert signed_in(http, "baocao").get("/reports/rural-training/support.pdf").status_code == 404


def test_the_report_viewers_home_and_the_report_list_lead_to_the_rural_reports(
    portal: tuple[TestClient, StandIn],
) -> None:
    http, _ = portal
    for path in ("/", "/reports"):
        page = signed_in(http, "baocao").get(path)
        assert 'href="/reports/rural-training/employment"' in page.text
