"""HTTP routes of Decision 46/2015 training support: a course's terms, its support sheet
(bảng kê) as JSON or XLSX, and recording the payment with an Idempotency-Key."""

from __future__ import annotations

import datetime as dt
import io
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import Field
from xkld_shared import idempotency
from xkld_shared.http.idempotent import idempotent_response
from xkld_shared.identity.http import require
from xkld_shared.identity.principal import Principal, Role

from xkld_registration.application.support_sheet import Sheet
from xkld_registration.domain.training_support import CourseTerms
from xkld_registration.entrypoints.journey_common import Body, Labour, context
from xkld_registration.entrypoints.wiring import TrainingSupports

Trainers = Annotated[Principal, Depends(require(Role.LABOUR_OFFICER, Role.TRAINING_STAFF))]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

router = APIRouter(prefix="/courses/{course_code}", tags=["học nghề nông thôn (rural training)"])


class SupportTerms(Body):
    tuition_vnd: int = Field(ge=0, le=100_000_000, description="Học phí một học viên (VND)")
    fisher_vessel_trade: bool = Field(
        False, description="Nghề đánh bắt trên tàu vỏ thép/vật liệu mới từ 400 CV (hỗ trợ 100%)"
    )


class SupportPayment(Body):
    paid_on: dt.date


@router.put("/support-terms")
async def set_support_terms(
    course_code: str,
    body: SupportTerms,
    request: Request,
    officer: Labour,
    support: TrainingSupports,
) -> dict[str, Any]:
    """Học phí của khoá, để tính mức hỗ trợ theo QĐ 46/2015."""
    terms = CourseTerms(body.tuition_vnd, body.fisher_vessel_trade)
    return await support.set_terms(course_code, terms, context(request, officer))


@router.get("/support-sheet", response_model=None)
async def support_sheet(
    course_code: str,
    staff: Trainers,
    support: TrainingSupports,
    format: Literal["json", "xlsx"] = "json",
) -> dict[str, Any] | Response:
    """Bảng kê hỗ trợ học nghề của khoá, tính từ điểm danh (JSON hoặc XLSX để in)."""
    sheet = await support.sheet(course_code, staff)
    if format == "xlsx":
        headers = {
            "Content-Disposition": f'attachment; filename="bang-ke-{sheet.course.code}.xlsx"'
        }
        return Response(sheet_xlsx(sheet), media_type=XLSX, headers=headers)
    return sheet.view()


@router.post("/support-payments", status_code=status.HTTP_201_CREATED)
async def record_support_payment(
    course_code: str,
    body: SupportPayment,
    request: Request,
    officer: Labour,
    support: TrainingSupports,
    idempotency_key: Annotated[
        str | None,
        Header(description="Bắt buộc: gửi lại cùng mã thì không chi trả lần hai"),
    ] = None,
) -> JSONResponse:
    """Ghi nhận chi trả hỗ trợ theo bảng kê; mỗi người chỉ được hỗ trợ một lần."""
    key = idempotency.checked_key(idempotency_key)
    answer = await support.pay(course_code, body.paid_on, key, context(request, officer))
    return idempotent_response(answer)


_HEADINGS = (
    "STT",
    "Họ và tên",
    "Mã học viên",
    "Mã xã",
    "Số ngày học",
    "Khoảng cách (km)",
    "Hỗ trợ học phí (đ)",
    "Tiền ăn (đ)",
    "Tiền đi lại (đ)",
    "Tổng (đ)",
    "Tình trạng",
    "Ký nhận",
)
_STATUS_VI = {
    "due": "Được hỗ trợ",
    "paid": "Đã chi trả",
    "already_supported": "Đã được hỗ trợ trước đây",
    "no_attendance": "Không đi học",
}


def _append(ws: Any, cells: list[Any]) -> None:
    # A control character typed into a course title would make openpyxl refuse the cell.
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    ws.append([ILLEGAL_CHARACTERS_RE.sub("", c) if isinstance(c, str) else c for c in cells])


def sheet_xlsx(sheet: Sheet) -> bytes:
    """A printable bảng kê: a title, one row per trainee, a total of what is due, a blank
    column for the trainee's signature."""
    from openpyxl import Workbook

    book = Workbook()
    _write_bang_ke(_bang_ke_sheet(book), sheet)
    return _saved(book)


def _bang_ke_sheet(book: Any) -> Any:
    ws = book.active
    assert ws is not None  # a new workbook always has one sheet
    ws.title = "Bang ke"
    return ws


def _write_bang_ke(ws: Any, sheet: Sheet) -> None:
    _append_title(ws, sheet)
    _append_lines(ws, sheet.view())


def _saved(book: Any) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _append_title(ws: Any, sheet: Sheet) -> None:
    course = sheet.course
    _append(ws, [f"BẢNG KÊ HỖ TRỢ HỌC NGHỀ – KHOÁ {course.code}: {course.title}"])
    _append(ws, [f"{course.provider}; {course.starts_on:%d/%m/%Y} – {course.ends_on:%d/%m/%Y}"])
    _append(ws, [f"Căn cứ: {sheet.policy.legal_basis}"])
    _append(ws, [f"Học phí một học viên: {sheet.terms.tuition_vnd} đ"])


def _append_lines(ws: Any, view: dict[str, Any]) -> None:
    _append(ws, list(_HEADINGS))
    for n, line in enumerate(view["lines"], start=1):
        _append(ws, _sheet_row(n, line))
    _append(
        ws,
        ["", "Tổng được hỗ trợ (chưa chi trả)", "", "", "", "", "", "", "", view["due_total_vnd"]],
    )


def _sheet_row(n: int, line: dict[str, Any]) -> list[Any]:
    return [
        n,
        line["full_name"],
        line["trainee_id"],
        line["commune_code"],
        line["days_present"],
        line["distance_km"],
        line["cost_vnd"],
        line["meals_vnd"],
        line["travel_vnd"],
        line["total_vnd"],
        _STATUS_VI[line["status"]],
        "",
    ]
