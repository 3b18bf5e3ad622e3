"""A real browser (Debian's chromium, driven by Playwright) against the real stack."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import (
    Browser,
    BrowserContext,
    Page,
    ViewportSize,
    async_playwright,
    expect,
)
from xkld_shared.testing.infra import Namespace, Templates, TestInfra

from .stack import PASSWORD, Stack, start_stack

REPO = Path(__file__).resolve().parents[4]
SHOTS = Path(os.environ.get("XKLD_SCREENSHOTS", REPO / ".state-screenshots"))
expect.set_options(timeout=30_000)  # a busy machine answers slowly, not wrongly
DESKTOP: ViewportSize = {"width": 1366, "height": 768}
PHONE: ViewportSize = {"width": 390, "height": 844}


# Package scope: the browser tests run together on one worker (conftest.py at the root), and
# their stack and browser stop when the last of them ends, not when that worker's run does.
@pytest.fixture(scope="package")
async def stack(infra: TestInfra, templates: Templates, sms_gateway: str) -> AsyncIterator[Stack]:
    ns = await Namespace.create(infra, templates)
    try:
        running = await start_stack(ns, sms_gateway)
        try:
            yield running
        finally:
            await running.stop()
    finally:
        await ns.drop()


@pytest.fixture(scope="package")
async def browser() -> AsyncIterator[Browser]:
    executable = shutil.which("chromium")
    assert executable, "Debian's chromium is needed (./scripts/test installs it)"
    async with async_playwright() as pw:
        launched = await pw.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield launched
        await launched.close()


@pytest.fixture
async def context(browser: Browser) -> AsyncIterator[BrowserContext]:
    ctx = await browser.new_context(viewport=DESKTOP, locale="vi-VN")
    ctx.set_default_timeout(30_000)
    yield ctx
    await ctx.close()


async def sign_in(page: Page, stack: Stack, username: str, path: str = "/") -> None:
    await page.goto(f"{stack.url}/login?next={path}")
    await page.get_by_label("Tên đăng nhập").fill(username)
    await page.get_by_label("Mật khẩu").fill(PASSWORD)
    await page.get_by_role("button", name="Đăng nhập").click()
    await page.wait_for_url(f"{stack.url}{path}*")


WIDTHS: tuple[tuple[str, ViewportSize], ...] = (("1366", DESKTOP), ("390", PHONE))


async def screenshot(page: Page, name: str) -> None:
    """Every screen at both widths, into a git-ignored folder."""
    for label, size in WIDTHS:
        await page.set_viewport_size(size)
        await capture(page, name, label)
    await page.set_viewport_size(DESKTOP)


async def capture(page: Page, name: str, label: str) -> None:
    """The whole page at the width it is shown at now."""
    SHOTS.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - a local directory
    await page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
