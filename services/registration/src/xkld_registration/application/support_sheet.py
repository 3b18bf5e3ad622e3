"""The support sheet (bảng kê) of a course under Decision 46/2015: one line per enrolled trainee
the reader may see, computed from attendance, or the line already paid, or why there is none."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from xkld_shared.errors import Conflict
from xkld_shared.identity.principal import Principal

from xkld_registration.application.ports import SupportFacts
from xkld_registration.application.scope import may_act_on
from xkld_registration.domain.reference import Course
from xkld_registration.domain.training_support import (
    CourseTerms,
    SupportLine,
    SupportPolicy,
    TraineeFacts,
    policy_on,
    support_line,
)

ERASED_NAME = "(đã xoá dữ liệu cá nhân / personal data erased)"


class SupportTermsMissing(Conflict):
    code = "support_terms_missing"

    def __init__(self, course_code: str) -> None:
        super().__init__(
            f"Khoá {course_code} chưa có mức học phí để tính hỗ trợ",
            f"Course {course_code} has no tuition set to compute support from",
        )


class NothingToPay(Conflict):
    code = "nothing_to_pay"

    def __init__(self) -> None:
        super().__init__(
            "Không còn học viên nào của khoá này được hỗ trợ (đã hỗ trợ hoặc chưa đi học)",
            "No trainee of this course is left to support (already supported or never attended)",
        )


@dataclass(frozen=True)
class SheetLine:
    trainee_id: uuid.UUID
    full_name: str
    commune_code: str
    province_code: str
    person_index: bytes
    distance_km: Decimal
    support: SupportLine
    status: str  # due | paid | already_supported | no_attendance

    def view(self) -> dict[str, Any]:
        s = self.support
        return {
            "trainee_id": str(self.trainee_id),
            "full_name": self.full_name,
            "commune_code": self.commune_code,
            "days_present": s.days_present,
            "distance_km": str(self.distance_km),
            "cost_vnd": s.cost_vnd,
            "meals_vnd": s.meals_vnd,
            "travel_vnd": s.travel_vnd,
            "total_vnd": s.total_vnd,
            "status": self.status,
        }


@dataclass(frozen=True)
class Sheet:
    course: Course
    policy: SupportPolicy
    terms: CourseTerms
    lines: list[SheetLine]

    def view(self) -> dict[str, Any]:
        due = [ln for ln in self.lines if ln.status == "due"]
        return {
            "course_id": str(self.course.id),
            "course_code": self.course.code,
            "course_title": self.course.title,
            "provider": self.course.provider,
            "starts_on": self.course.starts_on.isoformat(),
            "ends_on": self.course.ends_on.isoformat(),
            "policy_code": self.policy.code,
            "legal_basis": self.policy.legal_basis,
            "tuition_vnd": self.terms.tuition_vnd,
            "fisher_vessel_trade": self.terms.fisher_vessel_trade,
            "lines": [ln.view() for ln in self.lines],
            "due_total_vnd": sum(ln.support.total_vnd for ln in due),
        }


def sheet_of(
    course: Course, terms: CourseTerms, facts: Iterable[SupportFacts], reader: Principal
) -> Sheet:
    policy = policy_on(course.starts_on)
    lines = [
        _line(f, course, policy, terms)
        for f in facts
        if may_act_on(reader, f.commune_code, f.province_code)
    ]
    return Sheet(course, policy, terms, lines)


def _line(f: SupportFacts, course: Course, policy: SupportPolicy, terms: CourseTerms) -> SheetLine:
    support, status = _support(f, course, policy, terms)
    return SheetLine(
        trainee_id=f.trainee_id,
        full_name=f.full_name or ERASED_NAME,
        commune_code=f.commune_code,
        province_code=f.province_code,
        person_index=f.person_index or b"",  # empty once erased (paid only)
        distance_km=f.distance_km,
        support=support,
        status=status,
    )


def _support(
    f: SupportFacts, course: Course, policy: SupportPolicy, terms: CourseTerms
) -> tuple[SupportLine, str]:
    nothing = SupportLine(f.trainee_id, 0, 0, 0, f.days_present)
    if f.kind == "paid" and f.supported_course == course.id:
        return f.paid or nothing, "paid"
    if f.kind is not None:
        return nothing, "already_supported"
    facts = TraineeFacts(
        trainee_id=f.trainee_id,
        groups=frozenset(f.support_groups),
        difficult_commune=f.difficult_commune,
        distance_km=f.distance_km,
        days_present=f.days_present,
    )
    return support_line(policy, terms, facts), "due" if f.days_present else "no_attendance"
