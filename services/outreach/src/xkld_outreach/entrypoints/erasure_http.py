"""Erasure of a survey member on request (someone who never registered): the HTTP side."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse
from pydantic import Field
from xkld_shared import idempotency
from xkld_shared.http.idempotent import idempotent_response
from xkld_shared.http.strict import RequestModel
from xkld_shared.identity.http import require
from xkld_shared.identity.principal import Principal, Role

from xkld_outreach.domain.erasure import ErasureReason
from xkld_outreach.entrypoints.requests import context_of
from xkld_outreach.entrypoints.wiring import ErasureDesk

Eraser = Annotated[Principal, Depends(require(Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER))]
IdempotencyKey = Annotated[
    str | None,
    Header(description="Mã chống gửi trùng: gửi lại cùng mã thì nhận lại kết quả lần đầu"),
]

router = APIRouter(prefix="/survey-members", tags=["survey"])


class ErasureRequest(RequestModel):
    """Lý do xoá: `subject_request` (người được khảo sát yêu cầu), `consent_withdrawn` (rút lại
    đồng ý được liên hệ), `recorded_in_error` (ghi nhầm người)."""

    reason: ErasureReason = Field(description="Mã lý do xoá")


@router.post(
    "/{respondent_id}/erasure", summary="Xoá dữ liệu cá nhân của người được khảo sát (chưa đăng ký)"
)
async def erase_member(
    respondent_id: uuid.UUID,
    body: ErasureRequest,
    request: Request,
    desk: ErasureDesk,
    officer: Eraser,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Xoá họ tên và số điện thoại (đã mã hoá); các câu trả lời ẩn danh được giữ để thống kê.
    Cần tiêu đề Idempotency-Key. 409 nếu đã xoá, hoặc nếu người này đã có hồ sơ đăng ký (khi
    đó xoá trên hồ sơ: POST /registrations/{id}/erasure)."""
    key = idempotency.checked_key(idempotency_key)
    keyed = idempotency.Keyed.of(
        f"survey_member.erase:{officer.subject}:{respondent_id}", key, body.model_dump(mode="json")
    )
    context = context_of(request, officer)
    return idempotent_response(await desk.erase(respondent_id, body.reason, context, keyed))
