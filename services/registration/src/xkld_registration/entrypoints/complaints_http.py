"""Complaints about a licensed enterprise, recorded by labour officers (issue 17)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from fastapi import APIRouter, Request, status
from fastapi.responses import JSONResponse
from pydantic import Field
from xkld_shared.contracts.enterprise import ComplaintCategory
from xkld_shared.http.idempotent import idempotent_response

from xkld_registration.domain.complaints import Complaint
from xkld_registration.entrypoints.reference_http import (
    Body,
    IdempotencyKey,
    Labour,
    _context,
)
from xkld_registration.entrypoints.wiring import Complaints

router = APIRouter(tags=["danh mục (reference data)"])


class ComplaintBody(Body):
    category: ComplaintCategory = Field(
        description="fees_over_cap (thu phí quá mức trần), contract_breach (vi phạm hợp đồng), "
        "wage_arrears (nợ lương), abuse (ngược đãi), other (khác)"
    )
    complained_on: dt.date = Field(description="Ngày nhận khiếu nại")
    details: str = Field(min_length=1, max_length=2000, description="Nội dung (không gửi đi)")


@router.post("/enterprises/{enterprise_code}/complaints", status_code=status.HTTP_201_CREATED)
async def record_complaint(
    enterprise_code: str,
    body: ComplaintBody,
    request: Request,
    complaints: Complaints,
    officer: Labour,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Ghi nhận khiếu nại về doanh nghiệp (nội dung ở lại dịch vụ đăng ký; sự kiện chỉ mang mã
    doanh nghiệp, loại và ngày). Với Idempotency-Key, gửi lại nhận lại kết quả lần đầu."""
    complaint = Complaint(id=uuid.uuid4(), enterprise_code=enterprise_code, **body.model_dump())
    keyed = (idempotency_key, body.model_dump(mode="json") | {"enterprise": enterprise_code})
    answer = await complaints.record(_context(request, officer), complaint, keyed)
    return idempotent_response(answer)


@router.get("/enterprises/{enterprise_code}/complaints")
async def list_complaints(
    enterprise_code: str, complaints: Complaints, officer: Labour
) -> list[dict[str, Any]]:
    """Các khiếu nại về doanh nghiệp, mới nhất trước."""
    return await complaints.of_enterprise(enterprise_code)
