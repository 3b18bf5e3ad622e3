"""The provincial loan capital screen in process, with the loans service stood in for: the
pool per year in both languages, the allocation form only for bank managers, its body and key,
and a refusal shown next to the field."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from xkld_portal.application.errors import NothingHere, Refusal
from xkld_portal.application.ports import Service
from xkld_shared.identity.principal import Role

from .test_bank_screens import CSRF, EVALUATION, LOAN, LoansStandIn, portal, signed_in

__all__ = ["portal"]  # the fixture, shared with the bank screens' tests

REPORT = {
    "province_code": "86",
    "years": [
        {
            "province_code": "86",
            "year": 2018,
            "allocated_vnd": 15_000_000_000,
            "lent_vnd": 14_900_000_000,
            "repaid_vnd": 300_000_000,
            "available_vnd": 400_000_000,
        }
    ],
    "totals": {
        "allocated_vnd": 15_000_000_000,
        "lent_vnd": 14_900_000_000,
        "repaid_vnd": 300_000_000,
        "available_vnd": 400_000_000,
    },
}


class PoolStandIn:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, Any, str | None]] = []
        self.asked: list[str] = []
        self.refuse: Refusal | None = None

    async def get(self, service: Service, path: str, **kw: Any) -> Any:
        self.asked.append(path)
        if service is Service.LOANS and path == "/capital-pools/86":
            return REPORT
        raise NothingHere

    async def send(self, service: Service, method: str, path: str, **kw: Any) -> Any:
        if path.startswith("/auth/"):
            return None
        self.sent.append((method, path, kw.get("json"), kw.get("key")))
        if self.refuse:
            raise self.refuse
        return {}


@pytest.mark.parametrize(
    ("lang", "words"),
    [("vi", ["Nguồn vốn cho vay của tỉnh", "Còn có thể cho vay"]), ("en", ["Available to lend"])],
)
def test_the_pool_of_the_visitor_s_province_shows_each_year_in_both_languages(
    portal: tuple[TestClient, Any], lang: str, words: list[str]
) -> None:
    stand_in = PoolStandIn()
    client = signed_in(portal, stand_in, Role.LOAN_OFFICER, lang=lang)  # type: ignore[arg-type]
    page = client.get("/capital-pools")
    assert page.status_code == 200, page.text
    for word in words:
        assert word in page.text
    assert "15.000.000.000 ₫" in page.text
    assert "400.000.000 ₫" in page.text
    assert stand_in.asked == ["/capital-pools/86"], "the branch VBSP-86 is in province 86"
    assert 'action="/capital-pools/allocations"' not in page.text, "officers do not record"


def test_a_bank_manager_records_an_allocation_with_the_form_s_key(
    portal: tuple[TestClient, Any],
) -> None:
    stand_in = PoolStandIn()
    client = signed_in(portal, stand_in, Role.BANK_MANAGER)  # type: ignore[arg-type]
    assert 'action="/capital-pools/allocations"' in client.get("/capital-pools").text
    form = {
        "csrf_token": CSRF,
        "form_key": "alloc-key-1",
        "year": "2018",
        "amount_vnd": "15.000.000.000 ₫",
        "allocated_on": "2018-01-15",
        "decision_ref": "",
    }
    answer = client.post("/capital-pools/allocations", data=form, headers={"HX-Request": "true"})
    assert answer.headers["hx-redirect"] == "/capital-pools?done=alloc-key-1"
    body = {
        "year": 2018,
        "amount_vnd": 15_000_000_000,
        "allocated_on": "2018-01-15",
        "decision_ref": None,
    }
    assert stand_in.sent == [("POST", "/capital-pools/86/allocations", body, "alloc-key-1")]


def test_a_refused_allocation_keeps_what_was_typed_and_shows_why_next_to_the_field(
    portal: tuple[TestClient, Any],
) -> None:
    stand_in = PoolStandIn()
    stand_in.refuse = Refusal(
        422, "Không hợp lệ", "Invalid", {"amount_vnd": ("Phải lớn hơn 0", "Must be positive")}
    )
    client = signed_in(portal, stand_in, Role.BANK_MANAGER)  # type: ignore[arg-type]
    form = {"csrf_token": CSRF, "form_key": "k-2", "year": "2018", "amount_vnd": "0"}
    page = client.post("/capital-pools/allocations", data=form)
    assert page.status_code == 422
    assert 'id="err-allocation-amount_vnd">Phải lớn hơn 0<' in page.text
    assert 'name="form_key" value="k-2"' in page.text


def test_a_loan_officer_cannot_post_an_allocation_and_others_cannot_see_the_pool(
    portal: tuple[TestClient, Any],
) -> None:
    stand_in = PoolStandIn()
    officer = signed_in(portal, stand_in, Role.LOAN_OFFICER)  # type: ignore[arg-type]
    form = {"csrf_token": CSRF, "form_key": "k-3", "year": "2018", "amount_vnd": "1"}
    assert officer.post("/capital-pools/allocations", data=form).status_code == 403
    commune = signed_in(portal, stand_in, Role.COMMUNE_OFFICER)  # type: ignore[arg-type]
    assert commune.get("/capital-pools").status_code == 403
    assert stand_in.sent == []


def test_the_loan_page_says_why_its_regime_was_chosen_and_which_capital_lends(
    portal: tuple[TestClient, Any],
) -> None:
    stand_in = LoansStandIn()
    stand_in.app["evaluation"] = EVALUATION | {
        "regime_code": "NQ37-2016-VL",
        "routing_rule": "provincial_no_central_funding",
        "routing_reason": "Chọn NQ37-2016-VL: thường trú tại tỉnh 86 / NQ37-2016-VL chosen",
        "pool_province_code": "86",
        "pool_year": 2018,
    }
    client = signed_in(portal, stand_in, Role.LOAN_OFFICER)
    page = client.get(f"/loans/{LOAN}").text
    assert 'data-routing="provincial_no_central_funding"' in page
    assert "Chọn NQ37-2016-VL: thường trú tại tỉnh 86" in page
    assert "nguồn vốn của tỉnh năm 2018" in page
