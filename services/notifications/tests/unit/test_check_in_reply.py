"""Reading a worker's answer to the check-in SMS."""

from __future__ import annotations

import pytest
from xkld_notifications.domain.check_in_reply import parse_check_in_reply


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("TT 1", "working"),
        ("tt1", "working"),
        ("T T 2", "between_jobs"),
        ("Tt: 3 dang nghi", "not_working"),
        ("ＴＴ２", "between_jobs"),
        ("  tt 1.", "working"),
    ],
)
def test_an_answer_typed_as_people_type_it_is_read(text: str, status: str) -> None:
    assert parse_check_in_reply(text) == status


@pytest.mark.parametrize("text", ["TT 4", "TT 12", "VL 1", "toi van khoe", "", "1"])
def test_anything_else_is_not_read(text: str) -> None:
    assert parse_check_in_reply(text) is None
