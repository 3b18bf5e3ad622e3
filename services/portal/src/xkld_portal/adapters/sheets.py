"""A report's table written as a file to download: CSV (UTF-8 with a BOM, so Excel reads the
Vietnamese right) or XLSX. Counts and amounts stay numbers; headings are in the reader's
language."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from openpyxl import Workbook

from xkld_portal.domain.reports import Cell, Column, Table

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


def as_xlsx(table: Table, translate: Translate, sheet_title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has its first sheet
    sheet.title = sheet_title[:31]  # Excel's limit for a sheet's name
    for line in _lines(table, translate):
        sheet.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
