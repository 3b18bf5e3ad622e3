"""Outreach campaigns' forms as outreach wants them (issue 16): the labels of its codes, a
campaign, a template's new version, a meeting's attendance, and how many people a broadcast
would reach. Nothing is checked that outreach checks itself: a form goes as typed and its
refusal is shown beside the field."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from xkld_portal.domain.labels import N_
from xkld_portal.domain.steps import Parsed, Problem

CHANNELS = {
    "sms_broadcast": N_("SMS to the people who agreed"),
    "meeting": N_("Commune meeting"),
    "loudspeaker": N_("Commune loudspeaker or district radio"),
}
STATUS = {"draft": N_("Draft"), "active": N_("Under way"), "closed": N_("Ended")}
# The one move a campaign may make from each state, and the button that makes it.
NEXT_STATUS = {
    "draft": ("active", N_("Start the campaign")),
    "active": ("closed", N_("End the campaign")),
}
ROUTES = {"sms": N_("SMS only"), "zalo_then_sms": N_("Zalo first, SMS if not delivered")}
OUTCOMES = {
    "requested": N_("Waiting to be sent"),
    "suppressed": N_("Not sent (opted out, quiet hours or daily limit)"),
    "sent": N_("Sent"),
    "failed": N_("Failed"),
    "delivered": N_("Delivered"),
}
STAGES = {
    "reached": N_("Reached"),
    "interested": N_("Interested"),
    "registered": N_("Registered"),
    "departed": N_("Departed"),
}
_LISTS = ("communes", "priority_groups", "age_bands", "channels")
_REQUIRED = ("goal", "period_start", "period_end", "template_code")


def text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def listed(form: Mapping[str, Any], name: str) -> list[str]:
    """A field ticked several times (checkboxes, a multiple select): every value, once."""
    value = form.get(name)
    values = value if isinstance(value, list) else [value] if isinstance(value, str) else []
    return list(dict.fromkeys(v.strip() for v in values if isinstance(v, str) and v.strip()))


def _required(form: Mapping[str, Any], names: Iterable[str], parsed: Parsed) -> None:
    for name in names:
        if value := text(form, name):
            parsed.body[name] = value
        else:
            parsed.problems.append(Problem(name, N_("This field is required")))


def campaign_body(form: Mapping[str, Any]) -> Parsed:
    """Hamlets are typed as a list (one per line or comma-separated): their names have spaces."""
    parsed = Parsed()
    _required(form, _REQUIRED, parsed)
    for name in _LISTS:
        parsed.body[name] = listed(form, name)
    parsed.body["communes"] = _typed_communes(form)
    parsed.body["hamlets"] = _typed_hamlets(form)
    _at_least_one(("communes", "channels"), parsed)
    return parsed


def _typed_communes(form: Mapping[str, Any]) -> list[str]:
    # A labour officer has no communes of their own to tick: they type the codes.
    typed = " ".join(listed(form, "communes")).replace(",", " ").replace(";", " ")
    return list(dict.fromkeys(typed.split()))


def _typed_hamlets(form: Mapping[str, Any]) -> list[str]:
    hamlets = text(form, "hamlets").replace("\n", ",").split(",")
    return list(dict.fromkeys(h.strip() for h in hamlets if h.strip()))


def _at_least_one(names: Iterable[str], parsed: Parsed) -> None:
    for name in names:
        if not parsed.body[name]:
            parsed.problems.append(Problem(name, N_("Choose at least one")))


def zalo_params(typed: str) -> dict[str, str] | None:
    """`name=value`, one a line; None when a line is not of that shape."""
    params: dict[str, str] = {}
    for line in typed.splitlines():
        if not line.strip():
            continue
        name, sep, value = line.partition("=")
        if not sep or not name.strip():
            return None
        params[name.strip()] = value.strip()
    return params


def template_body(form: Mapping[str, Any]) -> Parsed:
    """The SMS text's field is `text`, the name the SMS counter reads, so it counts it live."""
    parsed = Parsed()
    _required(form, ("title", "announcement"), parsed)
    _read_sms_text(form, parsed)
    parsed.body["zalo_template_id"] = text(form, "zalo_template_id") or None
    _read_zalo_params(form, parsed)
    return parsed


def _read_sms_text(form: Mapping[str, Any], parsed: Parsed) -> None:
    if sms := text(form, "text"):
        parsed.body["sms_text"] = sms
    else:
        parsed.problems.append(Problem("sms_text", N_("This field is required")))


def _read_zalo_params(form: Mapping[str, Any], parsed: Parsed) -> None:
    params = zalo_params(text(form, "zalo_params"))
    if params is None:
        parsed.problems.append(Problem("zalo_params", N_("One parameter a line: name=value")))
    parsed.body["zalo_params"] = params or {}


def _whole(typed: str) -> int | str:
    """A count as the service takes it; anything else as typed, for outreach to refuse."""
    return int(typed) if typed.isdigit() and len(typed) <= 9 else typed


def meeting_body(form: Mapping[str, Any]) -> Parsed:
    """Attendees are ticked; an "interested" tick counts as attending too."""
    parsed = Parsed()
    _required(form, ("commune_code", "held_on", "place"), parsed)
    interested = listed(form, "interested")
    came = list(dict.fromkeys([*listed(form, "attended"), *interested]))
    parsed.body["attendees"] = [{"respondent_id": r, "interested": r in interested} for r in came]
    parsed.body["walk_ins"] = _whole(text(form, "walk_ins") or "0")
    return parsed


def respondents(rounds: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The members of the rounds shown (with their households), each with their hamlet."""
    return [
        dict(member) | {"hamlet": household["hamlet"], "commune_code": shown["commune_code"]}
        for shown in rounds
        for household in shown.get("households", [])
        for member in household.get("members", [])
    ]


def _matches(wanted: Iterable[str], have: Iterable[str]) -> bool:
    chosen = set(wanted)
    return not chosen or bool(chosen & set(have))


def audience_size(
    campaign: Mapping[str, Any], people: Iterable[Mapping[str, Any]], already: set[str]
) -> int:
    """Who a broadcast would ask for, as outreach counts them (docs/outreach.md, Broadcasts):
    surveyed in the campaign's communes, matching its hamlets, age bands and priority groups,
    agreeing to be contacted, with a phone, and not asked for by an earlier broadcast. Shown to
    confirm; outreach resolves the audience itself when it sends."""
    return sum(
        1
        for p in people
        if p.get("commune_code") in campaign["communes"]
        and _matches(campaign["hamlets"], [p.get("hamlet", "")])
        and _matches(campaign["age_bands"], [p.get("age_band", "")])
        and _matches(campaign["priority_groups"], p.get("priority_groups") or [])
        and p.get("contact_consent")
        and p.get("has_phone")
        and p.get("respondent_id") not in already
    )
