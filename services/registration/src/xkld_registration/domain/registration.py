"""A worker's file (hồ sơ) and the decision to take it in."""

from __future__ import annotations

import dataclasses
import datetime as dt
import unicodedata
import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from xkld_shared.contracts.registration import PriorityGroup, RegistrationSubmitted
from xkld_shared.errors import Conflict, FieldProblem, InvalidInput

from xkld_registration.domain.communes import CurrentCommune
from xkld_registration.domain.consent import ConsentAnswers, Purpose, consent_problem
from xkld_registration.domain.identity import (
    MINIMUM_AGE,
    Gender,
    HouseholdPoverty,
    age_on,
    cccd_problem,
    ethnicity_problem,
    normalise_mobile,
    normalise_name,
)
from xkld_registration.domain.markets import Market, market_age_problem


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
    problems = _person_problems(cmd, (name, cccd, phone), today)
    if isinstance(commune, FieldProblem):
        problems.append(commune)
    if (ethnicity_issue := ethnicity_problem(cmd.ethnicity_code)) is not None:
        problems.append(ethnicity_issue)
    problems += _details_problems(cmd.details, cmd.date_of_birth, today, market)
    if problems or name is None or phone is None or isinstance(commune, FieldProblem):
        raise InvalidInput.of(problems)
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
        details=_normalised(cmd.details),
        commune_code_entered=(
            commune.entered_code if commune.entered_code != commune.code else None
        ),
    )


def _person_problems(
    cmd: SubmitRegistration, cleaned: tuple[str | None, str, str | None], today: dt.date
) -> list[FieldProblem]:
    """The consents and the person's own fields, in the form's order; `cleaned` is the name,
    CCCD and phone as normalised (None when not valid)."""
    name, cccd, phone = cleaned
    problems: list[FieldProblem] = []
    if (consent_issue := consent_problem(cmd.consents)) is not None:
        problems.append(consent_issue)
    if name is None:
        problems.append(
            FieldProblem("full_name", "Họ tên không hợp lệ", "The full name is not valid")
        )
    if (cccd_issue := cccd_problem(cccd, cmd.date_of_birth, cmd.gender)) is not None:
        problems.append(cccd_issue)
    if (birth_issue := _birth_problem(cmd.date_of_birth, today)) is not None:
        problems.append(birth_issue)
    if phone is None:
        problems.append(
            FieldProblem(
                "phone",
                "Số điện thoại di động Việt Nam không hợp lệ",
                "Not a valid Vietnamese mobile number",
            )
        )
    return problems


def _birth_problem(date_of_birth: dt.date, today: dt.date) -> FieldProblem | None:
    if date_of_birth > today:
        return FieldProblem(
            "date_of_birth", "Ngày sinh ở tương lai", "The date of birth is in the future"
        )
    if age_on(date_of_birth, today) < MINIMUM_AGE:
        return FieldProblem(
            "date_of_birth",
            f"Người lao động phải đủ {MINIMUM_AGE} tuổi",
            f"The worker must be at least {MINIMUM_AGE} years old",
        )
    return None


def _clean_text(raw: str | None) -> str | None:
    if raw is None:
        return None
    text = " ".join(unicodedata.normalize("NFC", raw).split())
    return text or None


def _normalised(details: IntakeDetails) -> IntakeDetails:
    return dataclasses.replace(
        details,
        hamlet=_clean_text(details.hamlet),
        occupation=_clean_text(details.occupation),
        desired_occupation=_clean_text(details.desired_occupation),
    )


def _details_problems(
    details: IntakeDetails,
    date_of_birth: dt.date,
    today: dt.date,
    market: Market | FieldProblem | None,
) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    if details.hamlet is not None and not 1 <= len(_clean_text(details.hamlet) or "") <= 100:
        problems.append(
            FieldProblem("hamlet", "Tên ấp/thôn không hợp lệ", "The hamlet name is not valid")
        )
    if isinstance(market, FieldProblem):
        problems.append(market)
    elif market is not None and date_of_birth <= today:
        age_issue = market_age_problem(market, date_of_birth, today)
        problems += [] if age_issue is None else [age_issue]
    return problems


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
