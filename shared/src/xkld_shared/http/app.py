"""The FastAPI application every service builds: errors, health, correlation ids."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence

from fastapi import APIRouter, FastAPI, Request, Response

from xkld_shared.http.errors import install_error_handlers
from xkld_shared.http.health import health_router
from xkld_shared.logging import event_context
from xkld_shared.runtime import ServiceRuntime, Starter, lifespan_for

CORRELATION_HEADER = "X-Correlation-Id"


def correlation_id_of(request: Request) -> uuid.UUID:
    value: uuid.UUID = request.state.correlation_id
    return value


def _incoming_correlation(request: Request) -> uuid.UUID:
    try:
        return uuid.UUID(request.headers.get(CORRELATION_HEADER, ""))
    except ValueError:
        return uuid.uuid4()  # absent or malformed: this request starts its own story


def service_app(
    runtime: ServiceRuntime, start: Starter, routers: Sequence[APIRouter] = ()
) -> FastAPI:
    app = FastAPI(title=f"xkld {runtime.name}", lifespan=lifespan_for(runtime, start))
    install_error_handlers(app)
    app.include_router(health_router(runtime))
    for router in routers:
        app.include_router(router)

    @app.middleware("http")
    async def correlate(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        correlation = _incoming_correlation(request)
        request.state.correlation_id = correlation
        with event_context(None, str(correlation)):
            response = await call_next(request)
        response.headers[CORRELATION_HEADER] = str(correlation)
        return response

    return app
