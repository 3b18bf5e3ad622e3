"""A report's table written as a file to download: CSV (UTF-8 with a BOM, so Excel reads the
Vietnamese right) or XLSX. Counts and amounts stay numbers; headings are in the reader's
language."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from xkld_portal.domain.reports import Cell, Column, Table

if TYPE_CHECKING:
    from openpyxl import Workbook

Translate = Callable[[str], str]
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(column: Column, value: Cell, translate: Translate) -> Cell:
    if column.kind == "label" and isinstance(value, str):
        return translate(value)
    if column.kind == "percent" and value is not None:
        return str(value)
    return value


def _lines(table: Table, translate: Translate) -> list[list[Cell]]:
    header: list[Cell] = [translate(c.title) for c in table.columns]
    body = [
        [_cell(c, v, translate) for c, v in zip(table.columns, row, strict=True)]
        for row in table.rows
    ]
    return [header, *body]


def as_csv(table: Table, translate: Translate) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(_lines(table, translate))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# Characters Excel refuses in a sheet's name (openpyxl raises on them).
_NOT_IN_SHEET_NAMES = re.compile(r"[\\/*?:\[\]]")


def sheet_name(title: str) -> str:
    """A title Excel accepts as a sheet's name: no \\ / * ? : [ ], at most 31 characters."""
    return _NOT_IN_SHEET_NAMES.sub(" ", title)[:31].strip() or "Sheet"


def as_xlsx(table: Table, translate: Translate, sheet_title: str) -> bytes:
    out = io.BytesIO()
    _workbook(table, translate, sheet_title).save(out)
    return out.getvalue()


def _workbook(table: Table, translate: Translate, sheet_title: str) -> Workbook:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has its first sheet
    sheet.title = sheet_name(sheet_title)
    for line in _lines(table, translate):
        sheet.append(line)
    return book


def read_rows(content: bytes, limit: int = 2000) -> list[list[str]]:
    """An uploaded sheet's lines as text, header first, blank lines left out (as the reporting
    service numbers them), for showing the file back row by row. Unreadable: no lines (the
    service says why)."""
    try:
        lines = _xlsx_rows(content) if content[:2] == b"PK" else _csv_rows(content)
    except Exception:  # a damaged file: the service's refusal explains it
        return []
    return [line for line in lines if any(cell for cell in line)][: limit + 1]


def _csv_rows(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8-sig")
    return [[cell.strip() for cell in line] for line in csv.reader(io.StringIO(text))]


def _xlsx_rows(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    return [
        [_text(cell) for cell in line] for line in book.worksheets[0].iter_rows(values_only=True)
    ]


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel keeps whole numbers as floats
    return "" if value is None else str(value).strip()
