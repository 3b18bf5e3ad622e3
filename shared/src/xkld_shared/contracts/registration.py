"""Events of the registration stream."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

from pydantic import Field

from xkld_shared.contracts.envelope import EventPayload

# Codes shared by producers and consumers. Lists of markets, courses and enterprises are
# reference data owned by registration; events carry their codes, never free text about people.
Code = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]{1,40}$")]
PriorityGroup = Literal[
    "poor_household",
    "near_poor_household",
    "ethnic_minority",
    "farmland_recovered",
    "revolutionary_merit_family",
    "demobilised_soldier",
    "youth_volunteer",
    "unemployed_graduate",
]

# The purpose bound into a sealed phone number; registration seals, notifications opens.
PHONE_PURPOSE = "phone"


class RegistrationSubmitted(EventPayload):
    """A commune officer took in a worker's file.

    No name or CCCD travels; the phone number is field-encrypted for notifications only.
    """

    EVENT_TYPE = "RegistrationSubmitted"
    SCHEMA_VERSION = 1

    commune_code: str = Field(pattern=r"^\d{5}$")
    # Added later: optional, so events without it stay valid (no new schema version needed).
    province_code: str | None = Field(default=None, pattern=r"^\d{2}$")
    gender: Literal["male", "female"]
    birth_year: int = Field(ge=1900, le=2100)
    submitted_on: dt.date
    phone_ciphertext: str = Field(min_length=1)
    sms_consent: bool
    # Reporting dimensions, added after v1 as optional fields (older events simply lack them).
    # Priority groups travel because the bank's rate and the council's reports depend on them;
    # they are a set of codes, never the household's documents.
    hamlet: str | None = Field(default=None, max_length=100)
    priority_groups: tuple[PriorityGroup, ...] = ()
    desired_market: Code | None = None
    loan_wanted: bool | None = None
    # Added for the labour-demand survey: the outreach respondent this file was made from, so
    # outreach can link the two (an id only; the respondent's answers stay in outreach).
    outreach_respondent_id: uuid.UUID | None = None


class RegistrationPersonalDataErased(EventPayload):
    """The worker's personal data was erased on request (they never departed).

    Consumers delete what they hold about the person; counts already made stay as they are.
    """

    EVENT_TYPE = "RegistrationPersonalDataErased"
    SCHEMA_VERSION = 1

    erased_on: dt.date
