"""Posted forms of the training centre's and the labour officer's screens, as the services'
JSON bodies. Values are passed on as typed (trimmed): the service checks them and its message is
shown next to the field, so the portal keeps no second copy of the rules. Only what a form
cannot express directly is shaped here: blanks of optional fields, lists, yes/no choices."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping
from typing import Any

from xkld_portal.domain.labels import N_

Form = Mapping[str, Any]

COURSE_TYPES = {
    "orientation": N_("Orientation (pre-departure education)"),
    "language": N_("Language"),
    "vocational": N_("Vocational skills"),
}
REJECTION_REASONS = {
    "not_voluntary": N_("Not applying of their own will"),
    "age": N_("Age outside the market's limits"),
    "health": N_("Health does not meet the requirements"),
    "documents": N_("Documents missing or not valid"),
    "legal": N_("Barred from leaving the country"),
    "other": N_("Other reason (explained below)"),
}
_SEPARATORS = re.compile(r"[\s,;]+")
_DIGIT_GROUPING = re.compile(r"[.\s₫]")


def text(form: Form, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def optional(form: Form, name: str) -> str | None:
    """A blank optional field is left out (None), not sent as an empty string to refuse."""
    return text(form, name) or None


def yes(form: Form, name: str) -> bool:
    return text(form, name) in {"true", "on", "yes", "1"}


def codes(form: Form, name: str) -> list[str]:
    """A list typed as `JP, KR_EPS` (commas, spaces or semicolons between codes)."""
    return [c for c in _SEPARATORS.split(text(form, name)) if c]


def digits_of(typed: str) -> str:
    """An amount without the thousands separators and spaces people type into it."""
    return typed.replace(".", "").replace(",", "").replace(" ", "")


def is_whole(digits: str) -> bool:
    """Digits the services take as a whole number: at most 15 of them."""
    return digits.isdigit() and len(digits) <= 15


def whole_vnd(form: Form, name: str) -> int | str | None:
    """Money as people type it (`30.000.000 ₫`): the grouping is dropped; what is not a whole
    number of đồng then goes as typed, for the service to refuse next to the field."""
    typed = _DIGIT_GROUPING.sub("", text(form, name))
    return int(typed) if is_whole(typed) else (typed or None)


def file_id(typed: str) -> uuid.UUID | None:
    """A file's code as a commune officer reads it out: its id, with or without dashes."""
    try:
        return uuid.UUID(typed.strip())
    except ValueError:
        return None


def whole(form: Form, name: str) -> int | str | None:
    """A whole number as the service takes it; anything else as typed, for the service to refuse
    in its own words next to the field (the API reads no number from text)."""
    typed = text(form, name)
    return int(typed) if is_whole(typed) else (typed or None)


def whole_within(typed: str | None, low: int, high: int) -> int | None:
    """A whole number as typed (a query's value) when it lies from low to high; else none."""
    try:
        value = int((typed or "").strip())
    except ValueError:
        return None
    return value if low <= value <= high else None


def course_body(form: Form) -> dict[str, Any]:
    fields = ("code", "course_type", "title", "provider", "venue", "starts_on", "ends_on")
    body = {name: text(form, name) for name in fields} | {"capacity": whole(form, "capacity")}
    # The trade and the plan line are optional: left blank, they are not sent at all.
    return body | {n: v for n in ("trade_code", "plan_line_id") if (v := optional(form, n))}


def attendance_body(form: Form) -> dict[str, Any]:
    """Without the course: the page adds the id of the course it is about."""
    return {
        "attended_on": text(form, "attended_on"),
        "present": yes(form, "present"),
    }


def result_body(form: Form) -> dict[str, Any]:
    """Without the course: the page adds the id of the course it is about."""
    body: dict[str, Any] = {"passed": yes(form, "passed")}
    for name in ("certificate_number", "completed_on"):
        if value := optional(form, name):
            body[name] = value
    return body


def rejection_body(form: Form) -> dict[str, Any]:
    return {"reason_code": text(form, "reason_code"), "reason": optional(form, "reason")}


def licence_body(form: Form) -> dict[str, Any]:
    return {
        "name": text(form, "name"),
        "licence_number": text(form, "licence_number"),
        "licence_valid_from": text(form, "licence_valid_from"),
        "licence_valid_to": text(form, "licence_valid_to"),
        "markets": codes(form, "markets"),
    }


def enterprise_body(form: Form) -> dict[str, Any]:
    return {"code": text(form, "code")} | licence_body(form)


def revocation_body(form: Form) -> dict[str, Any]:
    return {"revoked_on": text(form, "revoked_on"), "reason": text(form, "reason")}


def market_body(form: Form) -> dict[str, Any]:
    return {
        "code": text(form, "code").upper(),
        "country_vi": text(form, "country_vi"),
        "programme": text(form, "programme"),
        "min_age": whole(form, "min_age"),
        "max_age": whole(form, "max_age"),
        "typical_cost_vnd": whole_vnd(form, "typical_cost_vnd"),
        "active": yes(form, "active"),
    }


LICENCE_STATES = {
    "valid": N_("Valid"),
    "expired": N_("Expired"),
    "revoked": N_("Revoked"),
}


def licence_state(enterprise: Mapping[str, Any], today: dt.date) -> str:
    """Revoked outranks expired: a revoked licence stays revoked whatever its dates say."""
    if enterprise.get("revoked_on"):
        return "revoked"
    valid_to = enterprise.get("licence_valid_to")
    if valid_to and dt.date.fromisoformat(str(valid_to)) < today:
        return "expired"
    return "valid"


def course_of(courses: list[dict[str, Any]], code: str) -> dict[str, Any] | None:
    return next((c for c in courses if c.get("code") == code), None)
