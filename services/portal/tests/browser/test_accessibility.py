"""Every screen reachable today, for every role, checked by axe-core at desktop and phone width
(no serious or critical violation), for sideways scrolling on a phone, and the intake form by
keyboard alone. Each screen is also photographed at both widths (.state-screenshots/)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect
from xkld_shared.identity.principal import Role
from xkld_shared.testing.http import local_client
from xkld_shared.testing.system import registration_body

from .conftest import DESKTOP, PHONE, WIDTHS, capture, sign_in
from .stack import HOME_COMMUNES, Stack

pytestmark = pytest.mark.timeout(900)

AXE = Path(__file__).resolve().parents[1] / "axe.min.js"  # copied there by vendor_assets
BLOCKING = ("serious", "critical")
# Screens a role reaches without a nav link: the commune officer's known URLs.
COMMUNE_OFFICER_PATHS = ("/", "/files", "/files/new", "/imports")
# Screens the labour officer and the report viewer reach from the reports page, not the menu.
REPORT_PATHS = tuple(
    f"/reports/{name}" for name in ("registrations", "training", "loans", "follow-up", "sms")
)
ROLES = ("canbo", "laodong", "daotao", "tindung", "giamdoc", "baocao", "quantri")
# Rural training: the reports (labour officer, report viewer) and the course plan's forms
# (labour officer), reached from the reports page and the plan, not the menu.
RURAL_REPORT_PATHS = tuple(
    f"/reports/rural-training/{name}{by}"
    for name, by in (
        ("trainees", ""),
        ("trainees", "?by=group"),
        ("support", "?by=plan_line"),
        ("employment", ""),
    )
)
RURAL_PLAN_PATHS = ("/course-plan/lines/new", "/courses/new")
# Issue 17's outcomes report (reached from the reports page) and the page after the return
# (reached from a file; for officers only). The officers' lists are in the menu.
OUTCOME_REPORT_PATHS = ("/reports/outcomes",)
# Issue 16's survey roll-ups, reached from the rounds page and the officers' home.
SURVEY_PATHS = ("/survey-rollups",)
# Issue 16's message templates, reached from the campaigns page and the officers' home.
CAMPAIGN_PATHS = ("/message-templates", "/campaign-channels")
# axe.run in the page; only what a person would be stopped by (serious, critical) is kept.
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter(v => ["serious", "critical"].includes(v.impact))
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map(n => n.target.join(" "))}));
}"""
OVERFLOW = "() => document.scrollingElement.scrollWidth - window.innerWidth"


@pytest.fixture
async def axe_context(browser: Browser) -> AsyncIterator[BrowserContext]:
    """Only for the axe runs: the portal's CSP (`script-src 'self'`) would refuse the injected
    axe script, so this context bypasses CSP. Every other browser test keeps it enforced.
    axe is handed to the browser once, to load into each page it opens: injecting it page by
    page sent its 550 kB over the wire each time, and cost chromium about 10 % more CPU."""
    ctx = await browser.new_context(viewport=DESKTOP, locale="vi-VN", bypass_csp=True)
    ctx.set_default_timeout(30_000)
    await ctx.add_init_script(path=str(AXE))
    yield ctx
    await ctx.close()


@pytest.fixture(scope="module")
async def file_id(stack: Stack) -> str:
    """One worker's file in the commune officer's commune, made through registration's API."""
    officer = stack.ns.auth(Role.COMMUNE_OFFICER, communes=HOME_COMMUNES, username="canbo")
    async with local_client(base_url=stack.service("registration"), timeout=60) as client:
        answer = await client.post(
            "/registrations",
            headers=officer,
            json=registration_body(full_name="Trần Thị Mai", hamlet="Ấp Tân Thuận"),
        )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["registration_id"])


class Findings:
    """What the walk found, reported all at once so one run shows every problem."""

    def __init__(self) -> None:
        self.violations: list[str] = []
        self.overflows: list[str] = []
        self.screens: list[str] = []

    async def check(self, page: Page, name: str) -> None:
        """axe, the overflow check and the photograph at one width, then at the other: each
        change of width lays the page out again, so each width is set once."""
        self.screens.append(name)
        for label, size in WIDTHS:
            await page.set_viewport_size(size)
            for found in await axe(page):
                targets = "; ".join(found["targets"][:5])
                self.violations.append(
                    f"{name} @{label}: {found['id']} ({found['impact']}): {found['help']} "
                    f"-> {targets}"
                )
            if size is PHONE and (wider := await page.evaluate(OVERFLOW)) > 0:
                self.overflows.append(f"{name}: {wider} px wider than the screen")
            await capture(page, f"a11y-{name}", label)
        await page.set_viewport_size(DESKTOP)

    def assert_clean(self) -> None:
        assert self.screens, "no screen was checked"
        assert not self.violations, "axe found serious or critical problems:\n" + "\n".join(
            self.violations
        )
        assert not self.overflows, "sideways scrolling at 390 px:\n" + "\n".join(self.overflows)


async def axe(page: Page) -> list[dict[str, Any]]:
    if not await page.evaluate("() => typeof axe !== 'undefined'"):
        await page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = await page.evaluate(RUN_AXE)
    return found


async def nav_paths(page: Page) -> list[str]:
    """The screens this role's menu offers, as the page lists them (not a list kept here)."""
    hrefs: list[str] = await page.locator("nav a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    return [h for h in hrefs if h and h.startswith("/")]


async def visit(page: Page, stack: Stack, path: str, findings: Findings, name: str) -> None:
    answer = await page.goto(stack.url + path)
    assert answer is not None
    await findings.check(page, f"{name}-{answer.status}")


def slug(role: str, path: str) -> str:
    return f"{role}{path.replace('/', '-').rstrip('-') or '-home'}"


async def open_every_step(page: Page) -> None:
    """Every step's form unfolded, so axe sees the inputs an officer would fill."""
    for summary in await page.locator("details > summary").all():
        await summary.click()


async def test_the_signed_out_screens_have_no_serious_accessibility_problem_at_both_widths(
    stack: Stack, axe_context: BrowserContext
) -> None:
    findings = Findings()
    signed_out = await axe_context.new_page()
    await visit(signed_out, stack, "/login", findings, "login")
    await visit(signed_out, stack, "/khong-co-trang-nay", findings, "signed-out-missing")
    findings.assert_clean()


# One test a role: a role's walk is a few minutes on a busy machine, and one test for all seven
# ran past its timeout in CI.
@pytest.mark.parametrize("role", ROLES)
async def test_every_screen_a_role_reaches_has_no_serious_accessibility_problem_at_both_widths(
    stack: Stack, axe_context: BrowserContext, file_id: str, role: str
) -> None:
    findings = Findings()
    await walk_role(axe_context, stack, role, file_id, findings)
    findings.assert_clean()


async def walk_role(
    ctx: BrowserContext, stack: Stack, role: str, file_id: str, findings: Findings
) -> None:
    await ctx.clear_cookies()
    page = await ctx.new_page()
    await sign_in(page, stack, role)
    paths = dict.fromkeys(["/", *await nav_paths(page)])
    if role == "canbo":
        paths |= dict.fromkeys(COMMUNE_OFFICER_PATHS)
    if role in ("laodong", "baocao"):
        paths |= dict.fromkeys(REPORT_PATHS)
    if role in ("laodong", "baocao"):
        paths |= dict.fromkeys(RURAL_REPORT_PATHS)
    if role == "laodong":
        paths |= dict.fromkeys(RURAL_PLAN_PATHS)
    if role in ("laodong", "baocao"):
        paths |= dict.fromkeys(OUTCOME_REPORT_PATHS)
    if role in ("canbo", "laodong"):
        paths |= dict.fromkeys([f"/files/{file_id}/after-return"])
    if role in ("canbo", "laodong"):
        paths |= dict.fromkeys(SURVEY_PATHS)
    if role in ("canbo", "laodong"):
        paths |= dict.fromkeys(CAMPAIGN_PATHS)
    for path in paths:
        await visit(page, stack, path, findings, slug(role, path))
    await visit(page, stack, f"/files/{file_id}", findings, f"{role}-file")
    if await page.locator("details > summary").count():
        await open_every_step(page)
        await findings.check(page, f"{role}-file-steps-open")
    await visit(page, stack, f"/files/{uuid.uuid4()}", findings, f"{role}-file-missing")
    await page.close()


async def test_the_intake_form_in_its_states_has_no_serious_accessibility_problem(
    stack: Stack, axe_context: BrowserContext, file_id: str
) -> None:
    """The form as it changes: the commune picker's suggestions, the form refused with a
    message beside each field, and another commune's officer refused a file."""
    findings = Findings()
    page = await axe_context.new_page()
    await sign_in(page, stack, "canbo", "/files/new")
    await page.get_by_label("Xã/phường (mã hoặc tên; mã cũ được chuyển đổi)").fill("29791")
    await expect(page.locator("#commune-suggestions button").first).to_be_visible()
    await findings.check(page, "canbo-intake-suggestions")
    await page.evaluate("() => { document.getElementById('intake').noValidate = true; }")
    await page.get_by_role("button", name="Lưu hồ sơ").click()
    await expect(page.locator(".field-error").first).to_be_visible()
    await findings.check(page, "canbo-intake-refused")
    await axe_context.clear_cookies()
    other = await axe_context.new_page()
    await sign_in(other, stack, "canbo.khac")
    await visit(other, stack, f"/files/{file_id}", findings, "other-commune-file")
    findings.assert_clean()


# Everything a Tab stops at inside the form, in document order, as the browser decides it.
TABBABLE = """form => Array.from(form.querySelectorAll("input, select, textarea, button, a[href]"))
  .filter(el => el.type !== "hidden" && !el.disabled && el.tabIndex >= 0
                && el.getClientRects().length > 0)
  .map(el => el.id || el.name || el.textContent.trim())"""
FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {name: el.id || el.name || el.textContent.trim(), inForm: !!el.closest("#intake"),
          own: el.matches(":focus"),
          outline: style.outlineStyle, width: parseFloat(style.outlineWidth),
          submit: el.type === "submit" && !!el.closest("#intake")};
}"""


async def test_the_intake_form_is_filled_by_keyboard_in_order_with_the_focus_always_visible(
    stack: Stack, context: BrowserContext
) -> None:
    page = await context.new_page()
    await sign_in(page, stack, "canbo", "/files/new")
    expected: list[str] = await page.locator("#intake").evaluate(TABBABLE)
    assert "f-full_name" in expected, expected
    assert "f-commune_code" in expected, expected
    await page.locator("main").focus()  # where "Skip to content" puts a keyboard user
    reached: list[str] = []
    unseen: list[str] = []
    for _ in range(3 * len(expected) + 20):
        await page.keyboard.press("Tab")
        now = await page.evaluate(FOCUSED)
        # A date input takes several Tabs (day, month, year, its picker): one stop here.
        if now["inForm"] and (not reached or reached[-1] != now["name"]):
            reached.append(now["name"])
        # `own` is false on a date input's calendar button: a part of chromium's own control,
        # which draws its own focus ring there; the portal's outline is checked everywhere else.
        hidden = now["outline"] in ("none", "hidden") or now["width"] < 2
        if now["inForm"] and now["own"] and hidden:
            unseen.append(now["name"])
        if now["submit"]:
            break
    assert reached == expected, f"Tab order {reached} differs from the form's {expected}"
    assert not unseen, f"no visible focus outline on {unseen}"


async def test_the_commune_picker_is_used_by_keyboard_alone(
    stack: Stack, context: BrowserContext
) -> None:
    """Typing keeps the focus in the field while suggestions appear; Tab reaches the first
    suggestion and Enter puts its code in the field, with the focus back there."""
    page = await context.new_page()
    await sign_in(page, stack, "canbo", "/files/new")
    field = page.get_by_label("Xã/phường (mã hoặc tên; mã cũ được chuyển đổi)")
    await field.focus()
    await page.keyboard.type("29791", delay=80)
    first = page.locator("#commune-suggestions button").first
    await expect(first).to_be_visible()
    await expect(field).to_be_focused()
    await page.keyboard.press("Tab")
    await expect(first).to_be_focused()
    code = await first.get_attribute("data-value")
    await page.keyboard.press("Enter")
    await expect(field).to_have_value(code or "")
    await expect(field).to_be_focused()


async def _rural_scene(stack: Stack) -> tuple[str, str]:
    """A vocational course with tuition set and one trainee of the commune officer's commune,
    enrolled, present one day and passed: every rural screen then has content."""
    labour = stack.ns.auth(Role.LABOUR_OFFICER, province="86", username="laodong")
    officer = stack.ns.auth(Role.COMMUNE_OFFICER, communes=HOME_COMMUNES, username="canbo")
    trainer = stack.ns.auth(Role.TRAINING_STAFF, province="86", username="daotao")
    code = f"NGHE-{uuid.uuid4().hex[:6].upper()}"
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=7))).date()
    async with local_client(base_url=stack.service("registration"), timeout=60) as client:
        course = await client.post(
            "/courses",
            headers=labour,
            json={
                "code": code,
                "course_type": "vocational",
                "title": "Sửa chữa xe máy",
                "provider": "Trung tâm GDNN Long Hồ",
                "venue": "Xã Nhơn Phú",
                "starts_on": (today - dt.timedelta(days=10)).isoformat(),
                "ends_on": (today + dt.timedelta(days=10)).isoformat(),
                "capacity": 10,
            },
        )
        assert course.status_code == 201, course.text
        course_id = course.json()["id"]
        made = await client.post(
            "/trainees",
            headers=officer,
            json=registration_body(full_name="Lý Thị Hồng") | {"support_groups": ["woman"]},
        )
        assert made.status_code == 201, made.text
        tid = made.json()["trainee_id"]
        steps = (
            ("PUT", f"/courses/{code}/support-terms", labour, {"tuition_vnd": 2_500_000}),
            (
                "POST",
                f"/trainees/{tid}/enrolments",
                trainer,
                {"course_id": course_id, "distance_km": "7.5"},
            ),
            (
                "POST",
                f"/trainees/{tid}/attendance",
                trainer,
                {"course_id": course_id, "attended_on": today.isoformat(), "present": True},
            ),
            (
                "POST",
                f"/trainees/{tid}/training-results",
                trainer,
                {"course_id": course_id, "passed": True},
            ),
        )
        for method, path, headers, body in steps:
            answer = await client.request(method, path, headers=headers, json=body)
            assert answer.status_code in (200, 201, 204), answer.text
    return code, tid


async def test_the_rural_training_screens_have_no_serious_accessibility_problem(
    stack: Stack, axe_context: BrowserContext
) -> None:
    """The trainee screens of each role, with content, and the intake form refused."""
    code, tid = await _rural_scene(stack)
    findings = Findings()
    walks = {
        "canbo": ["/trainees", "/trainees/new", "/trainees/due", f"/trainees/{tid}"],
        "daotao": ["/trainees", f"/courses/{code}", f"/courses/{code}/support"],
        "laodong": [f"/trainees/{tid}", f"/courses/{code}", f"/courses/{code}/support"],
    }
    for role, paths in walks.items():
        await axe_context.clear_cookies()
        page = await axe_context.new_page()
        await sign_in(page, stack, role)
        for path in paths:
            await visit(page, stack, path, findings, f"rural-{slug(role, path)}")
        if role == "laodong":
            await page.get_by_role("button", name="Xem lại trước khi chi trả").click()
            await expect(
                page.get_by_role("button", name="Xác nhận: ghi nhận chi trả")
            ).to_be_visible()
            await findings.check(page, "rural-laodong-support-confirm")
        if role == "canbo":
            await page.goto(stack.url + "/trainees/new")
            await page.evaluate(
                "() => { document.getElementById('trainee-intake').noValidate = true; }"
            )
            await page.get_by_role("button", name="Lưu học viên").click()
            await expect(page.locator(".field-error").first).to_be_visible()
            await findings.check(page, "rural-canbo-trainee-intake-refused")
        await page.close()
    findings.assert_clean()


async def test_the_trainee_intake_form_is_filled_by_keyboard_in_order_with_the_focus_visible(
    stack: Stack, context: BrowserContext
) -> None:
    page = await context.new_page()
    await sign_in(page, stack, "canbo", "/trainees/new")
    expected: list[str] = await page.locator("#trainee-intake").evaluate(TABBABLE)
    assert "f-full_name" in expected, expected
    assert "f-sg-disability" in expected, expected
    focused = FOCUSED.replace("#intake", "#trainee-intake")
    await page.locator("main").focus()
    reached: list[str] = []
    unseen: list[str] = []
    for _ in range(3 * len(expected) + 20):
        await page.keyboard.press("Tab")
        now = await page.evaluate(focused)
        if now["inForm"] and (not reached or reached[-1] != now["name"]):
            reached.append(now["name"])
        hidden = now["outline"] in ("none", "hidden") or now["width"] < 2
        if now["inForm"] and now["own"] and hidden:
            unseen.append(now["name"])
        if now["submit"]:
            break
    assert reached == expected, f"Tab order {reached} differs from the form's {expected}"
    assert not unseen, f"no visible focus outline on {unseen}"


async def test_the_course_plans_forms_refused_and_confirming_have_no_serious_problem(
    stack: Stack, axe_context: BrowserContext
) -> None:
    """A plan line refused with a message beside each field, then saved, then the question
    asked before withdrawing it."""
    findings = Findings()
    page = await axe_context.new_page()
    await sign_in(page, stack, "laodong", "/course-plan/lines/new")
    await page.evaluate("() => { document.getElementById('line').noValidate = true; }")
    await page.get_by_role("button", name="Lưu dòng kế hoạch").click()
    await expect(page.locator(".field-error").first).to_be_visible()
    await findings.check(page, "laodong-plan-line-refused")
    year = await page.locator("#line-plan_year").input_value()
    trade = f"A{uuid.uuid4().hex[:6].upper()}"
    for field, value in (
        ("commune_code", "29845"),
        ("trade_code", trade),
        ("trade_title", "May công nghiệp"),
        ("institution", "Trung tâm GDNN-GDTX"),
        ("places", "30"),
        ("planned_starts_on", f"{year}-10-05"),
        ("planned_ends_on", f"{year}-12-18"),
        ("budget_vnd", "60000000"),
    ):
        await page.locator(f"#line-{field}").fill(value)
    await page.get_by_role("button", name="Lưu dòng kế hoạch").click()
    await page.wait_for_url(f"**/course-plan?year={year}*")
    await findings.check(page, "laodong-plan-with-line")
    await page.get_by_role("link", name=f"Rút dòng {trade}, 29845 khỏi kế hoạch").click()
    await expect(page.get_by_role("button", name="Có, rút dòng này")).to_be_visible()
    await findings.check(page, "laodong-plan-line-withdraw")
    findings.assert_clean()
