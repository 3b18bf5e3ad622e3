"""Signing in and out, and choosing the language."""

from __future__ import annotations

import contextlib
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from xkld_shared.identity.tokens import InvalidToken

from xkld_portal.adapters.catalogue import LANGUAGES
from xkld_portal.adapters.session_cookie import COOKIE, Session
from xkld_portal.application.errors import (
    Refusal,
    SignInNeeded,
    TooManyAttempts,
    Unavailable,
)
from xkld_portal.application.ports import Service
from xkld_portal.entrypoints.cookies import LANG_COOKIE, ONE_YEAR, cookie_header
from xkld_portal.entrypoints.web import (
    FormDep,
    Portal,
    PortalDep,
    csrf_token,
    language,
    local_path,
    render,
)

router = APIRouter()
Next = Annotated[str, Query(max_length=500)]


@router.get("/login")
async def login_page(request: Request, portal: PortalDep, next: Next = "/") -> Response:
    return _login_form(request, portal, local_path(next), "")


def _credentials(form: dict[str, Any]) -> tuple[str, str]:
    username = str(form.get("username") or "")[:128]
    password = str(form.get("password") or "")[:1024]
    return username, password


async def _verified_tokens(portal: Portal, username: str, password: str, source: str) -> Any:
    """Identity's tokens for the credentials, sent with the browser's address."""
    tokens = await portal.api.send(
        Service.IDENTITY,
        "POST",
        "/auth/login",
        token=None,
        json={"username": username, "password": password},
        forwarded_for=source,
    )
    portal.verifier.verify(tokens["access_token"])  # a token it cannot verify is no sign-in
    return tokens


@router.post("/login")
async def login(request: Request, portal: PortalDep, form: FormDep) -> Response:
    username, password = _credentials(form)
    target = local_path(str(form.get("next") or "/"))
    source = request.client.host if request.client else "?"
    subjects = (f"ip:{source}", f"user:{username.lower()}")
    if portal.attempts.blocked(*subjects):
        raise TooManyAttempts
    try:
        tokens = await _verified_tokens(portal, username, password, source)
    except (SignInNeeded, InvalidToken):
        portal.attempts.failed(*subjects)
        return _again(request, portal, target, username, problem="wrong")
    except Refusal as refused:  # locked, slowed down, or a malformed form: its own words
        return _again(request, portal, target, username, refusal=refused)
    session = Session(tokens["access_token"], tokens["refresh_token"], csrf_token(request))
    request.state.session_out = portal.cookies.seal(session)
    return RedirectResponse(target, status_code=303)


def _again(
    request: Request,
    portal: Portal,
    target: str,
    username: str,
    *,
    problem: str | None = None,
    refusal: Refusal | None = None,
) -> Response:
    status = refusal.status if refusal else 401
    return _login_form(request, portal, target, username, problem, refusal, status)


def _login_form(
    request: Request,
    portal: Portal,
    target: str,
    username: str,
    problem: str | None = None,
    refusal: Refusal | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        portal,
        "login.html",
        status_code=status,
        next=target,
        problem=problem,
        refusal=refusal,
        username=username,
    )


@router.post("/logout")
async def logout(request: Request, portal: PortalDep, _: FormDep) -> Response:
    session = portal.cookies.open(request.cookies.get(COOKIE))
    if session is not None:
        await _revoke(portal, session)
    request.state.session_out = ""
    return RedirectResponse("/login", status_code=303)


async def _revoke(portal: Portal, session: Session) -> None:
    # The cookie goes anyway; an unrevoked refresh token expires on its own.
    body = {"refresh_token": session.refresh_token}
    with contextlib.suppress(Refusal, Unavailable):
        await portal.api.send(Service.IDENTITY, "POST", "/auth/logout", token=None, json=body)


@router.post("/language")
async def choose_language(request: Request, form: FormDep, portal: PortalDep) -> Response:
    back = local_path(str(form.get("next") or "/"))
    answer = RedirectResponse(back, status_code=303)
    answer.headers.append("set-cookie", _language_cookie(request, form, portal.cookie_secure))
    return answer


def _language_cookie(request: Request, form: dict[str, Any], secure: bool) -> str:
    """The language chosen, kept for a year; one this portal does not have keeps the current."""
    lang = str(form.get("lang") or "")
    chosen = lang if lang in LANGUAGES else language(request)
    return cookie_header(LANG_COOKIE, chosen, secure=secure, max_age=ONE_YEAR)
