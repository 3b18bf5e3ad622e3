"""The provincial capital pool's screen: whose province it is, and the allocation form's body."""

from __future__ import annotations

import re
from typing import Any

from xkld_shared.identity.principal import Principal

from xkld_portal.domain import staff_forms as forms

_BRANCH_PROVINCE = re.compile(r"^VBSP-(\d{2})(?:-|$)")


def province_of(principal: Principal) -> str | None:
    """Bank staff act for their branch's province (VBSP-86, VBSP-86-TANQUOI); labour officers
    for the province of their scope. The loans service checks it again."""
    match = _BRANCH_PROVINCE.match(principal.scope.branch or "")
    return match.group(1) if match else principal.scope.province


def allocation_body(form: forms.Form) -> dict[str, Any]:
    """As typed: the loans service refuses a bad year or amount next to its field."""
    return {
        "year": forms.whole(form, "year"),
        "amount_vnd": forms.whole_vnd(form, "amount_vnd"),
        "allocated_on": forms.text(form, "allocated_on"),
        "decision_ref": forms.optional(form, "decision_ref"),
    }
