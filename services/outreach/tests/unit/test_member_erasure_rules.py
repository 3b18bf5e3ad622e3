"""The rules of erasing a survey member: once, never once converted, no conversion after."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from xkld_outreach.domain.erasure import (
    REASONS,
    ErasureRefused,
    MemberErased,
    check_erasable,
    check_not_erased,
)

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def test_a_member_never_erased_nor_converted_may_be_erased() -> None:
    check_erasable(None, None)


def test_a_member_erased_already_is_refused_a_second_erasure() -> None:
    with pytest.raises(ErasureRefused) as refused:
        check_erasable(NOW, None)
    assert "đã được xoá" in refused.value.body.message_vi


def test_a_converted_member_is_pointed_to_the_erasure_of_their_registration() -> None:
    registration_id = uuid.uuid4()
    with pytest.raises(ErasureRefused) as refused:
        check_erasable(None, registration_id)
    assert f"/registrations/{registration_id}/erasure" in refused.value.body.message_vi
    assert f"/registrations/{registration_id}/erasure" in refused.value.body.message_en


def test_an_erased_member_cannot_be_converted_and_the_refusal_is_vietnamese_first() -> None:
    check_not_erased(None)
    with pytest.raises(MemberErased) as refused:
        check_not_erased(NOW)
    assert refused.value.body.code == "member_erased"
    assert refused.value.body.message_vi.startswith("Dữ liệu cá nhân")


def test_the_reasons_are_a_small_closed_list() -> None:
    assert REASONS == ("subject_request", "consent_withdrawn", "recorded_in_error")
