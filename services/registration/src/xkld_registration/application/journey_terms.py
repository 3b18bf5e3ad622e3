"""What a journey step is given (a note, a contract, a check-in) and the reference data it may
not find; shared by the journey's use cases, its routes and its store."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TypeVar

from xkld_shared.errors import NotFound

_Found = TypeVar("_Found")


class CourseNotFound(NotFound):
    code = "course_not_found"

    def __init__(self) -> None:
        super().__init__("Không tìm thấy khoá học", "No such course")


def found_course(found: _Found | None) -> _Found:
    """What was looked up for a course (the course, or its id), or CourseNotFound."""
    if found is None:
        raise CourseNotFound
    return found


class EnterpriseNotFound(NotFound):
    code = "enterprise_not_found"

    def __init__(self) -> None:
        super().__init__(
            "Doanh nghiệp không có trong danh sách doanh nghiệp được cấp phép",
            "The enterprise is not in the list of licensed enterprises",
        )


@dataclass(frozen=True)
class Note:
    """A reason code that travels, and the officer's own words that stay here."""

    code: str
    text: str | None = None


@dataclass(frozen=True)
class Contract:
    enterprise_code: str
    contract_number: str
    market_code: str
    programme: str
    employer_name: str
    term_months: int
    monthly_salary: int
    salary_currency: str
    signed_on: dt.date
    fee_vnd: int | None = None


@dataclass(frozen=True)
class CheckIn:
    checked_in_on: dt.date
    channel: str
    employment_status: str
    wellbeing: str
    remittance_vnd: int | None
    incidents: str | None
