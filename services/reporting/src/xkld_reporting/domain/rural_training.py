"""What the rural vocational-training events do to their read models (pure).

Three row kinds: a trainee (where they live, the Decision 46 group they are counted under), a
trainee's course (its trade and plan line as the course events tell them, start, result,
employment outcome, support paid) and a line of the yearly course plan. Rows are joined only
when a report is read: a trainee's enrolment may be projected before the plan line it names,
since the two travel under different keys.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from xkld_shared.contracts import training as tr
from xkld_shared.contracts.envelope import Envelope, EventPayload

from xkld_reporting.domain.support_groups import counted_group

EMPLOYMENT_OUTCOMES = ("work_in_trade", "other_work", "own_business", "went_abroad", "no_work_yet")
NOT_EMPLOYED = "no_work_yet"  # every other outcome counts as employed

_COURSE_EVENTS = (tr.TraineeEnrolled, tr.TraineeCourseCompleted, tr.TraineeEmploymentRecorded)
EVENTS: tuple[type[EventPayload], ...] = (
    tr.TraineeRegistered,
    tr.TraineePersonalDataErased,
    *_COURSE_EVENTS,
    tr.TrainingSupportPaid,
    tr.CoursePlanLineSet,
    tr.CoursePlanLineWithdrawn,
)


@dataclass
class TraineeRow:
    trainee_id: uuid.UUID
    commune_code: str | None = None  # the unit reported under (after the 2025 merger)
    source_commune_code: str | None = None
    province_code: str | None = None
    registered_on: dt.date | None = None
    support_group: str | None = None  # the single highest Decision 46 group
    difficult_commune: bool | None = None
    erased_on: dt.date | None = None


@dataclass
class TraineeCourseRow:
    trainee_id: uuid.UUID
    course_id: uuid.UUID
    course_code: str
    commune_code: str | None = None  # the trainee's, as the course events carry it
    trade_code: str | None = None
    plan_line_id: uuid.UUID | None = None
    starts_on: dt.date | None = None
    enrolled_on: dt.date | None = None
    completed_on: dt.date | None = None
    passed: bool | None = None
    certificate_issued: bool | None = None
    outcome: str | None = None  # the latest record: a correction replaces it
    outcome_recorded_on: dt.date | None = None
    support_paid_on: dt.date | None = None
    support_commune_code: str | None = None
    support_cost_vnd: int = 0
    support_meals_vnd: int = 0
    support_travel_vnd: int = 0
    support_total_vnd: int = 0


@dataclass
class PlanLineRow:
    line_id: uuid.UUID
    plan_year: int
    commune_code: str
    source_commune_code: str
    province_code: str | None
    trade_code: str
    places: int
    planned_starts_on: dt.date
    planned_ends_on: dt.date
    budget_vnd: int
    set_on: dt.date
    withdrawn_on: dt.date | None = None


CourseKey = tuple[uuid.UUID, uuid.UUID]


@dataclass
class RuralTrainingState:
    """The rows one batch of the registration stream's training events reads and writes."""

    current_unit: Callable[[str], str]
    province_of: Callable[[str], str | None]
    trainees: dict[uuid.UUID, TraineeRow]
    courses: dict[CourseKey, TraineeCourseRow]
    lines: dict[uuid.UUID, PlanLineRow]
    touched: set[uuid.UUID] = field(default_factory=set)
    touched_courses: set[CourseKey] = field(default_factory=set)
    touched_lines: set[uuid.UUID] = field(default_factory=set)

    def trainee(self, trainee_id: uuid.UUID) -> TraineeRow:
        row = self.trainees.get(trainee_id)
        if row is None:
            row = self.trainees[trainee_id] = TraineeRow(trainee_id)
        self.touched.add(trainee_id)
        return row

    def course(self, trainee_id: uuid.UUID, course_id: uuid.UUID, code: str) -> TraineeCourseRow:
        key = (trainee_id, course_id)
        row = self.courses.get(key)
        if row is None:
            row = self.courses[key] = TraineeCourseRow(trainee_id, course_id, code)
        self.touched_courses.add(key)
        return row


def plan_line_id(event: EventPayload) -> uuid.UUID | None:
    """The plan line a plan event is about (its rows are loaded by it)."""
    if isinstance(event, tr.CoursePlanLineSet | tr.CoursePlanLineWithdrawn):
        return event.line_id
    return None


def apply_rural_training_event(
    state: RuralTrainingState, env: Envelope, event: EventPayload
) -> None:
    handler = _HANDLERS.get(type(event))
    if handler is not None:
        handler(state, env, event)


def _registered(state: RuralTrainingState, env: Envelope, e: tr.TraineeRegistered) -> None:
    row = state.trainee(env.registration_id)
    commune = state.current_unit(e.commune_code)
    row.commune_code, row.source_commune_code = commune, e.commune_code
    row.province_code = state.province_of(commune) or e.province_code
    row.registered_on = e.registered_on
    row.support_group = counted_group(e.support_groups)
    row.difficult_commune = e.difficult_commune


def _erased(state: RuralTrainingState, env: Envelope, e: tr.TraineePersonalDataErased) -> None:
    # Reporting holds no name, birth year, gender or contact for a trainee; the dimensions it
    # counts by stay, because the counts stay.
    state.trainee(env.registration_id).erased_on = e.erased_on


def _course_row(
    state: RuralTrainingState,
    env: Envelope,
    e: tr.TraineeEnrolled | tr.TraineeCourseCompleted | tr.TraineeEmploymentRecorded,
) -> TraineeCourseRow:
    row = state.course(env.registration_id, e.course_id, e.course_code)
    row.course_code = e.course_code
    row.trade_code = e.trade_code or row.trade_code
    row.plan_line_id = e.plan_line_id or row.plan_line_id
    if row.commune_code is None or isinstance(e, tr.TraineeEnrolled):
        row.commune_code = state.current_unit(e.commune_code)
    return row


def _enrolled(state: RuralTrainingState, env: Envelope, e: tr.TraineeEnrolled) -> None:
    row = _course_row(state, env, e)
    row.starts_on, row.enrolled_on = e.starts_on, e.enrolled_on


def _completed(state: RuralTrainingState, env: Envelope, e: tr.TraineeCourseCompleted) -> None:
    row = _course_row(state, env, e)
    row.completed_on, row.passed = e.completed_on, e.passed
    row.certificate_issued = e.certificate_issued


def _employment(state: RuralTrainingState, env: Envelope, e: tr.TraineeEmploymentRecorded) -> None:
    row = _course_row(state, env, e)
    # One outcome per trainee and course: the later record replaces the earlier one.
    row.outcome, row.outcome_recorded_on = e.outcome, e.recorded_on
    row.completed_on = row.completed_on or e.completed_on


def _support_paid(state: RuralTrainingState, env: Envelope, e: tr.TrainingSupportPaid) -> None:
    row = state.course(e.trainee_id, e.course_id, e.course_code)
    if row.commune_code is None:
        row.commune_code = state.current_unit(e.commune_code)
    # Set, not added: a person is supported once, so a second record can only restate it.
    row.support_paid_on = e.paid_on
    row.support_commune_code = state.current_unit(e.commune_code)
    row.support_cost_vnd, row.support_meals_vnd = e.cost_vnd, e.meals_vnd
    row.support_travel_vnd, row.support_total_vnd = e.travel_vnd, e.total_vnd


def _line_set(state: RuralTrainingState, env: Envelope, e: tr.CoursePlanLineSet) -> None:
    commune = state.current_unit(e.commune_code)
    # Setting a line replaces all of it (a withdrawn line set again is back in the plan).
    state.lines[e.line_id] = PlanLineRow(
        e.line_id,
        e.plan_year,
        commune,
        e.commune_code,
        state.province_of(commune) or e.province_code,
        e.trade_code,
        e.places,
        e.planned_starts_on,
        e.planned_ends_on,
        e.budget_vnd,
        e.set_on,
    )
    state.touched_lines.add(e.line_id)


def _line_withdrawn(
    state: RuralTrainingState, env: Envelope, e: tr.CoursePlanLineWithdrawn
) -> None:
    line = state.lines.get(e.line_id)
    if line is None:  # its CoursePlanLineSet never arrived (dead-lettered): nothing to count
        return
    line.withdrawn_on = e.withdrawn_on
    state.touched_lines.add(e.line_id)


_HANDLERS: dict[type[EventPayload], Callable[..., None]] = {
    tr.TraineeRegistered: _registered,
    tr.TraineePersonalDataErased: _erased,
    tr.TraineeEnrolled: _enrolled,
    tr.TraineeCourseCompleted: _completed,
    tr.TraineeEmploymentRecorded: _employment,
    tr.TrainingSupportPaid: _support_paid,
    tr.CoursePlanLineSet: _line_set,
    tr.CoursePlanLineWithdrawn: _line_withdrawn,
}
