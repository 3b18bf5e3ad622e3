"""Errors say what kind of refusal they are; only the HTTP edge knows status codes."""

from __future__ import annotations

import pytest
from xkld_shared import errors
from xkld_shared.errors import AppError
from xkld_shared.http.errors import status_of


class _Late(errors.Conflict):
    code = "too_late"


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        (errors.InvalidInput, 422),
        (errors.NotFound, 404),
        (errors.Conflict, 409),
        (errors.NotAllowed, 403),
        (errors.NotSignedIn, 401),
        (errors.Throttled, 429),
        (AppError, 400),
    ],
)
def test_the_edge_maps_each_kind_of_error_to_its_status(kind: type[AppError], status: int) -> None:
    assert status_of(kind("vi", "en")) == status


def test_a_service_s_own_error_takes_the_status_of_its_kind() -> None:
    assert status_of(_Late("Muộn", "Too late")) == 409


def test_no_error_class_carries_an_http_status() -> None:
    kinds = [v for v in vars(errors).values() if isinstance(v, type) and issubclass(v, AppError)]
    assert len(kinds) >= 7
    assert not any("status_code" in vars(kind) for kind in kinds)
