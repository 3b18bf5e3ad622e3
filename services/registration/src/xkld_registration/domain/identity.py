"""Rules for the identity fields of a worker's file: CCCD, phone, name, age. Pure functions."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Literal

import phonenumbers
from xkld_shared.errors import FieldProblem

Gender = Literal["male", "female"]
HouseholdPoverty = Literal["poor", "near_poor", "not_poor"]

# The 54 ethnic groups, coded 01 (Kinh) to 54 (Ơ Đu) as in the national statistics list.
ETHNICITY_CODES = frozenset(f"{n:02d}" for n in range(1, 55))

# Province codes of the CCCD (the 63 provinces before the 2025 merger; the merger kept them).
CCCD_PROVINCE_CODES = frozenset(
    "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 034 "
    "035 036 037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 067 068 "
    "070 072 074 075 077 079 080 082 083 084 086 087 089 091 092 093 094 095 096".split()
)

# The gender/century digit: (century start, gender) for each value.
_CENTURY_DIGIT: dict[str, tuple[int, Gender]] = {
    "0": (1900, "male"),
    "1": (1900, "female"),
    "2": (2000, "male"),
    "3": (2000, "female"),
    "4": (2100, "male"),
    "5": (2100, "female"),
    "6": (2200, "male"),
    "7": (2200, "female"),
    "8": (1800, "male"),
    "9": (1800, "female"),
}

MINIMUM_AGE = 18
_NAME = re.compile(r"^[^\W\d_]+(?:[ '\-.][^\W\d_]+)*$")


def cccd_problem(cccd: str, date_of_birth: dt.date, gender: Gender) -> FieldProblem | None:
    """None when the CCCD is well formed and agrees with the date of birth and gender."""
    shape = _cccd_shape_problem(cccd)
    return shape if shape is not None else _cccd_birth_problem(cccd, date_of_birth, gender)


def _cccd_shape_problem(cccd: str) -> FieldProblem | None:
    if not re.fullmatch(r"\d{12}", cccd):
        return FieldProblem(
            "cccd", "Số CCCD phải gồm đúng 12 chữ số", "A CCCD is exactly 12 digits"
        )
    if cccd[:3] not in CCCD_PROVINCE_CODES:
        return FieldProblem(
            "cccd",
            "Mã tỉnh (3 số đầu) của CCCD không tồn tại",
            "The CCCD's province code (first 3 digits) does not exist",
        )
    return None


def _cccd_birth_problem(cccd: str, date_of_birth: dt.date, gender: Gender) -> FieldProblem | None:
    """The century/gender digit and the year digits against what the person declared."""
    century, digit_gender = _CENTURY_DIGIT[cccd[3]]
    if century + int(cccd[4:6]) != date_of_birth.year:
        return FieldProblem(
            "cccd",
            "Năm sinh trong số CCCD không khớp với ngày sinh",
            "The birth year in the CCCD does not match the date of birth",
        )
    if digit_gender != gender:
        return FieldProblem(
            "cccd",
            "Giới tính trong số CCCD không khớp với giới tính đã khai",
            "The gender in the CCCD does not match the gender given",
        )
    return None


def normalise_mobile(raw: str) -> str | None:
    """The number in E.164 (+84...) if it is a valid Vietnamese mobile number, else None."""
    try:
        number = phonenumbers.parse(raw, "VN")
    except phonenumbers.NumberParseException:
        return None
    mobile_types = {phonenumbers.PhoneNumberType.MOBILE}
    if (
        number.country_code != 84
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.number_type(number) not in mobile_types
    ):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_name(raw: str) -> str | None:
    """NFC, single spaces; None if it is not a plausible person's name."""
    name = " ".join(unicodedata.normalize("NFC", raw).split())
    if not 2 <= len(name) <= 100 or not _NAME.fullmatch(name):
        return None
    return name


def age_on(date_of_birth: dt.date, day: dt.date) -> int:
    before_birthday = (day.month, day.day) < (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - before_birthday


def ethnicity_problem(code: str) -> FieldProblem | None:
    if code in ETHNICITY_CODES:
        return None
    return FieldProblem(
        "ethnicity_code",
        "Mã dân tộc phải từ 01 (Kinh) đến 54",
        "The ethnicity code must be from 01 (Kinh) to 54",
    )
