"""The labour-demand survey in a real browser against the real stack (issue 16): a commune
officer opens a round, records a household of two members (the second added with htmx) and
finds both counted in the round's roll-up; an import's dry run shows a bad row's Vietnamese
message; and axe finds no serious problem on the survey's screens, with content, at both
widths."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, BrowserContext, FilePayload, Page, expect
from xkld_shared.identity.principal import Role
from xkld_shared.testing.http import local_client
from xkld_shared.testing.system import registration_body

from .conftest import DESKTOP, sign_in
from .stack import HOME_COMMUNES, Stack
from .test_accessibility import Findings, visit


@pytest.fixture
async def axe_context(browser: Browser) -> AsyncIterator[BrowserContext]:
    """As in the accessibility walk: CSP bypassed only so that axe can be injected."""
    ctx = await browser.new_context(viewport=DESKTOP, locale="vi-VN", bypass_csp=True)
    ctx.set_default_timeout(30_000)
    yield ctx
    await ctx.close()


COLUMNS = (
    "Số hộ,Ấp,Họ và tên,Nhóm tuổi,Giới tính,Học vấn,Công việc hiện tại,Muốn học nghề,"
    "Nghề muốn học,Muốn đi nước ngoài,Thị trường,Khi nào đi,Cần vay vốn,Nhóm ưu tiên,"
    "Đồng ý liên hệ"
)
SHEET = "\n".join(
    [
        COLUMNS,
        "1,Ấp Tân Phú,Trần Văn Bình,18-24,Nam,THPT,Làm nông,Không,,Không,,,Có,,Có",
        "2,Ấp Tân Hòa,Phạm Văn Em,90-99,Nam,THCS,Làm nông,Không,,Không,,,Có,,Có",
    ]
).encode()

UPLOAD: FilePayload = {"name": "phieu.csv", "mimeType": "text/csv", "buffer": SHEET}
pytestmark = pytest.mark.timeout(900)  # the stack starts seven processes on two cores


def _today() -> dt.date:
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=7))).date()


async def _round_by_api(stack: Stack, title: str) -> str:
    officer = stack.ns.auth(Role.COMMUNE_OFFICER, communes=HOME_COMMUNES, username="canbo")
    body = {
        "commune_code": HOME_COMMUNES[0],
        "title": title,
        "period_start": _today().isoformat(),
        "period_end": (_today() + dt.timedelta(days=60)).isoformat(),
    }
    async with local_client(base_url=stack.service("outreach"), timeout=60) as client:
        answer = await client.post(
            "/survey-rounds", headers=officer | {"Idempotency-Key": str(uuid.uuid4())}, json=body
        )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["round_id"])


async def _fill_member(page: Page, i: int, band: str, gender: str, work: str) -> None:
    await page.locator(f"#f-m{i}-age_band").select_option(band)
    await page.locator(f"#f-m{i}-gender").select_option(gender)
    await page.locator(f"#f-m{i}-education").select_option("upper_secondary")
    await page.locator(f"#f-m{i}-current_work").select_option(work)
    await page.locator(f"#f-m{i}-contact_consent").check()


async def test_a_commune_officer_records_a_household_and_sees_the_roll_up_count_it(
    stack: Stack, context: BrowserContext
) -> None:
    page = await context.new_page()
    await sign_in(page, stack, "canbo")
    await page.get_by_role("link", name="Khảo sát nhu cầu lao động").first.click()
    title = f"Khảo sát {uuid.uuid4().hex[:6]}"
    await page.locator("#f-title").fill(title)
    await page.locator("#f-period_start").fill(_today().isoformat())
    await page.locator("#f-period_end").fill((_today() + dt.timedelta(days=30)).isoformat())
    await page.get_by_role("button", name="Mở đợt khảo sát").click()
    await expect(page.get_by_role("heading", name=title)).to_be_visible()
    await page.get_by_role("link", name="Ghi phiếu một hộ").click()
    await page.locator("#f-hamlet").fill("Ấp Tân Thuận")
    await _fill_member(page, 0, "25-29", "male", "farming")
    await page.locator("#f-m0-wants_abroad").check()
    await page.locator("#f-m0-market_code").select_option(index=1)
    await page.locator("#f-m0-abroad_when").select_option("within_6_months")
    await page.get_by_role("button", name="Thêm một người").focus()
    await page.keyboard.press("Enter")  # by keyboard: the focus lands in the new member
    await expect(page.locator("#f-m1-age_band")).to_be_focused()  # htmx, no reload
    await _fill_member(page, 1, "18-24", "female", "student")
    await page.locator("#f-m1-wants_training").check()
    await page.locator("#f-m1-trade_code").fill("MAY_CN")
    await page.get_by_role("button", name="Lưu phiếu hộ").click()
    await expect(page.get_by_role("heading", name="Các hộ đã ghi: 1")).to_be_visible()
    await expect(page.get_by_role("link", name="Lập hồ sơ đăng ký")).to_have_count(1)
    await page.get_by_role("link", name="Tổng hợp của đợt này").first.click()
    totals = page.locator("section[aria-labelledby=totals] tbody td")
    await expect(totals.nth(0)).to_have_text("2")  # members
    await expect(totals.nth(1)).to_have_text("1")  # households
    await expect(page.locator("#by_trade + .table-wrap")).to_contain_text("MAY_CN")


async def test_an_import_dry_run_shows_a_bad_rows_message(
    stack: Stack, context: BrowserContext
) -> None:
    round_id = await _round_by_api(stack, "Nhập thử")
    page = await context.new_page()
    await sign_in(page, stack, "canbo", f"/survey-rounds/{round_id}/import")
    await page.locator("#f-sheet").set_input_files(files=UPLOAD)
    await page.get_by_role("button", name="Kiểm tra tệp (chưa lưu gì)").click()
    report = page.locator("section[aria-labelledby=report] tbody")
    await expect(report.locator("tr").nth(1)).to_contain_text("Bị từ chối")
    await expect(report.locator("tr").nth(1)).to_contain_text("age_band")
    await expect(report.locator("tr").nth(0)).to_contain_text("Hợp lệ, sẽ được ghi")
    await page.get_by_role("button", name="Nhập các hộ hợp lệ").click()
    await expect(page.get_by_role("heading", name="Đã nhập")).to_be_visible()
    await page.goto(f"{stack.url}/survey-rounds/{round_id}")
    await expect(page.get_by_role("heading", name="Các hộ đã ghi: 1")).to_be_visible()


async def test_the_survey_screens_have_no_serious_accessibility_problem_at_both_widths(
    stack: Stack, axe_context: BrowserContext
) -> None:
    round_id = await _round_by_api(stack, "Khảo sát để kiểm tra")
    findings = Findings()
    page = await axe_context.new_page()
    await sign_in(page, stack, "canbo", f"/survey-rounds/{round_id}/households/new")
    await page.evaluate("() => { document.getElementById('household').noValidate = true; }")
    await page.get_by_role("button", name="Thêm một người").click()
    await expect(page.locator("#f-m1-age_band")).to_be_visible()
    await findings.check(page, "survey-household-two-members")
    await page.get_by_role("button", name="Lưu phiếu hộ").click()
    await expect(page.locator(".field-error").first).to_be_visible()
    await findings.check(page, "survey-household-refused")
    await page.locator("#f-hamlet").fill("Ấp Tân Thuận")
    await _fill_member(page, 0, "30-34", "male", "wage_work")
    await _fill_member(page, 1, "18-24", "female", "student")
    await page.locator("#f-m0-wants_abroad").check()
    await page.locator("#f-m0-market_code").select_option(index=1)
    await page.locator("#f-m0-abroad_when").select_option("within_12_months")
    await page.get_by_role("button", name="Lưu phiếu hộ").click()
    await expect(page.get_by_role("heading", name="Các hộ đã ghi: 1")).to_be_visible()
    await findings.check(page, "survey-round-with-household")
    await page.get_by_role("link", name="Lập hồ sơ đăng ký").click()
    await expect(page.locator("input[name=outreach_respondent_id]")).to_have_count(1)
    await findings.check(page, "survey-conversion-intake")
    for path in ("/survey-rounds", f"/survey-rollups?round_id={round_id}"):
        await visit(page, stack, path, findings, f"canbo{path.split('?')[0].replace('/', '-')}")
    await page.goto(f"{stack.url}/survey-rounds/{round_id}/import")
    await page.locator("#f-sheet").set_input_files(files=UPLOAD)
    await page.get_by_role("button", name="Kiểm tra tệp (chưa lưu gì)").click()
    await expect(page.get_by_role("button", name="Nhập các hộ hợp lệ")).to_be_visible()
    await findings.check(page, "survey-import-dry-run")
    await axe_context.clear_cookies()
    labour = await axe_context.new_page()
    await sign_in(labour, stack, "laodong")
    for path in ("/survey-rounds", f"/survey-rounds/{round_id}", "/survey-rollups"):
        await visit(labour, stack, path, findings, f"laodong{path.replace('/', '-')}")
    findings.assert_clean()


async def _household_by_api(stack: Stack, round_id: str) -> str:
    """One member who wants to go to Korea; answers the respondent's id."""
    officer = stack.ns.auth(Role.COMMUNE_OFFICER, communes=HOME_COMMUNES, username="canbo")
    member = {
        "full_name": "Nguyễn Văn Thành",
        "age_band": "25-29",
        "gender": "male",
        "education": "upper_secondary",
        "current_work": "farming",
        "wants_training": False,
        "wants_abroad": True,
        "market_code": "KR_EPS",
        "abroad_when": "within_6_months",
        "needs_loan": True,
        "priority_groups": ["demobilised_soldier"],
        "contact_consent": True,
    }
    keyed = officer | {"Idempotency-Key": str(uuid.uuid4())}
    async with local_client(base_url=stack.service("outreach"), timeout=60) as client:
        made = await client.post(
            f"/survey-rounds/{round_id}/households",
            headers=keyed,
            json={"hamlet": "Ấp Tân Thuận", "members": [member]},
        )
        assert made.status_code == 201, made.text
        shown = await client.get(f"/survey-rounds/{round_id}", headers=officer)
    return str(shown.json()["households"][0]["members"][0]["respondent_id"])


async def test_a_respondent_converted_from_two_tabs_becomes_one_file(
    stack: Stack, context: BrowserContext
) -> None:
    """Two intake forms opened from the survey, each with its own key, both sent: registration
    keys the file by the respondent, so both land on the same file."""
    respondent = await _household_by_api(stack, await _round_by_api(stack, "Chuyển đổi"))
    extra = registration_body()
    first = await context.new_page()
    await sign_in(first, stack, "canbo", f"/survey-respondents/{respondent}/intake")
    second = await context.new_page()
    await second.goto(f"{stack.url}/survey-respondents/{respondent}/intake")
    for page in (first, second):
        await expect(page.locator("#f-full_name")).to_have_value("Nguyễn Văn Thành")
        await expect(page.locator("#f-pg-demobilised_soldier")).to_be_checked()
        await page.locator("#f-cccd").fill(str(extra["cccd"]))
        await page.locator("#f-date_of_birth").fill(str(extra["date_of_birth"]))
        await page.locator("#f-phone").fill(str(extra["phone"]))
        await page.locator("#f-ethnicity_code").fill("01")
        await page.locator("#f-household_poverty").select_option("poor")
    files = []
    for page in (first, second):
        await page.get_by_role("button", name="Lưu hồ sơ").click()
        await page.wait_for_url(f"{stack.url}/files/*")
        files.append(page.url.split("/files/")[1].split("?")[0])
    assert files[0] == files[1], files
