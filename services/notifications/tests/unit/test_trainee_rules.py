"""Rural trainees' SMS (issue 19) as rules-file data: what each trainee event plans, and when."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from xkld_notifications.domain.rules import load_rules, parse_rules, plan
from xkld_notifications.domain.templates import TemplateProblem, render

NOW = dt.datetime(2026, 11, 26, 2, 0, tzinfo=dt.UTC)  # 09:00 in Vietnam
COURSE = uuid.UUID("5b0c3f0e-0000-4000-8000-000000000019")


def _enrolled(starts_on: dt.date) -> dict[str, Any]:
    return {
        "course_id": COURSE,
        "course_title": "Sửa chữa xe máy",
        "venue": "Trường Trung cấp nghề Vĩnh Long",
        "starts_on": starts_on,
        "ends_on": starts_on + dt.timedelta(days=60),
    }


def _completed(passed: bool, certificate: bool, on: dt.date) -> dict[str, Any]:
    return {
        "course_id": COURSE,
        "completed_on": on,
        "passed": passed,
        "certificate_issued": certificate,
    }


def _texts(event_type: str, payload: dict[str, Any], now: dt.datetime = NOW) -> dict[str, str]:
    planned = plan(load_rules(), event_type, payload, "R", now)
    return {p.key: render(p.template, p.variables).text for p in planned}


def test_an_enrolment_tells_the_trainee_the_course_the_place_and_the_dates_at_once() -> None:
    [now, later] = plan(load_rules(), "TraineeEnrolled", _enrolled(dt.date(2027, 1, 5)), "R", NOW)
    assert (now.key, now.not_before, now.course_id) == ("trainee_enrolled", NOW, COURSE)
    assert render(now.template, now.variables).text == (
        "Hoc nghe: Ban duoc ghi danh lop Sua chua xe may, hoc tu ngay 05/01/2027 den ngay "
        "06/03/2027 tai Truong Trung cap nghe Vinh Long. Mang theo CCCD khi den lop."
    )
    assert later.key == "trainee_course_start"
    # 08:00 in Vietnam the day before the start is 01:00 UTC.
    assert later.not_before == dt.datetime(2027, 1, 4, 1, 0, tzinfo=dt.UTC)
    assert "khai giang ngay 05/01/2027" in render(later.template, later.variables).text


@pytest.mark.parametrize(
    ("starts_on", "now_utc"),
    [
        (dt.date(2026, 11, 27), dt.datetime(2026, 11, 26, 2, 0, tzinfo=dt.UTC)),  # 09:00 today
        (dt.date(2026, 11, 26), NOW),  # starts today
        (dt.date(2026, 11, 20), NOW),  # started already
    ],
)
def test_no_course_start_reminder_is_planned_once_its_moment_has_passed(
    starts_on: dt.date, now_utc: dt.datetime
) -> None:
    keys = set(_texts("TraineeEnrolled", _enrolled(starts_on), now_utc))
    assert keys == {"trainee_enrolled"}


def test_a_reminder_due_later_today_is_still_planned() -> None:
    early = dt.datetime(2026, 11, 26, 0, 30, tzinfo=dt.UTC)  # 07:30 in Vietnam
    planned = plan(load_rules(), "TraineeEnrolled", _enrolled(dt.date(2026, 11, 27)), "R", early)
    assert [p.not_before for p in planned if p.key == "trainee_course_start"] == [
        dt.datetime(2026, 11, 26, 1, 0, tzinfo=dt.UTC)
    ]


@pytest.mark.parametrize(
    ("passed", "certificate", "expected"),
    [
        (
            True,
            True,
            "Chuc mung! Ban da hoan thanh khoa hoc nghe ngay 30/11/2026 va duoc cap "
            "chung chi. Lien he can bo xa de nhan chung chi.",
        ),
        (True, False, "Chuc mung! Ban da dat khoa hoc nghe ket thuc ngay 30/11/2026."),
        (
            False,
            False,
            "Khoa hoc nghe ket thuc ngay 30/11/2026, ban chua dat. Can bo xa se "
            "huong dan ban hoc hoac thi lai.",
        ),
    ],
)
def test_the_result_message_names_the_certificate_only_when_one_was_issued(
    passed: bool, certificate: bool, expected: str
) -> None:
    texts = _texts("TraineeCourseCompleted", _completed(passed, certificate, dt.date(2026, 11, 30)))
    assert texts["trainee_course_result"] == f"Hoc nghe: {expected}"


def test_the_work_follow_up_goes_three_months_later_at_eight_clipped_to_the_month_end() -> None:
    planned = plan(
        load_rules(),
        "TraineeCourseCompleted",
        _completed(True, True, dt.date(2026, 11, 30)),
        "R",
        NOW,
    )
    [follow_up] = [p for p in planned if p.key == "trainee_work_followup"]
    assert follow_up.not_before == dt.datetime(2027, 2, 28, 1, 0, tzinfo=dt.UTC)
    assert follow_up.course_id == COURSE
    text = render(follow_up.template, follow_up.variables).text
    for answer in ("VL 1", "VL 2", "VL 3", "VL 4", "VL 5"):
        assert answer in text


def test_a_follow_up_whose_day_has_passed_is_not_planned() -> None:
    old = _completed(True, False, dt.date(2026, 6, 1))  # three months on is 1 September
    assert set(_texts("TraineeCourseCompleted", old)) == {"trainee_course_result"}


def test_an_employment_record_plans_nothing_and_cancels_its_own_course_s_follow_up() -> None:
    rules = load_rules()
    [rule] = rules.by_event["TraineeEmploymentRecorded"]
    assert (rule.template, rule.cancels, rule.cancel_scope) == (
        None,
        ("trainee_work_followup",),
        "course",
    )
    assert plan(rules, "TraineeEmploymentRecorded", {"course_id": COURSE}, "R", NOW) == []


def test_a_rule_that_neither_sends_nor_cancels_stops_the_service() -> None:
    raw: dict[str, Any] = {
        "templates": [{"code": "manual", "version": 1, "text": "XKLD: {{ text }}"}],
        "rules": [{"event_type": "TraineeEmploymentRecorded"}],
    }
    with pytest.raises(ValueError, match="cancels alone"):
        parse_rules(raw)
    raw["rules"] = [{"event_type": "X", "cancels": ["nope"]}]
    with pytest.raises(TemplateProblem, match="nope"):
        parse_rules(raw)
