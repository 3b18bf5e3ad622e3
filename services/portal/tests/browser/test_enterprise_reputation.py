"""The enterprise reputation screen in a real browser against the real stack: the labour
officer opens it from the menu, records a complaint about a listed enterprise, and once
reporting has projected the event the enterprise's line counts it."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

import pytest
from playwright.async_api import BrowserContext, Page, expect
from xkld_shared.clock import VIETNAM
from xkld_shared.identity.principal import Role
from xkld_shared.testing.http import local_client

from .conftest import screenshot, sign_in
from .stack import Stack

pytestmark = pytest.mark.timeout(900)  # the stack starts six processes on two cores


async def _listed_enterprise(stack: Stack) -> str:
    code = f"DN-{uuid.uuid4().hex[:6].upper()}"
    body = {
        "code": code,
        "name": "Công ty Nhân lực Cửu Long",
        "licence_number": "77/LĐTBXH-GP",
        "licence_valid_from": "2024-01-01",
        "licence_valid_to": "2030-01-01",
        "markets": ["JP"],
    }
    auth = stack.ns.auth(Role.LABOUR_OFFICER, province="86")
    async with local_client(base_url=stack.service("registration"), timeout=60) as client:
        answer = await client.post("/enterprises", json=body, headers=auth)
        assert answer.status_code == 201, answer.text
    return code


async def _row_counting(page: Page, code: str, attempts: int = 60) -> str:
    """Reload until reporting has projected the complaint (the consumer is asynchronous)."""
    row = page.locator(f'tr[data-enterprise="{code}"]')
    for _ in range(attempts):
        if await row.count():
            return await row.inner_text()
        await asyncio.sleep(1)
        await page.reload()
    raise AssertionError(f"{code} never appeared on the reputation screen")


async def test_the_labour_officer_records_a_complaint_and_the_enterprise_s_line_counts_it(
    stack: Stack, context: BrowserContext
) -> None:
    code = await _listed_enterprise(stack)
    page = await context.new_page()
    await sign_in(page, stack, "laodong")
    await page.get_by_role("navigation").get_by_role("link", name="Uy tín doanh nghiệp").click()
    await expect(
        page.get_by_role("heading", name="Uy tín doanh nghiệp", exact=True)
    ).to_be_visible()

    form = page.locator("#complaint")
    await form.get_by_label("Doanh nghiệp").select_option(code)
    await form.get_by_label("Loại").select_option("wage_arrears")
    today = dt.datetime.now(VIETNAM).date().isoformat()
    await form.get_by_label("Ngày nhận").fill(today)
    await form.get_by_label("Nội dung khiếu nại").fill("Người lao động báo bị nợ lương hai tháng")
    await form.get_by_role("button", name="Ghi nhận khiếu nại", exact=True).click()
    await page.wait_for_url("**/enterprise-reputation?done=*")

    text = await _row_counting(page, code)
    assert "Nợ lương: 1" in text
    assert "Còn hiệu lực" in text
    await screenshot(page, "enterprise-reputation")
