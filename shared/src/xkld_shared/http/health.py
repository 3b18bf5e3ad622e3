"""Liveness, readiness and metrics, open to everyone: up or down, and counts and timings
without business data."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from xkld_shared.metrics.http import metrics_router
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

    router.include_router(metrics_router(runtime.metrics))
    return router
