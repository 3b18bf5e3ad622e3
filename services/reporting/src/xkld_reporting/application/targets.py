"""Targets (chỉ tiêu): set per area, year and optionally quarter and market; every change is
recorded in the audit trail in the same transaction."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

import asyncpg
from xkld_shared.audit import ChangeContext, record_change
from xkld_shared.db.pool import Conn
from xkld_shared.errors import InvalidInput
from xkld_shared.http.strict import BIGINT_MAX

from xkld_reporting.application.ports import TargetStore
from xkld_reporting.domain.progress import Indicator
from xkld_reporting.domain.target_row import TargetRow

TEMPLATE_COLUMNS = ("area_code", "year", "quarter", "indicator", "market", "value")


class InvalidTargetFile(InvalidInput):
    code = "invalid_target_file"

    def __init__(self, line: int, vi: str, en: str) -> None:
        super().__init__(f"Dòng {line}: {vi}", f"Line {line}: {en}")


async def save_targets(
    pool: asyncpg.Pool, store: TargetStore, context: ChangeContext, rows: Sequence[TargetRow]
) -> int:
    """Insert or replace each target in `store`; returns how many actually changed."""
    changed = 0
    async with pool.acquire() as conn, conn.transaction():
        for row in rows:
            if await _save_one(conn, store, context, row):
                changed += 1
    return changed


async def _save_one(conn: Conn, store: TargetStore, context: ChangeContext, row: TargetRow) -> bool:
    """Insert or replace one target, audited; False (nothing written) when unchanged."""
    before = await store.value_for_update(conn, row)
    if before == row.value:
        return False
    await store.put(conn, row, context.actor.username)
    await record_change(
        conn,
        context,
        action="target_set",
        entity_type="target",
        entity_id=row.key,
        before={} if before is None else {"value": before},
        after={"value": row.value},
    )
    return True


def template_csv() -> bytes:
    """The upload template: a header and two example lines (a year and a quarter target)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(TEMPLATE_COLUMNS)
    writer.writerow(["86", "2026", "", "departed", "", "1200"])
    writer.writerow(["29800", "2026", "1", "loans_disbursed_vnd", "", "5000000000"])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def parse_upload(content: bytes, content_type: str) -> list[dict[str, str]]:
    """Lines of a CSV (UTF-8, BOM optional) or XLSX upload, as text by column name."""
    if "spreadsheetml" in content_type or content[:2] == b"PK":
        return _xlsx_lines(content)
    return _csv_lines(_csv_text(content))


def _csv_text(content: bytes) -> str:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidTargetFile(
            1, "tệp CSV phải dùng mã UTF-8", "the CSV file must be UTF-8 encoded"
        ) from None
    if "\x00" in text:  # binary data, not text; the csv module refuses it anyway
        raise _unreadable_csv()
    return text


def _csv_lines(text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text))
    try:
        _check_header(reader.fieldnames or [])
        return [{k: (v or "").strip() for k, v in line.items() if k} for line in reader]
    except csv.Error:  # e.g. a field past the csv module's size limit: garbled data
        raise _unreadable_csv() from None


def _unreadable_csv() -> InvalidTargetFile:
    return InvalidTargetFile(
        1, "không đọc được tệp CSV (dữ liệu hỏng?)", "the CSV file cannot be read (damaged?)"
    )


def _xlsx_lines(content: bytes) -> list[dict[str, str]]:
    lines = _sheet_lines(content)
    if not lines:
        raise InvalidTargetFile(1, "tệp trống", "the file is empty")
    header = lines[0]
    _check_header(header)
    return [dict(zip(header, line, strict=False)) for line in lines[1:] if any(line)]


def _sheet_lines(content: bytes) -> list[list[str]]:
    """The first sheet's rows, as text."""
    try:
        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        # Read-only workbooks parse lazily: a damaged file can fail while rows are read.
        return [
            [_cell(c) for c in row] for row in workbook.worksheets[0].iter_rows(values_only=True)
        ]
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise InvalidTargetFile(
            1, "không đọc được tệp Excel", "the Excel file cannot be read"
        ) from None


def _cell(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores whole numbers as floats
    return "" if value is None else str(value).strip()


def _check_header(header: Sequence[str]) -> None:
    missing = [c for c in TEMPLATE_COLUMNS if c not in header]
    if missing:
        raise InvalidTargetFile(
            1,
            f"thiếu cột {', '.join(missing)} (xem mẫu /targets/template.csv)",
            f"missing columns {', '.join(missing)} (see the template /targets/template.csv)",
        )


def to_targets(lines: Sequence[dict[str, str]]) -> list[TargetRow]:
    rows = []
    for number, line in enumerate(lines, start=2):
        rows.append(_target_of(number, line))
    return rows


def _target_of(number: int, line: dict[str, str]) -> TargetRow:
    area = _area_of(number, line)
    indicator = _indicator_of(number, line)
    year, quarter, value = _numbers(number, line)
    market = _market_of(number, line)
    return TargetRow(area, year, quarter, indicator, market, value)


def _area_of(number: int, line: dict[str, str]) -> str:
    area = line.get("area_code", "")
    if not (area.isdigit() and len(area) in (2, 5)):
        raise _bad_area(number)
    return area


def _bad_area(number: int) -> InvalidTargetFile:
    return InvalidTargetFile(
        number,
        "mã địa bàn phải có 2 chữ số (tỉnh) hoặc 5 chữ số (xã)",
        "area_code must be 2 digits (province) or 5 (commune)",
    )


def _indicator_of(number: int, line: dict[str, str]) -> Indicator:
    try:
        return Indicator(line.get("indicator", ""))
    except ValueError:
        raise _unknown_indicator(number) from None


def _unknown_indicator(number: int) -> InvalidTargetFile:
    return InvalidTargetFile(
        number,
        f"chỉ tiêu không hợp lệ; dùng: {', '.join(Indicator)}",
        f"unknown indicator; use one of: {', '.join(Indicator)}",
    )


def _numbers(number: int, line: dict[str, str]) -> tuple[int, int, int]:
    """The line's year, quarter (0: the whole year) and value, checked."""
    year, quarter, value = (_integer(number, line, k) for k in ("year", "quarter", "value"))
    _check_numbers(number, year, quarter, value)
    return year, quarter, value


def _check_numbers(number: int, year: int, quarter: int, value: int) -> None:
    if not 2000 <= year <= 2100:
        raise InvalidTargetFile(number, "năm không hợp lệ", "the year is out of range")
    if not 0 <= quarter <= 4:
        raise InvalidTargetFile(
            number,
            "quý phải từ 1 đến 4 (để trống: cả năm)",
            "quarter must be 1 to 4 (empty for the whole year)",
        )
    if value < 0:
        raise InvalidTargetFile(number, "chỉ tiêu không được âm", "a target cannot be negative")
    if value > BIGINT_MAX:
        raise InvalidTargetFile(number, "chỉ tiêu quá lớn", "the target is too large")


def _market_of(number: int, line: dict[str, str]) -> str:
    market = line.get("market", "")
    if market and not market.replace("_", "").replace("-", "").isalnum():
        raise InvalidTargetFile(number, "mã thị trường không hợp lệ", "invalid market code")
    return market


def _integer(number: int, line: dict[str, str], column: str) -> int:
    raw = (line.get(column) or "").replace(".", "").replace(",", "").replace(" ", "")
    if raw == "" and column == "quarter":
        return 0
    try:
        return int(raw)
    except ValueError:
        raise InvalidTargetFile(
            number, f"cột {column} phải là số nguyên", f"column {column} must be a whole number"
        ) from None
