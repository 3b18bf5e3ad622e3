"""The labour officer's targets and the progress dashboard, and the report viewer's pages, in a
real browser against the real stack: targets uploaded as a CSV file give the right "đạt x%"
once reporting has counted a known number of registrations; and no page the report viewer can
reach (nor a chart or an export it links to) carries a worker's name, CCCD or phone."""

from __future__ import annotations

import asyncio
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from urllib.parse import urljoin, urlsplit

import pytest
from playwright.async_api import BrowserContext, FilePayload, Page, expect
from xkld_shared.identity.principal import Role
from xkld_shared.testing.http import local_client
from xkld_shared.testing.system import random_cccd, random_mobile, registration_body

from .conftest import screenshot, sign_in
from .stack import Stack

pytestmark = pytest.mark.timeout(900)

# Communes of Vĩnh Long (86) that no other browser module uses: the stack is shared.
TARGET_COMMUNE = "29836"
PRIVATE_COMMUNE = "29845"
COUNTED_WAIT_SECONDS = 240.0  # reporting is fed by events; a busy machine is slow, not wrong
WORKERS = ("Phan Thị Diễm Kiều", "Lâm Quốc Thạch Sanh", "Đoàn Ngọc Hồng Nhung")


async def _register(stack: Stack, commune: str, **fields: object) -> None:
    officer = stack.ns.auth(Role.COMMUNE_OFFICER, communes=(commune,), username="canbo")
    body = registration_body(commune_code=commune, **fields)
    async with local_client(base_url=stack.service("registration"), timeout=60) as client:
        answer = await client.post("/registrations", headers=officer, json=body)
    assert answer.status_code == 201, answer.text


async def _registered_count(stack: Stack, commune: str) -> int:
    """What reporting has counted so far (only to know when to look, not what is checked)."""
    viewer = stack.ns.auth(Role.REPORT_VIEWER, username="baocao")
    async with local_client(base_url=stack.service("reporting"), timeout=60) as client:
        answer = await client.get("/reports/progress", headers=viewer, params={"area": commune})
    answer.raise_for_status()
    line = answer.json()["areas"][0]
    return int(next(i["actual"] for i in line["indicators"] if i["indicator"] == "registered"))


async def _until_counted(stack: Stack, commune: str, at_least: int) -> None:
    deadline = asyncio.get_running_loop().time() + COUNTED_WAIT_SECONDS
    while await _registered_count(stack, commune) < at_least:
        assert asyncio.get_running_loop().time() < deadline, "reporting never counted them"
        await asyncio.sleep(2)


async def test_targets_uploaded_as_a_csv_file_give_the_right_percentage_on_the_dashboard(
    stack: Stack, context: BrowserContext
) -> None:
    for _ in range(3):
        await _register(stack, TARGET_COMMUNE)
    page = await context.new_page()
    await sign_in(page, stack, "laodong", "/targets")
    await screenshot(page, "progress-targets")
    year = int(await page.get_by_label("Năm", exact=True).first.input_value())
    sheet = (
        "area_code,year,quarter,indicator,market,value\r\n"
        f"{TARGET_COMMUNE},{year},,registered,,4\r\n"
        f"{TARGET_COMMUNE},{year},,departed,,8\r\n"
    )
    await page.locator("#f-sheet").set_input_files(
        files=[FilePayload(name="chi-tieu.csv", mimeType="text/csv", buffer=sheet.encode())]
    )
    await page.get_by_role("button", name="Tải lên chỉ tiêu").click()
    await expect(page.locator("#upload-report")).to_contain_text("Đã lưu: đọc 2 dòng")
    await expect(page.locator('#row-report tr[data-outcome="saved"]')).to_have_count(2)
    await screenshot(page, "progress-targets-uploaded")
    await page.get_by_label("Mã địa bàn (2 chữ số: tỉnh; 5 chữ số: xã)").fill(TARGET_COMMUNE)
    await page.get_by_label("Nội dung chỉ tiêu").select_option("trained")
    await page.get_by_label("Chỉ tiêu (số người, số món vay hoặc số đồng)").fill("5")
    await page.get_by_role("button", name="Lưu chỉ tiêu").click()
    await page.wait_for_url(f"**/targets?area={TARGET_COMMUNE}&year={year}*")
    table = page.locator("#targets-table")
    await expect(table).to_contain_text("Đã đăng ký")
    await expect(table.locator("tr", has_text="Đã đào tạo")).to_contain_text("5")
    await _until_counted(stack, TARGET_COMMUNE, 3)
    await page.goto(f"{stack.url}/progress?year={year}")
    await expect(page.locator("#as-of")).to_contain_text("Số liệu tính đến")
    await screenshot(page, "progress-province")
    await page.locator(f'tr[data-area="{TARGET_COMMUNE}"] a').click()
    row = page.locator('tr[data-indicator="registered"]')
    await expect(row).to_contain_text("đạt 75,0%")
    await expect(page.locator('tr[data-indicator="departed"]')).to_contain_text("đạt 0,0%")
    await expect(page.locator('tr[data-indicator="trained"] td').nth(1)).to_have_text("5")
    await expect(page.get_by_role("link", name="Quay lại toàn tỉnh")).to_be_visible()
    await screenshot(page, "progress-commune")


async def test_a_refused_target_file_names_the_row_in_vietnamese_and_saves_nothing(
    stack: Stack, context: BrowserContext
) -> None:
    page = await context.new_page()
    await sign_in(page, stack, "laodong", "/targets")
    sheet = "area_code,year,quarter,indicator,market,value\r\n29836,2026,7,registered,,4\r\n"
    await page.locator("#f-sheet").set_input_files(
        files=[FilePayload(name="sai.csv", mimeType="text/csv", buffer=sheet.encode())]
    )
    await page.get_by_role("button", name="Tải lên chỉ tiêu").click()
    report = page.locator("#upload-report")
    await expect(report).to_contain_text("Chưa lưu gì. Dòng 2: quý phải từ 1 đến 4")
    refused = page.locator('#row-report tr[data-row="2"][data-outcome="refused"]')
    await expect(refused).to_contain_text("Dòng 2: quý phải từ 1 đến 4")
    await screenshot(page, "progress-targets-refused")


async def test_the_labour_officer_sees_the_regimes_with_their_legal_basis(
    stack: Stack, context: BrowserContext
) -> None:
    page = await context.new_page()
    await sign_in(page, stack, "laodong", "/regimes")
    await expect(page.locator("#regimes-table")).to_contain_text("Nghị định 61/2015/NĐ-CP")
    # A figure the source leaves unknown is named as people name it, not by its field.
    provincial = page.locator('tr[data-regime="NQ37-2016-VL"]')
    await expect(provincial).to_contain_text("Chưa rõ (để trống): Hiệu lực từ ngày, Ngày kết thúc")
    await expect(provincial).not_to_contain_text("absolute_cap_vnd")
    # The notes on the sources, in Vietnamese for a Vietnamese reader.
    await expect(provincial).to_contain_text("Đã biết (Báo Vĩnh Long, 10/4/2018)")
    await expect(provincial).not_to_contain_text("Known (Báo Vĩnh Long")
    await expect(page.get_by_role("heading", name="Thêm chế độ vay")).to_be_visible()
    await screenshot(page, "progress-regimes")


def _spellings(phone: str, cccd: str, name: str) -> list[str]:
    """Each datum as it is commonly written: phone numbers grouped or international, CCCDs
    grouped by threes or fours, names in any case, with or without diacritics."""
    national = phone[1:]
    bare = (
        "".join(c for c in unicodedata.normalize("NFD", name) if unicodedata.category(c) != "Mn")
        .replace("Đ", "D")
        .replace("đ", "d")
    )
    found = [phone, f"+84{national}", f"84{national}", name, bare]
    for sep in (" ", ".", "-"):
        found.append(sep.join((phone[:4], phone[4:7], phone[7:])))
        found.append(sep.join((phone[:3], phone[3:6], phone[6:])))
        found.append(sep.join(cccd[i : i + 3] for i in range(0, 12, 3)))
        found.append(sep.join(cccd[i : i + 4] for i in range(0, 12, 4)))
    found.append(cccd)
    return found


def _texts_of(body: bytes) -> str:
    """A page, a chart or an export as text; an XLSX is a zip of XML parts, read each."""
    if body[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return "\n".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    return body.decode("utf-8", "replace")


LINKS = re.compile(r'(?:href|src)="([^"#]+)"')


def _same_origin_links(base: str, page_url: str, html: str) -> Iterable[str]:
    for found in LINKS.findall(html):
        url = urljoin(page_url, found.replace("&amp;", "&"))
        if urlsplit(url).netloc == urlsplit(base).netloc and "/static/" not in url:
            yield url


async def _crawl(page: Page, base: str) -> dict[str, str]:
    """Every page the report viewer can reach from home by links, GET only, as the browser
    context (its cookies) fetches them: HTML pages, chart images and export files."""
    seen: dict[str, str] = {}
    queue = [f"{base}/"]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        answer = await page.context.request.get(url)
        assert answer.status == 200, f"{url} answered {answer.status}"
        seen[url] = _texts_of(await answer.body())
        if "text/html" in answer.headers.get("content-type", ""):
            queue.extend(u for u in _same_origin_links(base, url, seen[url]) if u not in seen)
    return seen


async def test_no_page_the_report_viewer_can_reach_shows_a_name_cccd_or_phone(
    stack: Stack, context: BrowserContext
) -> None:
    people = [(random_mobile(), random_cccd(2000, "male"), name) for name in WORKERS]
    for phone, cccd, name in people:
        await _register(stack, PRIVATE_COMMUNE, full_name=name, cccd=cccd, phone=phone)
    await _until_counted(stack, PRIVATE_COMMUNE, len(people))
    page = await context.new_page()
    await sign_in(page, stack, "baocao")
    await screenshot(page, "progress-viewer-home")
    pages = await _crawl(page, stack.url)
    reached = {urlsplit(u).path for u in pages}
    for path in ("/progress", "/reports/loans", "/reports/sms", "/charts/progress.svg"):
        assert path in reached, f"{path} was not reached: {sorted(reached)}"
    assert any(f"area={PRIVATE_COMMUNE}" in u for u in pages), "the commune was not drilled into"
    leaks = [
        f"{url}: {said!r}"
        for url, text in pages.items()
        for phone, cccd, name in people
        for said in _spellings(phone, cccd, name)
        if said.casefold() in text.casefold()
    ]
    assert leaks == []
    for path in (
        "/progress",
        "/reports",
        "/reports/registrations",
        "/reports/training",
        "/reports/loans",
        "/reports/follow-up",
        "/reports/sms",
    ):
        await page.goto(stack.url + path)
        await screenshot(page, "progress-viewer" + path.replace("/", "-"))
