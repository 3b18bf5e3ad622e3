"""Reference data kept by labour officers: licensed enterprises and training courses."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from xkld_shared.contracts.journey import CourseType
from xkld_shared.errors import Conflict

from xkld_registration.domain.problems import invalid_field


@dataclass(frozen=True)
class Enterprise:
    """A labour-export enterprise licensed under Law 69/2020 (giấy phép hoạt động dịch vụ)."""

    code: str
    licence_number: str
    licence_valid_from: dt.date
    licence_valid_to: dt.date
    markets: frozenset[str]
    revoked: bool = False


def licence_problem(
    enterprise: Enterprise, market_code: str, signed_on: dt.date
) -> tuple[str, str] | None:
    """Why a contract with this enterprise cannot be signed on that day, or None."""
    e = enterprise
    if e.revoked:
        return _revoked(e)
    if not e.licence_valid_from <= signed_on <= e.licence_valid_to:
        return _not_valid_on(e, signed_on)
    if market_code not in e.markets:
        return _not_licensed_for(e, market_code)
    return None


def _revoked(e: Enterprise) -> tuple[str, str]:
    return (
        f"Giấy phép {e.licence_number} của doanh nghiệp {e.code} đã bị thu hồi",
        f"Enterprise {e.code}'s licence {e.licence_number} is revoked",
    )


def _not_valid_on(e: Enterprise, signed_on: dt.date) -> tuple[str, str]:
    return (
        f"Giấy phép {e.licence_number} của doanh nghiệp {e.code} không còn hiệu lực "
        f"vào ngày {signed_on:%d/%m/%Y} (hiệu lực {e.licence_valid_from:%d/%m/%Y}"
        f"–{e.licence_valid_to:%d/%m/%Y})",
        f"Enterprise {e.code}'s licence {e.licence_number} is not valid on {signed_on} "
        f"(valid {e.licence_valid_from} to {e.licence_valid_to})",
    )


def _not_licensed_for(e: Enterprise, market_code: str) -> tuple[str, str]:
    return (
        f"Doanh nghiệp {e.code} không được phép đưa người lao động đi thị trường {market_code}",
        f"Enterprise {e.code} is not licensed for the market {market_code}",
    )


def check_licence_dates(valid_from: dt.date, valid_to: dt.date) -> None:
    if valid_to < valid_from:
        raise invalid_field(
            "licence_valid_to",
            "Ngày hết hạn giấy phép phải sau ngày cấp",
            "The licence must end after it starts",
        )


@dataclass(frozen=True)
class Course:
    id: uuid.UUID
    code: str
    course_type: CourseType
    title: str
    provider: str
    venue: str
    starts_on: dt.date
    ends_on: dt.date
    capacity: int
    # The trade taught (a code of the plan's trade list) and the plan line the course fills.
    trade_code: str | None = None
    plan_line_id: uuid.UUID | None = None


def check_course_dates(starts_on: dt.date, ends_on: dt.date) -> None:
    if ends_on < starts_on:
        raise invalid_field(
            "ends_on",
            "Ngày kết thúc khoá học phải sau ngày khai giảng",
            "The course must end after it starts",
        )


class CourseRefused(Conflict):
    code = "course_refused"


def check_enrolment(course: Course, enrolled: int, already_in: bool, today: dt.date) -> None:
    if already_in:
        raise CourseRefused(
            f"Người lao động đã ghi danh khoá {course.code}",
            f"The worker is already enrolled in course {course.code}",
        )
    if enrolled >= course.capacity:
        raise CourseRefused(
            f"Khoá {course.code} đã đủ {course.capacity} học viên",
            f"Course {course.code} is full ({course.capacity} places)",
        )
    if today > course.ends_on:
        raise CourseRefused(
            f"Khoá {course.code} đã kết thúc ngày {course.ends_on:%d/%m/%Y}",
            f"Course {course.code} ended on {course.ends_on}",
        )


def check_attendance_day(course: Course, day: dt.date) -> None:
    if not course.starts_on <= day <= course.ends_on:
        raise invalid_field(
            "attended_on",
            "Ngày điểm danh nằm ngoài thời gian khoá học",
            "The attendance day is outside the course dates",
        )
