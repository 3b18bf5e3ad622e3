"""What every page shares: who is signed in (renewing the session silently), the language,
the CSRF check, the per-form Idempotency-Key, and rendering a template."""

from __future__ import annotations

import hmac
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment
from xkld_shared.http.wiring import from_app_state
from xkld_shared.identity.principal import Principal, Role
from xkld_shared.identity.tokens import InvalidToken, TokenVerifier

from xkld_portal.adapters.attempts import AttemptLimiter
from xkld_portal.adapters.catalogue import DEFAULT_LANGUAGE, LANGUAGES
from xkld_portal.adapters.session_cookie import COOKIE, Session, SessionCookie
from xkld_portal.application.errors import CsrfRefused, Refusal, SignInNeeded
from xkld_portal.application.ports import Api, Service
from xkld_portal.domain.steps import Problem
from xkld_portal.entrypoints.cookies import LANG_COOKIE


@dataclass
class Portal:
    """The composition root's products, one per process (see bootstrap.py)."""

    api: Api
    cookies: SessionCookie
    verifier: TokenVerifier
    templates: dict[str, Environment]
    attempts: AttemptLimiter
    cookie_secure: bool = True  # off only for plain-HTTP development and tests


@dataclass(frozen=True)
class Visitor:
    principal: Principal
    session: Session
    lang: str

    @property
    def token(self) -> str:
        return self.session.access_token

    def can(self, *roles: Role) -> bool:
        return bool(self.principal.roles & set(roles))


portal_of = from_app_state("portal", Portal)


PortalDep = Annotated[Portal, Depends(portal_of)]


def language(request: Request) -> str:
    chosen = request.cookies.get(LANG_COOKIE, DEFAULT_LANGUAGE)
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


async def visitor(request: Request, portal: PortalDep) -> Visitor:
    session = portal.cookies.open(request.cookies.get(COOKIE))
    if session is None:
        raise SignInNeeded
    try:
        principal = portal.verifier.verify(session.access_token)
    except InvalidToken:
        session, principal = await _renewed(request, portal, session)
    return Visitor(principal, session, language(request))


async def _renewed(request: Request, portal: Portal, old: Session) -> tuple[Session, Principal]:
    """An expired access token is renewed with the refresh token, without asking anyone."""
    try:
        tokens = await portal.api.send(
            Service.IDENTITY,
            "POST",
            "/auth/refresh",
            token=None,
            json={"refresh_token": old.refresh_token},
        )
        session = Session(tokens["access_token"], tokens["refresh_token"], old.csrf, old.full_name)
        principal = portal.verifier.verify(session.access_token)
    except Exception as exc:
        raise SignInNeeded from exc
    request.state.session_out = portal.cookies.seal(session)
    return session, principal


VisitorDep = Annotated[Visitor, Depends(visitor)]


def csrf_token(request: Request) -> str:
    token: str = request.state.csrf
    return token


async def checked_form(request: Request) -> dict[str, Any]:
    """The posted form, refused unless it carries this browser's CSRF token."""
    form = await request.form()
    sent = form.get("csrf_token") or request.headers.get("x-csrf-token") or ""
    if not isinstance(sent, str) or not hmac.compare_digest(sent, csrf_token(request)):
        raise CsrfRefused
    return {k: form.getlist(k) if len(form.getlist(k)) > 1 else form.get(k) for k in form}


FormDep = Annotated[dict[str, Any], Depends(checked_form)]


def new_form_key() -> str:
    """Each rendered form's own Idempotency-Key: a resent form makes nothing twice."""
    return str(uuid.uuid4())


def form_status(refused: Refusal | None, problems: Collection[Any] | None) -> int:
    """A form shown again: the service's status when it refused, 422 when the portal found
    problems before sending, else 200."""
    return refused.status if refused else (422 if problems else 200)


def problem_messages(problems: list[Problem] | None) -> dict[str, str]:
    """The portal's own problems with a form, each message by the field it concerns."""
    return {p.name: p.message for p in problems or []}


def page_count(total: int, page_size: int) -> int:
    """The pages a list of `total` items takes, `page_size` a page: at least one, even empty."""
    return max(1, -(-total // page_size))


def render(
    request: Request,
    portal: Portal,
    template: str,
    *,
    visitor: Visitor | None = None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    lang = visitor.lang if visitor else language(request)
    page = portal.templates[lang].get_template(template)
    body = page.render(
        request=request,
        visitor=visitor,
        lang=lang,
        csrf=csrf_token(request),
        new_form_key=new_form_key,
        **context,
    )
    return HTMLResponse(body, status_code=status_code, headers={"Cache-Control": "no-store"})


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def local_path(target: str | None, fallback: str = "/") -> str:
    """Only a path on this site: a `next` that points elsewhere would be an open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return fallback
    return target


def finished(request: Request, target: str, form_key: str | None = None) -> Response:
    """After a form did its work: to the next page, naming the form so its draft is dropped."""
    if form_key:
        target += ("&" if "?" in target else "?") + f"done={form_key}"
    if is_htmx(request):
        return Response(status_code=200, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def form_key_of(form: dict[str, Any]) -> str:
    """The key the form was rendered with; a new one if it came without (a hand-made post)."""
    key = form.get("form_key")
    if isinstance(key, str) and 8 <= len(key) <= 64 and key.replace("-", "").isalnum():
        return key
    return new_form_key()


def lookup_of(form: dict[str, Any]) -> dict[str, str]:
    """A search form's one lookup: by CCCD if one was typed, else by name, else none."""
    name = str(form.get("name") or "").strip()[:200]
    cccd = "".join(str(form.get("cccd") or "").split())[:20]
    return {"cccd": cccd} if cccd else ({"name": name} if name else {})


# A service's printable page styles itself inline and runs nothing; this one answer may style
# inline, nothing else.
_PRINT_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"


def printable(page: bytes) -> Response:
    """A service's printable page, passed on."""
    headers = {"Content-Security-Policy": _PRINT_CSP, "Cache-Control": "no-store"}
    return Response(page, media_type="text/html; charset=utf-8", headers=headers)


async def printable_from(portal: Portal, visitor: Visitor, service: Service, path: str) -> Response:
    """A service's printable page, read with the visitor's token and passed on."""
    page, _ = await portal.api.raw(service, path, token=visitor.token)
    return printable(page)


def attachment(body: bytes, media_type: str, filename: str, *, no_store: bool = False) -> Response:
    """A file to download, under the name given."""
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if no_store:
        headers["Cache-Control"] = "no-store"
    return Response(body, media_type=media_type, headers=headers)
