"""Pure rules of working the files: folding names for search, reading spreadsheet rows."""

import pytest
from xkld_registration.domain.search import fold, name_tokens
from xkld_registration.entrypoints.import_rows import column_map, command_of
from xkld_shared.spreadsheet import UnreadableFile, read_sheet

HEADINGS = [
    "HỌ VÀ TÊN",
    "so cccd",
    "Ngày sinh",
    "Giới tính",
    "Số điện thoại",
    "Mã xã",
    "Hộ nghèo",
    "Nhóm ưu tiên",
    "Vay vốn",
    "Đồng ý xử lý hồ sơ",
    "Đồng ý nhận SMS",
    "Đồng ý chia sẻ doanh nghiệp",
    "Đồng ý chia sẻ ngân hàng",
    "Ghi chú",
]


def test_folding_drops_diacritics_and_turns_d_with_stroke_into_d() -> None:
    assert fold("Nguyễn Đức Thắng") == "nguyen duc thang"
    assert fold("ĐỖ THỊ ỨNG") == "do thi ung"
    assert fold("Nguyễn") == fold("NGUYEN") == fold("nguyễn")


def test_name_tokens_are_the_folded_words_whatever_the_spacing_or_punctuation() -> None:
    assert name_tokens("  Lê-Văn   Tám ") == frozenset({"le", "van", "tam"})
    assert name_tokens("Lê Văn Tám") == name_tokens("le van TAM")
    assert name_tokens("...") == frozenset()


def test_headings_match_without_accents_or_case_and_unknown_ones_are_listed() -> None:
    columns, ignored = column_map(HEADINGS)
    assert columns[0] == "full_name"
    assert columns[1] == "cccd"
    assert columns[10] == "sms_notifications"
    assert ignored == ["Ghi chú"]


def test_a_row_as_excel_stored_it_becomes_the_forms_command() -> None:
    columns, _ = column_map(HEADINGS)
    cells = [
        "Trần Văn Út",
        "86200123456",  # the leading zero lost by a number cell
        "5/4/2000",
        "Nam",
        "912345678",
        "29800",
        "cận nghèo",
        "poor_household; youth_volunteer",
        "Có",
        "có",
        "x",
        "có",
        "không",
        "ghi chú tự do",
    ]
    cmd, problems = command_of(cells, columns)
    assert problems == []
    assert cmd is not None
    assert cmd.cccd == "086200123456"
    assert cmd.phone == "0912345678"
    assert cmd.date_of_birth.isoformat() == "2000-04-05"
    assert cmd.gender == "male"
    assert cmd.household_poverty == "near_poor"
    assert cmd.details.priority_groups == frozenset({"poor_household", "youth_volunteer"})
    assert cmd.details.loan_wanted is True
    assert cmd.consents.text_version == "import"


def test_a_row_with_an_unreadable_answer_names_the_field() -> None:
    columns, _ = column_map(HEADINGS)
    cells = ["Trần Văn Út", "086200123456", "31/02/2000", "Nam", "0912345678", "29800"]
    cells += ["không", "", "", "có", "có", "có", "có"]
    cmd, problems = command_of(cells, columns)
    assert cmd is None
    assert [p.field for p in problems] == ["date_of_birth"]


def test_a_windows_1258_csv_with_semicolons_reads_like_a_utf8_one() -> None:
    # Windows-1258 has no "ọ" or "ố": it writes the tone as a combining mark after the letter.
    legacy_text = "Ho\u0323 và tên;Sô\u0301 CCCD\nLê Văn Tám;086200123456\n\n"
    utf8 = read_sheet("Họ và tên;Số CCCD\nLê Văn Tám;086200123456\n\n".encode("utf-8-sig"))
    legacy = read_sheet(legacy_text.encode("cp1258"))
    assert legacy == utf8
    assert legacy.headings == ["Họ và tên", "Số CCCD"]
    assert legacy.rows == [(2, ["Lê Văn Tám", "086200123456"])]


def test_bytes_that_are_no_spreadsheet_are_refused() -> None:
    with pytest.raises(UnreadableFile):
        read_sheet(b"PK\x03\x04 not a workbook")
