"""The yearly course plan and a rural training report, in a real browser against the real
stack: the labour officer adds a plan line through the form and finds it listed; once reporting
has projected the line, the trainees report shows its places for its trade, with its exports."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from playwright.async_api import BrowserContext, expect
from xkld_shared.clock import vietnam_today
from xkld_shared.identity.principal import Role
from xkld_shared.testing.http import local_client

from .conftest import screenshot, sign_in
from .stack import Stack

pytestmark = pytest.mark.timeout(900)

# A commune of Vĩnh Long (86); plan lines count no registration, so sharing it is harmless.
PLAN_COMMUNE = "29845"
PROJECTED_WAIT_SECONDS = 240.0  # reporting is fed by events; a busy machine is slow, not wrong


async def _planned_places(stack: Stack, year: int, trade: str) -> int | None:
    """What reporting has projected so far (only to know when to look, not what is checked)."""
    viewer = stack.ns.auth(Role.REPORT_VIEWER, username="baocao")
    async with local_client(base_url=stack.service("reporting"), timeout=60) as client:
        answer = await client.get(
            "/reports/rural-training/trainees",
            headers=viewer,
            params={"area": "86", "year": year, "by": "trade"},
        )
    answer.raise_for_status()
    row = next((r for r in answer.json()["rows"] if r["key"] == trade), None)
    return None if row is None else row["planned_places"]


async def _until_projected(stack: Stack, year: int, trade: str) -> None:
    deadline = asyncio.get_running_loop().time() + PROJECTED_WAIT_SECONDS
    while await _planned_places(stack, year, trade) is None:
        assert asyncio.get_running_loop().time() < deadline, "reporting never projected the line"
        await asyncio.sleep(2)


async def test_a_plan_line_added_in_the_form_is_listed_and_counted_in_the_trainees_report(
    stack: Stack, context: BrowserContext
) -> None:
    year = vietnam_today().year
    trade = f"T{uuid.uuid4().hex[:6].upper()}"
    page = await context.new_page()
    await sign_in(page, stack, "laodong", "/course-plan")
    await page.get_by_role("link", name="Thêm dòng kế hoạch").click()
    await page.get_by_label("Mã xã/phường").fill(PLAN_COMMUNE)
    await page.get_by_label("Mã nghề").fill(trade)
    await page.locator("#line-trade_title").fill("Nuôi trồng thuỷ sản nước lợ")
    await page.get_by_label("Cơ sở đào tạo").fill("Trường Trung cấp nghề Vĩnh Long")
    await page.get_by_label("Số chỗ đặt hàng").fill("35")
    await page.get_by_label("Ngày khai giảng dự kiến").fill(f"{year}-09-07")
    await page.get_by_label("Ngày kết thúc dự kiến").fill(f"{year}-11-27")
    await page.get_by_label("Kinh phí (đồng)").fill("40.000.000")
    await screenshot(page, "rural-plan-line-new")
    await page.get_by_role("button", name="Lưu dòng kế hoạch").click()
    await page.wait_for_url(f"**/course-plan?year={year}*")
    line = page.locator("#plan-table tr", has_text=trade)
    await expect(line).to_contain_text("Nuôi trồng thuỷ sản nước lợ")
    await expect(line).to_contain_text("0 / 35")
    await expect(line).to_contain_text("40.000.000 ₫")
    await screenshot(page, "rural-plan")
    await _until_projected(stack, year, trade)
    await page.goto(f"{stack.url}/reports/rural-training/trainees?area=86&year={year}&by=trade")
    row = page.locator("#report-table tbody tr", has_text=trade)
    await expect(row.locator("td").first).to_have_text("35")
    await expect(page.locator("#report-table tfoot")).to_contain_text("Tổng")
    await screenshot(page, "rural-report-trainees")
    exported = await page.context.request.get(
        f"{stack.url}/reports/rural-training/trainees.csv?area=86&year={year}&by=trade"
    )
    assert exported.status == 200
    assert trade in (await exported.body()).decode("utf-8-sig")
