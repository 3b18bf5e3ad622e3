"""The FastAPI application every service builds: errors, health, correlation ids."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from xkld_shared.http.docs import install_offline_docs
from xkld_shared.http.errors import install_error_handlers
from xkld_shared.http.health import health_router
from xkld_shared.http.input_guard import InputGuard
from xkld_shared.http.tracing import TracingMiddleware
from xkld_shared.identity.http import checks_token
from xkld_shared.logging import event_context
from xkld_shared.metrics.http import HttpMetrics
from xkld_shared.runtime import ServiceRuntime, Starter, lifespan_for

CORRELATION_HEADER = "X-Correlation-Id"


def correlation_id_of(request: Request) -> uuid.UUID:
    value: uuid.UUID = request.state.correlation_id
    return value


def _incoming_correlation(scope: Scope) -> uuid.UUID:
    try:
        return uuid.UUID(Headers(scope=scope).get(CORRELATION_HEADER, ""))
    except ValueError:
        return uuid.uuid4()  # absent or malformed: this request starts its own story


class CorrelationMiddleware:
    """Gives every request a correlation id (the caller's, or a new one), puts it in the logs'
    context and echoes it in the response.

    Plain ASGI rather than `@app.middleware("http")`: Starlette's BaseHTTPMiddleware runs the
    app in a separate task and passes the response through memory streams, a cost paid on
    every request (see bench/README.md, intake, for the measured effect).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        correlation = _incoming_correlation(scope)
        scope.setdefault("state", {})["correlation_id"] = correlation

        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[CORRELATION_HEADER] = str(correlation)
            await send(message)

        with event_context(None, str(correlation)):
            await self.app(scope, receive, send_with_header)


def service_app(
    runtime: ServiceRuntime, start: Starter, routers: Sequence[APIRouter] = ()
) -> FastAPI:
    app = FastAPI(
        title=f"xkld {runtime.name}",
        lifespan=lifespan_for(runtime, start),
        # FastAPI's own OpenTelemetry stays off (left on, it looks up the providers on every
        # request); the server span comes from TracingMiddleware below.
        telemetry={"tracing": False, "metrics": False, "logs": False},
        docs_url=None,
        redoc_url=None,
    )
    install_offline_docs(app)
    install_error_handlers(app)
    app.include_router(health_router(runtime))
    for router in routers:
        app.include_router(router)

    # Added first, so it runs inside the correlation middleware: its refusals carry the id too.
    app.add_middleware(InputGuard)
    app.add_middleware(CorrelationMiddleware)
    # Outside the correlation middleware: its logs already carry the request's trace id.
    app.add_middleware(TracingMiddleware)
    # Outermost: it times the whole answer, refusals of the inner middlewares included.
    app.add_middleware(HttpMetrics, metrics=runtime.metrics)
    _document_bearer(app, routers)
    return app


_SCHEME = "bearer"


def _document_bearer(app: FastAPI, routers: Sequence[APIRouter]) -> None:
    """Declares the bearer token in the OpenAPI document, on the operations that check it."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()  # cached by FastAPI in app.openapi_schema; completed in place
        components = schema.setdefault("components", {})
        components.setdefault("securitySchemes", {})[_SCHEME] = {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
        }
        routes = (route for router in routers for route in router.routes)
        for route in routes:
            if isinstance(route, APIRoute) and _needs_token(route.dependant):
                operations = schema["paths"].get(route.path_format, {})
                for method in route.methods or ():
                    if (operation := operations.get(method.lower())) is not None:
                        operation["security"] = [{_SCHEME: []}]
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _needs_token(dependant: Dependant) -> bool:
    return checks_token(dependant.call) or any(_needs_token(d) for d in dependant.dependencies)
