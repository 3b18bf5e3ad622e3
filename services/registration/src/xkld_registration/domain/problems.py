"""Input refused for one field's reason, the shape most of the domain's checks raise."""

from __future__ import annotations

from xkld_shared.errors import FieldProblem, InvalidInput


def invalid_field(field: str, vi: str, en: str) -> InvalidInput:
    """The 422 for one field, with its reason in Vietnamese and in English."""
    return InvalidInput.of([FieldProblem(field, vi, en)])
