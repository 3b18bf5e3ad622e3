"""Reading the targets template: CSV with or without BOM, XLSX, and bilingual line errors."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from xkld_reporting.application.targets import (
    InvalidTargetFile,
    parse_upload,
    template_csv,
    to_targets,
)
from xkld_reporting.domain.progress import Indicator


def test_the_template_reads_back_as_two_targets() -> None:
    rows = to_targets(parse_upload(template_csv(), "text/csv"))
    assert [(r.area_code, r.year, r.quarter, r.indicator, r.value) for r in rows] == [
        ("86", 2026, 0, Indicator.DEPARTED, 1200),
        ("29800", 2026, 1, Indicator.LOANS_DISBURSED_VND, 5_000_000_000),
    ]


def test_an_xlsx_upload_with_numbers_stored_as_floats_reads_the_same() -> None:
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    sheet.append(["area_code", "year", "quarter", "indicator", "market", "value"])
    sheet.append(["29800", 2026.0, None, "registered", "JP", 40.0])
    buffer = io.BytesIO()
    book.save(buffer)
    (row,) = to_targets(parse_upload(buffer.getvalue(), "application/octet-stream"))
    assert (row.area_code, row.year, row.quarter, row.market, row.value) == (
        "29800",
        2026,
        0,
        "JP",
        40,
    )


def test_thousands_separators_are_accepted_in_amounts() -> None:
    text = (
        "area_code,year,quarter,indicator,market,value\n"
        '86,2026,,loans_disbursed_vnd,,"5.000.000.000"\n'
    )
    (row,) = to_targets(parse_upload(text.encode(), "text/csv"))
    assert row.value == 5_000_000_000


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ("8,2026,,registered,,10", "mã địa bàn"),
        ("86,2026,5,registered,,10", "quý"),
        ("86,2026,,hired,,10", "chỉ tiêu không hợp lệ"),
        ("86,2026,,registered,,mười", "số nguyên"),
        ("86,1999,,registered,,10", "năm"),
    ],
)
def test_a_bad_line_is_refused_with_its_number_in_vietnamese_and_english(
    line: str, fragment: str
) -> None:
    text = f"area_code,year,quarter,indicator,market,value\n{line}\n"
    with pytest.raises(InvalidTargetFile) as caught:
        to_targets(parse_upload(text.encode(), "text/csv"))
    assert caught.value.body.message_vi.startswith("Dòng 2:")
    assert fragment in caught.value.body.message_vi
    assert caught.value.body.message_en.startswith("Line 2:")


def test_a_file_without_the_template_columns_is_refused() -> None:
    with pytest.raises(InvalidTargetFile, match="missing columns"):
        parse_upload(b"xa,nam,so\n29800,2026,10\n", "text/csv")
