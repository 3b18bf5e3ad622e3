"""What the portal refuses, and how: a step the role may not take, a step the rules refuse,
another commune's file, a form sent twice, and a session that ended."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import BrowserContext, expect
from xkld_shared.identity.principal import Role
from xkld_shared.testing.http import local_client
from xkld_shared.testing.system import consents, registration_body

from .conftest import screenshot, sign_in
from .stack import Stack

pytestmark = pytest.mark.timeout(900)


async def new_file(stack: Stack, name: str, **changes: object) -> str:
    officer = stack.ns.auth(Role.COMMUNE_OFFICER, communes=("29800",), username="canbo")
    body = registration_body(full_name=name, commune_code="29800", **changes)
    async with local_client(base_url=stack.service("registration"), timeout=30) as client:
        answer = await client.post("/registrations", json=body, headers=officer)
        assert answer.status_code == 201, answer.text
        return str(answer.json()["registration_id"])


async def eligible(stack: Stack, rid: str) -> None:
    labour = stack.ns.auth(Role.LABOUR_OFFICER, province="86", username="laodong")
    async with local_client(base_url=stack.service("registration"), timeout=30) as client:
        answer = await client.post(f"/registrations/{rid}/eligibility", json={}, headers=labour)
        assert answer.status_code == 200, answer.text


async def test_a_step_the_role_may_not_take_has_no_button_and_is_refused_when_forced(
    stack: Stack, context: BrowserContext
) -> None:
    rid = await new_file(stack, "Trần Văn Khoa")
    page = await context.new_page()
    await sign_in(page, stack, "canbo", f"/files/{rid}")
    await expect(page.get_by_text("Rút hồ sơ").first).to_be_visible()
    await expect(page.get_by_text("Xác nhận đủ điều kiện")).to_have_count(0)
    csrf = await page.locator("input[name=csrf_token]").first.input_value()
    forced = await page.request.post(
        f"{stack.url}/files/{rid}/steps/eligibility", form={"csrf_token": csrf}
    )
    assert forced.status == 403
    await page.goto(f"{stack.url}/files/{rid}")
    await expect(page.get_by_text("Đã nộp hồ sơ").first).to_be_visible()


async def test_a_step_the_rules_refuse_shows_the_services_message_in_place(
    stack: Stack, context: BrowserContext
) -> None:
    rid = await new_file(stack, "Lê Thị Hoa", consents=consents(share_with_bank=False))
    await eligible(stack, rid)
    page = await context.new_page()
    await sign_in(page, stack, "canbo", f"/files/{rid}")
    await page.locator("summary", has_text="Đề nghị vay vốn NHCSXH").click()
    form = page.locator("details[open] form")
    await form.get_by_label("Số tiền đề nghị vay (VND)").fill("90.000.000")
    await form.get_by_label("Tiền dịch vụ").fill("60.000.000")
    await form.get_by_label("Vé máy bay").fill("40.000.000")
    await form.get_by_label("Thời hạn vay (tháng)").fill("24")
    await form.get_by_label("Thị trường").select_option("JP_TITP")
    await form.get_by_label("Chương trình cho vay").select_option("labour_export")
    await form.get_by_label("Thời hạn hợp đồng (tháng)").fill("36")
    await form.get_by_role("button", name="Đề nghị vay vốn NHCSXH").click()
    alert = page.locator("details[open] [role=alert]")
    await expect(alert).to_contain_text("chưa đồng ý chia sẻ hồ sơ với Ngân hàng")
    await expect(page.locator("details[open]").get_by_label("Tiền dịch vụ")).to_have_value(
        "60.000.000"
    )
    await screenshot(page, "file-step-refused")


async def test_another_communes_file_shows_the_not_found_page(
    stack: Stack, context: BrowserContext
) -> None:
    rid = await new_file(stack, "Võ Văn Tâm")
    page = await context.new_page()
    await sign_in(page, stack, "canbo.khac")
    answer = await page.goto(f"{stack.url}/files/{rid}")
    assert answer is not None
    assert answer.status == 404
    await expect(page.get_by_role("heading", name="Không tìm thấy")).to_be_visible()
    assert "Võ Văn Tâm" not in await page.content()
    await screenshot(page, "not-found")


async def test_an_intake_form_sent_twice_makes_one_file(
    stack: Stack, context: BrowserContext
) -> None:
    page = await context.new_page()
    await sign_in(page, stack, "canbo", "/files/new")
    body = registration_body(full_name="Đặng Thị Mai", commune_code="29800")
    form: dict[str, str | float | bool] = {
        "csrf_token": await page.locator("input[name=csrf_token]").first.input_value(),
        "form_key": await page.locator("input[name=form_key]").input_value(),
        **{k: str(v) for k, v in body.items() if isinstance(v, str)},
        "consents": "registration_processing",
    }
    first = await page.request.post(f"{stack.url}/files/new", form=form, max_redirects=0)
    again = await page.request.post(f"{stack.url}/files/new", form=form, max_redirects=0)
    assert (first.status, again.status) == (303, 303)
    assert first.headers["location"].split("?")[0] == again.headers["location"].split("?")[0]
    await page.goto(f"{stack.url}/files")
    await page.get_by_label("Họ tên (gõ có dấu hay không dấu đều được)").fill("dang thi mai")
    await page.get_by_role("button", name="Tìm").click()
    await expect(page.get_by_text("Tìm thấy 1 hồ sơ")).to_be_visible()


async def test_an_ended_session_signs_in_again_and_returns_to_its_page(
    stack: Stack, context: BrowserContext
) -> None:
    rid = await new_file(stack, "Huỳnh Văn Lợi")
    page = await context.new_page()
    await sign_in(page, stack, "canbo", f"/files/{rid}")
    await context.clear_cookies(name="xkld_session")
    await page.goto(f"{stack.url}/files/{rid}")
    await expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    await page.get_by_label("Tên đăng nhập").fill("canbo")
    await page.get_by_label("Mật khẩu").fill("mat-khau-thu-nghiem-2026")
    await page.get_by_role("button", name="Đăng nhập").click()
    await page.wait_for_url(re.compile(f"/files/{rid}$"))
    await expect(page.get_by_role("heading", name="Huỳnh Văn Lợi")).to_be_visible()


async def test_a_form_that_could_not_be_sent_keeps_what_was_typed_and_sends_once_later(
    stack: Stack, context: BrowserContext
) -> None:
    page = await context.new_page()
    await sign_in(page, stack, "canbo", "/files/new")
    body = registration_body(full_name="Ngô Thị Thu", commune_code="29800")
    await page.get_by_label("Họ và tên").fill("Ngô Thị Thu")
    await page.get_by_label("Số CCCD (12 chữ số)").fill(str(body["cccd"]))
    await page.get_by_label("Ngày sinh").fill(str(body["date_of_birth"]))
    await page.get_by_label("Giới tính").select_option(str(body["gender"]))
    await page.get_by_label("Số điện thoại di động").fill(str(body["phone"]))
    await page.get_by_label("Mã dân tộc (01 = Kinh)").fill("01")
    await page.get_by_label("Hộ gia đình").select_option("poor")
    await page.get_by_label("Xã/phường (mã hoặc tên; mã cũ được chuyển đổi)").fill("29800")
    await context.set_offline(True)
    await page.get_by_role("button", name="Lưu hồ sơ").click()
    await expect(page.get_by_role("status")).to_contain_text("Chưa gửi được biểu mẫu")
    await context.set_offline(False)
    await page.reload()  # even a reloaded page has the draft back, with its key
    await expect(page.get_by_label("Họ và tên")).to_have_value("Ngô Thị Thu")
    await expect(page.get_by_role("status")).to_contain_text("Đã khôi phục bản nháp")
    await page.get_by_role("button", name="Lưu hồ sơ").click()
    await page.wait_for_url(re.compile(r"/files/[0-9a-f-]{36}"))
    await page.goto(f"{stack.url}/files/new")
    await expect(page.get_by_label("Họ và tên")).to_have_value("")  # the sent draft is gone


async def test_a_sheet_is_checked_first_then_imported_once(
    stack: Stack, context: BrowserContext, tmp_path: Path
) -> None:
    rows = [registration_body(commune_code="29800") for _ in range(2)]
    sheet = tmp_path / "ho-so.csv"
    lines = [
        "Họ và tên,Số CCCD,Ngày sinh,Giới tính,Số điện thoại,Mã xã,Mã dân tộc,Hộ nghèo,"
        "Đồng ý xử lý hồ sơ,Đồng ý nhận SMS,Đồng ý chia sẻ doanh nghiệp,"
        "Đồng ý chia sẻ ngân hàng"
    ]
    for name, row in zip(("Nguyễn Văn Nhập", "Trần Văn Nhập"), rows, strict=True):
        lines.append(
            f"{name},{row['cccd']},{row['date_of_birth']},nam,"
            f"{row['phone']},29800,01,không,có,có,không,không"
        )
    lines.append("Sai Dòng,123,2000-01-01,nam,0900,29800,01,không,có,có,không,không")
    sheet.write_text("\n".join(lines) + "\n", encoding="utf-8")
    page = await context.new_page()
    await sign_in(page, stack, "canbo", "/imports")
    await page.get_by_label("Tệp").set_input_files(str(sheet))
    await page.get_by_role("button", name="Kiểm tra tệp (chưa lưu gì)").click()
    await expect(page.get_by_text("Kết quả kiểm tra")).to_be_visible()
    await expect(page.locator("tbody tr")).to_have_count(3)
    await screenshot(page, "import-check")
    await page.get_by_role("button", name="Nhập các dòng hợp lệ").click()
    await expect(page.get_by_role("heading", name="Đã nhập")).to_be_visible()
    await expect(page.get_by_text("hồ sơ mới: 2")).to_be_visible()
