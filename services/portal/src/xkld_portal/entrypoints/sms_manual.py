"""A manual SMS to a course or to chosen files; afterwards, who will not receive it and why
(as the notifications service answers: outside the sender's area, no consent, opted out)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from xkld_shared.identity.principal import Role

from xkld_portal.application.errors import NotAllowed, NothingHere, Refusal
from xkld_portal.application.ports import Service
from xkld_portal.domain import sms_counter
from xkld_portal.domain import staff_forms as forms
from xkld_portal.domain.labels import N_
from xkld_portal.entrypoints.staff_common import Attempt, finished, form_key_of
from xkld_portal.entrypoints.web import FormDep, Portal, PortalDep, Visitor, VisitorDep, render

router = APIRouter()
SENDERS = (Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER)
REASONS = {
    "outside_scope": N_("Outside your area, or no such file"),
    "no_consent": N_("Did not agree to receive SMS"),
    "opted_out": N_("Asked to stop receiving SMS"),
    "erased": N_("Personal data erased"),
}
SHOWN = 50  # not-sent recipients carried to the result page (the rest are counted)


def _senders_only(visitor: Visitor) -> None:
    if not visitor.can(*SENDERS):
        raise NotAllowed


async def _page(request: Request, portal: Portal, visitor: Visitor, attempt: Attempt) -> Response:
    courses, files = await _courses_and_files(portal, visitor)
    attempt = _with_manual_form(attempt)
    preview = await _preview(portal, visitor, attempt.value("manual", "text"))
    return render(
        request,
        portal,
        "sms_manual.html",
        visitor=visitor,
        status_code=attempt.status,
        attempt=attempt,
        courses=courses,
        files=files.get("items", []),
        chosen=set(forms.codes(dict(attempt.typed), "registration_ids_joined")),
        keep=False,
        manual=True,
        **preview,
    )


def _with_manual_form(attempt: Attempt) -> Attempt:
    """With no form refused, the message form starts empty with a key of its own."""
    if attempt.form is None:
        return Attempt("manual", attempt.key("manual"), {})
    return attempt


async def _courses_and_files(portal: Portal, visitor: Visitor) -> tuple[Any, Any]:
    reg = Service.REGISTRATION
    courses, files = await asyncio.gather(
        portal.api.get(reg, "/courses", token=visitor.token),
        portal.api.get(
            reg, "/registrations", token=visitor.token, params={"page": 1, "page_size": 25}
        ),
    )
    return courses, files


async def _preview(portal: Portal, visitor: Visitor, typed: str) -> dict[str, Any]:
    """The text typed, how many SMS it makes, and whether its diacritics cost more."""
    count = await _count(portal, visitor, typed) if typed else None
    return {"count": count, "typed": typed, "diacritics": sms_counter.needs_ucs2(typed)}


async def _count(portal: Portal, visitor: Visitor, text: str) -> Any:
    body = {"template_code": "manual", "variables": {"text": text}}
    try:
        preview = await portal.api.send(
            Service.NOTIFICATIONS, "POST", "/sms/templates/preview", token=visitor.token, json=body
        )
    except Refusal as refused:
        return refused
    return sms_counter.count_of(preview, 3)


@router.get("/sms/messages/new")
async def new_message(request: Request, portal: PortalDep, visitor: VisitorDep) -> Response:
    _senders_only(visitor)
    return await _page(request, portal, visitor, Attempt())


def _recipients(form: dict[str, Any]) -> list[str]:
    """Ticked files, and file codes typed by hand (a wrong one goes as typed, to be refused)."""
    ticked = form.get("registration_ids") or []
    ticked = [ticked] if isinstance(ticked, str) else list(ticked)
    typed = forms.codes(form, "other_files")
    return list(dict.fromkeys(str(forms.file_id(t) or t) for t in [*ticked, *typed]))


def _body(form: dict[str, Any]) -> dict[str, Any]:
    return {
        "text": forms.text(form, "text"),
        "course_id": forms.optional(form, "course_id"),
        "registration_ids": _recipients(form),
    }


async def _send(portal: Portal, visitor: Visitor, body: dict[str, Any], key: str) -> Any:
    path = "/sms/manual-messages"
    return await portal.api.send(
        Service.NOTIFICATIONS, "POST", path, token=visitor.token, json=body, key=key
    )


@router.post("/sms/messages")
async def send_message(
    request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    _senders_only(visitor)
    key = form_key_of(form)
    body = _body(form)
    try:
        answer = await _send(portal, visitor, body, key)
    except Refusal as refused:
        typed = {k: v for k, v in form.items() if isinstance(v, str)}
        typed["registration_ids_joined"] = " ".join(body["registration_ids"])
        attempt = Attempt("manual", key, typed, refused)
        return await _page(request, portal, visitor, attempt)
    return finished(request, f"/sms/messages/sent?{_outcome_query(answer)}", key)


def _outcome_query(answer: dict[str, Any]) -> str:
    """The service's answer, carried in the address of the page that shows it (ids only)."""
    counts = ".".join(
        str(int(answer.get(k, 0)))
        for k in ("queued", "suppressed", "skipped_outside_scope", "already_queued")
    )
    pairs = [("r", counts)]
    pairs += [
        ("n", f"{n['registration_id']}:{n['reason']}") for n in answer.get("not_sent", [])[:SHOWN]
    ]
    pairs.append(("t", str(len(answer.get("not_sent", [])))))
    return urlencode(pairs)


def _not_sent(pairs: list[str]) -> list[tuple[str, str]]:
    found = []
    for pair in pairs[:SHOWN]:
        rid, _, reason = pair.partition(":")
        if forms.file_id(rid) is not None and reason in REASONS:
            found.append((rid, reason))
    return found


async def _name(portal: Portal, visitor: Visitor, rid: str, reason: str) -> str | None:
    """The worker's name where the sender may read the file; none outside their area."""
    if reason == "outside_scope":
        return None
    try:
        found = await portal.api.get(
            Service.REGISTRATION, f"/registrations/{uuid.UUID(rid)}", token=visitor.token
        )
    except (NotAllowed, NothingHere):
        return None
    name = found.get("full_name") if isinstance(found, dict) else None
    return str(name) if name else None


Pairs = Annotated[list[str] | None, Query(max_length=80)]  # each is `id:reason`


@router.get("/sms/messages/sent")
async def sent(
    request: Request,
    portal: PortalDep,
    visitor: VisitorDep,
    r: Annotated[str, Query(max_length=60)] = "",
    n: Pairs = None,
    t: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> Response:
    _senders_only(visitor)
    rows = await _not_sent_rows(portal, visitor, _not_sent(n or []))
    return render(
        request,
        portal,
        "sms_sent.html",
        visitor=visitor,
        rows=rows,
        more=max(t - len(rows), 0),
        **_counts(r),
    )


def _counts(r: str) -> dict[str, int]:
    counts = [int(c) if c.isdigit() else 0 for c in (r.split(".") + ["0"] * 4)[:4]]
    return dict(zip(("queued", "suppressed", "outside", "already"), counts, strict=True))


async def _not_sent_rows(
    portal: Portal, visitor: Visitor, not_sent: list[tuple[str, str]]
) -> list[tuple[str, str | None, str]]:
    """Each recipient not sent to: the file, the worker's name where readable, and why."""
    names = await asyncio.gather(*(_name(portal, visitor, rid, why) for rid, why in not_sent))
    return [(rid, name, REASONS[why]) for (rid, why), name in zip(not_sent, names, strict=True)]
