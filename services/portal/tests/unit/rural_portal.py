"""A portal in-process for the rural training screens' tests: a stand-in plays the services
(answers by path, remembers what it was sent, refuses when told to), and people of each role."""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

from fastapi.testclient import TestClient
from xkld_portal.adapters.session_cookie import COOKIE, Session, SessionCookie
from xkld_portal.application.ports import Service
from xkld_portal.bootstrap import create_app
from xkld_portal.settings import PortalSettings
from xkld_shared.crypto import generate_key
from xkld_shared.identity.principal import Principal, Role, Scope
from xkld_shared.identity.tokens import SigningKey, TokenIssuer, jwks_of

KEY = SigningKey.generate()
SESSION_KEY = generate_key()
CSRF = "c" * 30
PEOPLE = {
    "laodong": (Role.LABOUR_OFFICER, Scope(province="86")),
    "baocao": (Role.REPORT_VIEWER, Scope()),
    "canbo": (Role.COMMUNE_OFFICER, Scope(communes=frozenset({"29800"}))),
    "daotao": (Role.TRAINING_STAFF, Scope(province="86")),
    "tindung": (Role.LOAN_OFFICER, Scope(branch="VBSP-86")),
}


class StandIn:
    """Answers like the services would, and remembers what it was sent. `refuse` is raised by
    the next sends, `refuse_get` by the gets of the paths it names."""

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers
        self.gets: list[tuple[str, dict[str, Any] | None]] = []
        self.sent: list[tuple[str, str, dict[str, Any]]] = []
        self.refuse: Exception | None = None
        self.refuse_get: dict[str, Exception] = {}

    async def get(self, service: Service, path: str, **kw: Any) -> Any:
        self.gets.append((path, kw.get("params")))
        if path in self.refuse_get:
            raise self.refuse_get[path]
        return self.answers[path]

    async def send(self, service: Service, method: str, path: str, **kw: Any) -> Any:
        self.sent.append((method, path, kw))
        if self.refuse:
            raise self.refuse
        return {}

    async def raw(self, service: Service, path: str, **kw: Any) -> tuple[bytes, str]:
        raise AssertionError(f"no file is fetched here: {path}")


def _cookie(username: str) -> str:
    role, scope = PEOPLE[username]
    issuer = TokenIssuer(KEY, "xkld", "xkld", lifetime=dt.timedelta(minutes=15))
    token = issuer.issue(Principal("u", username, frozenset({role}), scope))
    raw = base64.urlsafe_b64decode(SESSION_KEY + "=" * (-len(SESSION_KEY) % 4))
    return SessionCookie(raw).seal(Session(token, "r", CSRF))


def portal_with(answers: dict[str, Any]) -> Iterator[tuple[TestClient, StandIn]]:
    settings = PortalSettings(
        portal_session_key=SESSION_KEY,
        portal_cookie_secure=False,
        auth_jwks=json.dumps(jwks_of([KEY])),
        log_json=False,
    )
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as http:
        stand_in = StandIn(answers)
        app.state.portal.api = stand_in
        http.cookies.set("xkld_csrf", CSRF)
        yield http, stand_in


def signed_in(http: TestClient, username: str, lang: str = "vi") -> TestClient:
    http.cookies.set(COOKIE, _cookie(username))
    http.cookies.set("xkld_lang", lang)
    return http
