"""A known rural-training scenario for tests: seven trainees in two communes and two trades,
a year's course plan with a withdrawn line, last year's line and a line set twice (published
after the enrolments naming it), a corrected employment outcome and two redelivered events.

The reports' expected figures are counted by hand in
`tests/integration/test_rural_training_reports.py`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from xkld_shared.contracts import training as tr
from xkld_shared.contracts.envelope import Envelope, EventPayload, new_envelope

D = dt.date
M = 1_000_000
TAN_QUOI, NHON_PHU = "29800", "29641"  # both in Vĩnh Long (86)
AQUA, MOTO = "NTTS", "SCXM"  # aquaculture, motorbike repair


class Plan:
    def __init__(self) -> None:
        self.events: list[Envelope] = []
        self.late: list[Envelope] = []  # published after the trainees' events

    def add(self, key: uuid.UUID, event: EventPayload, late: bool = False) -> Envelope:
        at = dt.datetime(2026, 1, 5, 3, tzinfo=dt.UTC)
        envelope = new_envelope(event, registration_id=key, producer="t", occurred_at=at)
        (self.late if late else self.events).append(envelope)
        return envelope

    def line(
        self, commune: str, trade: str, places: int, budget: int, year: int = 2026, **kw: Any
    ) -> uuid.UUID:
        line_id = kw.pop("line_id", None) or uuid.uuid4()
        self.add(
            line_id,
            tr.CoursePlanLineSet(
                line_id=line_id,
                plan_year=year,
                province_code="86",
                commune_code=commune,
                trade_code=trade,
                trade_title="Nghề",
                institution="Trung tâm GDNN",
                places=places,
                planned_starts_on=D(year, 3, 1),
                planned_ends_on=D(year, 5, 31),
                budget_vnd=budget,
                set_on=D(year, 1, 5),
            ),
            **kw,
        )
        return line_id


class Course:
    def __init__(
        self, code: str, trade: str | None, line: uuid.UUID | None, starts: D, ends: D
    ) -> None:
        self.id, self.code, self.trade, self.line = uuid.uuid4(), code, trade, line
        self.starts, self.ends = starts, ends

    def common(self, commune: str) -> dict[str, Any]:
        return {
            "course_id": self.id,
            "course_code": self.code,
            "trade_code": self.trade,
            "plan_line_id": self.line,
            "commune_code": commune,
            "province_code": "86",
        }


def trainee(
    plan: Plan, commune: str, groups: tuple[str, ...], course: Course
) -> tuple[uuid.UUID, Any]:
    """A trainee taken in and enrolled; returns the id and a function adding their events."""
    who = uuid.uuid4()

    def add(event: EventPayload) -> Envelope:
        return plan.add(who, event)

    add(
        tr.TraineeRegistered(
            commune_code=commune,
            province_code="86",
            gender="female",
            birth_year=1990,
            registered_on=course.starts - dt.timedelta(days=20),
            support_groups=groups,
            phone_ciphertext="v1.k1.x",
            sms_consent=True,
        )
    )
    add(
        tr.TraineeEnrolled(
            **course.common(commune),
            course_title="x",
            venue="y",
            starts_on=course.starts,
            ends_on=course.ends,
            enrolled_on=course.starts - dt.timedelta(days=10),
        )
    )
    return who, add


def completed(course: Course, commune: str, passed: bool, certificate: bool) -> EventPayload:
    return tr.TraineeCourseCompleted(
        **course.common(commune),
        completed_on=course.ends,
        passed=passed,
        certificate_issued=certificate,
    )


def outcome(course: Course, commune: str, outcome: Any, day: D) -> EventPayload:
    return tr.TraineeEmploymentRecorded(
        **course.common(commune), outcome=outcome, recorded_on=day, completed_on=course.ends
    )


def paid(
    who: uuid.UUID, course: Course, commune: str, day: D, cost: int, meals: int, travel: int
) -> EventPayload:
    return tr.TrainingSupportPaid(
        trainee_id=who,
        payment_id=uuid.uuid4(),
        course_id=course.id,
        course_code=course.code,
        commune_code=commune,
        province_code="86",
        policy_code="QD46-2015",
        paid_on=day,
        days_present=20,
        cost_vnd=cost,
        meals_vnd=meals,
        travel_vnd=travel,
        total_vnd=cost + meals + travel,
    )


def scenario() -> tuple[Plan, dict[str, uuid.UUID], int]:
    """Seven trainees, two communes, two trades; returns the plan lines and how many events
    were redelivered."""
    p = Plan()
    l1 = p.line(TAN_QUOI, AQUA, places=20, budget=40 * M)
    l2 = p.line(NHON_PHU, MOTO, places=15, budget=30 * M)
    withdrawn = p.line(NHON_PHU, AQUA, places=5, budget=9 * M)
    p.add(
        withdrawn,
        tr.CoursePlanLineWithdrawn(line_id=withdrawn, plan_year=2026, withdrawn_on=D(2026, 2, 1)),
    )
    p.line(TAN_QUOI, AQUA, places=99, budget=99 * M, year=2025)  # last year's plan
    l3 = uuid.uuid4()  # its line is projected after the enrolments that name it

    c1 = Course("AQ-01", AQUA, l1, D(2026, 3, 2), D(2026, 5, 29))
    c2 = Course("MB-01", MOTO, l2, D(2026, 4, 6), D(2026, 6, 26))
    c3 = Course("MB-02", None, l3, D(2026, 5, 4), D(2026, 7, 31))  # trade from its plan line
    c0 = Course("AQ-00", AQUA, None, D(2025, 11, 3), D(2026, 1, 10))  # last year's, unplanned

    t1, add1 = trainee(p, TAN_QUOI, ("poor_household", "ethnic_minority"), c1)
    redelivered = add1(completed(c1, TAN_QUOI, passed=True, certificate=True))
    p.events.append(redelivered)  # the same event, delivered again
    add1(paid(t1, c1, TAN_QUOI, D(2026, 6, 10), 3 * M, 600_000, 0))
    add1(outcome(c1, TAN_QUOI, "no_work_yet", D(2026, 7, 1)))
    add1(outcome(c1, TAN_QUOI, "work_in_trade", D(2026, 8, 1)))  # the correction

    t2, add2 = trainee(p, TAN_QUOI, (), c1)
    add2(completed(c1, TAN_QUOI, passed=True, certificate=False))
    paid2 = add2(paid(t2, c1, TAN_QUOI, D(2026, 6, 10), 2 * M, 450_000, 200_000))
    p.events.append(paid2)  # redelivered too
    add2(outcome(c1, TAN_QUOI, "own_business", D(2026, 7, 15)))

    t3, add3 = trainee(p, TAN_QUOI, ("disability", "woman"), c1)
    add3(completed(c1, TAN_QUOI, passed=False, certificate=False))
    add3(paid(t3, c1, TAN_QUOI, D(2027, 1, 5), 2 * M, 300_000, 0))  # next year's money
    add3(tr.TraineePersonalDataErased(erased_on=D(2026, 9, 1)))  # counts stay

    t4, add4 = trainee(p, NHON_PHU, ("woman",), c2)
    add4(completed(c2, NHON_PHU, passed=True, certificate=True))
    add4(paid(t4, c2, NHON_PHU, D(2026, 7, 1), 3 * M, 0, 0))
    add4(outcome(c2, NHON_PHU, "no_work_yet", D(2026, 8, 1)))

    _, add5 = trainee(p, NHON_PHU, ("near_poor_household", "fisher"), c2)
    add5(completed(c2, NHON_PHU, passed=True, certificate=True))
    add5(outcome(c2, NHON_PHU, "went_abroad", D(2026, 9, 1)))

    trainee(p, TAN_QUOI, ("woman",), c3)  # enrolled, not finished

    _, add7 = trainee(p, TAN_QUOI, (), c0)
    add7(completed(c0, TAN_QUOI, passed=True, certificate=True))
    add7(outcome(c0, TAN_QUOI, "other_work", D(2026, 2, 1)))

    # Line 3 comes last, set twice: the second setting replaces the first.
    p.line(TAN_QUOI, MOTO, places=10, budget=25 * M, line_id=l3, late=True)
    p.line(TAN_QUOI, MOTO, places=12, budget=24 * M, line_id=l3, late=True)
    return p, {"l1": l1, "l2": l2, "l3": l3}, 2
