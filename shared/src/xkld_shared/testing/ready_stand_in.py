"""A process that serves `/ready` the way a service does, for the harness's own tests: it
binds `XKLD_HTTP_PORT` through the same uvicorn server the services use, after a start-up
pause like theirs, and says its pid at `/pid`."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI

from xkld_shared.serving import DrainingServer


@asynccontextmanager
async def _starting(_: FastAPI) -> AsyncIterator[None]:
    await asyncio.sleep(float(os.environ.get("XKLD_STAND_IN_STARTUP_SECONDS", "0.5")))
    yield


def create_app() -> FastAPI:
    app = FastAPI(lifespan=_starting)

    @app.get("/ready")
    async def ready() -> dict[str, bool]:
        return {"ready": True}

    @app.get("/pid")
    async def pid() -> dict[str, int]:
        return {"pid": os.getpid()}

    return app


if __name__ == "__main__":
    port = int(os.environ["XKLD_HTTP_PORT"])
    DrainingServer(uvicorn.Config(create_app(), host="127.0.0.1", port=port)).run()
