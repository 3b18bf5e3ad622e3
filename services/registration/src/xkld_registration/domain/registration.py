"""A worker's file (hồ sơ) and the decision to take it in."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from xkld_shared.contracts.registration import PriorityGroup, RegistrationSubmitted
from xkld_shared.errors import Conflict, FieldProblem, InvalidInput

from xkld_registration.domain.communes import CurrentCommune
from xkld_registration.domain.consent import ConsentAnswers, Purpose
from xkld_registration.domain.identity import (
    Gender,
    HouseholdPoverty,
    normalise_mobile,
    normalise_name,
)
from xkld_registration.domain.markets import Market
from xkld_registration.domain.registration_checks import normalised, submission_problems


class Status(StrEnum):
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"
    REJECTED = "rejected"
    RETURNED_COMPLETED = "returned_completed"
    RETURNED_EARLY = "returned_early"
    REINTEGRATION = "reintegration"


# A file in one of these states no longer counts as the person's active file.
CLOSED_STATUSES = frozenset(
    {
        Status.WITHDRAWN,
        Status.REJECTED,
        Status.RETURNED_COMPLETED,
        Status.RETURNED_EARLY,
        Status.REINTEGRATION,
    }
)


Education = Literal[
    "none",
    "primary",
    "lower_secondary",
    "upper_secondary",
    "vocational",
    "college",
    "university",
]


@dataclass(frozen=True)
class IntakeDetails:
    """What the worker wants and can do, asked at intake; all optional on the form."""

    hamlet: str | None = None  # ấp / thôn / khu phố
    education: Education | None = None
    occupation: str | None = None  # current occupation and skills, as the worker says them
    priority_groups: frozenset[PriorityGroup] = frozenset()
    desired_market: str | None = None  # a market code from the reference data
    desired_occupation: str | None = None
    loan_wanted: bool | None = None
    # The labour-demand survey's respondent this file was made from (outreach service); one
    # file per respondent, however often the conversion is sent.
    outreach_respondent_id: uuid.UUID | None = None


@dataclass(frozen=True)
class SubmitRegistration:
    """The command, as typed by the commune officer (not yet validated)."""

    full_name: str
    cccd: str
    date_of_birth: dt.date
    gender: Gender
    phone: str
    commune_code: str
    consents: ConsentAnswers
    ethnicity_code: str
    household_poverty: HouseholdPoverty
    details: IntakeDetails = IntakeDetails()


@dataclass(frozen=True)
class Registration:
    id: uuid.UUID
    full_name: str
    cccd: str
    date_of_birth: dt.date
    gender: Gender
    phone_e164: str
    commune_code: str
    province_code: str
    consents: ConsentAnswers
    status: Status
    submitted_on: dt.date
    ethnicity_code: str
    household_poverty: HouseholdPoverty
    details: IntakeDetails = IntakeDetails()
    commune_code_entered: str | None = None  # the pre-2025 code typed, when it was mapped

    @property
    def sms_consent(self) -> bool:
        return self.consents.granted(Purpose.SMS_NOTIFICATIONS)


class DuplicateActiveRegistration(Conflict):
    code = "duplicate_active_registration"

    def __init__(self, existing_commune_code: str) -> None:
        super().__init__(
            f"Người này đã có hồ sơ đang hoạt động tại xã/phường mã {existing_commune_code}",
            f"This person already has an active file in commune {existing_commune_code}",
        )
        self.existing_commune_code = existing_commune_code


def submit(
    cmd: SubmitRegistration,
    *,
    registration_id: uuid.UUID,
    today: dt.date,
    commune: CurrentCommune | FieldProblem,
    market: Market | FieldProblem | None = None,
) -> Registration:
    """Validate every field, reporting all problems at once, and open the file."""
    name = normalise_name(cmd.full_name)
    cccd = cmd.cccd.strip()
    phone = normalise_mobile(cmd.phone)
    problems = submission_problems(cmd, (name, cccd, phone), today, commune, market)
    if problems or name is None or phone is None or isinstance(commune, FieldProblem):
        raise InvalidInput.of(problems)
    return _opened(cmd, registration_id, today, commune, (name, cccd, phone))


def _opened(
    cmd: SubmitRegistration,
    registration_id: uuid.UUID,
    today: dt.date,
    commune: CurrentCommune,
    cleaned: tuple[str, str, str],
) -> Registration:
    """The new file from a valid command; `cleaned` is the name, CCCD and phone as normalised."""
    name, cccd, phone = cleaned
    return Registration(
        id=registration_id,
        full_name=name,
        cccd=cccd,
        date_of_birth=cmd.date_of_birth,
        gender=cmd.gender,
        phone_e164=phone,
        commune_code=commune.code,
        province_code=commune.province_code,
        consents=cmd.consents,
        status=Status.SUBMITTED,
        submitted_on=today,
        ethnicity_code=cmd.ethnicity_code,
        household_poverty=cmd.household_poverty,
        details=normalised(cmd.details),
        commune_code_entered=(
            commune.entered_code if commune.entered_code != commune.code else None
        ),
    )


def submitted_event(registration: Registration, phone_ciphertext: str) -> RegistrationSubmitted:
    return RegistrationSubmitted(
        commune_code=registration.commune_code,
        province_code=registration.province_code,
        gender=registration.gender,
        birth_year=registration.date_of_birth.year,
        submitted_on=registration.submitted_on,
        phone_ciphertext=phone_ciphertext,
        sms_consent=registration.sms_consent,
        hamlet=registration.details.hamlet,
        priority_groups=tuple(sorted(registration.details.priority_groups)),
        desired_market=registration.details.desired_market,
        loan_wanted=registration.details.loan_wanted,
        outreach_respondent_id=registration.details.outreach_respondent_id,
    )


# Personal fields appear in the audit trail as changed, never with their values.
_SEALED = "«sealed»"


def audit_view(registration: Registration) -> dict[str, object]:
    return {
        "full_name": _SEALED,
        "cccd": _SEALED,
        "date_of_birth": _SEALED,
        "phone": _SEALED,
        "ethnicity": _SEALED,
        "household_poverty": _SEALED,
        "gender": registration.gender,
        "commune_code": registration.commune_code,
        "province_code": registration.province_code,
        **{f"consent.{p.value}": g for p, g in registration.consents.answers.items()},
        "consent_text_version": registration.consents.text_version,
        "status": registration.status.value,
        "commune_code_entered": registration.commune_code_entered,
        "hamlet": registration.details.hamlet,
        "education": registration.details.education,
        "occupation": _SEALED if registration.details.occupation else None,
        "priority_groups": sorted(registration.details.priority_groups),
        "desired_market": registration.details.desired_market,
        "desired_occupation": registration.details.desired_occupation,
        "loan_wanted": registration.details.loan_wanted,
    }
