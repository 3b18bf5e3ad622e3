import datetime as dt

from xkld_registration.entrypoints.consent_print import render_consent_record


def test_every_value_on_the_printed_record_is_escaped() -> None:
    page = render_consent_record(
        "<script>alert(1)</script>",
        "AB12",
        "29800",
        [
            {
                "purpose": "sms_notifications",
                "purpose_vi": "Nhận tin nhắn SMS",
                "granted": True,
                "text_version": "<v1>",
                "recorded_by_name": "x&y",
                "recorded_at": dt.datetime(2026, 11, 26, 20, 0, tzinfo=dt.UTC),
            }
        ],
    )
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert "&lt;v1&gt;" in page
    assert "x&amp;y" in page
    assert "27/11/2026 03:00" in page  # shown in Vietnam's time
