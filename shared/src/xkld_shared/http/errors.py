"""Rendering AppError and request-validation failures as bilingual JSON; never a stack trace."""

from __future__ import annotations

import dataclasses
import logging
import traceback
from typing import Any

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from xkld_shared.errors import (
    AppError,
    Conflict,
    ErrorBody,
    FieldProblem,
    InvalidInput,
    NotAllowed,
    NotFound,
    NotSignedIn,
    Throttled,
)

log = logging.getLogger(__name__)

# Pydantic's error types, said the way a commune officer would understand them.
_PYDANTIC_VI: dict[str, tuple[str, str]] = {
    "missing": ("Thiếu thông tin bắt buộc", "This field is required"),
    "string_too_short": ("Không được để trống", "Must not be empty"),
    "string_too_long": ("Quá dài", "Too long"),
    "date_from_datetime_parsing": ("Ngày không hợp lệ (YYYY-MM-DD)", "Invalid date (YYYY-MM-DD)"),
    "date_from_datetime_inexact": ("Ngày không hợp lệ (YYYY-MM-DD)", "Invalid date (YYYY-MM-DD)"),
    "date_parsing": ("Ngày không hợp lệ (YYYY-MM-DD)", "Invalid date (YYYY-MM-DD)"),
    "date_type": ("Ngày không hợp lệ (YYYY-MM-DD)", "Invalid date (YYYY-MM-DD)"),
    "literal_error": ("Giá trị không được chấp nhận", "Value not allowed"),
    "enum": ("Giá trị không được chấp nhận", "Value not allowed"),
    "bool_parsing": ("Phải là đúng/sai (true/false)", "Must be true or false"),
    "bool_type": ("Phải là đúng/sai (true/false)", "Must be true or false"),
    "string_type": ("Phải là chuỗi ký tự", "Must be text"),
    "model_attributes_type": ("Dữ liệu phải là một đối tượng JSON", "Must be a JSON object"),
    "dict_type": ("Dữ liệu phải là một đối tượng JSON", "Must be a JSON object"),
    "json_invalid": ("Dữ liệu gửi lên không phải JSON hợp lệ", "The body is not valid JSON"),
    "extra_forbidden": ("Trường không được hỗ trợ", "Unknown field"),
    "strict_bool": ("Phải là true hoặc false", "Must be true or false"),
    "strict_int": ("Phải là số nguyên", "Must be a whole number"),
    "int_type": ("Phải là số nguyên", "Must be a whole number"),
    "int_parsing": ("Phải là số nguyên", "Must be a whole number"),
    "int_from_float": ("Phải là số nguyên", "Must be a whole number"),
    "strict_date": ("Ngày không hợp lệ (YYYY-MM-DD)", "Invalid date (YYYY-MM-DD)"),
    "out_of_range": ("Số nằm ngoài phạm vi cho phép", "The number is out of range"),
    "date_out_of_range": (
        "Ngày nằm ngoài phạm vi cho phép (1900-01-01 đến 2199-12-31)",
        "The date is out of range (1900-01-01 to 2199-12-31)",
    ),
    "greater_than": ("Giá trị quá nhỏ", "The value is too small"),
    "greater_than_equal": ("Giá trị quá nhỏ", "The value is too small"),
    "less_than": ("Giá trị quá lớn", "The value is too large"),
    "less_than_equal": ("Giá trị quá lớn", "The value is too large"),
    "uuid_parsing": ("Mã định danh (UUID) không hợp lệ", "Invalid identifier (UUID)"),
    "uuid_type": ("Mã định danh (UUID) không hợp lệ", "Invalid identifier (UUID)"),
}


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path")]
    return ".".join(parts) or "body"


def problems_from_validation(errors: list[Any]) -> list[FieldProblem]:
    problems = []
    for err in errors:
        vi, en = _PYDANTIC_VI.get(err["type"], ("Giá trị không hợp lệ", "Invalid value"))
        problems.append(FieldProblem(_field_name(err["loc"]), vi, en))
    return problems


def _render(status_code: int, body: ErrorBody) -> JSONResponse:
    return JSONResponse(status_code=status_code, content={"error": dataclasses.asdict(body)})


def _innermost_frame(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "?"
    last = frames[-1]
    return f"{last.filename}:{last.lineno} in {last.name}"


def _out_of_range(exc: Exception) -> JSONResponse:
    """The last line behind the edge's checks. A data exception (SQLSTATE class 22: a value out
    of its column's range, or one that cannot be stored) and an overflow in date or number
    arithmetic both come from a value the caller sent; the transaction is rolled back, so
    nothing was stored. Logged, so that the edge check that missed it can be added."""
    log.warning(
        "value out of range reached the storage or arithmetic",
        extra={"error_type": type(exc).__name__, "where": _innermost_frame(exc)},
    )
    body = ErrorBody(
        "invalid_input",
        "Dữ liệu không hợp lệ — một giá trị nằm ngoài phạm vi cho phép",
        "Invalid input — a value is out of the allowed range",
    )
    return _render(422, body)


# The edge's one table from an error's kind to its HTTP status; the first match wins.
_STATUS_OF_KIND: tuple[tuple[type[AppError], int], ...] = (
    (InvalidInput, 422),
    (NotFound, 404),
    (Conflict, 409),
    (NotAllowed, 403),
    (NotSignedIn, 401),
    (Throttled, 429),
)


def status_of(error: AppError) -> int:
    return next((status for kind, status in _STATUS_OF_KIND if isinstance(error, kind)), 400)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(_: Request, exc: AppError) -> JSONResponse:
        answer = _render(status_of(exc), exc.body)
        if (wait := getattr(exc, "retry_after_seconds", None)) is not None:
            answer.headers["Retry-After"] = str(wait)
        return answer

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        error = InvalidInput.of(problems_from_validation(list(exc.errors())))
        return _render(422, error.body)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        messages = {
            404: ("Không tìm thấy", "Not found"),
            405: ("Phương thức không được hỗ trợ", "Method not allowed"),
        }
        vi, en = messages.get(exc.status_code, ("Yêu cầu không hợp lệ", str(exc.detail)))
        return _render(exc.status_code, ErrorBody(f"http_{exc.status_code}", vi, en))

    @app.exception_handler(asyncpg.DataError)
    async def _data(_: Request, exc: asyncpg.DataError) -> JSONResponse:
        return _out_of_range(exc)

    @app.exception_handler(OverflowError)
    async def _overflow(_: Request, exc: OverflowError) -> JSONResponse:
        return _out_of_range(exc)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        # Type and place only: exception texts can echo submitted values (personal data).
        log.error(
            "unhandled error",
            extra={"error_type": type(exc).__name__, "where": _innermost_frame(exc)},
        )
        body = ErrorBody(
            "internal_error",
            "Hệ thống gặp sự cố, vui lòng thử lại sau",
            "Something went wrong on our side; please try again later",
        )
        return _render(500, body)
