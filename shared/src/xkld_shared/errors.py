"""Errors people can act on, bilingual (Vietnamese first), free of any framework.

Any layer may raise them. Each is of one kind (invalid input, not found, conflict, not allowed,
not signed in, too many attempts) and carries no transport detail: the HTTP edge
(`xkld_shared.http.errors`) maps the kind to a status code and renders `{"error": {...}}`.
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
    """A request the caller can correct; a kind of its own only when none below fits."""

    code = "bad_request"

    def __init__(
        self, message_vi: str, message_en: str, fields: list[FieldProblem] | None = None
    ) -> None:
        super().__init__(message_en)
        self.body = ErrorBody(self.code, message_vi, message_en, list(fields or []))


class InvalidInput(AppError):
    code = "invalid_input"

    @classmethod
    def of(cls, problems: list[FieldProblem]) -> InvalidInput:
        summary_vi = "; ".join(f"{p.field}: {p.message_vi}" for p in problems)
        summary_en = "; ".join(f"{p.field}: {p.message_en}" for p in problems)
        return cls(
            f"Dữ liệu không hợp lệ — {summary_vi}", f"Invalid input — {summary_en}", problems
        )


class Conflict(AppError):
    """The request is understood but the state of things does not allow it now."""

    code = "conflict"


class NotFound(AppError):
    code = "not_found"


class NotAllowed(AppError):
    """The caller is known but their role or area does not cover this."""

    code = "forbidden"


class NotSignedIn(AppError):
    """No valid proof of who the caller is."""

    code = "unauthenticated"


class Throttled(AppError):
    """Slow down: the same thing was tried too often."""

    code = "too_many_attempts"
