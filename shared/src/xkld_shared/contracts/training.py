"""Rural vocational training for people who stay (no labour-export file).

Events are keyed by the trainee's id (carried in the envelope's `registration_id`, the
stream's partition key). They carry codes, dates and integer VND only: never a name, a CCCD or
a phone number.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

from pydantic import Field

from xkld_shared.contracts.envelope import EventPayload
from xkld_shared.contracts.registration import Code

Vnd = int


class TrainingSupportPaid(EventPayload):
    """Decision 46/2015 support was paid to one trainee for one course (once per person)."""

    EVENT_TYPE = "TrainingSupportPaid"
    SCHEMA_VERSION = 1

    trainee_id: uuid.UUID
    payment_id: uuid.UUID
    course_id: uuid.UUID
    course_code: Code
    commune_code: str = Field(pattern=r"^\d{5}$")
    province_code: str = Field(pattern=r"^\d{2}$")
    policy_code: Code
    paid_on: dt.date
    days_present: int = Field(gt=0)
    cost_vnd: Vnd = Field(ge=0)
    meals_vnd: Vnd = Field(ge=0)
    travel_vnd: Vnd = Field(ge=0)
    total_vnd: Vnd = Field(gt=0)


# --- Trainees who stay, the course plan, and employment after training -------------------------
#
# Trainee events are keyed by the trainee's id; plan events by the plan line's id. Both ids ride
# in the envelope's `registration_id`, the stream's partition key, so one trainee's (or one
# line's) events stay in order.

SupportGroupCode = Code
EmploymentOutcome = Literal[
    "work_in_trade", "other_work", "own_business", "went_abroad", "no_work_yet"
]
CommuneCode = Annotated[str, Field(pattern=r"^\d{5}$")]
ProvinceCode = Annotated[str, Field(pattern=r"^\d{2}$")]


class TraineeRegistered(EventPayload):
    """A commune officer took in a rural trainee, who may never go abroad.

    No name or CCCD travels; the phone number is sealed for notifications only, as it is in
    `RegistrationSubmitted` (purpose `PHONE_PURPOSE`).
    """

    EVENT_TYPE = "TraineeRegistered"
    SCHEMA_VERSION = 1

    commune_code: CommuneCode
    province_code: ProvinceCode
    gender: Literal["male", "female"]
    birth_year: int = Field(ge=1900, le=2100)
    registered_on: dt.date
    # Decision 46/2015 groups (codes only); reports count trainees by their highest group.
    support_groups: tuple[SupportGroupCode, ...] = ()
    difficult_commune: bool = False
    phone_ciphertext: str = Field(min_length=1)
    sms_consent: bool


class _TraineeCourseEvent(EventPayload):
    """What every trainee-and-course event carries for reports: the course and where."""

    course_id: uuid.UUID
    course_code: Code
    # The trade taught (a code of the plan's trade list); None for a course set up without one.
    trade_code: Code | None = None
    plan_line_id: uuid.UUID | None = None
    commune_code: CommuneCode
    province_code: ProvinceCode


class TraineeEnrolled(_TraineeCourseEvent):
    """A trainee took a place in a vocational course."""

    EVENT_TYPE = "TraineeEnrolled"
    SCHEMA_VERSION = 1

    course_title: str = Field(max_length=200)
    venue: str = Field(max_length=200)
    starts_on: dt.date
    ends_on: dt.date
    enrolled_on: dt.date


class TraineeCourseCompleted(_TraineeCourseEvent):
    """The training centre recorded a trainee's result: passed (with a certificate or not)."""

    EVENT_TYPE = "TraineeCourseCompleted"
    SCHEMA_VERSION = 1

    completed_on: dt.date
    passed: bool
    certificate_issued: bool


class TraineeEmploymentRecorded(_TraineeCourseEvent):
    """The commune recorded what a trainee does after a course. A later record for the same
    trainee and course replaces the earlier one (a correction, or a change of situation)."""

    EVENT_TYPE = "TraineeEmploymentRecorded"
    SCHEMA_VERSION = 1

    outcome: EmploymentOutcome
    recorded_on: dt.date
    completed_on: dt.date


class TraineePersonalDataErased(EventPayload):
    """The trainee's personal data was erased on request. Consumers delete what they hold about
    the person (a contact, planned messages); counts already made stay as they are."""

    EVENT_TYPE = "TraineePersonalDataErased"
    SCHEMA_VERSION = 1

    erased_on: dt.date


class CoursePlanLineSet(EventPayload):
    """One line of a year's course plan: a trade ordered (đặt hàng) from a training institution
    for one commune, with places, dates and budget. Setting a line again replaces it."""

    EVENT_TYPE = "CoursePlanLineSet"
    SCHEMA_VERSION = 1

    line_id: uuid.UUID
    plan_year: int = Field(ge=2000, le=2100)
    province_code: ProvinceCode
    commune_code: CommuneCode
    trade_code: Code
    trade_title: str = Field(min_length=1, max_length=200)
    institution: str = Field(min_length=1, max_length=200)
    places: int = Field(gt=0, le=10_000)
    planned_starts_on: dt.date
    planned_ends_on: dt.date
    budget_vnd: Vnd = Field(ge=0)
    set_on: dt.date


class CoursePlanLineWithdrawn(EventPayload):
    """A plan line was taken out of the year's plan; reports stop counting its places and
    budget."""

    EVENT_TYPE = "CoursePlanLineWithdrawn"
    SCHEMA_VERSION = 1

    line_id: uuid.UUID
    plan_year: int = Field(ge=2000, le=2100)
    withdrawn_on: dt.date
