import uuid

import pytest
from xkld_notifications.domain.outbound import (
    MessageStatus,
    acknowledgement,
    message_id,
    retry_delay_seconds,
)
from xkld_notifications.domain.sms_text import Encoding, encoding_of, segment_count, unaccent


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


def test_acknowledgement_is_one_unaccented_gsm7_part() -> None:
    sms = acknowledgement(
        event_id=uuid.uuid4(), registration_id=uuid.uuid4(), commune_code="29800", consent=True
    )
    assert sms.encoding == "gsm7"
    assert sms.segments == 1
    assert sms.status is MessageStatus.PENDING
    assert "tiep nhan" in sms.body


def test_a_worker_without_consent_gets_a_suppressed_message() -> None:
    sms = acknowledgement(
        event_id=uuid.uuid4(), registration_id=uuid.uuid4(), commune_code="29800", consent=False
    )
    assert sms.status is MessageStatus.SUPPRESSED
    assert sms.suppressed_reason == "no_consent"


def test_retry_delay_doubles_and_is_capped() -> None:
    assert [retry_delay_seconds(n, 2.0) for n in (1, 2, 3)] == [2.0, 4.0, 8.0]
    assert retry_delay_seconds(30, 2.0) == 600.0
