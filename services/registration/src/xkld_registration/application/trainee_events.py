"""The trainee's events, built for the outbox of the step's own transaction.

Each is keyed by the trainee's id (the envelope's `registration_id`, the stream's partition
key), as `TrainingSupportPaid` is, so one person's events stay in order. They carry codes and
dates only; the phone travels sealed, exactly as in `RegistrationSubmitted`.
"""

from __future__ import annotations

import datetime as dt
import uuid

from xkld_shared.audit import ChangeContext
from xkld_shared.contracts.envelope import EventPayload, new_envelope
from xkld_shared.contracts.topics import Stream, Topics
from xkld_shared.contracts.training import (
    EmploymentOutcome,
    TraineeCourseCompleted,
    TraineeEmploymentRecorded,
    TraineeEnrolled,
    TraineeRegistered,
)
from xkld_shared.db.pool import Conn
from xkld_shared.messaging.outbox import add_to_outbox

from xkld_registration.domain.reference import Course
from xkld_registration.domain.registration import Registration
from xkld_registration.domain.training_support import SupportGroup

PRODUCER = "registration"


class TraineeEvents:
    """Writes one event into the outbox; the caller owns the transaction."""

    def __init__(self, topics: Topics) -> None:
        self._topic = topics.of(Stream.REGISTRATION)

    async def add(
        self, conn: Conn, trainee_id: uuid.UUID, payload: EventPayload, ctx: ChangeContext
    ) -> None:
        envelope = new_envelope(
            payload,
            registration_id=trainee_id,
            producer=PRODUCER,
            correlation_id=ctx.correlation_id,
        )
        await add_to_outbox(conn, self._topic, [envelope])


def registered(
    person: Registration,
    phone_ciphertext: str,
    groups: frozenset[SupportGroup],
    difficult_commune: bool,
) -> TraineeRegistered:
    return TraineeRegistered(
        commune_code=person.commune_code,
        province_code=person.province_code,
        gender=person.gender,
        birth_year=person.date_of_birth.year,
        registered_on=person.submitted_on,
        support_groups=tuple(sorted(groups)),
        difficult_commune=difficult_commune,
        phone_ciphertext=phone_ciphertext,
        sms_consent=person.sms_consent,
    )


def _where(course: Course, commune_code: str, province_code: str) -> dict[str, object]:
    """What every trainee-and-course event carries: the course, its trade and plan line, and
    the trainee's commune (reports count where the person lives, not where the course is)."""
    return {
        "course_id": course.id,
        "course_code": course.code,
        "trade_code": course.trade_code,
        "plan_line_id": course.plan_line_id,
        "commune_code": commune_code,
        "province_code": province_code,
    }


def enrolled(course: Course, commune_code: str, province_code: str, on: dt.date) -> TraineeEnrolled:
    return TraineeEnrolled.model_validate(
        _where(course, commune_code, province_code)
        | {
            "course_title": course.title,
            "venue": course.venue,
            "starts_on": course.starts_on,
            "ends_on": course.ends_on,
            "enrolled_on": on,
        }
    )


def completed(
    course: Course,
    commune_code: str,
    province_code: str,
    on: dt.date,
    passed: bool,
    certificate_issued: bool,
) -> TraineeCourseCompleted:
    return TraineeCourseCompleted.model_validate(
        _where(course, commune_code, province_code)
        | {"completed_on": on, "passed": passed, "certificate_issued": certificate_issued}
    )


def employment(
    course: Course,
    commune_code: str,
    province_code: str,
    outcome: EmploymentOutcome,
    recorded_on: dt.date,
    completed_on: dt.date,
) -> TraineeEmploymentRecorded:
    return TraineeEmploymentRecorded.model_validate(
        _where(course, commune_code, province_code)
        | {"outcome": outcome, "recorded_on": recorded_on, "completed_on": completed_on}
    )
