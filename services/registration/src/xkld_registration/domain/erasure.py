"""Erasure on request: allowed for a worker who never departed, and only once."""

from __future__ import annotations

from xkld_shared.errors import Conflict

# Once a worker has departed, the file is evidence under Law 69/2020 and must be kept.
_DEPARTED_OR_LATER = frozenset(
    {"departed", "abroad", "returned_completed", "returned_early", "absconded", "reintegration"}
)


class ErasureRefused(Conflict):
    code = "erasure_refused"


def check_erasable(status: str, already_erased: bool) -> None:
    if already_erased:
        raise ErasureRefused(
            "Dữ liệu cá nhân của hồ sơ này đã được xoá",
            "This file's personal data is erased already",
        )
    if status in _DEPARTED_OR_LATER:
        raise ErasureRefused(
            "Không thể xoá: người lao động đã xuất cảnh, hồ sơ phải được lưu giữ",
            "Cannot erase: the worker has departed, and the file must be kept",
        )


def check_trainee_erasable(already_erased: bool) -> None:
    """A trainee who stays has no departure to keep evidence of: erasable any time, once."""
    if already_erased:
        raise ErasureRefused(
            "Dữ liệu cá nhân của học viên này đã được xoá",
            "This trainee's personal data is erased already",
        )
