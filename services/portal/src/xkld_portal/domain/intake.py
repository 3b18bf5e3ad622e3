"""The intake form's fields as the registration service wants them: typed, nothing guessed."""

from __future__ import annotations

import uuid
from typing import Any

from xkld_portal.domain.labels import N_, PRIORITY_GROUPS
from xkld_portal.domain.steps import Parsed, Problem

CONSENT_TEXT_VERSION = "2026-01"
PURPOSES = {
    "registration_processing": N_("Processing this file for labour export (required)"),
    "sms_notifications": N_("Receiving SMS about each step"),
    "share_with_enterprise": N_("Sharing the file with the enterprise chosen"),
    "share_with_bank": N_("Sharing the file with the Bank for Social Policies for a loan"),
}
_REQUIRED = (
    "full_name",
    "cccd",
    "date_of_birth",
    "gender",
    "phone",
    "commune_code",
    "ethnicity_code",
    "household_poverty",
)
_OPTIONAL = ("hamlet", "education", "occupation", "desired_market", "desired_occupation")


def _text(form: dict[str, Any], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _listed(form: dict[str, Any], name: str) -> list[str]:
    value = form.get(name)
    values = value if isinstance(value, list) else [value] if isinstance(value, str) else []
    return [v for v in values if isinstance(v, str)]


def _read_required(form: dict[str, Any], parsed: Parsed) -> None:
    for name in _REQUIRED:
        if value := _text(form, name):
            parsed.body[name] = value
        else:
            parsed.problems.append(Problem(name, N_("This field is required")))


def _consents(form: dict[str, Any]) -> dict[str, Any]:
    """Each purpose, agreed to or not, and the consent text's version they were shown."""
    consents = set(_listed(form, "consents"))
    return {
        "consents": {purpose: purpose in consents for purpose in PURPOSES},
        "consent_text_version": CONSENT_TEXT_VERSION,
    }


def intake_body(form: dict[str, Any]) -> Parsed:
    parsed = Parsed()
    _read_required(form, parsed)
    parsed.body |= _optional(form) | {"priority_groups": _priority_groups(form)}
    parsed.body |= _loan_wanted(form) | _consents(form) | _conversion(form)
    return parsed


def _optional(form: dict[str, Any]) -> dict[str, str]:
    """The optional fields that were filled in; a blank one is not sent."""
    return {name: value for name in _OPTIONAL if (value := _text(form, name))}


def _priority_groups(form: dict[str, Any]) -> list[str]:
    return [g for g in _listed(form, "priority_groups") if g in PRIORITY_GROUPS]


def _loan_wanted(form: dict[str, Any]) -> dict[str, bool]:
    """Yes or no when the question was answered; left out when it was not."""
    loan = _text(form, "loan_wanted")
    return {"loan_wanted": loan == "true"} if loan in ("true", "false") else {}


def _conversion(form: dict[str, Any]) -> dict[str, str]:
    respondent = _respondent(form)
    return {"outreach_respondent_id": respondent} if respondent else {}


def _respondent(form: dict[str, Any]) -> str | None:
    """The survey respondent this intake converts (issue 16): registration makes one file per
    respondent however often it is sent. Anything but a UUID is dropped, not sent."""
    try:
        return str(uuid.UUID(_text(form, "outreach_respondent_id")))
    except ValueError:
        return None
