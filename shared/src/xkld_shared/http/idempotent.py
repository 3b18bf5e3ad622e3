"""The HTTP answer of a request made with an Idempotency-Key (`xkld_shared.idempotency`)."""

from __future__ import annotations

from fastapi.responses import JSONResponse

from xkld_shared.idempotency import Answer

REPLAYED_HEADER = "Idempotent-Replayed"


def idempotent_response(answer: Answer) -> JSONResponse:
    """The stored answer; a retry's copy says so, so that a client can tell a replay."""
    headers = {REPLAYED_HEADER: "true"} if answer.replayed else {}
    return JSONResponse(answer.body, status_code=answer.status_code, headers=headers)
