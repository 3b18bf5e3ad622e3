"""Application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from . import admin_routes, other_routes, send_routes, zns_routes
from .gateway import Gateway
from .settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build a fresh gateway; each app owns its own state.

    With no argument the settings come from the environment, which lets
    ``uvicorn --factory xkld_fake_sms.app:create_app`` work too.
    """
    gateway = Gateway.build(settings if settings is not None else Settings.from_env())

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await gateway.reports.close()

    app = FastAPI(title="xkld fake SMS gateway (eSMS-shaped)", lifespan=lifespan)
    app.state.gateway = gateway
    app.include_router(send_routes.router)
    app.include_router(other_routes.router)
    app.include_router(zns_routes.router)
    app.include_router(admin_routes.router)

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
