"""The conversion's HTTP side: the pre-filled intake for a respondent who wants to go."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from xkld_shared.identity.http import require
from xkld_shared.identity.principal import Principal, Role

from xkld_outreach.entrypoints.wiring import ConversionDesk

Officer = Annotated[Principal, Depends(require(Role.COMMUNE_OFFICER))]

router = APIRouter(prefix="/respondents", tags=["conversion"])


@router.get("/{respondent_id}/intake", summary="Hồ sơ đăng ký điền sẵn từ phiếu khảo sát")
async def intake(
    respondent_id: uuid.UUID, desk: ConversionDesk, officer: Officer
) -> dict[str, Any]:
    """Thân yêu cầu `POST /registrations` (dịch vụ hồ sơ) điền sẵn từ phiếu khảo sát, kèm các
    trường cán bộ còn phải nhập (CCCD, ngày sinh, điện thoại, đồng ý...). Gửi bao nhiêu lần
    cũng chỉ có một hồ sơ. 409 khi người này không muốn đi hoặc chưa đủ 18 tuổi."""
    return await desk.intake(respondent_id, officer)
