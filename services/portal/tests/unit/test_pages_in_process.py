"""The portal's own behaviour with the services replaced by a stand-in: silent renewal of an
expired session, sign-out revoking the refresh token, and the error pages."""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from xkld_portal.adapters.session_cookie import COOKIE, Session, SessionCookie
from xkld_portal.application.errors import Unavailable
from xkld_portal.application.ports import Service
from xkld_portal.bootstrap import create_app
from xkld_portal.settings import PortalSettings
from xkld_shared.crypto import generate_key
from xkld_shared.identity.principal import Principal, Role, Scope
from xkld_shared.identity.tokens import SigningKey, TokenIssuer, jwks_of

KEY = SigningKey.generate()
SESSION_KEY = generate_key()
OFFICER = Principal("u-1", "canbo", frozenset({Role.COMMUNE_OFFICER}), Scope(frozenset({"29800"})))


def token(minutes: float) -> str:
    issuer = TokenIssuer(KEY, "xkld", "xkld", lifetime=dt.timedelta(minutes=minutes))
    return issuer.issue(OFFICER, now=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))


class StandIn:
    """Answers like the services would, and remembers what it was asked."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, Any]] = []
        self.sent: list[dict[str, Any]] = []
        self.fail_with: Exception | None = None

    async def get(self, service: Service, path: str, **_: Any) -> Any:
        self.calls.append(("GET", path, None))
        if self.fail_with:
            raise self.fail_with
        return {
            "by_stage": {},
            "waiting_for_documents": [],
            "departures_this_month": [],
            "silent_abroad": [],
            "silent_days": 90,
        }

    async def send(self, service: Service, method: str, path: str, **kw: Any) -> Any:
        self.calls.append((method, path, kw.get("json")))
        self.sent.append(kw)
        if path in ("/auth/refresh", "/auth/login"):
            return {"access_token": token(15), "refresh_token": "refresh-2"}
        return None

    async def raw(self, *_: Any, **__: Any) -> tuple[bytes, str]:
        return b"", "text/html"


@pytest.fixture
def client() -> Iterator[tuple[TestClient, StandIn]]:
    settings = PortalSettings(
        portal_session_key=SESSION_KEY,
        portal_cookie_secure=False,
        auth_jwks=json.dumps(jwks_of([KEY])),
        log_json=False,
    )
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        stand_in = StandIn()
        app.state.portal.api = stand_in
        yield test_client, stand_in


def cookie_of(session: Session) -> str:
    raw = base64.urlsafe_b64decode(SESSION_KEY + "=" * (-len(SESSION_KEY) % 4))
    return SessionCookie(raw).seal(session)


def test_an_expired_access_token_is_renewed_without_asking_the_officer(
    client: tuple[TestClient, StandIn],
) -> None:
    http, stand_in = client
    http.cookies.set(COOKIE, cookie_of(Session(token(-0.5), "refresh-1", "c" * 30)))
    page = http.get("/")
    assert page.status_code == 200
    assert ("POST", "/auth/refresh", {"refresh_token": "refresh-1"}) in stand_in.calls
    assert COOKIE in page.cookies  # the renewed session replaces the old one


def test_signing_out_revokes_the_refresh_token_and_clears_the_cookie(
    client: tuple[TestClient, StandIn],
) -> None:
    http, stand_in = client
    http.get("/login")
    csrf = http.cookies["xkld_csrf"]
    http.cookies.set(COOKIE, cookie_of(Session(token(15), "refresh-9", csrf)))
    answer = http.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert answer.status_code == 303
    assert ("POST", "/auth/logout", {"refresh_token": "refresh-9"}) in stand_in.calls
    assert (
        'xkld_session=""' in answer.headers["set-cookie"]
        or "Max-Age=0" in answer.headers["set-cookie"]
    )


def test_a_service_that_does_not_answer_gives_a_try_again_page_with_a_reference(
    client: tuple[TestClient, StandIn],
) -> None:
    http, stand_in = client
    http.cookies.set(COOKIE, cookie_of(Session(token(15), "r", "c" * 30)))
    stand_in.fail_with = Unavailable("0b8c3c1e-0000-4000-8000-000000000000")
    page = http.get("/", headers={"X-Correlation-Id": "0b8c3c1e-0000-4000-8000-000000000000"})
    assert page.status_code == 503
    assert "Vui lòng thử lại" in page.text
    assert "0b8c3c1e-0000-4000-8000-000000000000" in page.text
    assert "Traceback" not in page.text


def test_a_page_that_fails_inside_shows_no_stack_trace(
    client: tuple[TestClient, StandIn],
) -> None:
    http, stand_in = client
    http.cookies.set(COOKIE, cookie_of(Session(token(15), "r", "c" * 30)))
    stand_in.fail_with = KeyError("by_stage")
    page = http.get("/")
    assert page.status_code == 500
    assert "Vui lòng thử lại" in page.text
    assert "KeyError" not in page.text


def test_every_page_carries_the_security_headers(client: tuple[TestClient, StandIn]) -> None:
    http, _ = client
    page = http.get("/login")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert page.headers["referrer-policy"] == "same-origin"
    cookie = page.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_without_a_session_a_page_sends_the_visitor_to_sign_in_and_back(
    client: tuple[TestClient, StandIn],
) -> None:
    http, _ = client
    answer = http.get("/files?stage=abroad", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=%2Ffiles%3Fstage%3Dabroad"


def test_signing_in_tells_identity_the_browsers_address_for_its_per_address_limits(
    client: tuple[TestClient, StandIn],
) -> None:
    http, stand_in = client
    http.get("/login")
    form = {"csrf_token": http.cookies["xkld_csrf"], "username": "canbo", "password": "x" * 8}
    answer = http.post("/login", data=form, follow_redirects=False)
    assert answer.status_code == 303
    assert stand_in.sent[-1]["forwarded_for"] == "testclient"
