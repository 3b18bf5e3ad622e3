"""Tables as downloads: CSV (UTF-8 with BOM, so Excel reads the accents) and XLSX (one sheet per
table, sheet names made legal for Excel)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # openpyxl is imported when a workbook is made
    from openpyxl.styles import Font
    from openpyxl.worksheet.worksheet import Worksheet

# Excel refuses these in a sheet name, and names longer than 31 characters.
_ILLEGAL = re.compile(r"[\[\]:*?/\\]")
MAX_SHEET_NAME = 31


@dataclass(frozen=True)
class Table:
    name: str
    headings: Sequence[str]
    rows: Sequence[Sequence[object]]


def sheet_name(name: str, taken: set[str]) -> str:
    """A legal, unique sheet name: no []:*?/\\, not blank, at most 31 characters, and not
    starting or ending with an apostrophe."""
    base = _ILLEGAL.sub("-", name).strip("'").strip() or "Trang"
    candidate = _unused(base[:MAX_SHEET_NAME], taken)
    taken.add(candidate.lower())
    return candidate


def _unused(base: str, taken: set[str]) -> str:
    """`base`, or `base (2)`, `base (3)`... cut to fit, whichever is not taken yet."""
    candidate, n = base, 2
    while candidate.lower() in taken:
        suffix = f" ({n})"
        candidate = base[: MAX_SHEET_NAME - len(suffix)] + suffix
        n += 1
    return candidate


def as_csv(title: str, tables: Sequence[Table]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([title])
    for table in tables:
        writer.writerow([])
        writer.writerow([table.name])
        writer.writerow(table.headings)
        writer.writerows(table.rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def as_xlsx(title: str, tables: Sequence[Table]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    taken: set[str] = set()
    for table in tables:
        _fill(book.create_sheet(sheet_name(table.name, taken)), title, table, Font(bold=True))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _fill(sheet: Worksheet, title: str, table: Table, bold: Font) -> None:
    """The title, a blank row, the headings (bold) and the table's rows."""
    sheet.append([title])
    sheet["A1"].font = bold
    sheet.append([])
    sheet.append(list(table.headings))
    for cell in sheet[3]:
        cell.font = bold
    for row in table.rows:
        sheet.append(list(row))
