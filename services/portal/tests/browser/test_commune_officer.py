"""A worker's file through the browser alone: intake, eligibility, gates, departure and a
check-in; and the refusals: a step the role may not take, another commune's file, a resent
form, an expired session."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import BrowserContext, Page, expect
from xkld_shared.testing.system import random_cccd, random_mobile

from .conftest import screenshot, sign_in
from .journey_api import day, licensed_enterprise, orientation_course, trained
from .stack import Stack

pytestmark = pytest.mark.timeout(900)


async def register(page: Page, stack: Stack, name: str) -> str:
    """Fills the intake form like an officer would; answers the new file's id."""
    await page.goto(stack.url + "/files/new")
    await page.get_by_label("Họ và tên").fill(name)
    await page.get_by_label("Số CCCD (12 chữ số)").fill(random_cccd(2000, "female"))
    await page.get_by_label("Ngày sinh").fill("2000-05-09")
    await page.get_by_label("Giới tính").select_option("female")
    await page.get_by_label("Số điện thoại di động").fill(random_mobile())
    await page.get_by_label("Mã dân tộc (01 = Kinh)").fill("01")
    await page.get_by_label("Hộ gia đình").select_option("near_poor")
    await page.get_by_label("Xã/phường (mã hoặc tên; mã cũ được chuyển đổi)").fill("29791")
    await page.get_by_role("button", name=re.compile("29800")).click()
    await page.get_by_label("Ấp/thôn").fill("Ấp Tân Thuận")
    await page.get_by_label("Hộ cận nghèo").check()
    await page.get_by_label("Nhận tin nhắn SMS về từng bước").check()
    await page.get_by_label("Thị trường mong muốn").select_option("JP_TITP")
    await screenshot(page, "intake")
    await page.get_by_role("button", name="Lưu hồ sơ").click()
    await page.wait_for_url(re.compile(r"/files/[0-9a-f-]{36}"))
    return page.url.split("/files/")[1].split("?")[0]


async def take(page: Page, step: str, fields: dict[str, str] | None = None) -> None:
    await page.locator("summary", has_text=step).first.click()  # opens the step's form
    form = page.locator("details[open] form")
    for label, value in (fields or {}).items():
        field = form.get_by_label(label).first  # a required field's label ends with *
        if await field.evaluate("e => e.tagName") == "SELECT":
            await field.select_option(value)
        else:
            await field.fill(value)
    async with page.expect_navigation():  # a step done sends the browser to the file anew
        await form.get_by_role("button", name=step).click()


async def test_a_file_goes_from_intake_to_a_check_in_abroad_through_the_browser(
    stack: Stack, context: BrowserContext
) -> None:
    officer = await context.new_page()
    await sign_in(officer, stack, "canbo")
    rid = await register(officer, stack, "Phạm Thị Dung")
    await expect(officer.get_by_role("heading", name="Phạm Thị Dung")).to_be_visible()
    await expect(officer.locator("main strong").first).to_have_text("Đã nộp hồ sơ")
    history = officer.locator("#history + .table-wrap tbody tr")
    await expect(history).to_have_count(1)  # the audit row and the event are one happening
    await expect(history).to_contain_text("Đã nộp hồ sơ")
    await expect(history).to_contain_text("canbo")
    await screenshot(officer, "file-new")

    assert context.browser is not None
    labour = await (await context.browser.new_context()).new_page()
    await sign_in(labour, stack, "laodong", f"/files/{rid}")
    await take(labour, "Xác nhận đủ điều kiện")
    await expect(labour.get_by_text("Đủ điều kiện", exact=True).first).to_be_visible()

    _, course_id = await orientation_course(stack)
    await trained(stack, rid, course_id)
    enterprise = await licensed_enterprise(stack)

    await officer.goto(f"{stack.url}/files/{rid}")
    await take(officer, "Không vay vốn")
    await take(
        officer,
        "Ghi nhận giấy khám sức khoẻ",
        {
            "Số chứng chỉ": "GKSK-2026-001",
            "Ngày cấp": day(-3),
            "Cơ sở khám sức khoẻ": "Bệnh viện Đa khoa Vĩnh Long",
            "Kết luận": "Đủ sức khoẻ đi làm việc ở nước ngoài",
        },
    )
    await take(
        officer,
        "Ghi nhận ký quỹ hoặc bảo lãnh",
        {
            "Hình thức": "guarantee",
            "Số chứng từ": "BL-0099",
        },
    )
    await labour.goto(f"{stack.url}/files/{rid}")
    await take(
        labour,
        "Ghi nhận hợp đồng đã ký",
        {
            "Doanh nghiệp": enterprise,
            "Số hợp đồng": "HĐ-77/2026",
            "Thị trường": "JP_TITP",
            "Chương trình (ví dụ TITP, EPS)": "TITP",
            "Chủ sử dụng lao động": "Kaisha Co.",
            "Thời hạn (tháng)": "36",
            "Lương tháng (đơn vị nhỏ nhất của đồng tiền)": "180000",
            "Loại tiền (ví dụ JPY)": "JPY",
            "Ngày ký": day(-1),
        },
    )
    await take(labour, "Ghi nhận thị thực", {"Số thị thực": "V-123456", "Ngày cấp": day(-1)})
    await take(labour, "Xếp lịch xuất cảnh", {"Ngày xuất cảnh": day(5)})
    await take(labour, "Ghi nhận đã xuất cảnh")
    await expect(labour.get_by_text("Đang ở nước ngoài").first).to_be_visible()

    await officer.goto(f"{stack.url}/files/{rid}")
    await screenshot(officer, "file-abroad")
    await take(
        officer,
        "Ghi nhận liên lạc định kỳ",
        {
            "Ngày": day(0),
            "Hình thức liên lạc": "phone",
            "Việc làm": "working",
            "Sức khoẻ, đời sống": "good",
            "Tiền gửi về (VND)": "12.500.000",
        },
    )
    await expect(officer.get_by_text("Đã ghi nhận liên lạc").first).to_be_visible()
    # The SMS sent to the worker say how they fared in words, not in the service's codes.
    delivered = officer.locator('td[data-status="delivered"]')
    for _ in range(30):  # the gateway reports delivery a moment after the send
        if await delivered.count():
            break
        await officer.wait_for_timeout(1000)
        await officer.reload()
    await expect(delivered.first).to_have_text("Đã đến máy")
    history = officer.locator("#history + .table-wrap tbody tr")
    await expect(history.filter(has_text="Đã ghi nhận liên lạc")).to_contain_text("canbo")
