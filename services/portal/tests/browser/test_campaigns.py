"""Outreach campaigns in a real browser against the real stack (issue 16): a commune officer
creates a campaign, starts it, records a meeting where one surveyed person came and was
interested, and finds them reached and interested in the campaign's funnel; and axe finds no
serious problem on the campaign screens, with content, at both widths."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.async_api import Browser, BrowserContext, expect
from xkld_shared.identity.principal import Role
from xkld_shared.testing.http import local_client
from xkld_shared.testing.system import registration_body

from .conftest import DESKTOP, sign_in
from .stack import HOME_COMMUNES, Stack
from .test_accessibility import Findings, visit
from .test_survey import _household_by_api, _round_by_api

pytestmark = pytest.mark.timeout(900)  # the stack starts seven processes on two cores
COMMUNE = HOME_COMMUNES[0]


@pytest.fixture
async def axe_context(browser: Browser) -> AsyncIterator[BrowserContext]:
    """As in the accessibility walk: CSP bypassed only so that axe can be injected."""
    ctx = await browser.new_context(viewport=DESKTOP, locale="vi-VN", bypass_csp=True)
    ctx.set_default_timeout(30_000)
    yield ctx
    await ctx.close()


def _today() -> dt.date:
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=7))).date()


async def _campaign_by_api(stack: Stack, goal: str, hamlets: tuple[str, ...] = ()) -> str:
    """An active campaign in the officer's first commune, with every channel."""
    officer = stack.ns.auth(Role.COMMUNE_OFFICER, communes=HOME_COMMUNES, username="canbo")
    body: dict[str, Any] = {
        "goal": goal,
        "communes": [COMMUNE],
        "hamlets": list(hamlets),
        "channels": ["sms_broadcast", "meeting", "loudspeaker"],
        "period_start": _today().isoformat(),
        "period_end": (_today() + dt.timedelta(days=30)).isoformat(),
        "template_code": "loan_policy_nq37",
    }
    async with local_client(base_url=stack.service("outreach"), timeout=60) as client:
        made = await client.post(
            "/campaigns", headers=officer | {"Idempotency-Key": str(uuid.uuid4())}, json=body
        )
        assert made.status_code == 201, made.text
        campaign_id = str(made.json()["campaign_id"])
        started = await client.post(
            f"/campaigns/{campaign_id}/status", headers=officer, json={"status": "active"}
        )
        assert started.status_code == 200, started.text
    return campaign_id


async def test_a_commune_officer_creates_a_campaign_records_a_meeting_and_sees_the_funnel(
    stack: Stack, context: BrowserContext
) -> None:
    respondent = await _household_by_api(stack, await _round_by_api(stack, "Trước chiến dịch"))
    page = await context.new_page()
    await sign_in(page, stack, "canbo")
    await page.get_by_role("link", name="Chiến dịch truyền thông").first.click()
    goal = f"Chính sách vay vốn {uuid.uuid4().hex[:6]}"
    await page.locator("#f-goal").fill(goal)
    await page.locator("#f-period_start").fill(_today().isoformat())
    await page.locator("#f-period_end").fill((_today() + dt.timedelta(days=30)).isoformat())
    await page.locator("#f-template_code").select_option("loan_policy_nq37")
    await page.locator(f"#f-communes-{COMMUNE}").check()
    await page.locator("#f-channels-meeting").check()
    await page.locator("#f-pg-demobilised_soldier").check()
    await page.get_by_role("button", name="Tạo chiến dịch này").click()
    await expect(page.get_by_role("heading", name=goal)).to_be_visible()
    await expect(page.locator("[data-status]")).to_have_text("Bản nháp")
    await page.get_by_role("button", name="Bắt đầu chiến dịch").click()
    await expect(page.locator("[data-status]")).to_have_text("Đang diễn ra")
    await page.get_by_role("link", name="Ghi buổi họp").click()
    await page.locator("#f-held_on").fill(_today().isoformat())
    await page.locator("#f-place").fill("Nhà văn hoá ấp Tân Thuận")
    await page.locator("#f-walk_ins").fill("2")
    await page.locator(f"input[name=interested][value='{respondent}']").check()
    await page.get_by_role("button", name="Ghi buổi họp này").click()
    meetings = page.locator("section[aria-labelledby=meetings] tbody tr")
    await expect(meetings).to_have_count(1)
    await expect(meetings.first).to_contain_text("Nhà văn hoá ấp Tân Thuận")
    await page.get_by_role("link", name="Kết quả gửi tin và phễu").click()
    total = page.locator("tr[data-total]")
    await expect(total.locator("[data-stage=reached]")).to_have_text("3")  # one + two walk-ins
    await expect(total.locator("[data-stage=interested]")).to_have_text("1")
    group = page.locator("section[aria-labelledby=funnel] tbody tr").first
    await expect(group).to_contain_text("Bộ đội, công an xuất ngũ")
    await expect(group.locator("td").nth(0)).to_have_text("1")  # reached
    await expect(group.locator("td").nth(1)).to_have_text("1")  # interested


async def test_the_campaign_screens_have_no_serious_accessibility_problem_at_both_widths(
    stack: Stack, axe_context: BrowserContext
) -> None:
    await _household_by_api(stack, await _round_by_api(stack, "Khảo sát cho chiến dịch"))
    campaign = await _campaign_by_api(stack, "Chương trình EPS Hàn Quốc")
    findings = Findings()
    page = await axe_context.new_page()
    await sign_in(page, stack, "canbo", "/campaigns")
    await page.evaluate("() => { document.getElementById('campaign').noValidate = true; }")
    await page.get_by_role("button", name="Tạo chiến dịch này").click()
    await expect(page.locator("[role=alert]")).to_be_visible()
    await findings.check(page, "campaigns-refused")
    await visit(page, stack, f"/campaigns/{campaign}/meetings/new", findings, "campaign-meeting")
    await page.evaluate("() => { document.getElementById('meeting').noValidate = true; }")
    await page.get_by_role("button", name="Ghi buổi họp này").click()
    await expect(page.locator("[role=alert]")).to_be_visible()
    await findings.check(page, "campaign-meeting-refused")
    for path in (
        f"/campaigns/{campaign}",
        f"/campaigns/{campaign}/broadcast",
        f"/campaigns/{campaign}/outcomes",
        "/message-templates",
        "/message-templates/loan_policy_nq37",
    ):
        await visit(page, stack, path, findings, f"canbo{path.replace('/', '-')}")
    await axe_context.clear_cookies()
    labour = await axe_context.new_page()
    await sign_in(labour, stack, "laodong")
    for path in ("/campaigns", f"/campaigns/{campaign}", f"/campaigns/{campaign}/outcomes"):
        await visit(labour, stack, path, findings, f"laodong{path.replace('/', '-')}")
    findings.assert_clean()


async def _reachable_household(stack: Stack, round_id: str, hamlet: str) -> None:
    """One member who agreed to be contacted and gave a phone, in a hamlet of their own."""
    officer = stack.ns.auth(Role.COMMUNE_OFFICER, communes=HOME_COMMUNES, username="canbo")
    member = {
        "age_band": "25-29",
        "gender": "female",
        "education": "upper_secondary",
        "current_work": "farming",
        "wants_training": False,
        "wants_abroad": False,
        "needs_loan": False,
        "priority_groups": [],
        "contact_consent": True,
        "phone": str(registration_body()["phone"]),
    }
    keyed = officer | {"Idempotency-Key": str(uuid.uuid4())}
    async with local_client(base_url=stack.service("outreach"), timeout=60) as client:
        made = await client.post(
            f"/survey-rounds/{round_id}/households",
            headers=keyed,
            json={"hamlet": hamlet, "members": [member]},
        )
    assert made.status_code == 201, made.text


async def test_a_broadcast_confirmed_with_its_audience_goes_once_even_when_sent_twice(
    stack: Stack, context: BrowserContext
) -> None:
    hamlet = f"Ấp {uuid.uuid4().hex[:6]}"
    await _reachable_household(stack, await _round_by_api(stack, "Có số điện thoại"), hamlet)
    campaign = await _campaign_by_api(stack, "Tin nhắn tới một ấp", (hamlet,))
    page = await context.new_page()
    await sign_in(page, stack, "canbo", f"/campaigns/{campaign}")
    await page.get_by_role("link", name="Gửi tin của chiến dịch").click()
    await expect(page.locator("[data-audience]")).to_have_attribute("data-audience", "1")
    # The confirmation sent twice, as a double click or a resent form would: one key for both.
    typed = await page.evaluate(
        "() => Object.fromEntries(new FormData(document.getElementById('broadcast')))"
    )
    action = f"{stack.url}/campaigns/{campaign}/broadcast"
    for _ in range(2):
        answer = await page.request.post(action, form=typed, max_redirects=0)
        assert answer.status == 303, await answer.text()
    await page.goto(f"{stack.url}/campaigns/{campaign}/outcomes")
    sent = page.locator("section[aria-labelledby=broadcasts]")
    await expect(sent.locator("ul > li")).to_have_count(1)
    await expect(sent.locator("tbody tr")).to_have_count(1)
    await page.goto(f"{stack.url}/campaigns/{campaign}/broadcast")
    await expect(page.locator("[data-audience]")).to_have_attribute("data-audience", "0")
