"""A report's title becomes its XLSX sheet's name; Excel refuses some characters in one."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from xkld_portal.adapters.sheets import as_xlsx, sheet_name
from xkld_portal.domain.reports import Column, Table


def test_a_title_with_characters_excel_refuses_still_downloads_as_a_sheet() -> None:
    table = Table([Column("Xã", "text")], [["Tân Quới"]])
    body = as_xlsx(table, lambda text: text, "Kết quả: hộ thoát nghèo [2026] / tiền gửi về?")
    book = load_workbook(io.BytesIO(body))
    assert book.sheetnames == ["Kết quả  hộ thoát nghèo  2026"]


def test_a_sheet_name_keeps_what_excel_accepts_and_never_comes_out_empty() -> None:
    assert sheet_name("Tiến độ chỉ tiêu") == "Tiến độ chỉ tiêu"
    assert sheet_name("x" * 40) == "x" * 31
    assert sheet_name(":/?") == "Sheet"
