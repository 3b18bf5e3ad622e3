"""The field checks of a submitted registration, reporting every problem in the form's order,
and the tidying of the free-text intake details. Pure."""

from __future__ import annotations

import dataclasses
import datetime as dt
import unicodedata
from typing import TYPE_CHECKING

from xkld_shared.errors import FieldProblem

from xkld_registration.domain.communes import CurrentCommune
from xkld_registration.domain.consent import consent_problem
from xkld_registration.domain.identity import (
    MINIMUM_AGE,
    age_on,
    cccd_problem,
    ethnicity_problem,
)
from xkld_registration.domain.markets import Market, market_age_problem

if TYPE_CHECKING:
    from xkld_registration.domain.registration import IntakeDetails, SubmitRegistration


def submission_problems(
    cmd: SubmitRegistration,
    cleaned: tuple[str | None, str, str | None],
    today: dt.date,
    commune: CurrentCommune | FieldProblem,
    market: Market | FieldProblem | None,
) -> list[FieldProblem]:
    problems = _person_problems(cmd, cleaned, today)
    if isinstance(commune, FieldProblem):
        problems.append(commune)
    if (ethnicity_issue := ethnicity_problem(cmd.ethnicity_code)) is not None:
        problems.append(ethnicity_issue)
    problems += _details_problems(cmd.details, cmd.date_of_birth, today, market)
    return problems


def _person_problems(
    cmd: SubmitRegistration, cleaned: tuple[str | None, str, str | None], today: dt.date
) -> list[FieldProblem]:
    """The consents and the person's own fields, in the form's order; `cleaned` is the name,
    CCCD and phone as normalised (None when not valid)."""
    name, cccd, phone = cleaned
    issues = [
        consent_problem(cmd.consents),
        _name_problem(name),
        cccd_problem(cccd, cmd.date_of_birth, cmd.gender),
        _birth_problem(cmd.date_of_birth, today),
        _phone_problem(phone),
    ]
    return [issue for issue in issues if issue is not None]


def _name_problem(name: str | None) -> FieldProblem | None:
    if name is None:
        return FieldProblem("full_name", "Họ tên không hợp lệ", "The full name is not valid")
    return None


def _phone_problem(phone: str | None) -> FieldProblem | None:
    if phone is None:
        return FieldProblem(
            "phone",
            "Số điện thoại di động Việt Nam không hợp lệ",
            "Not a valid Vietnamese mobile number",
        )
    return None


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


def normalised(details: IntakeDetails) -> IntakeDetails:
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
    return [
        *_hamlet_problems(details.hamlet),
        *_market_problems(market, date_of_birth, today),
    ]


def _hamlet_problems(hamlet: str | None) -> list[FieldProblem]:
    if hamlet is not None and not 1 <= len(_clean_text(hamlet) or "") <= 100:
        return [FieldProblem("hamlet", "Tên ấp/thôn không hợp lệ", "The hamlet name is not valid")]
    return []


def _market_problems(
    market: Market | FieldProblem | None, date_of_birth: dt.date, today: dt.date
) -> list[FieldProblem]:
    if isinstance(market, FieldProblem):
        return [market]
    if market is not None and date_of_birth <= today:
        age_issue = market_age_problem(market, date_of_birth, today)
        return [] if age_issue is None else [age_issue]
    return []
