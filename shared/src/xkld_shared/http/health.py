"""Liveness and readiness, open to everyone: they reveal nothing but up or down."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from xkld_shared.runtime import ServiceRuntime


def health_router(runtime: ServiceRuntime) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok", "service": runtime.name}

    @router.get("/ready")
    async def ready() -> JSONResponse:
        checks = await runtime.ready()
        ok = all(checks.values())
        return JSONResponse(
            status_code=200 if ok else 503,
            content={"status": "ready" if ok else "not_ready", "checks": checks},
        )

    @router.get("/metrics")
    async def metrics() -> JSONResponse:
        consumers = {c.name: vars(c.stats) for c in runtime.consumers}
        relay = runtime.relay.published_total if runtime.relay else None
        return JSONResponse({"consumers": consumers, "relay_published_total": relay})

    return router
