"""SMS and administration in a real browser against the real stack: the live segment counter,
a manual SMS that names who will not receive it, the audit trail without values, and an
account the administrator creates and its owner then uses."""

from __future__ import annotations

import uuid

import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect
from xkld_shared.identity.principal import Role
from xkld_shared.testing.http import local_client
from xkld_shared.testing.kafka import eventually
from xkld_shared.testing.system import consents, registration_body

from .conftest import DESKTOP, screenshot, sign_in
from .stack import HOME_COMMUNES, Stack

pytestmark = pytest.mark.timeout(900)  # the stack starts six processes on two cores


async def _counter(page: Page) -> tuple[str, str, str]:
    """(encoding, characters left, segments) as the counter shows them now."""
    box = page.locator("#counter")
    encoding = await box.locator("[data-encoding]").get_attribute("data-encoding") or ""
    left = await box.locator("[data-left]").inner_text()
    segments = await box.locator("[data-segments]").inner_text()
    return encoding, left, segments


async def test_live_counter_the_sms_counter_changes_as_the_officer_types_diacritics(
    stack: Stack, context: BrowserContext
) -> None:
    page = await context.new_page()
    await sign_in(page, stack, "laodong", "/sms/templates")
    await expect(page.get_by_role("heading", name="Mẫu tin nhắn")).to_be_visible()
    await screenshot(page, "sms-templates")
    await page.get_by_role("link", name="Xem trước mẫu Từ chối cho vay").click()
    await expect(page.get_by_role("heading", name="Mẫu tin nhắn: Từ chối cho vay")).to_be_visible()
    await screenshot(page, "sms-template-editor")

    text = page.get_by_label("Nội dung tin nhắn")
    await text.fill("")
    await page.get_by_label("Giữ dấu tiếng Việt (gửi bằng UCS-2 khi nội dung có dấu)").check()
    await text.press_sequentially("Hop lop luc 8 gio", delay=20)
    left = page.locator("#counter [data-left]")
    await expect(left).to_have_text("143")  # 160 - 17, once the debounced preview answered
    encoding = page.locator("#counter [data-encoding]")
    await expect(encoding).to_have_attribute("data-encoding", "gsm7")
    await expect(encoding).to_have_text("GSM-7 (không dấu)")
    await expect(page.locator("[data-ucs2-warning]")).to_have_count(0)
    plain = await _counter(page)

    await text.press_sequentially("ộ", delay=20)
    await expect(encoding).to_have_attribute("data-encoding", "ucs2")
    await expect(encoding).to_have_text("UCS-2 (có dấu)")
    await expect(page.locator("[data-ucs2-warning]")).to_contain_text("buộc gửi bằng UCS-2")
    await expect(left).to_have_text("52")  # 70 - 18
    accented = await _counter(page)
    assert accented != plain
    await screenshot(page, "sms-template-counter-ucs2")
    # nothing was saved: the template other tests rely on is unchanged


async def _file_without_sms_consent(stack: Stack) -> str:
    """A worker of the officer's commune who said no to SMS, known to notifications."""
    officer = stack.ns.auth(Role.COMMUNE_OFFICER, communes=HOME_COMMUNES, username="canbo")
    tag = "".join(chr(ord("a") + int(c, 16)) for c in uuid.uuid4().hex[:5]).capitalize()
    body = registration_body(
        full_name=f"Đỗ Thị Không Nhận {tag}",
        consents=consents(sms_notifications=False),
    )
    async with local_client(timeout=60) as client:
        made = await client.post(
            f"{stack.service('registration')}/registrations", headers=officer, json=body
        )
        assert made.status_code == 201, made.text
        rid = str(made.json()["registration_id"])

        async def known() -> bool:
            url = f"{stack.service('notifications')}/sms/contacts/{rid}"
            return (await client.get(url, headers=officer)).status_code == 200

        await eventually(known, timeout=120)
    return rid


async def test_a_manual_sms_names_who_will_not_receive_it_and_the_audit_shows_no_values(
    stack: Stack, context: BrowserContext, browser: Browser
) -> None:
    rid = await _file_without_sms_consent(stack)
    page = await context.new_page()
    await sign_in(page, stack, "canbo", "/sms/messages/new")
    await expect(page.get_by_role("heading", name="Gửi tin nhắn", exact=True)).to_be_visible()
    secret = f"Hop lop luc {uuid.uuid4().hex[:6]}"
    await page.get_by_label("Nội dung tin nhắn").press_sequentially(secret, delay=10)
    await expect(page.locator("#counter [data-encoding]")).to_have_attribute(
        "data-encoding", "gsm7"
    )
    await page.get_by_label("Mã hồ sơ khác (cách nhau bằng dấu cách hoặc dấu phẩy)").fill(rid)
    await screenshot(page, "sms-manual")
    await page.get_by_role("button", name="Gửi tin nhắn").click()
    await expect(page.get_by_role("heading", name="Đã gửi tin nhắn")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Đỗ Thị Không Nhận")
    await expect(row.locator("[data-reason]")).to_have_text("Không đồng ý nhận tin nhắn")
    await screenshot(page, "sms-manual-sent")

    admin_context = await browser.new_context(viewport=DESKTOP, locale="vi-VN")
    try:
        admin = await admin_context.new_page()
        await sign_in(admin, stack, "quantri", "/admin/audit")
        await admin.get_by_label("Người thực hiện (tên đăng nhập)").fill("canbo")
        await admin.get_by_label("Thao tác").select_option(label="Cán bộ đã gửi tin nhắn")
        await admin.get_by_role("button", name="Xem").click()
        sent = admin.get_by_role("cell", name="Cán bộ đã gửi tin nhắn", exact=True)
        await expect(sent.first).to_be_visible()
        await expect(admin.get_by_role("cell", name="Tin nhắn do cán bộ gửi").first).to_be_visible()
        await expect(admin.locator("tbody")).to_contain_text("recipients, template_version, text")
        assert secret not in await admin.content()  # the message itself is a value: not shown
        assert rid not in await admin.content()
        await screenshot(admin, "admin-audit")
    finally:
        await admin_context.close()


async def test_administration_the_administrator_creates_an_account_and_that_person_signs_in(
    stack: Stack, context: BrowserContext, browser: Browser
) -> None:
    username = f"cb-{uuid.uuid4().hex[:8]}"
    password = f"mat-khau-moi-{uuid.uuid4().hex[:8]}"
    page = await context.new_page()
    await sign_in(page, stack, "quantri")
    await page.get_by_role("link", name="Tài khoản", exact=True).click()
    await expect(page.get_by_role("heading", name="Tài khoản", exact=True)).to_be_visible()
    await screenshot(page, "admin-accounts")
    await page.get_by_label("Tên đăng nhập").fill(username)
    await page.get_by_label("Họ và tên").fill("Cán bộ Mới Tạo")
    await page.get_by_label("Mật khẩu ban đầu (ít nhất 12 ký tự)").fill(password)
    await page.locator("#account").get_by_label("Cán bộ xã", exact=True).check()
    await page.get_by_label("Xã (mã xã, cho cán bộ xã)").fill(HOME_COMMUNES[0])
    await page.get_by_role("button", name="Tạo tài khoản").click()
    await expect(page.get_by_role("heading", name=f"Tài khoản {username}")).to_be_visible()
    await expect(page.locator("[data-state]")).to_have_text("Đang hoạt động")
    await screenshot(page, "admin-account")

    await page.get_by_role("button", name="Khóa tài khoản").click()
    await expect(page.locator("[data-state]")).to_have_text("Đã khóa")
    await page.get_by_role("button", name="Mở khóa tài khoản").click()
    await expect(page.locator("[data-state]")).to_have_text("Đang hoạt động")

    fresh = await browser.new_context(viewport=DESKTOP, locale="vi-VN")
    try:
        person = await fresh.new_page()
        await person.goto(f"{stack.url}/login")
        await person.get_by_label("Tên đăng nhập").fill(username)
        await person.get_by_label("Mật khẩu").fill(password)
        await person.get_by_role("button", name="Đăng nhập").click()
        await expect(person.get_by_role("heading", name="Hồ sơ theo giai đoạn")).to_be_visible()
        await expect(person.locator(".who")).to_have_text(username)
    finally:
        await fresh.close()

    # The account's creation is in the audit trail, from identity's own, without its values.
    await page.goto(f"{stack.url}/admin/audit?service=identity&action=create&actor=quantri")
    rows = page.locator("tbody")
    await expect(rows.get_by_role("cell", name="Đã tạo tài khoản").first).to_be_visible()
    await expect(rows).to_contain_text("Tài khoản cán bộ")
    await expect(rows).to_contain_text("username")
    assert "Cán bộ Mới Tạo" not in await page.content()
