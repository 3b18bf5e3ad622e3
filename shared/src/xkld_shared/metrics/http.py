"""HTTP rate, errors and duration by route template, and the `/metrics` endpoint.

Labels carry the route's template (`/registrations/{registration_id}`), never the raw path:
raw paths hold ids (and, for some lookups, personal data) and would grow without bound.
"""

from __future__ import annotations

import time

from fastapi import APIRouter
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from xkld_shared.metrics.service import ServiceMetrics

UNMATCHED = "unmatched"


def route_template(scope: Scope) -> str:
    """The template of the route the router matched (set in the scope), or `unmatched`."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) and path else UNMATCHED


class HttpMetrics:
    """Plain ASGI (like the correlation middleware), so it costs no extra task per request."""

    def __init__(self, app: ASGIApp, metrics: ServiceMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500  # what the client gets if the app raises before answering
        started = time.perf_counter()

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            route, method = route_template(scope), scope["method"]
            self.metrics.http_requests.labels(method, route, str(status)).inc()
            self.metrics.http_duration.labels(method, route).observe(time.perf_counter() - started)


def metrics_router(metrics: ServiceMetrics) -> APIRouter:
    """`/metrics`, open like `/health`: it shows counts and timings, no business data."""
    router = APIRouter(tags=["health"])

    @router.get("/metrics", include_in_schema=False)
    async def exposition() -> Response:
        return Response(await metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    return router
