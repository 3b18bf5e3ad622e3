"""The provincial loan capital screen in a real browser against the real stack: a bank manager
records a year's allocation from the menu, a loan officer reads the pool without the form, and
the screen has no serious accessibility problem."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, BrowserContext, expect

from .conftest import DESKTOP, screenshot, sign_in
from .stack import Stack
from .test_accessibility import Findings, visit

pytestmark = pytest.mark.timeout(900)  # the stack starts six processes on two cores


@pytest.fixture
async def csp_bypassed(browser: Browser) -> AsyncIterator[BrowserContext]:
    """For the axe run only: the injected axe script would be refused by the portal's CSP."""
    ctx = await browser.new_context(viewport=DESKTOP, locale="vi-VN", bypass_csp=True)
    ctx.set_default_timeout(30_000)
    yield ctx
    await ctx.close()


async def test_a_bank_manager_records_the_year_s_allocation_and_the_pool_shows_it(
    context: BrowserContext, stack: Stack
) -> None:
    manager = await context.new_page()
    await sign_in(manager, stack, "giamdoc")
    await (
        manager.get_by_role("navigation")
        .get_by_role("link", name="Nguồn vốn cho vay của tỉnh")
        .click()
    )
    await expect(manager.get_by_role("heading", name="Nguồn vốn cho vay của tỉnh")).to_be_visible()
    await expect(manager.get_by_text("Chưa ghi nhận nguồn vốn nào.")).to_be_visible()

    form = manager.locator("#allocation")
    await form.get_by_label("Năm").fill("2019")
    await form.get_by_label("Số tiền (VND)").fill("15.000.000.000")
    await form.get_by_label("Ngày cấp").fill("2019-01-15")
    await form.get_by_label("Quyết định (số, ngày)").fill("QĐ cấp vốn ủy thác năm 2019")
    await form.get_by_role("button", name="Ghi nhận").click()
    await manager.wait_for_url("**/capital-pools?done=*")
    row = manager.locator('tr[data-year="2019"]')
    await expect(row).to_contain_text("15.000.000.000 ₫")
    await screenshot(manager, "capital-pool-manager")

    officer = await context.new_page()
    await sign_in(officer, stack, "tindung", "/capital-pools")
    await expect(officer.locator('tr[data-year="2019"]')).to_contain_text("15.000.000.000 ₫")
    await expect(officer.locator("#allocation")).to_have_count(0)
    await screenshot(officer, "capital-pool-officer")


async def test_the_capital_pool_screen_has_no_serious_accessibility_problem(
    csp_bypassed: BrowserContext, stack: Stack
) -> None:
    findings = Findings()
    page = await csp_bypassed.new_page()
    await sign_in(page, stack, "giamdoc")
    await visit(page, stack, "/capital-pools", findings, "capital-pool")
    findings.assert_clean()
    assert findings.screens == ["capital-pool-200"]
