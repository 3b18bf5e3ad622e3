import datetime as dt

import pytest
from xkld_registration.domain.identity import age_on, cccd_problem, normalise_mobile, normalise_name

BORN = dt.date(2001, 5, 17)


def test_accepts_cccd_that_agrees_with_birth_year_and_gender() -> None:
    assert cccd_problem("086201012345", BORN, "male") is None
    assert cccd_problem("086301012345", BORN, "female") is None


@pytest.mark.parametrize(
    ("cccd", "expected"),
    [
        ("08620101234", "12"),  # too short
        ("08620101234X", "12"),  # not digits
        ("003201012345", "province"),  # 003 is no province code
        ("086001012345", "birth year"),  # 1901, not 2001
        ("086202012345", "birth year"),  # 2002
        ("086301012345", "gender"),  # a woman's digit for a man
    ],
)
def test_rejects_malformed_or_inconsistent_cccd(cccd: str, expected: str) -> None:
    problem = cccd_problem(cccd, BORN, "male")
    assert problem is not None
    assert problem.field == "cccd"
    assert expected in problem.message_en


def test_cccd_century_digit_covers_the_1900s() -> None:
    assert cccd_problem("086095012345", dt.date(1995, 1, 1), "male") is None
    assert cccd_problem("086195012345", dt.date(1995, 1, 1), "female") is None


@pytest.mark.parametrize(
    "raw", ["0912345678", "+84912345678", "84912345678", "091 234 5678", "0987654321"]
)
def test_normalises_vietnamese_mobiles_to_e164(raw: str) -> None:
    assert normalise_mobile(raw) in {"+84912345678", "+84987654321"}


@pytest.mark.parametrize("raw", ["12345", "02838123456", "+14155552671", "09123", "abc", ""])
def test_rejects_landlines_foreign_and_malformed_numbers(raw: str) -> None:
    assert normalise_mobile(raw) is None


def test_names_are_nfc_and_single_spaced() -> None:
    decomposed = "Nguye\u0302\u0303n  Va\u0306n   An"
    assert normalise_name(decomposed) == "Nguyễn Văn An"


@pytest.mark.parametrize("raw", ["", "A", "Nguyen 123", "<script>", "x" * 101])
def test_rejects_implausible_names(raw: str) -> None:
    assert normalise_name(raw) is None


def test_age_counts_the_birthday_itself() -> None:
    assert age_on(dt.date(2008, 11, 26), dt.date(2026, 11, 26)) == 18
    assert age_on(dt.date(2008, 11, 27), dt.date(2026, 11, 26)) == 17
    assert age_on(dt.date(2008, 2, 29), dt.date(2026, 2, 28)) == 17
