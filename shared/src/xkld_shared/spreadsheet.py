"""Reading the communes' spreadsheets (CSV or XLSX) into rows of text, keyed by column heading:
the one reader behind every import (registrations, the survey)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from xkld_shared.errors import FieldProblem, InvalidInput
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
        from openpyxl.reader.excel import load_workbook

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


@dataclass(frozen=True)
class ImportSheet:
    """A file read for an import: its rows, which column holds which field, and the headings
    that name no field (ignored, but reported back to the officer)."""

    sheet: Sheet
    columns: dict[int, str]
    ignored: list[str]


@dataclass(frozen=True)
class ImportShape:
    """What an import accepts: headings per field (already folded by `fold`, the field's own
    name works too), the fields a file must have, and how many rows at most."""

    headings: Mapping[str, tuple[str, ...]]
    required: tuple[str, ...]
    max_rows: int
    fold: Callable[[str], str]


def read_import(data: bytes, shape: ImportShape) -> ImportSheet:
    """The file, or a 422 about the file: unreadable, a required column missing, too long."""
    try:
        sheet = read_sheet(data)
    except UnreadableFile:
        raise _file_problem(
            "Không đọc được tệp: cần CSV (UTF-8) hoặc XLSX",
            "Cannot read the file: send CSV (UTF-8) or XLSX",
        ) from None
    columns, ignored = columns_of(sheet.headings, shape)
    missing = [f for f in shape.required if f not in columns.values()]
    if not sheet.headings or missing:
        names = ", ".join(missing or shape.required)
        raise _file_problem(f"Thiếu cột bắt buộc: {names}", f"Required columns missing: {names}")
    if len(sheet.rows) > shape.max_rows:
        n = shape.max_rows
        raise _file_problem(f"Tệp có hơn {n} dòng; hãy chia nhỏ", f"More than {n} rows; split it")
    return ImportSheet(sheet, columns, ignored)


def columns_of(headings: list[str], shape: ImportShape) -> tuple[dict[int, str], list[str]]:
    """Column index -> field, and the headings that name no field."""
    wanted = {alias: f for f, aliases in shape.headings.items() for alias in (*aliases, f)}
    columns: dict[int, str] = {}
    ignored: list[str] = []
    for i, heading in enumerate(headings):
        field = wanted.get(" ".join(shape.fold(heading).split()))
        if field is None or field in columns.values():
            ignored.append(heading)
        else:
            columns[i] = field
    return columns, ignored


def _file_problem(vi: str, en: str) -> InvalidInput:
    return InvalidInput.of([FieldProblem("file", vi, en)])
