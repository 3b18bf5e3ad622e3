"""HTTP route for importing registrations from a CSV or XLSX spreadsheet."""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse
from xkld_shared import idempotency
from xkld_shared.audit import ChangeContext
from xkld_shared.errors import FieldProblem, InvalidInput
from xkld_shared.http.app import correlation_id_of
from xkld_shared.identity.http import require
from xkld_shared.identity.principal import Principal, Role
from xkld_shared.spreadsheet import read_import

from xkld_registration.application.import_registrations import (
    ParsedRow,
    RowResult,
    import_rows,
    keep_answer,
    replayed_answer,
    summary,
)
from xkld_registration.application.submit_registration import SubmitRegistrationHandler
from xkld_registration.entrypoints.import_rows import SHAPE, command_of
from xkld_registration.entrypoints.openapi import ERROR_RESPONSES
from xkld_registration.entrypoints.wiring import DbPool, Submit

Officer = Annotated[Principal, Depends(require(Role.COMMUNE_OFFICER))]
MAX_BYTES = 5 * 1024 * 1024

router = APIRouter(prefix="/registrations", tags=["registrations"])

_BODY_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "Tệp CSV (UTF-8 hoặc Windows-1258, dấu , hoặc ;) hoặc XLSX; dòng 1 là "
        "tiêu đề cột, ví dụ: Họ và tên, Số CCCD, Ngày sinh, Giới tính, Số điện thoại, Mã xã, "
        "Ấp, Mã dân tộc, Hộ nghèo, Nhóm ưu tiên, Thị trường, Vay vốn, Đồng ý xử lý hồ sơ, "
        "Đồng ý nhận SMS, Đồng ý chia sẻ doanh nghiệp, Đồng ý chia sẻ ngân hàng",
        "content": {
            "text/csv": {
                "schema": {"type": "string"},
                "example": "Họ và tên,Số CCCD,Ngày sinh,Giới tính,Số điện thoại,Mã xã,...",
            },
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                "schema": {"type": "string", "format": "binary"}
            },
        },
    }
}


def _file_problem(vi: str, en: str) -> InvalidInput:
    return InvalidInput.of([FieldProblem("file", vi, en)])


async def _file_of(request: Request) -> bytes:
    data = await request.body()
    if len(data) > MAX_BYTES:
        raise _file_problem("Tệp lớn hơn 5 MB", "The file is larger than 5 MB")
    return data


@router.post(
    "/imports",
    summary="Nhập hồ sơ hàng loạt từ tệp CSV/XLSX (bulk import)",
    openapi_extra=_BODY_DOC,
    responses=ERROR_RESPONSES,
)
async def import_registrations(
    request: Request,
    pool: DbPool,
    submit: Submit,
    officer: Officer,
    dry_run: Annotated[bool, Query(description="Chỉ kiểm tra, không lưu gì")] = False,
    idempotency_key: Annotated[
        str | None, Header(description="Gửi lại cùng mã và cùng tệp: nhận lại báo cáo lần đầu")
    ] = None,
) -> JSONResponse:
    """Nhập từng dòng như một hồ sơ nhập tay: dòng hợp lệ được nhập (mỗi dòng trọn vẹn hoặc
    không gì cả), dòng lỗi được trả lại kèm số dòng và lý do bằng tiếng Việt. Người đã có hồ
    sơ đang hoạt động được bỏ qua, nên nhập lại cùng tệp không tạo hồ sơ trùng. `dry_run=true`
    kiểm tra mọi thứ mà không lưu."""
    data = await _file_of(request)
    fingerprinted = {"sha256": hashlib.sha256(data).hexdigest(), "dry_run": dry_run}
    scope = f"registration.import:{officer.subject}"
    key = None if idempotency_key is None else idempotency.checked_key(idempotency_key)
    if key is not None and (stored := await replayed_answer(pool, scope, key, fingerprinted)):
        return JSONResponse(stored, headers={"Idempotent-Replayed": "true"})
    report = await _import(request, submit, officer, data, dry_run)
    if key is not None and not dry_run:
        await keep_answer(pool, scope, key, fingerprinted, report)
    return JSONResponse(report)


async def _import(
    request: Request,
    submit: SubmitRegistrationHandler,
    officer: Principal,
    data: bytes,
    dry_run: bool,
) -> dict[str, Any]:
    read = read_import(data, SHAPE)
    sheet, columns, ignored = read.sheet, read.columns, read.ignored
    parsed = [ParsedRow(n, *command_of(cells, columns)) for n, cells in sheet.rows]
    source = request.client.host if request.client else None
    context = ChangeContext(officer, source, correlation_id_of(request))
    results = await import_rows(submit, parsed, context, dry_run=dry_run)
    headings = {field: sheet.headings[i] for i, field in columns.items()}
    return summary(results, dry_run=dry_run) | {
        "ignored_columns": ignored,
        "results": [_result(r, headings) for r in results],
    }


def _result(result: RowResult, headings: dict[str, str]) -> dict[str, Any]:
    body = dataclasses.asdict(result)
    body["errors"] = [
        dataclasses.asdict(p) | {"column": headings.get(p.field.removeprefix("consents."))}
        for p in result.errors
    ]
    return body
