"""Rural vocational training for people who stay (no labour-export file).

Events are keyed by the trainee's id (carried in the envelope's `registration_id`, the
stream's partition key). They carry codes, dates and integer VND only: never a name, a CCCD or
a phone number.
"""

from __future__ import annotations

import datetime as dt
import uuid

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
