"""What a returned worker's file records after the return (issue 17): the codes the forms offer
as messages, and each form's body as the registration service takes it. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from xkld_portal.domain import staff_forms as forms
from xkld_portal.domain.labels import N_

Form = Mapping[str, Any]

SUPPORT_STATUSES = {
    "due": N_("Due"),
    "given": N_("Given"),
    "refused": N_("Refused"),
}
# What an officer may decide for an item: nothing goes back to "due".
SUPPORT_DECISIONS = {"given": N_("Given"), "refused": N_("Refused")}
REINTEGRATION_OUTCOMES = {
    "job_found": N_("Found a job"),
    "training": N_("In training"),
    "business_loan": N_("A loan for a business"),
    "nothing_yet": N_("Nothing yet"),
}
CHECKPOINTS = {"3": N_("3 months after return"), "6": N_("6 months after return")}
POVERTY_STATUSES = {
    "poor": N_("Poor household"),
    "near_poor": N_("Near-poor household"),
    "neither": N_("Neither poor nor near-poor"),
}
POVERTY_BASES = {"intake": N_("At intake"), "after_return": N_("After return")}


def support_body(form: Form) -> dict[str, Any]:
    """A decision on one support item; blank optional fields are left out."""
    body: dict[str, Any] = {"status": forms.text(form, "status")}
    optional = {
        "decided_on": forms.optional(form, "decided_on"),
        "amount_vnd": forms.whole_vnd(form, "amount_vnd"),
        "note": forms.optional(form, "note"),
    }
    return body | {k: v for k, v in optional.items() if v is not None}


def reintegration_body(form: Form) -> dict[str, Any]:
    body: dict[str, Any] = {
        "checkpoint_months": forms.whole(form, "checkpoint_months"),
        "outcome": forms.text(form, "outcome"),
    }
    optional = {
        "observed_on": forms.optional(form, "observed_on"),
        "note": forms.optional(form, "note"),
    }
    return body | {k: v for k, v in optional.items() if v is not None}


def poverty_body(form: Form) -> dict[str, Any]:
    return {"list_year": forms.whole(form, "list_year"), "status": forms.text(form, "status")}


def story_body(form: Form) -> dict[str, Any]:
    return {
        "job": forms.text(form, "job"),
        "savings_vnd": forms.whole_vnd(form, "savings_vnd"),
        "after_return": forms.text(form, "after_return"),
    }


def story_typed(story: Mapping[str, Any] | None) -> dict[str, str]:
    """The story as written, to fill the editor (savings grouped as people type them)."""
    if not story:
        return {}
    savings = story.get("savings_vnd")
    return {
        "job": str(story.get("job") or ""),
        "savings_vnd": f"{savings:,}".replace(",", ".") if isinstance(savings, int) else "",
        "after_return": str(story.get("after_return") or ""),
    }
