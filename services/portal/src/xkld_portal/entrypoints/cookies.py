"""Cookies the portal sets, in one plain ASGI middleware: the CSRF cookie (made on first visit),
the session cookie (when a page renewed or ended the session), and the security headers."""

from __future__ import annotations

import secrets
import time
from http.cookies import SimpleCookie

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from xkld_portal.adapters.session_cookie import COOKIE as SESSION_COOKIE
from xkld_portal.adapters.timing import page_timing

CSRF_COOKIE = "xkld_csrf"
LANG_COOKIE = "xkld_lang"
ONE_YEAR = 365 * 24 * 3600
# No inline script or style anywhere: htmx's own indicator styles are off (see base.html).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def cookie_header(name: str, value: str, *, secure: bool, max_age: int | None) -> str:
    parts = [f"{name}={value}", "Path=/", "HttpOnly", "SameSite=Lax"]
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    if secure:
        parts.append("Secure")
    return "; ".join(parts)


def _server_timing(started: float, backend_seconds: float) -> str:
    """The page's time so far and the part of it spent waiting for the services, in ms."""
    total = (time.perf_counter() - started) * 1000
    return f"app;dur={total:.1f}, backend;dur={backend_seconds * 1000:.1f}"


class PortalCookies:
    def __init__(self, app: ASGIApp, *, secure: bool) -> None:
        self.app = app
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        jar = _cookies(scope)
        made = None if _valid_token(jar.get(CSRF_COOKIE)) else secrets.token_urlsafe(32)
        state["csrf"] = made or jar[CSRF_COOKIE]

        started = time.perf_counter()

        async def send_with_cookies(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Server-Timing"] = _server_timing(started, spent[0])
                self._stamp(headers, made, state.get("session_out"))
            await send(message)

        with page_timing() as spent:
            await self.app(scope, receive, send_with_cookies)

    def _stamp(self, headers: MutableHeaders, made: str | None, sealed: str | None) -> None:
        """The security headers, a new CSRF cookie, and the session cookie renewed or ended."""
        for name, value in HEADERS.items():
            headers.setdefault(name, value)
        if made:
            headers.append("set-cookie", self._cookie(CSRF_COOKIE, made, None))
        if sealed is not None:
            age = None if sealed else 0
            headers.append("set-cookie", self._cookie(SESSION_COOKIE, sealed, age))

    def _cookie(self, name: str, value: str, max_age: int | None) -> str:
        return cookie_header(name, value, secure=self.secure, max_age=max_age)


def _cookies(scope: Scope) -> dict[str, str]:
    raw = b"; ".join(v for k, v in scope["headers"] if k == b"cookie").decode("latin-1")
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:
        return {}
    return {k: m.value for k, m in jar.items()}


def _valid_token(value: str | None) -> bool:
    return value is not None and 20 <= len(value) <= 100 and value.isascii()
