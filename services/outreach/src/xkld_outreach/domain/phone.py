"""A survey member's phone: a Vietnamese mobile, in E.164, as registration checks it. Pure."""

from __future__ import annotations

import phonenumbers


def normalise_mobile(raw: str) -> str | None:
    """A Vietnamese mobile number in E.164, as registration checks it; None if it is not."""
    try:
        number = phonenumbers.parse(raw, "VN")
    except phonenumbers.NumberParseException:
        return None
    if (
        number.country_code != 84
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE
    ):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
