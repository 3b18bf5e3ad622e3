"""Every failure as a page a person can act on, never a stack trace."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from urllib.parse import quote, urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from xkld_shared.http.app import correlation_id_of
from xkld_shared.http.wiring import state_value

from xkld_portal.application.errors import (
    CsrfRefused,
    NotAllowed,
    NothingHere,
    Refusal,
    SignInNeeded,
    TooManyAttempts,
    Unavailable,
)
from xkld_portal.entrypoints.web import Portal, is_htmx, local_path, render

log = logging.getLogger(__name__)


def _error(request: Request, status: int, kind: str, message: str | None = None) -> Response:
    return render(
        request,
        state_value(request, "portal", Portal),
        "error.html",
        status_code=status,
        kind=kind,
        message=message,
        correlation_id=str(correlation_id_of(request)),
    )


def _back_here(request: Request) -> str:
    """The page to come back to after signing in: this one, or for a form the page it was on."""
    if request.method == "GET" and not is_htmx(request):
        return local_path(_path_and_query(request.url.path, request.url.query))
    came_from = request.headers.get("hx-current-url") or request.headers.get("referer") or "/"
    parts = urlsplit(came_from)
    return local_path(_path_and_query(parts.path, parts.query))


def _path_and_query(path: str, query: str) -> str:
    return path + (f"?{query}" if query else "")


def sign_in_again(request: Request) -> Response:
    login = f"/login?next={quote(_back_here(request), safe='')}"
    if is_htmx(request):
        return Response(status_code=200, headers={"HX-Redirect": login})
    return RedirectResponse(login, status_code=303)


# What each failure looks like: its status and which message the error page shows.
_PAGES: dict[type[Exception], tuple[int, str]] = {
    NotAllowed: (403, "forbidden"),
    CsrfRefused: (403, "csrf"),
    NothingHere: (404, "not_found"),
    Unavailable: (503, "unavailable"),
    TooManyAttempts: (429, "too_many"),
    RequestValidationError: (422, "invalid"),
}


def install_error_pages(app: FastAPI) -> None:
    for failure in _PAGES:
        app.add_exception_handler(failure, _page)
    for failure, handler in _HANDLERS:
        app.exception_handler(failure)(handler)


async def _page(request: Request, exc: Exception) -> Response:
    status, kind = next(page for kind, page in _PAGES.items() if isinstance(exc, kind))
    return _error(request, status, kind)


async def _sign_in(request: Request, _: SignInNeeded) -> Response:
    return sign_in_again(request)


async def _refused(request: Request, exc: Refusal) -> Response:
    lang = request.cookies.get("xkld_lang", "vi")
    return _error(request, exc.status, "refused", exc.message(lang))


async def _http(request: Request, exc: StarletteHTTPException) -> Response:
    kind = "not_found" if exc.status_code == 404 else "invalid"
    return _error(request, exc.status_code, kind)


async def _crash(request: Request, exc: Exception) -> Response:
    log.error("page failed", extra={"error": type(exc).__name__, "path": request.url.path})
    return _error(request, 500, "unavailable")


# The failures answered otherwise than by their error page alone.
_HANDLERS: tuple[tuple[type[Exception], Callable[..., Awaitable[Response]]], ...] = (
    (SignInNeeded, _sign_in),
    (Refusal, _refused),
    (StarletteHTTPException, _http),
    (Exception, _crash),
)
