import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st
from xkld_notifications.domain.outbound import message_id, retry_delay_seconds
from xkld_notifications.domain.sms_text import (
    Encoding,
    encoding_of,
    non_gsm7_characters,
    segment_count,
    unaccent,
)


def test_unaccent_turns_vietnamese_into_plain_ascii() -> None:
    assert unaccent("Đặng Thị Hồng Nhung, đã được tiếp nhận") == (
        "Dang Thi Hong Nhung, da duoc tiep nhan"
    )


def test_accented_text_needs_ucs2_and_unaccented_text_fits_gsm7() -> None:
    assert encoding_of("Hồ sơ") is Encoding.UCS2
    assert encoding_of(unaccent("Hồ sơ")) is Encoding.GSM7


@pytest.mark.parametrize(("length", "parts"), [(1, 1), (160, 1), (161, 2), (306, 2), (307, 3)])
def test_gsm7_segments_are_160_then_153(length: int, parts: int) -> None:
    assert segment_count("a" * length) == parts


@pytest.mark.parametrize(("length", "parts"), [(70, 1), (71, 2), (134, 2), (135, 3)])
def test_ucs2_segments_are_70_then_67(length: int, parts: int) -> None:
    assert segment_count("ồ" * length) == parts


def test_gsm7_extension_characters_cost_two() -> None:
    assert segment_count("€" * 80) == 1
    assert segment_count("€" * 81) == 2


def test_message_id_is_the_same_for_a_redelivered_event() -> None:
    event = uuid.uuid4()
    assert message_id(event, "t") == message_id(event, "t")
    assert message_id(event, "t") != message_id(uuid.uuid4(), "t")
    assert message_id(event, "t") != message_id(event, "u")


def test_retry_delay_doubles_and_is_capped() -> None:
    assert [retry_delay_seconds(n, 2.0) for n in (1, 2, 3)] == [2.0, 4.0, 8.0]
    assert retry_delay_seconds(30, 2.0) == 600.0


def test_retry_delay_is_jittered_between_half_and_all_of_the_step() -> None:
    assert retry_delay_seconds(3, 2.0, jitter=0.0) == 4.0
    assert retry_delay_seconds(3, 2.0, jitter=0.5) == 6.0
    assert retry_delay_seconds(3, 2.0, jitter=1.0) == 8.0


# Worked examples: a course notice that is exactly 160 characters once unaccented.
COURSE_160 = (
    "XKLĐ: Bạn được xếp lớp Tiếng Hàn sơ cấp, khai giảng ngày 05/01/2027 tại Trung tâm "
    "GDNN-GDTX Bình Tân, Vĩnh Long. Mang theo CCCD, ảnh 3x4 và bút khi đến lớp nhé."
)
COURSE_161 = COURSE_160.replace("nhé.", "nhé ạ")
DEPARTURE_70 = "XKLĐ: Ngày xuất cảnh của bạn là 12/03/2027. Có mặt tại sân bay lúc 6h."
DEPARTURE_71 = DEPARTURE_70.replace("6h.", "6h30")


def test_a_160_character_unaccented_notice_is_one_part_and_161_is_two() -> None:
    short, long_ = unaccent(COURSE_160), unaccent(COURSE_161)
    assert (len(short), len(long_)) == (160, 161)
    assert short.startswith("XKLD: Ban duoc xep lop Tieng Han so cap")
    assert encoding_of(short) is encoding_of(long_) is Encoding.GSM7
    assert (segment_count(short), segment_count(long_)) == (1, 2)


def test_the_same_notice_with_its_accents_would_cost_three_ucs2_parts() -> None:
    assert encoding_of(COURSE_160) is Encoding.UCS2
    assert segment_count(COURSE_160) == 3  # 160 / 67, rounded up


def test_a_70_character_accented_notice_is_one_ucs2_part_and_71_is_two() -> None:
    assert (len(DEPARTURE_70), len(DEPARTURE_71)) == (70, 71)
    assert encoding_of(DEPARTURE_70) is Encoding.UCS2
    assert (segment_count(DEPARTURE_70), segment_count(DEPARTURE_71)) == (1, 2)


VIETNAMESE = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
)
_LETTERS = VIETNAMESE + VIETNAMESE.upper() + " 0123456789.,:;!?-()/"


@given(st.text(alphabet=_LETTERS, max_size=400))
def test_unaccented_vietnamese_is_always_gsm7(text: str) -> None:
    converted = unaccent(text)
    assert non_gsm7_characters(converted) == set()
    assert len(converted) == len(text)  # one letter stays one letter: counts stay honest
