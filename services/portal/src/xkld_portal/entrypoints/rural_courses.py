"""The training centre's forms for trainees who stay, on a vocational course's page: enrolling a
trainee by their code with the distance from home, attendance per day, and the result. Each is
sent with the form's key; refused, the course page comes back with the service's message at
that form (the page itself is `training.py`'s, which lists the trainees)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response
from xkld_shared.identity.principal import Role

from xkld_portal.application.errors import NotAllowed, NothingHere, Refusal
from xkld_portal.application.ports import Service
from xkld_portal.domain import rural
from xkld_portal.domain import staff_forms as forms
from xkld_portal.entrypoints.staff_common import Attempt, refusal
from xkld_portal.entrypoints.training import _course, _course_page
from xkld_portal.entrypoints.web import (
    FormDep,
    Portal,
    PortalDep,
    Visitor,
    VisitorDep,
    finished,
    form_key_of,
)

router = APIRouter()
REG = Service.REGISTRATION


def _trainee_of(form: FormDep, name: str) -> str:
    found = forms.file_id(forms.text(form, name))
    if found is None:
        raise refusal(
            name,
            "Mã học viên không đúng (dạng 8-4-4-4-12 ký tự, như trên trang học viên)",
            "This is not a trainee code (8-4-4-4-12 characters, as on the trainee's page)",
        )
    return str(found)


async def _step(
    request: Request,
    portal: Portal,
    visitor: Visitor,
    code: str,
    form: FormDep,
    step: tuple[str, str, dict[str, Any]],
) -> Response:
    """`step` is (form name, path under the trainee, body without the course)."""
    if not visitor.can(Role.TRAINING_STAFF):
        raise NotAllowed
    key = form_key_of(form)
    try:
        await _send(portal, visitor, (code, key), form, step)
    except Refusal as refused:
        attempt = Attempt(step[0], key, form, refused)
        return await _course_page(request, portal, visitor, code, attempt)
    return finished(request, f"/courses/{quote(code)}", key)


async def _send(
    portal: Portal,
    visitor: Visitor,
    course_and_key: tuple[str, str],
    form: FormDep,
    step: tuple[str, str, dict[str, Any]],
) -> None:
    """The step sent for the trainee named in the form; one not found (nor the course) is
    refused at the form's trainee field."""
    code, key = course_and_key
    which, path, body = step
    field_name = "trainee_code" if which == "trainee-enrol" else "trainee_id"
    try:
        tid = _trainee_of(form, field_name)
        course = await _course(portal, visitor, code)
        await portal.api.send(
            REG,
            "POST",
            f"/trainees/{tid}{path}",
            token=visitor.token,
            json=body | {"course_id": course["id"]},
            key=key,
        )
    except NothingHere:
        raise _not_in_area(field_name) from None


def _not_in_area(field_name: str) -> Refusal:
    return refusal(
        field_name,
        "Không có học viên nào với mã này trong phạm vi của bạn",
        "No trainee with this code in your area",
        status=404,
    )


@router.post("/courses/{code}/trainee-enrolments")
async def enrol(
    code: str, request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    step = ("trainee-enrol", "/enrolments", rural.enrolment_body(form))
    return await _step(request, portal, visitor, code, form, step)


@router.post("/courses/{code}/trainee-attendance")
async def attendance(
    code: str, request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    step = ("trainee-attendance", "/attendance", forms.attendance_body(form))
    return await _step(request, portal, visitor, code, form, step)


@router.post("/courses/{code}/trainee-results")
async def result(
    code: str, request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    step = ("trainee-result", "/training-results", forms.result_body(form))
    return await _step(request, portal, visitor, code, form, step)
