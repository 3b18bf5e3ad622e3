"""Reading a trainee's "VL n" answer the way people actually type it."""

from __future__ import annotations

import pytest
from xkld_notifications.domain.work_reply import parse_work_reply


@pytest.mark.parametrize(
    ("text", "outcome"),
    [
        ("VL 1", "work_in_trade"),
        ("vl2", "other_work"),
        ("  V L 3 ", "own_business"),
        ("Vl: 4", "went_abroad"),
        ("VL 5 chưa có việc ạ", "no_work_yet"),
        ("ＶＬ１", "work_in_trade"),  # full-width, as some phone keyboards send it
    ],
)
def test_an_answer_is_read_whatever_its_case_spacing_or_accents(text: str, outcome: str) -> None:
    assert parse_work_reply(text) == outcome


@pytest.mark.parametrize(
    "text", ["VL 6", "VL", "VL 12", "1", "Tôi đang làm ở nhà", "", "LV 1", "VL 0"]
)
def test_anything_else_is_not_understood(text: str) -> None:
    assert parse_work_reply(text) is None


def test_accents_on_the_letters_do_not_matter() -> None:
    assert parse_work_reply("Vĺ 1") == "work_in_trade"
