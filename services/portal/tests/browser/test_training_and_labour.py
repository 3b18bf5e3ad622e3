"""The training centre's and the labour officer's screens, in a real browser: eligibility,
courses, enrolment, attendance, results and certificates, enterprises, markets."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from playwright.async_api import BrowserContext, Page, expect
from xkld_shared.identity.principal import Role
from xkld_shared.testing.http import local_client
from xkld_shared.testing.system import registration_body

from .conftest import screenshot, sign_in
from .stack import Stack

pytestmark = pytest.mark.timeout(900)  # the module's stack starts six processes on two cores

VIETNAM = dt.timezone(dt.timedelta(hours=7))


def _today() -> dt.date:
    return dt.datetime.now(VIETNAM).date()


def _code(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6].upper()}"


async def _registration(stack: Stack, path: str, json: object, auth: dict[str, str]) -> object:
    """A step taken through registration's API: what a test needs, not what it is about."""
    async with local_client(base_url=stack.service("registration"), timeout=60) as client:
        answer = await client.post(path, json=json, headers=auth)
        assert answer.status_code in (200, 201, 204), answer.text
        return answer.json() if answer.content else None


def _commune(stack: Stack) -> dict[str, str]:
    return stack.ns.auth(Role.COMMUNE_OFFICER, communes=("29800",))


def _labour(stack: Stack) -> dict[str, str]:
    return stack.ns.auth(Role.LABOUR_OFFICER, province="86")


def _trainer(stack: Stack) -> dict[str, str]:
    return stack.ns.auth(Role.TRAINING_STAFF, province="86")


async def _new_file(stack: Stack, full_name: str) -> str:
    made = await _registration(
        stack, "/registrations", registration_body(full_name=full_name), _commune(stack)
    )
    assert isinstance(made, dict)
    return str(made["registration_id"])


async def _eligible_file(stack: Stack, full_name: str) -> str:
    rid = await _new_file(stack, full_name)
    await _registration(stack, f"/registrations/{rid}/eligibility", {}, _labour(stack))
    return rid


async def _journey(stack: Stack, rid: str) -> dict[str, object]:
    async with local_client(base_url=stack.service("registration"), timeout=60) as client:
        answer = await client.get(f"/registrations/{rid}/journey", headers=_labour(stack))
        answer.raise_for_status()
        journey: dict[str, object] = answer.json()
        return journey


async def _open_course_by_api(stack: Stack) -> dict[str, object]:
    code = _code("DH")
    body = {
        "code": code,
        "course_type": "orientation",
        "title": "Giáo dục định hướng",
        "provider": "Trung tâm GDNN tỉnh",
        "venue": "Hội trường xã",
        "starts_on": (_today() - dt.timedelta(days=1)).isoformat(),
        "ends_on": (_today() + dt.timedelta(days=20)).isoformat(),
        "capacity": 10,
    }
    made = await _registration(stack, "/courses", body, _labour(stack))
    assert isinstance(made, dict)
    return made


async def _send(page: Page, form: str, button: str) -> None:
    await page.locator(f"#{form}").get_by_role("button", name=button, exact=True).click()


async def test_the_labour_officer_finds_a_submitted_file_eligible_from_the_queue(
    stack: Stack, context: BrowserContext
) -> None:
    rid = await _new_file(stack, "Lê Văn Bình")
    page = await context.new_page()
    await sign_in(page, stack, "laodong", "/eligibility")
    card = page.get_by_role("article").filter(has_text=rid)
    await expect(card).to_contain_text("Lê Văn Bình")
    await screenshot(page, "eligibility")
    await card.get_by_role("button", name="Xác nhận đủ điều kiện").click()
    await page.wait_for_url("**/eligibility?page=1&done=*")
    await expect(page.get_by_role("article").filter(has_text=rid)).to_have_count(0)
    assert (await _journey(stack, rid))["stage"] == "eligible"


async def test_the_labour_officer_rejects_a_file_with_a_reason(
    stack: Stack, context: BrowserContext
) -> None:
    rid = await _new_file(stack, "Phạm Thị Hoa")
    page = await context.new_page()
    await sign_in(page, stack, "laodong", "/eligibility")
    card = page.get_by_role("article").filter(has_text=rid)
    await card.get_by_text("Từ chối…").click()
    form = page.locator(f"#rejection-{rid}")
    await form.get_by_label("Lý do").select_option("not_voluntary")
    await form.get_by_label("Giải thích cho người lao động").fill("Gia đình không đồng ý")
    await screenshot(page, "eligibility-reject")
    await form.get_by_role("button", name="Từ chối hồ sơ").click()
    await page.wait_for_url("**/eligibility?page=1&done=*")
    await expect(page.get_by_role("article").filter(has_text=rid)).to_have_count(0)
    assert (await _journey(stack, rid))["stage"] == "rejected"


async def _labour_officer_opens_a_course(page: Page, stack: Stack, code: str) -> None:
    await sign_in(page, stack, "laodong", "/courses")
    await screenshot(page, "courses-labour")
    await page.get_by_role("link", name="Mở khoá học").click()
    await page.get_by_label("Mã khoá học").fill(code)
    await page.get_by_label("Loại khoá học").select_option("orientation")
    await page.get_by_label("Tên khoá học").fill("Giáo dục định hướng tháng 12")
    await page.get_by_label("Cơ sở đào tạo").fill("Trung tâm GDNN tỉnh")
    await page.get_by_label("Địa điểm học").fill("Hội trường xã Tân Quới")
    await page.get_by_label("Ngày khai giảng").fill((_today() - dt.timedelta(days=1)).isoformat())
    await page.get_by_label("Ngày kết thúc").fill((_today() + dt.timedelta(days=20)).isoformat())
    await page.get_by_label("Sĩ số tối đa").fill("25")
    await screenshot(page, "course-new")
    await page.get_by_role("button", name="Mở khoá học").click()
    await page.wait_for_url(f"**/courses/{code}?done=*")
    await expect(page.get_by_role("heading", name=code)).to_be_visible()
    await page.get_by_role("button", name="Đăng xuất").click()
    await page.wait_for_url("**/login*")


async def test_the_training_centre_enrols_a_worker_and_records_a_pass_with_a_certificate(
    stack: Stack, context: BrowserContext
) -> None:
    rid = await _eligible_file(stack, "Võ Văn Cường")
    code = _code("GDDH")
    page = await context.new_page()
    await _labour_officer_opens_a_course(page, stack, code)

    await sign_in(page, stack, "daotao", "/")
    await page.get_by_role("link", name=code).click()
    await expect(page.get_by_role("link", name="Mở khoá học")).to_have_count(0)
    await page.locator("#enrol").get_by_label("Mã hồ sơ").fill(rid)
    await _send(page, "enrol", "Ghi danh")
    await page.wait_for_url(f"**/courses/{code}?done=*")
    row = page.get_by_role("row").filter(has_text=rid)
    await expect(row).to_be_visible()

    attendance = page.locator("#attendance")
    await attendance.get_by_label("Học viên (mã hồ sơ)").select_option(rid)
    await attendance.get_by_label("Có mặt").check()
    await _send(page, "attendance", "Điểm danh")
    await page.wait_for_url(f"**/courses/{code}?done=*")
    present = page.get_by_role("row").filter(has_text=rid).get_by_role("cell").nth(1)
    await expect(present).to_have_text("1")

    result = page.locator("#result")
    await result.get_by_label("Học viên (mã hồ sơ)").select_option(rid)
    await result.get_by_label("Đạt", exact=True).check()
    await result.get_by_label("Số chứng chỉ").fill("GDDH-2026-0042")
    await _send(page, "result", "Ghi kết quả")
    await page.wait_for_url(f"**/courses/{code}?done=*")
    row = page.get_by_role("row").filter(has_text=rid)
    await expect(row).to_contain_text("Đạt")
    await expect(row).to_contain_text("GDDH-2026-0042")
    await screenshot(page, "course")
    journey = await _journey(stack, rid)
    assert journey["orientation_certified"] is True
    assert journey["stage"] == "trained"


async def test_a_refused_training_step_shows_the_service_s_message_in_place(
    stack: Stack, context: BrowserContext
) -> None:
    course = await _open_course_by_api(stack)
    rid = await _eligible_file(stack, "Đỗ Thị Lan")
    await _registration(
        stack, f"/registrations/{rid}/enrolments", {"course_id": course["id"]}, _trainer(stack)
    )
    page = await context.new_page()
    await sign_in(page, stack, "daotao", f"/courses/{course['code']}")

    result = page.locator("#result")
    await result.get_by_label("Học viên (mã hồ sơ)").select_option(rid)
    await result.get_by_label("Không đạt").check()
    await result.get_by_label("Số chứng chỉ").fill("GDDH-X-1")
    await _send(page, "result", "Ghi kết quả")
    await expect(page.locator("#err-result-certificate_number")).to_have_text(
        "Chỉ cấp chứng chỉ cho học viên đạt yêu cầu"
    )
    await expect(page.locator("#result-certificate_number")).to_have_value("GDDH-X-1")
    await screenshot(page, "course-refused")

    await page.locator("#enrol").get_by_label("Mã hồ sơ").fill(rid)
    await _send(page, "enrol", "Ghi danh")
    await expect(page.locator("#enrol").get_by_role("alert")).to_contain_text("đã ghi danh")

    await page.locator("#enrol").get_by_label("Mã hồ sơ").fill("HS-0012")
    await _send(page, "enrol", "Ghi danh")
    await expect(page.locator("#err-enrol-file_code")).to_contain_text("Mã hồ sơ không đúng")
    assert (await _journey(stack, rid))["stage"] == "in_training"


async def test_the_training_centre_may_not_open_a_course(
    stack: Stack, context: BrowserContext
) -> None:
    page = await context.new_page()
    await sign_in(page, stack, "daotao", "/courses")
    await expect(page.get_by_role("link", name="Mở khoá học")).to_have_count(0)
    await screenshot(page, "courses-training")
    answer = await page.goto(stack.url + "/courses/new")
    assert answer is not None
    assert answer.status == 403


async def test_the_labour_officer_adds_an_enterprise_then_renews_and_revokes_its_licence(
    stack: Stack, context: BrowserContext
) -> None:
    code = _code("DN")
    page = await context.new_page()
    await sign_in(page, stack, "laodong", "/enterprises")
    new = page.locator("#new")
    await new.get_by_label("Mã doanh nghiệp").fill(code)
    await new.get_by_label("Tên").fill("Công ty Cổ phần Nhân lực Mekong")
    await new.get_by_label("Số giấy phép").fill("123/LĐTBXH-GP")
    await new.get_by_label("Hiệu lực từ ngày").fill("2024-01-01")
    await new.get_by_label("Hiệu lực đến ngày").fill("2029-01-01")
    await new.get_by_label("Thị trường").fill("JP_TITP, KR_EPS")
    await _send(page, "new", "Thêm doanh nghiệp")
    await page.wait_for_url("**/enterprises?done=*")
    row = page.get_by_role("row").filter(has_text=code)
    await expect(row).to_contain_text("JP_TITP, KR_EPS")
    await expect(row).to_contain_text("Còn hiệu lực")

    section = page.get_by_role("region", name=code)
    await section.get_by_text("Gia hạn giấy phép").click()
    renew = page.locator(f"#licence-{code}")
    await renew.get_by_label("Hiệu lực đến ngày").fill("2034-01-01")
    await _send(page, f"licence-{code}", "Lưu giấy phép")
    await page.wait_for_url("**/enterprises?done=*")
    await expect(page.get_by_role("row").filter(has_text=code)).to_contain_text("01/01/2034")

    await page.get_by_role("region", name=code).get_by_text("Thu hồi giấy phép").click()
    revoke = page.locator(f"#revoke-{code}")
    await revoke.get_by_label("Ngày thu hồi").fill(_today().isoformat())
    await revoke.get_by_label("Lý do").fill("Vi phạm quy định tuyển chọn")
    await _send(page, f"revoke-{code}", "Thu hồi")
    await page.wait_for_url("**/enterprises?done=*")
    await expect(page.get_by_role("row").filter(has_text=code)).to_contain_text("Đã thu hồi")
    await screenshot(page, "enterprises")


async def test_the_labour_officer_adds_a_market_and_edits_it(
    stack: Stack, context: BrowserContext
) -> None:
    code = f"TW_{uuid.uuid4().hex[:4].upper()}"
    page = await context.new_page()
    await sign_in(page, stack, "laodong", "/markets")
    form = page.locator("#market")
    await form.get_by_label("Mã thị trường").fill(code)
    await form.get_by_label("Quốc gia").fill("Đài Loan")
    await form.get_by_label("Chương trình").fill("Lao động phổ thông")
    await form.get_by_label("Tuổi tối thiểu").fill("20")
    await form.get_by_label("Tuổi tối đa").fill("18")
    await form.get_by_label("Chi phí thường gặp").fill("45.000.000 ₫")
    await _send(page, "market", "Lưu thị trường")
    await expect(page.locator("#err-market-max_age")).to_contain_text("Tuổi tối đa")
    await form.get_by_label("Tuổi tối đa").fill("35")
    await _send(page, "market", "Lưu thị trường")
    await page.wait_for_url("**/markets?done=*")
    row = page.get_by_role("row").filter(has_text=code)
    await expect(row).to_contain_text("45.000.000 ₫")
    await expect(row).to_contain_text("20 – 35")

    await row.get_by_role("link", name="Sửa").click()
    await expect(page.locator("#market-code")).to_have_value(code)
    await page.locator("#market").get_by_label("Chương trình").fill("Chăm sóc người cao tuổi")
    await screenshot(page, "markets")
    await _send(page, "market", "Lưu thị trường")
    await page.wait_for_url("**/markets?done=*")
    await expect(page.get_by_role("row").filter(has_text=code)).to_contain_text(
        "Chăm sóc người cao tuổi"
    )
