"""Signing in, the language switch, and the session's edges, in a real browser."""

from __future__ import annotations

import pytest
from playwright.async_api import BrowserContext, expect

from .conftest import screenshot, sign_in
from .stack import Stack

pytestmark = pytest.mark.timeout(900)  # the module's stack starts six processes on two cores


async def test_a_commune_officer_signs_in_and_sees_their_files_by_stage(
    stack: Stack, context: BrowserContext
) -> None:
    page = await context.new_page()
    await page.goto(stack.url)
    await expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    await screenshot(page, "login")
    await sign_in(page, stack, "canbo")
    await expect(page.get_by_role("heading", name="Hồ sơ theo giai đoạn")).to_be_visible()
    await screenshot(page, "home-commune")


async def test_the_english_switch_persists_across_pages(
    stack: Stack, context: BrowserContext
) -> None:
    page = await context.new_page()
    await sign_in(page, stack, "canbo")
    await page.get_by_role("button", name="English").click()
    await expect(page.get_by_role("heading", name="Files by stage")).to_be_visible()
    await page.goto(stack.url + "/")
    await expect(page.get_by_role("heading", name="Files by stage")).to_be_visible()
    await page.get_by_role("button", name="Tiếng Việt").click()
    await expect(page.get_by_role("heading", name="Hồ sơ theo giai đoạn")).to_be_visible()


async def test_a_wrong_password_is_refused_in_place(stack: Stack, context: BrowserContext) -> None:
    page = await context.new_page()
    await page.goto(stack.url + "/login")
    await page.get_by_label("Tên đăng nhập").fill("canbo")
    await page.get_by_label("Mật khẩu").fill("sai mat khau")
    await page.get_by_role("button", name="Đăng nhập").click()
    await expect(page.get_by_role("alert")).to_contain_text("Sai tên đăng nhập hoặc mật khẩu")


async def test_a_form_without_its_csrf_token_is_refused(
    stack: Stack, context: BrowserContext
) -> None:
    page = await context.new_page()
    await sign_in(page, stack, "canbo")
    answer = await page.request.post(stack.url + "/logout", form={"csrf_token": "forged" * 5})
    assert answer.status == 403
    await page.goto(stack.url + "/")
    await expect(page.get_by_role("heading", name="Hồ sơ theo giai đoạn")).to_be_visible()
