"""The composition root: settings in, a FastAPI app of pages out."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from xkld_shared.http.app import CorrelationMiddleware
from xkld_shared.http.tracing import TracingMiddleware
from xkld_shared.identity.jwks import load_verifier
from xkld_shared.logging import configure_logging
from xkld_shared.metrics import ServiceMetrics
from xkld_shared.metrics.http import HttpMetrics, metrics_router

from xkld_portal.adapters.attempts import AttemptLimiter
from xkld_portal.adapters.backend import HttpApi
from xkld_portal.adapters.session_cookie import SessionCookie
from xkld_portal.adapters.templating import STATIC, environments
from xkld_portal.application.ports import Service
from xkld_portal.entrypoints import pages
from xkld_portal.entrypoints.cookies import PortalCookies
from xkld_portal.entrypoints.error_pages import install_error_pages
from xkld_portal.entrypoints.web import Portal
from xkld_portal.settings import PortalSettings


def _urls(s: PortalSettings) -> dict[Service, str]:
    return {
        Service.IDENTITY: s.identity_url,
        Service.REGISTRATION: s.registration_url,
        Service.LOANS: s.loans_url,
        Service.NOTIFICATIONS: s.notifications_url,
        Service.REPORTING: s.reporting_url,
        Service.OUTREACH: s.outreach_url,
    }


def _session_key(s: PortalSettings) -> bytes:
    raw = s.portal_session_key.get_secret_value()
    return base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))


def create_app(settings: PortalSettings | None = None) -> FastAPI:
    s = settings or PortalSettings()
    configure_logging("portal", s.log_level, s.log_json)
    app = FastAPI(
        title="xkld portal", lifespan=_lifespan(s), docs_url=None, redoc_url=None, openapi_url=None
    )
    install_error_pages(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in pages.routers():
        app.include_router(router)
    _add_middleware(app, s)
    return app


def _lifespan(s: PortalSettings) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """The portal made when the app starts, its backend clients closed when it stops."""
    api = HttpApi(_urls(s), s.portal_backend_timeout_seconds)
    cookies = SessionCookie(_session_key(s))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.portal = await _portal(s, api, cookies)
        yield
        await api.close()

    return lifespan


async def _portal(s: PortalSettings, api: HttpApi, cookies: SessionCookie) -> Portal:
    """The portal's collaborators; the verifier's keys are read once the app has started."""
    return Portal(
        api=api,
        cookies=cookies,
        verifier=await load_verifier(s),
        templates=environments(),
        attempts=AttemptLimiter(s.portal_login_attempts, s.portal_login_window_seconds),
        cookie_secure=s.portal_cookie_secure,
    )


def _add_middleware(app: FastAPI, s: PortalSettings) -> None:
    app.add_middleware(PortalCookies, secure=s.portal_cookie_secure)
    app.add_middleware(CorrelationMiddleware)
    # A server span per page, continued by each service the page calls (adapters/backend.py).
    app.add_middleware(TracingMiddleware)
    # Like every service: HTTP figures by route template at an open /metrics (registry per app).
    metrics = ServiceMetrics("portal")
    app.include_router(metrics_router(metrics))
    app.add_middleware(HttpMetrics, metrics=metrics)
