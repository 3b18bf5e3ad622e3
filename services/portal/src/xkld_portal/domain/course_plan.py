"""The yearly course plan's forms and lists, pure: a posted line as the registration service's
body, and the lines a course may fill. Values go as typed (trimmed) and the service's message
comes back next to the field; only numbers are made numbers, since the API reads none from text.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from xkld_portal.domain.staff_forms import Form, text, whole, whole_vnd

LINE_FIELDS = (
    "plan_year",
    "commune_code",
    "trade_code",
    "trade_title",
    "institution",
    "places",
    "planned_starts_on",
    "planned_ends_on",
    "budget_vnd",
)


def line_body(form: Form) -> dict[str, Any]:
    words = ("commune_code", "trade_code", "trade_title", "institution")
    dates = ("planned_starts_on", "planned_ends_on")
    return (
        {name: text(form, name) for name in (*words, *dates)}
        | {"plan_year": whole(form, "plan_year"), "places": whole(form, "places")}
        | {"budget_vnd": whole_vnd(form, "budget_vnd")}
    )


def line_id_of(typed: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(typed.strip())
    except ValueError:
        return None


def line_typed(line: Mapping[str, Any]) -> dict[str, str]:
    """A line as its edit form shows it: every field as text."""
    return {name: "" if line.get(name) is None else str(line[name]) for name in LINE_FIELDS}


def find_line(plan: Mapping[str, Any], line_id: uuid.UUID) -> dict[str, Any] | None:
    for line in plan.get("lines") or []:
        if str(line.get("line_id")) == str(line_id):
            found: dict[str, Any] = line
            return found
    return None


def open_lines(lines: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The lines a new course may fill: those not withdrawn."""
    return [line for line in lines if not line.get("withdrawn_on")]


def places_left(line: Mapping[str, Any]) -> int:
    return int(line.get("places") or 0) - int(line.get("places_taken") or 0)
