"""Reading a send request's body when the sender may already be gone."""

from __future__ import annotations

import logging

from fastapi import Request
from fastapi.responses import JSONResponse
from starlette.requests import ClientDisconnect

logger = logging.getLogger(__name__)


async def body_of(request: Request) -> bytes | None:
    """The request's body, or None when the sender went away before sending all of it.

    A sender killed mid-request (the fault suite's SIGKILL) is no fault of the gateway's:
    nothing is recorded, nobody waits for the answer, and it deserves a line, not a traceback.
    """
    try:
        return await request.body()
    except ClientDisconnect:
        logger.info(
            "send abandoned on %s: the sender went away before its request was read",
            request.url.path,
        )
        return None


def abandoned() -> JSONResponse:
    """The answer nobody reads (nginx's 499), so the server has something to close with."""
    return JSONResponse({"error": "client_closed_request", "status": 499}, status_code=499)
