"""The labour-demand survey's forms as outreach wants them: the labels of its codes, a round's
form, and a household of 1 to 20 members read from fields numbered per member (`m0-gender`...).
Nothing is guessed: what outreach checks (a trade only with training, a market only with going
abroad) it refuses itself, and the page shows its words beside the member's field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from xkld_portal.domain.labels import N_, PRIORITY_GROUPS
from xkld_portal.domain.steps import Parsed, Problem

MAX_MEMBERS = 20
AGE_BANDS = ("15-17", "18-24", "25-29", "30-34", "35-39", "40-44", "45-54", "55-64")
CURRENT_WORK = {
    "farming": N_("Farming"),
    "fishing": N_("Fishing"),
    "wage_work": N_("Wage work"),
    "own_business": N_("Own business"),
    "student": N_("Student"),
    "unemployed": N_("Without work"),
    "other": N_("Other work"),
}
ABROAD_WHEN = {
    "within_6_months": N_("Within 6 months"),
    "within_12_months": N_("Within 12 months"),
    "later": N_("Later"),
    "undecided": N_("Not decided"),
}
ROUND_STATUS = {"open": N_("Open"), "closed": N_("Closed")}
IMPORT_OUTCOMES = {
    "created": N_("Household recorded"),
    "valid": N_("Valid, would be recorded"),
    "rejected": N_("Refused"),
}
# The roll-up tables, in the order the page shows them: (the answer's key, its heading).
ROLLUP_TABLES = (
    ("by_commune", N_("By commune")),
    ("by_hamlet", N_("By hamlet")),
    ("by_trade", N_("By trade wanted")),
    ("by_market", N_("By market wanted")),
    ("by_priority_group", N_("By priority group")),
    ("by_age_band", N_("By age band")),
    ("by_gender", N_("By gender")),
)
_SELECTS = ("age_band", "gender", "education", "current_work")
_FLAGS = ("wants_training", "wants_abroad", "needs_loan", "contact_consent")
_OPTIONAL = ("full_name", "trade_code", "market_code", "abroad_when")


def _text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _listed(form: Mapping[str, Any], name: str) -> list[str]:
    value = form.get(name)
    values = value if isinstance(value, list) else [value] if isinstance(value, str) else []
    return [v for v in values if isinstance(v, str)]


def _read_required(form: Mapping[str, Any], names: tuple[str, ...], parsed: Parsed) -> None:
    for name in names:
        if value := _text(form, name):
            parsed.body[name] = value
        else:
            parsed.problems.append(Problem(name, N_("This field is required")))


def round_body(form: Mapping[str, Any]) -> Parsed:
    parsed = Parsed()
    _read_required(form, ("commune_code", "title", "period_start", "period_end"), parsed)
    return parsed


def member_indexes(form: Mapping[str, Any]) -> list[int]:
    """The members the form holds, by their number (a member's age band is always sent)."""
    return [i for i in range(MAX_MEMBERS) if f"m{i}-age_band" in form]


def _member(form: Mapping[str, Any], i: int, n: int, parsed: Parsed) -> dict[str, Any]:
    member = _member_selects(form, i, n, parsed)
    member |= {name: _text(form, f"m{i}-{name}") == "true" for name in _FLAGS}
    member |= _member_optional(form, i)
    member["priority_groups"] = _member_groups(form, i)
    return member


def _member_selects(form: Mapping[str, Any], i: int, n: int, parsed: Parsed) -> dict[str, Any]:
    member: dict[str, Any] = {}
    for name in _SELECTS:
        if value := _text(form, f"m{i}-{name}"):
            member[name] = value
        else:
            parsed.problems.append(Problem(f"members.{n}.{name}", N_("This field is required")))
    return member


def _member_optional(form: Mapping[str, Any], i: int) -> dict[str, str]:
    """The optional answers given; codes in capitals, as outreach lists them."""
    typed = {name: _text(form, f"m{i}-{name}") for name in _OPTIONAL}
    return {
        k: v.upper() if k in ("trade_code", "market_code") else v for k, v in typed.items() if v
    }


def _member_groups(form: Mapping[str, Any], i: int) -> list[str]:
    groups = _listed(form, f"m{i}-priority_groups")
    return [g for g in PRIORITY_GROUPS if g in groups]


def household_body(form: Mapping[str, Any]) -> Parsed:
    """The household's body; its members numbered in the order the form shows them, which is
    also how outreach names a member's field in its answer (`members.0.trade_code`)."""
    parsed = Parsed()
    _read_required(form, ("hamlet",), parsed)
    indexes = member_indexes(form)
    if not indexes:
        parsed.problems.append(Problem("members", N_("Add at least one member")))
    parsed.body["members"] = [_member(form, i, n, parsed) for n, i in enumerate(indexes)]
    return parsed


def members_typed(form: Mapping[str, Any], grow: bool) -> list[dict[str, Any]]:
    """What each member's fields held, renumbered from 0, for showing the form again; one empty
    member more when the officer asked to add one (the form without JavaScript)."""
    shown = []
    for i in member_indexes(form):
        prefix = f"m{i}-"
        shown.append({k[len(prefix) :]: v for k, v in form.items() if k.startswith(prefix)})
    if (grow and len(shown) < MAX_MEMBERS) or not shown:
        shown.append({})
    return shown
