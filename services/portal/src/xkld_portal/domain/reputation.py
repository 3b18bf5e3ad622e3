"""The enterprise reputation screen's words and its one join: reporting judges enterprises from
events, but only the registration service knows each licence, so the screen puts them side by
side by enterprise code."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from xkld_portal.domain import staff_forms as forms
from xkld_portal.domain.labels import N_
from xkld_portal.domain.staff_forms import licence_state

FLAGS = {
    "early_return_rate": N_("Many early returns"),
    "absconded": N_("Workers absconded"),
    "complaints": N_("Complaints"),
    "fees_over_cap": N_("Fees over the cap"),
}
COMPLAINT_CATEGORIES = {
    "fees_over_cap": N_("Fees over the cap"),
    "contract_breach": N_("Contract breach"),
    "wage_arrears": N_("Wage arrears"),
    "abuse": N_("Abuse"),
    "other": N_("Other"),
}


def with_licences(
    lines: list[dict[str, Any]], enterprises: list[Mapping[str, Any]], today: dt.date
) -> list[dict[str, Any]]:
    """Each reputation line with its enterprise's name and licence state ('unlisted' when the
    registration service has no such enterprise)."""
    listed = {str(e.get("code")): e for e in enterprises}
    out = []
    for line in lines:
        enterprise = listed.get(str(line.get("enterprise_code")))
        state = "unlisted" if enterprise is None else licence_state(enterprise, today)
        name = None if enterprise is None else enterprise.get("name")
        out.append(dict(line) | {"licence": state, "name": name})
    return out


def complaint_body(form: forms.Form) -> dict[str, Any]:
    """As typed: the registration service refuses a bad category, date or text by its field."""
    return {
        "category": forms.text(form, "category"),
        "complained_on": forms.text(form, "complained_on"),
        "details": forms.text(form, "details"),
    }
