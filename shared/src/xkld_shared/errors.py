"""Errors people can act on, bilingual (Vietnamese first), free of any framework.

Any layer may raise them; the HTTP edge renders them as `{"error": {...}}` with the status code.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldProblem:
    field: str
    message_vi: str
    message_en: str


@dataclass(frozen=True)
class ErrorBody:
    code: str
    message_vi: str
    message_en: str
    fields: list[FieldProblem] = field(default_factory=list)


class AppError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(
        self, message_vi: str, message_en: str, fields: list[FieldProblem] | None = None
    ) -> None:
        super().__init__(message_en)
        self.body = ErrorBody(self.code, message_vi, message_en, list(fields or []))


class InvalidInput(AppError):
    status_code = 422
    code = "invalid_input"

    @classmethod
    def of(cls, problems: list[FieldProblem]) -> InvalidInput:
        summary_vi = "; ".join(f"{p.field}: {p.message_vi}" for p in problems)
        summary_en = "; ".join(f"{p.field}: {p.message_en}" for p in problems)
        return cls(
            f"Dữ liệu không hợp lệ — {summary_vi}", f"Invalid input — {summary_en}", problems
        )


class Conflict(AppError):
    status_code = 409
    code = "conflict"


class NotFound(AppError):
    status_code = 404
    code = "not_found"
