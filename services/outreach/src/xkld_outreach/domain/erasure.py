"""Erasure of a survey member on request, for someone who never registered. Pure.

Once a member was converted, their file in registration holds the person's data and its own
erasure (`POST /registrations/{id}/erasure`) empties this survey's copy too, through
RegistrationPersonalDataErased: two doors to one erasure would leave the file untouched.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal, get_args

from xkld_shared.errors import Conflict

ErasureReason = Literal["subject_request", "consent_withdrawn", "recorded_in_error"]
REASONS: tuple[str, ...] = get_args(ErasureReason)


class ErasureRefused(Conflict):
    code = "erasure_refused"


class MemberErased(Conflict):
    code = "member_erased"

    def __init__(self) -> None:
        super().__init__(
            "Dữ liệu cá nhân của người này đã bị xoá theo yêu cầu: không thể lập hồ sơ từ phiếu"
            " khảo sát; nếu họ muốn đăng ký, hãy nhập hồ sơ mới tại bàn tiếp nhận",
            "This person's data was erased on request: no intake can be made from the survey;"
            " if they want to register, take a new intake at the desk",
        )


def check_erasable(erased_at: dt.datetime | None, registration_id: uuid.UUID | None) -> None:
    if erased_at is not None:
        raise ErasureRefused(
            "Dữ liệu cá nhân của người này đã được xoá trước đó",
            "This member's personal data is erased already",
        )
    if registration_id is not None:
        raise ErasureRefused(
            "Người này đã có hồ sơ đăng ký: hãy xoá dữ liệu trên hồ sơ"
            f" (POST /registrations/{registration_id}/erasure), phiếu khảo sát sẽ được xoá theo",
            "This person has a registration: erase its personal data"
            f" (POST /registrations/{registration_id}/erasure) and the survey follows",
        )


def check_not_erased(erased_at: dt.datetime | None) -> None:
    if erased_at is not None:
        raise MemberErased
