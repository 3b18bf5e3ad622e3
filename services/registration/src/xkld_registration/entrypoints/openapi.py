"""What the OpenAPI document shows for this service: error bodies and worked examples."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class FieldError(BaseModel):
    field: str = Field(description="Tên trường bị lỗi (the field at fault)")
    message_vi: str
    message_en: str


class ErrorDetail(BaseModel):
    code: str = Field(description="Mã lỗi ổn định, dùng cho máy (stable, machine-readable)")
    message_vi: str = Field(description="Thông báo tiếng Việt cho cán bộ")
    message_en: str
    fields: list[FieldError] = []


class ErrorResponse(BaseModel):
    """Thân lỗi chung của mọi endpoint (the error body of every endpoint)."""

    error: ErrorDetail


def _example(code: str, vi: str, en: str, fields: list[dict[str, str]] | None = None) -> Any:
    body = {"code": code, "message_vi": vi, "message_en": en, "fields": fields or []}
    return {"application/json": {"example": {"error": body}}}


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorResponse, "description": "Chưa đăng nhập (not signed in)"},
    403: {"model": ErrorResponse, "description": "Không đủ quyền (wrong role or scope)"},
    409: {
        "model": ErrorResponse,
        "description": "Xung đột (conflict)",
        "content": _example(
            "duplicate_active_registration",
            "Người này đã có hồ sơ đang hoạt động tại xã/phường mã 29800",
            "This person already has an active file in commune 29800",
        ),
    },
    422: {
        "model": ErrorResponse,
        "description": "Dữ liệu không hợp lệ (invalid input), nêu tên trường",
        "content": _example(
            "invalid_input",
            "Dữ liệu không hợp lệ — cccd: Năm sinh trong số CCCD không khớp với ngày sinh",
            "Invalid input — cccd: The birth year in the CCCD does not match the date of birth",
            [
                {
                    "field": "cccd",
                    "message_vi": "Năm sinh trong số CCCD không khớp với ngày sinh",
                    "message_en": "The birth year in the CCCD does not match the date of birth",
                }
            ],
        ),
    },
}

READ_ERRORS: dict[int | str, dict[str, Any]] = {
    k: v for k, v in ERROR_RESPONSES.items() if k in (401, 403, 422)
}
READ_ERRORS[404] = {
    "model": ErrorResponse,
    "description": "Không tìm thấy hồ sơ trong phạm vi của bạn",
}

EXAMPLE: dict[str, Any] = {
    "full_name": "Phạm Thị Dung",
    "cccd": "086302444444",
    "date_of_birth": "2002-05-09",
    "gender": "female",
    "phone": "0912000004",
    "commune_code": "29791",
    "hamlet": "Ấp Tân Thạnh",
    "ethnicity_code": "01",
    "household_poverty": "near_poor",
    "education": "upper_secondary",
    "occupation": "Làm ruộng, may công nghiệp",
    "priority_groups": ["near_poor_household"],
    "desired_market": "JP_TITP",
    "desired_occupation": "Chế biến thực phẩm",
    "loan_wanted": True,
    "consents": {
        "registration_processing": True,
        "sms_notifications": True,
        "share_with_enterprise": True,
        "share_with_bank": True,
    },
    "consent_text_version": "2026-01",
}
