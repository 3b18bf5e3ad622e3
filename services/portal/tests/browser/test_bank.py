"""The bank's screens in a real browser against the real stack: a loan from proposal to
repayment, and maker-checker. Only the loan application itself is made through the loans API
(it comes from registration's loan request in life); every step named is taken in the browser."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect
from xkld_shared.identity.principal import Role
from xkld_shared.testing.http import local_client

from .conftest import DESKTOP, screenshot, sign_in
from .stack import Stack
from .test_accessibility import Findings, visit

pytestmark = pytest.mark.timeout(900)  # the stack starts six processes on two cores

VIETNAM = dt.timezone(dt.timedelta(hours=7))
AMOUNT = 80_000_000
REPAID = 5_000_000


def _today() -> dt.date:
    return dt.datetime.now(VIETNAM).date()


def _vnd(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " ₫"


async def _application(stack: Stack) -> str:
    """A poor household's request for 80,000,000 VND over 24 months, at the VBSP-86 branch."""
    officer = stack.ns.auth(Role.LOAN_OFFICER, branch="VBSP-86", username="tindung")
    body = {
        "registration_id": str(uuid.uuid4()),
        "commune_code": "29800",
        "province_code": "86",
        "programme": "labour_export",
        "application_date": _today().isoformat(),
        "priority_groups": ["poor_household"],
        "contract_costs_vnd": 100_000_000,
        "requested_vnd": AMOUNT,
        "requested_term_months": 24,
        "contract_term_months": 24,
    }
    async with local_client(base_url=stack.service("loans"), timeout=60) as client:
        answer = await client.post("/loan-applications", json=body, headers=officer)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["application_id"])


@pytest.fixture
async def csp_bypassed(browser: Browser) -> AsyncIterator[BrowserContext]:
    """For the axe runs only: the injected axe script would be refused by the portal's CSP."""
    ctx = await browser.new_context(viewport=DESKTOP, locale="vi-VN", bypass_csp=True)
    ctx.set_default_timeout(30_000)
    yield ctx
    await ctx.close()


async def _by_api(stack: Stack, loan: str, step: str, body: object) -> None:
    """A step of the loan taken through the loans API, each by its own person (none of them the
    test's signed-in user), so maker-checker lets the decision through."""
    role = Role.BANK_MANAGER if step == "decision" else Role.LOAN_OFFICER
    headers = stack.ns.auth(role, branch="VBSP-86", username=f"api-{step}")
    headers["Idempotency-Key"] = f"{step}-{loan}"
    async with local_client(base_url=stack.service("loans"), timeout=60) as client:
        answer = await client.post(f"/loan-applications/{loan}/{step}", json=body, headers=headers)
    assert answer.status_code in (200, 201), answer.text


async def _propose(page: Page, stack: Stack, loan: str) -> None:
    await page.goto(f"{stack.url}/loans/{loan}")
    await expect(page.get_by_role("heading", name="Thẩm định theo chế độ vay")).to_be_visible()
    await page.get_by_label("Cho vay", exact=True).check()
    await expect(page.get_by_label("Số tiền cho vay (đồng)")).to_have_value(str(AMOUNT))
    await page.get_by_role("button", name="Gửi đề xuất lên giám đốc").click()
    await expect(page.get_by_text("Đã đề xuất, chờ giám đốc phê duyệt")).to_be_visible()


async def test_loan_path_an_officer_proposes_a_manager_confirms_and_the_loan_is_paid_out_and_repaid(
    context: BrowserContext, browser: Browser, stack: Stack
) -> None:
    loan = await _application(stack)
    officer = await context.new_page()
    await sign_in(officer, stack, "tindung", "/loans")
    await officer.get_by_role("link", name=f"Hồ sơ vay {loan[:8]}").click()
    await officer.wait_for_url(re.compile(f"/loans/{loan}$"))
    await screenshot(officer, "bank-application")
    await _propose(officer, stack, loan)

    manager_context = await browser.new_context(viewport=DESKTOP, locale="vi-VN")
    manager = await manager_context.new_page()
    await sign_in(manager, stack, "giamdoc", "/loans/proposals")
    await screenshot(manager, "bank-proposals")
    await manager.get_by_role("link", name=f"Hồ sơ vay {loan[:8]}").click()
    await manager.wait_for_url(re.compile(f"/loans/{loan}/decision$"))
    await screenshot(manager, "bank-decision")
    await manager.get_by_role("button", name="Phê duyệt đề xuất").click()
    await manager.wait_for_url(re.compile("/loans/proposals"))
    await expect(manager.get_by_role("link", name=f"Hồ sơ vay {loan[:8]}")).to_have_count(0)

    await officer.goto(f"{stack.url}/loans/day-sheet")
    await expect(officer.get_by_role("link", name=f"Hồ sơ vay {loan[:8]}")).to_be_visible()
    await screenshot(officer, "bank-day-sheet")
    await officer.get_by_text(f"Ghi nhận giải ngân hồ sơ vay {loan[:8]}").click()
    form = officer.locator(f"#disburse-{loan}")
    await form.get_by_label("Ngày giải ngân").fill(_today().isoformat())
    await form.get_by_role("button", name="Ghi nhận giải ngân").click()
    await officer.wait_for_url(re.compile(f"/loans/{loan}"))
    await expect(officer.get_by_text("Đã giải ngân, đang trả nợ")).to_be_visible()

    await officer.get_by_label("Số tiền đã thu (đồng)").fill(f"{REPAID:,}".replace(",", "."))
    await officer.get_by_role("button", name="Ghi nhận trả nợ").click()
    await officer.wait_for_url(f"**/loans/{loan}?done=*")  # sent once, its draft dropped
    await expect(officer.locator("#connection")).to_be_hidden()
    paid = officer.locator('section[aria-labelledby="repayments"]')
    await expect(paid.get_by_role("cell", name=_vnd(REPAID), exact=True)).to_be_visible()
    figures = officer.locator("#balance-figures")
    await expect(figures).to_contain_text(_vnd(AMOUNT - REPAID))
    await screenshot(officer, "bank-loan")

    await manager.goto(f"{stack.url}/loans/portfolio")
    await expect(manager.get_by_role("row", name=re.compile("29800"))).to_be_visible()
    await screenshot(manager, "bank-portfolio")
    await manager_context.close()

    await officer.goto(f"{stack.url}/loans")
    await screenshot(officer, "bank-queue")


async def test_maker_checker_a_manager_who_proposed_cannot_confirm_their_own_proposal(
    context: BrowserContext, stack: Stack
) -> None:
    loan = await _application(stack)
    page = await context.new_page()
    await sign_in(page, stack, "giamdoc.kiem", f"/loans/{loan}")
    await _propose(page, stack, loan)
    await page.goto(f"{stack.url}/loans/proposals")
    await expect(page.get_by_role("heading", name="Đề xuất chờ phê duyệt")).to_be_visible()
    await expect(page.get_by_role("link", name=f"Hồ sơ vay {loan[:8]}")).to_have_count(0)
    forced = await page.goto(f"{stack.url}/loans/{loan}/decision")
    assert forced is not None
    assert forced.status == 403
    await screenshot(page, "bank-own-proposal-refused")


async def test_the_bank_screens_reached_from_a_loan_have_no_serious_accessibility_problem(
    csp_bypassed: BrowserContext, stack: Stack
) -> None:
    """The menus' screens are walked by test_accessibility; these are reached from a loan: the
    application with its proposal form, the decision page, and a paid-out loan's page with every
    form unfolded (a manager who also proposes sees them all)."""
    findings = Findings()
    loan = await _application(stack)
    page = await csp_bypassed.new_page()
    await sign_in(page, stack, "giamdoc.kiem")
    await visit(page, stack, f"/loans/{loan}", findings, "bank-application")
    await _by_api(
        stack, loan, "proposal", {"decision": "approve", "amount_vnd": AMOUNT, "term_months": 24}
    )
    await visit(page, stack, f"/loans/{loan}/decision", findings, "bank-decision")
    await _by_api(stack, loan, "decision", {"agree": True})
    paid = {"amount_vnd": AMOUNT, "disbursed_on": _today().isoformat(), "channel": "bank_transfer"}
    await _by_api(stack, loan, "disbursement", paid)
    await visit(page, stack, f"/loans/{loan}", findings, "bank-loan")
    for summary in await page.locator("details > summary").all():
        await summary.click()
    await findings.check(page, "bank-loan-open")
    await visit(page, stack, "/loans/overdue", findings, "bank-overdue")
    findings.assert_clean()
    shown = ("bank-application-200", "bank-decision-200", "bank-loan-200", "bank-overdue-200")
    assert [name for name in shown if name not in findings.screens] == []
