"""A trainee who stays, through the browser alone: the commune officer takes them in (a refused
CCCD first, its message beside the field), the training centre enrols them with the distance,
marks a day and records the pass, the labour officer sets the tuition, reads and downloads the
support sheet and pays it after confirming (a second tab then hears, politely, that nobody is
left to pay), and the commune officer records their work after training from the reminders."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from playwright.async_api import BrowserContext, Page, expect
from xkld_shared.clock import vietnam_today
from xkld_shared.identity.principal import Role
from xkld_shared.testing.http import local_client
from xkld_shared.testing.system import random_cccd, random_mobile

from .conftest import screenshot, sign_in
from .stack import Stack

pytestmark = pytest.mark.timeout(900)  # the module's stack starts six processes on two cores


def _day(offset: int) -> str:
    return (vietnam_today() + dt.timedelta(days=offset)).isoformat()


async def _vocational_course(stack: Stack) -> str:
    """Opening a course is the labour officer's own screen, tested elsewhere; here it is set."""
    code = f"NGHE-{uuid.uuid4().hex[:6].upper()}"
    labour = stack.ns.auth(Role.LABOUR_OFFICER, province="86", username="laodong")
    body = {
        "code": code,
        "course_type": "vocational",
        "title": "Nuôi trồng thuỷ sản nước ngọt",
        "provider": "Trung tâm GDNN-GDTX Long Hồ",
        "venue": "Xã Tân Quới",
        "starts_on": _day(-20),
        "ends_on": _day(10),
        "capacity": 20,
    }
    async with local_client(base_url=stack.service("registration"), timeout=60) as client:
        answer = await client.post("/courses", headers=labour, json=body)
    assert answer.status_code == 201, answer.text
    return code


async def _sign_out(page: Page) -> None:
    await page.get_by_role("button", name="Đăng xuất").click()
    await page.wait_for_url("**/login*")


async def _take_in(page: Page, name: str) -> str:
    """The intake form, refused once for a short CCCD; answers the trainee's code."""
    await page.get_by_role("link", name="Nhận học viên").first.click()
    await page.get_by_label("Họ và tên").fill(name)
    await page.get_by_label("Số CCCD (12 chữ số)").fill("08630")
    await page.get_by_label("Ngày sinh").fill("2000-04-15")
    await page.get_by_label("Giới tính").select_option("female")
    await page.get_by_label("Số điện thoại di động").fill(random_mobile())
    await page.get_by_label("Mã dân tộc (01 = Kinh)").fill("01")
    await page.get_by_label("Hộ gia đình").select_option("poor")
    await page.get_by_label("Xã/phường (mã hoặc tên; mã cũ được chuyển đổi)").fill("29800")
    await page.get_by_label("Người khuyết tật", exact=True).check()
    await page.get_by_label("Phụ nữ", exact=True).check()
    await page.get_by_role("button", name="Lưu học viên").click()
    await expect(page.locator("#err-cccd")).to_have_text("Số CCCD phải gồm đúng 12 chữ số")
    await expect(page.locator("#f-cccd")).to_have_attribute("aria-invalid", "true")
    await screenshot(page, "trainee-intake-refused")
    await page.get_by_label("Số CCCD (12 chữ số)").fill(random_cccd(2000, "female"))
    await page.get_by_role("button", name="Lưu học viên").click()
    await page.wait_for_url(re.compile(r"/trainees/[0-9a-f-]{36}\?done="))
    await expect(page.get_by_role("heading", name=name)).to_be_visible()
    return page.url.split("/trainees/")[1].split("?")[0]


async def _train(page: Page, code: str, tid: str, name: str) -> None:
    await page.get_by_role("link", name=code).click()
    enrol = page.locator("#trainee-enrol")
    await enrol.get_by_label("Mã học viên").fill(tid)
    await enrol.get_by_label("Khoảng cách từ nhà đến nơi học (km)").fill("16,5")
    await enrol.get_by_role("button", name="Ghi danh học viên này").click()
    await page.wait_for_url(f"**/courses/{code}?done=*")
    row = page.get_by_role("row").filter(has_text=name)
    await expect(row).to_contain_text("16.5")

    attendance = page.locator("#trainee-attendance")
    await attendance.get_by_label("Học viên").select_option(tid)
    await attendance.get_by_label("Ngày học").fill(_day(-3))
    await attendance.get_by_label("Có mặt").check()
    await attendance.get_by_role("button", name="Điểm danh học viên này").click()
    await page.wait_for_url(f"**/courses/{code}?done=*")
    present = page.get_by_role("row").filter(has_text=name).get_by_role("cell").nth(2)
    await expect(present).to_have_text("1")

    result = page.locator("#trainee-result")
    await result.get_by_label("Học viên").select_option(tid)
    await result.get_by_label("Đạt", exact=True).check()
    await result.get_by_label("Số chứng chỉ").fill(f"SC-{tid[:8]}")
    await result.get_by_role("button", name="Ghi kết quả học viên").click()
    await page.wait_for_url(f"**/courses/{code}?done=*")
    await expect(page.get_by_role("row").filter(has_text=name)).to_contain_text("Đạt")
    await screenshot(page, "course-trainees")


async def _review_payment(page: Page) -> None:
    await page.locator("#pay").get_by_role("button", name="Xem lại trước khi chi trả").click()
    await expect(page.get_by_role("heading", name=re.compile("Xác nhận chi trả"))).to_be_visible()


async def _support_and_pay(
    page: Page, context: BrowserContext, stack: Stack, code: str, name: str
) -> None:
    await page.goto(f"{stack.url}/courses/{code}/support")
    await expect(page.get_by_role("status")).to_contain_text("chưa có mức học phí")
    await page.locator("#terms").get_by_label("Học phí một học viên (đồng)").fill("8.000.000")
    await page.locator("#terms").get_by_role("button", name="Lưu mức học phí").click()
    await page.wait_for_url(f"**/courses/{code}/support?done=*")
    line = page.get_by_role("row").filter(has_text=name)
    # Disability: cost capped at 6,000,000; one day's meals; travel 300,000 from 5 km.
    await expect(line).to_contain_text("6.330.000 ₫")
    await expect(line).to_contain_text("Được hỗ trợ, chưa chi trả")
    await screenshot(page, "support-sheet")
    async with page.expect_download() as download:
        await page.get_by_role("link", name="Tải bảng kê (XLSX)").click()
    assert (await download.value).suggested_filename == f"bang-ke-{code}.xlsx"

    second = await context.new_page()  # a second tab, reviewing the same sheet
    await second.goto(page.url)
    await _review_payment(second)
    await _review_payment(page)
    await expect(page.get_by_text("Chi trả cho 1 học viên, tổng cộng 6.330.000 ₫")).to_be_visible()
    await screenshot(page, "support-confirm")
    await page.get_by_role("button", name="Xác nhận: ghi nhận chi trả").click()
    await page.wait_for_url(f"**/courses/{code}/support?done=*")
    await expect(page.get_by_role("row").filter(has_text=name)).to_contain_text("Đã chi trả")

    await second.get_by_role("button", name="Xác nhận: ghi nhận chi trả").click()
    await expect(second.get_by_role("status").first).to_contain_text("Chưa chi trả gì")
    await expect(second.get_by_role("alert")).to_have_count(0)
    await screenshot(second, "support-nothing-to-pay")
    await second.close()


async def _record_outcome(page: Page, stack: Stack, name: str) -> None:
    await page.get_by_role("link", name="Cần ghi nhận việc làm sau học nghề").first.click()
    await page.get_by_role("row").filter(has_text=name).get_by_role("link", name=name).click()
    await expect(page.get_by_text("6.330.000 ₫")).to_be_visible()  # the support received
    form = page.locator("#outcome")
    await form.get_by_label("Hiện nay học viên làm gì").select_option("work_in_trade")
    await screenshot(page, "trainee")
    await form.get_by_role("button", name="Ghi nhận việc làm").click()
    await page.wait_for_url(re.compile(r"/trainees/[0-9a-f-]{36}\?done="))
    await expect(page.get_by_role("row").filter(has_text="Nuôi trồng")).to_contain_text(
        "Làm đúng nghề đã học"
    )
    await page.goto(f"{stack.url}/trainees/due")
    await expect(page.get_by_role("row").filter(has_text=name)).to_have_count(0)


async def test_a_trainee_goes_from_intake_through_training_and_support_to_work_after_training(
    stack: Stack, context: BrowserContext
) -> None:
    code = await _vocational_course(stack)
    name = "Đặng Thị " + "".join(chr(ord("a") + int(c, 16)) for c in uuid.uuid4().hex[:6]).title()
    page = await context.new_page()
    await sign_in(page, stack, "canbo")
    tid = await _take_in(page, name)
    await _sign_out(page)

    await sign_in(page, stack, "daotao")
    await _train(page, code, tid, name)
    await _sign_out(page)

    await sign_in(page, stack, "laodong")
    await _support_and_pay(page, context, stack, code, name)
    await _sign_out(page)

    await sign_in(page, stack, "canbo")
    await _record_outcome(page, stack, name)
