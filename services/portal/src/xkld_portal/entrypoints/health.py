"""Liveness and readiness for process supervisors and tests."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter()


@router.get("/health", include_in_schema=False)
async def health() -> JSONResponse:
    return JSONResponse({"status": "ok"})


@router.get("/ready", include_in_schema=False)
async def ready(request: Request) -> JSONResponse:
    started = getattr(request.app.state, "portal", None) is not None
    return JSONResponse({"ready": started}, status_code=200 if started else 503)
