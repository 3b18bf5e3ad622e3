"""A request refused for one field's value (422), said in Vietnamese and in English."""

from __future__ import annotations

from xkld_shared.errors import FieldProblem, InvalidInput


def invalid(field: str, vi: str, en: str) -> InvalidInput:
    return InvalidInput.of([FieldProblem(field, vi, en)])
