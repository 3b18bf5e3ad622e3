"""HTTP route for importing a round's households from a CSV or XLSX spreadsheet."""

from __future__ import annotations

import hashlib
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse
from xkld_shared import idempotency
from xkld_shared.errors import FieldProblem, InvalidInput
from xkld_shared.http.idempotent import idempotent_response
from xkld_shared.identity.http import require
from xkld_shared.identity.principal import Principal, Role
from xkld_shared.spreadsheet import read_import

from xkld_outreach.application.imports import ParsedRow, report_of
from xkld_outreach.entrypoints.import_rows import SHAPE, parsed_row
from xkld_outreach.entrypoints.requests import context_of
from xkld_outreach.entrypoints.wiring import ImportDesk

Officer = Annotated[Principal, Depends(require(Role.COMMUNE_OFFICER))]
MAX_BYTES = 5 * 1024 * 1024

router = APIRouter(prefix="/survey-rounds", tags=["survey"])

_BODY_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "Tệp CSV (UTF-8 hoặc Windows-1258, dấu , hoặc ;) hoặc XLSX, mỗi dòng một "
        "người; dòng 1 là tiêu đề cột: Số hộ, Ấp, Họ và tên, Nhóm tuổi, Giới tính, Học vấn, "
        "Công việc hiện tại, Muốn học nghề, Nghề muốn học, Muốn đi nước ngoài, Thị trường, "
        "Khi nào đi, Cần vay vốn, Nhóm ưu tiên, Đồng ý liên hệ",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                "schema": {"type": "string", "format": "binary"}
            },
        },
    }
}


def _file_problem(vi: str, en: str) -> InvalidInput:
    return InvalidInput.of([FieldProblem("file", vi, en)])


@router.post(
    "/{round_id}/imports",
    summary="Nhập hộ và người trả lời từ tệp CSV/XLSX (có chạy thử)",
    openapi_extra=_BODY_DOC,
)
async def import_households(
    round_id: uuid.UUID,
    request: Request,
    imports: ImportDesk,
    officer: Officer,
    dry_run: Annotated[bool, Query(description="Chỉ kiểm tra, không lưu gì")] = False,
    idempotency_key: Annotated[
        str | None, Header(description="Bắt buộc khi nhập thật: gửi lại nhận lại báo cáo lần đầu")
    ] = None,
) -> JSONResponse:
    """Mỗi hộ được nhập trọn vẹn hoặc không; báo cáo từng dòng bằng tiếng Việt. Cả tệp được nhập
    trong một giao dịch, nên gửi lại cùng mã Idempotency-Key không nhập lần hai."""
    data = await request.body()
    key = None if dry_run else idempotency.checked_key(idempotency_key)
    _check_size(data)
    rows, ignored = _rows(data)
    context = context_of(request, officer)
    if key is None:
        results = await imports.dry_run(round_id, rows, context)
        return JSONResponse(report_of(results, True, ignored))
    keyed = _keyed(officer, key, data, round_id)
    return idempotent_response(await imports.run(round_id, rows, context, keyed, ignored))


def _check_size(data: bytes) -> None:
    if len(data) > MAX_BYTES:
        raise _file_problem("Tệp lớn hơn 5 MB", "The file is larger than 5 MB")


def _keyed(officer: Principal, key: str, data: bytes, round_id: uuid.UUID) -> idempotency.Keyed:
    """The same key with another file, or for another round, is a different request."""
    fingerprint = {"sha256": hashlib.sha256(data).hexdigest(), "round_id": str(round_id)}
    return idempotency.Keyed.of(f"survey.import:{officer.subject}", key, fingerprint)


def _rows(data: bytes) -> tuple[list[ParsedRow], list[str]]:
    read = read_import(data, SHAPE)
    rows = [parsed_row(n, cells, read.columns) for n, cells in read.sheet.rows]
    return rows, read.ignored
