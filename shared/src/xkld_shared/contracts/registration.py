"""Events of the registration stream."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from xkld_shared.contracts.envelope import EventPayload

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


class RegistrationPersonalDataErased(EventPayload):
    """The worker's personal data was erased on request (they never departed).

    Consumers delete what they hold about the person; counts already made stay as they are.
    """

    EVENT_TYPE = "RegistrationPersonalDataErased"
    SCHEMA_VERSION = 1

    erased_on: dt.date
