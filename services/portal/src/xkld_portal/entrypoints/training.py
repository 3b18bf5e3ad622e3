"""The training centre's screens: courses, a course's roster, enrolling a worker by the file's
code, attendance per day, results and certificates. Opening a course is a labour officer's
right in registration's API, so its form is offered only to them."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response
from xkld_shared.clock import VIETNAM
from xkld_shared.identity.principal import Role

from xkld_portal.application.errors import NotAllowed, NothingHere, Refusal
from xkld_portal.application.ports import Service
from xkld_portal.domain import staff_forms as forms
from xkld_portal.entrypoints import rural_roster
from xkld_portal.entrypoints.course_plan import plan_lines_of
from xkld_portal.entrypoints.progress import year_of
from xkld_portal.entrypoints.staff_common import Attempt, finished, form_key_of, refusal
from xkld_portal.entrypoints.web import FormDep, Portal, PortalDep, Visitor, VisitorDep, render

router = APIRouter()
REG = Service.REGISTRATION


def _may_open_courses(visitor: Visitor) -> None:
    if not visitor.can(Role.LABOUR_OFFICER):
        raise NotAllowed


@router.get("/courses")
async def courses(request: Request, portal: PortalDep, visitor: VisitorDep) -> Response:
    listed = await portal.api.get(REG, "/courses", token=visitor.token)
    return render(
        request,
        portal,
        "courses.html",
        visitor=visitor,
        courses=listed,
        may_open=visitor.can(Role.LABOUR_OFFICER),
        course_types=forms.COURSE_TYPES,
    )


async def _new_course(
    request: Request, portal: Portal, visitor: Visitor, attempt: Attempt, year: int
) -> Response:
    return render(
        request,
        portal,
        "course_new.html",
        visitor=visitor,
        status_code=attempt.status,
        attempt=attempt,
        course_types=forms.COURSE_TYPES,
        plan_year=year,
        plan_lines=await plan_lines_of(portal, visitor, year),
    )


@router.get("/courses/new")
async def new_course(
    request: Request, portal: PortalDep, visitor: VisitorDep, year: str | None = None
) -> Response:
    _may_open_courses(visitor)
    return await _new_course(request, portal, visitor, Attempt(), year_of((year or "")[:4]))


@router.post("/courses/new")
async def open_course(
    request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    _may_open_courses(visitor)
    key = form_key_of(form)
    body = forms.course_body(form)
    try:
        await portal.api.send(REG, "POST", "/courses", token=visitor.token, json=body, key=key)
    except Refusal as refused:
        attempt = Attempt("course", key, form, refused)
        # the lines offered are those of the year the course was typed to start in
        year = year_of(body["starts_on"][:4] or forms.text(form, "plan_year"))
        return await _new_course(request, portal, visitor, attempt, year)
    return finished(request, f"/courses/{quote(body['code'])}", key)


async def _course(portal: Portal, visitor: Visitor, code: str) -> dict[str, Any]:
    found = forms.course_of(await portal.api.get(REG, "/courses", token=visitor.token), code)
    if found is None:
        raise NothingHere
    return found


async def _course_page(
    request: Request, portal: Portal, visitor: Visitor, code: str, attempt: Attempt
) -> Response:
    course = await _course(portal, visitor, code)
    roster = await portal.api.get(REG, f"/courses/{quote(code)}/roster", token=visitor.token)
    trainees = await rural_roster.trainees_of(portal, visitor, course)
    return render(
        request,
        portal,
        "course.html",
        visitor=visitor,
        status_code=attempt.status,
        course=course,
        roster=roster,
        trainees=trainees,
        attempt=attempt,
        may_train=visitor.can(Role.TRAINING_STAFF),
        course_types=forms.COURSE_TYPES,
        today=dt.datetime.now(VIETNAM).date().isoformat(),
    )


@router.get("/courses/{code}")
async def course_page(
    code: str, request: Request, portal: PortalDep, visitor: VisitorDep
) -> Response:
    return await _course_page(request, portal, visitor, code, Attempt())


def _file_of(form: FormDep, name: str) -> str:
    found = forms.file_id(forms.text(form, name))
    if found is None:
        raise refusal(
            name,
            "Mã hồ sơ không đúng (dạng 8-4-4-4-12 ký tự, như trên trang hồ sơ)",
            "This is not a file code (8-4-4-4-12 characters, as on the file's page)",
        )
    return str(found)


async def _step(
    request: Request,
    portal: Portal,
    visitor: Visitor,
    code: str,
    form: FormDep,
    which: str,
    step: tuple[str, str, dict[str, Any] | None],
) -> Response:
    """One training step of one file, sent with the form's key; refused, the course page comes
    back with the service's message at that form. `step` is (file field, path, body)."""
    key = form_key_of(form)
    try:
        await _send(portal, visitor, (code, key), form, step)
    except Refusal as refused:
        attempt = Attempt(which, key, form, refused)
        return await _course_page(request, portal, visitor, code, attempt)
    return finished(request, f"/courses/{quote(code)}", key)


async def _send(
    portal: Portal,
    visitor: Visitor,
    course_and_key: tuple[str, str],
    form: FormDep,
    step: tuple[str, str, dict[str, Any] | None],
) -> None:
    """The step sent for the file named in the form; one not found (nor the course) is
    refused at the form's file field."""
    code, key = course_and_key
    field_name, path, body = step
    try:
        rid = _file_of(form, field_name)
        course = await _course(portal, visitor, code)
        json = (body or {}) | {"course_id": course["id"]}
        await portal.api.send(
            REG, "POST", f"/registrations/{rid}{path}", token=visitor.token, json=json, key=key
        )
    except NothingHere:
        raise _no_such_file(field_name) from None


def _no_such_file(field_name: str) -> Refusal:
    return refusal(
        field_name,
        "Không có hồ sơ nào với mã này trong phạm vi của bạn",
        "No file with this code in your area",
        status=404,
    )


@router.post("/courses/{code}/enrolments")
async def enrol(
    code: str, request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    step = ("file_code", "/enrolments", None)
    return await _step(request, portal, visitor, code, form, "enrol", step)


@router.post("/courses/{code}/attendance")
async def attendance(
    code: str, request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    step = ("registration_id", "/attendance", forms.attendance_body(form))
    return await _step(request, portal, visitor, code, form, "attendance", step)


@router.post("/courses/{code}/results")
async def result(
    code: str, request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    step = ("registration_id", "/training-results", forms.result_body(form))
    return await _step(request, portal, visitor, code, form, "result", step)
