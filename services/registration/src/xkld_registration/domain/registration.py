"""A worker's file (hồ sơ) and the decision to take it in."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from enum import StrEnum

from xkld_shared.contracts.registration import RegistrationSubmitted
from xkld_shared.errors import Conflict, FieldProblem, InvalidInput

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
    province_code: str | None,
) -> Registration:
    """Validate every field, reporting all problems at once, and open the file."""
    problems: list[FieldProblem] = []
    if (consent_issue := consent_problem(cmd.consents)) is not None:
        problems.append(consent_issue)
    name = normalise_name(cmd.full_name)
    if name is None:
        problems.append(
            FieldProblem("full_name", "Họ tên không hợp lệ", "The full name is not valid")
        )
    cccd = cmd.cccd.strip()
    if (cccd_issue := cccd_problem(cccd, cmd.date_of_birth, cmd.gender)) is not None:
        problems.append(cccd_issue)
    if cmd.date_of_birth > today:
        problems.append(
            FieldProblem(
                "date_of_birth", "Ngày sinh ở tương lai", "The date of birth is in the future"
            )
        )
    elif age_on(cmd.date_of_birth, today) < MINIMUM_AGE:
        problems.append(
            FieldProblem(
                "date_of_birth",
                f"Người lao động phải đủ {MINIMUM_AGE} tuổi",
                f"The worker must be at least {MINIMUM_AGE} years old",
            )
        )
    phone = normalise_mobile(cmd.phone)
    if phone is None:
        problems.append(
            FieldProblem(
                "phone",
                "Số điện thoại di động Việt Nam không hợp lệ",
                "Not a valid Vietnamese mobile number",
            )
        )
    if not re.fullmatch(r"\d{5}", cmd.commune_code):
        problems.append(
            FieldProblem(
                "commune_code", "Mã xã/phường phải gồm 5 chữ số", "A commune code is 5 digits"
            )
        )
    elif province_code is None:
        problems.append(
            FieldProblem(
                "commune_code",
                "Mã xã/phường không có trong danh mục đơn vị hành chính sau sáp nhập (01/07/2025)",
                "The commune code is not in the official list after the 1 July 2025 merger",
            )
        )
    if (ethnicity_issue := ethnicity_problem(cmd.ethnicity_code)) is not None:
        problems.append(ethnicity_issue)
    if problems or name is None or phone is None or province_code is None:
        raise InvalidInput.of(problems)
    return Registration(
        id=registration_id,
        full_name=name,
        cccd=cccd,
        date_of_birth=cmd.date_of_birth,
        gender=cmd.gender,
        phone_e164=phone,
        commune_code=cmd.commune_code,
        province_code=province_code,
        consents=cmd.consents,
        status=Status.SUBMITTED,
        submitted_on=today,
        ethnicity_code=cmd.ethnicity_code,
        household_poverty=cmd.household_poverty,
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
    }
