"""Reading the communes' spreadsheets (CSV or XLSX) into rows of text, keyed by column heading."""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from dataclasses import dataclass

from openpyxl.reader.excel import load_workbook
from xkld_shared.http.input_guard import unstorable

XLSX_MAGIC = b"PK\x03\x04"  # an XLSX file is a ZIP archive


@dataclass(frozen=True)
class Sheet:
    headings: list[str]
    rows: list[tuple[int, list[str]]]  # (row number as the officer sees it, cells)


class UnreadableFile(Exception):
    """The bytes are neither a CSV in UTF-8 / Windows-1258 nor an XLSX workbook."""


def read_sheet(data: bytes) -> Sheet:
    table = _xlsx(data) if data.startswith(XLSX_MAGIC) else _csv(data)
    numbered = [(n, row) for n, row in enumerate(table, start=1)]
    numbered = [(n, row) for n, row in numbered if any(cell.strip() for cell in row)]
    if not numbered:
        return Sheet([], [])
    (_, headings), *rows = numbered
    return Sheet([h.strip() for h in headings], rows)


def _csv(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "cp1258"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UnreadableFile
    if "\x00" in text:
        raise UnreadableFile
    # Windows-1258 writes tone marks as combining characters; names are compared in NFC.
    text = unicodedata.normalize("NFC", text)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        return [list(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    except csv.Error as exc:  # e.g. a field past the csv module's size limit: garbled data
        raise UnreadableFile from exc


def _xlsx(data: bytes) -> list[list[str]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise UnreadableFile from exc
    try:
        # Read-only workbooks parse lazily: a damaged file can also fail while rows are read.
        sheet = workbook.worksheets[0]
        table = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    except Exception as exc:
        raise UnreadableFile from exc
    finally:
        workbook.close()
    if any(unstorable(cell) for row in table for cell in row):
        raise UnreadableFile  # a NUL written as _x0000_ in the XML: not text an officer typed
    return table


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
