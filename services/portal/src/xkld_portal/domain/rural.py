"""Rural vocational training for people who stay (trainees, học viên): the codes the
registration service uses, as messages to translate, and the posted forms as its JSON bodies.

As elsewhere in the portal, values go on as typed (trimmed) and the service's message is shown
next to the field; only what a form cannot say directly is shaped here (lists, yes/no, money)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from xkld_portal.domain.intake import CONSENT_TEXT_VERSION, PURPOSES
from xkld_portal.domain.labels import N_
from xkld_portal.domain.staff_forms import optional, text, whole_vnd, yes
from xkld_portal.domain.steps import Parsed, Problem

Form = Mapping[str, Any]

# Decision 46/2015 groups, highest support first (as docs/rural-training.md lists them).
SUPPORT_GROUPS = {
    "disability": N_("Person with a disability"),
    "poor_ethnic_minority_household": N_("Poor ethnic-minority household"),
    "poor_household_difficult_commune": N_("Poor household in an especially difficult commune"),
    "ethnic_minority": N_("Ethnic minority"),
    "revolutionary_merit_family": N_("Family of a person with revolutionary merit"),
    "poor_household": N_("Poor household"),
    "land_recovered": N_("Household whose farm or business land was recovered"),
    "woman_lost_job": N_("Woman who lost her job"),
    "fisher": N_("Fisher"),
    "near_poor_household": N_("Near-poor household"),
    "woman": N_("Woman"),
    "rural_worker": N_("Other rural worker"),
}
OUTCOMES = {
    "work_in_trade": N_("Works in the trade learnt"),
    "other_work": N_("Other work"),
    "own_business": N_("Own business"),
    "went_abroad": N_("Went to work abroad"),
    "no_work_yet": N_("No work yet"),
}
SHEET_STATUSES = {
    "due": N_("To be paid"),
    "paid": N_("Paid out"),
    "already_supported": N_("Supported before"),
    "no_attendance": N_("Attended no day"),
}
# The same four purposes as a worker's file (the API asks each one), worded for a trainee.
TRAINEE_PURPOSES = PURPOSES | {
    "registration_processing": N_(
        "Processing their personal data for vocational training (required)"
    ),
}
SUPPORT_KINDS = {
    "paid": N_("Paid under this programme"),
    "other_policy": N_("Paid by another state policy"),
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


def _listed(form: Form, name: str) -> list[str]:
    value = form.get(name)
    values = value if isinstance(value, list) else [value] if isinstance(value, str) else []
    return [v for v in values if isinstance(v, str)]


def _read_required(form: Form, parsed: Parsed) -> None:
    for name in _REQUIRED:
        if value := text(form, name):
            parsed.body[name] = value
        else:
            parsed.problems.append(Problem(name, N_("This field is required")))


def _consents(form: Form) -> dict[str, Any]:
    """Each purpose, agreed to or not, and the consent text's version they were shown."""
    consents = set(_listed(form, "consents"))
    return {
        "consents": {purpose: purpose in consents for purpose in TRAINEE_PURPOSES},
        "consent_text_version": CONSENT_TEXT_VERSION,
    }


def trainee_body(form: Form) -> Parsed:
    """The intake form as `POST /trainees` takes it: the same person and consents as a worker's
    file, and the facts Decision 46/2015 support depends on."""
    parsed = Parsed()
    _read_required(form, parsed)
    if hamlet := optional(form, "hamlet"):
        parsed.body["hamlet"] = hamlet
    groups = _listed(form, "support_groups")
    parsed.body["support_groups"] = [g for g in groups if g in SUPPORT_GROUPS]
    parsed.body["difficult_commune"] = yes(form, "difficult_commune")
    if other := optional(form, "other_state_support"):
        parsed.body["other_state_support"] = other
    parsed.body |= _consents(form)
    return parsed


def outcome_body(form: Form) -> dict[str, Any]:
    body: dict[str, Any] = {
        "course_id": text(form, "course_id"),
        "outcome": text(form, "outcome"),
        "observed_on": text(form, "observed_on"),
    }
    if (rid := optional(form, "registration_id")) and body["outcome"] == "went_abroad":
        body["registration_id"] = rid
    return body


def distance_km(form: Form, name: str = "distance_km") -> str:
    """Kilometres as people type them, with a decimal comma or point (`16,5`)."""
    return text(form, name).replace(",", ".").replace(" ", "")


def enrolment_body(form: Form) -> dict[str, Any]:
    """Without the course: the page adds the id of the course it is about."""
    return {"distance_km": distance_km(form)}


def terms_body(form: Form) -> dict[str, Any]:
    return {
        "tuition_vnd": whole_vnd(form, "tuition_vnd"),
        "fisher_vessel_trade": yes(form, "fisher_vessel_trade"),
    }


def label(codes: Mapping[str, str], code: str | None) -> str:
    """A code's message, or the code itself when this portal does not know it yet."""
    return codes.get(code or "", code or "")
