"""The progress report as an official-looking table: CSV (UTF-8 with BOM) and XLSX.

Layout (both formats): title, area, period, "as of" time, then one line per area with, for
each indicator, the actual, the target, "đạt x%" and the previous year's same period.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from xkld_shared.clock import VIETNAM

from xkld_reporting.adapters.progress_queries import (
    AreaProgress,
    IndicatorProgress,
    ProgressReport,
)

LOCAL = VIETNAM
TITLE = "BÁO CÁO TIẾN ĐỘ THỰC HIỆN CHỈ TIÊU XUẤT KHẨU LAO ĐỘNG VÀ ĐÀO TẠO NGHỀ"


def heading_lines(report: ProgressReport) -> list[list[object]]:
    as_of = report.freshness.as_of.astimezone(LOCAL).strftime("%H:%M ngày %d/%m/%Y")
    market = f" — thị trường {report.market}" if report.market else ""
    return [
        [TITLE],
        [f"Địa bàn: {report.area_name} (mã {report.area_code}){market}"],
        [
            f"Kỳ báo cáo: {report.period.label_vi} "
            f"({report.period.start:%d/%m/%Y} – {report.period.end:%d/%m/%Y}, không gồm ngày cuối)"
        ],
        [f"Số liệu tính đến: {as_of} (giờ Việt Nam)"],
        [],
    ]


def column_headings(report: ProgressReport) -> list[object]:
    headings: list[object] = ["STT", "Mã địa bàn", "Tên địa bàn"]
    for ind in report.areas[0].indicators:
        headings += _indicator_headings(ind.heading_vi)
    return headings


def _indicator_headings(heading: str) -> list[object]:
    return [
        f"{heading} – thực hiện",
        f"{heading} – chỉ tiêu",
        f"{heading} – tỷ lệ đạt (%)",
        f"{heading} – cùng kỳ năm trước",
    ]


def table_lines(report: ProgressReport) -> list[list[object]]:
    return [_table_line(number, area) for number, area in enumerate(report.areas)]


def _table_line(number: int, area: AreaProgress) -> list[object]:
    """An area's line: the total first (number 0), then its communes."""
    line: list[object] = ["Tổng" if number == 0 else number, area.area_code, area.area_name]
    for ind in area.indicators:
        line += _indicator_cells(ind)
    return line


def _indicator_cells(ind: IndicatorProgress) -> list[object]:
    return [
        ind.actual,
        "" if ind.target is None else ind.target,
        "" if ind.percent is None else float(ind.percent),
        ind.previous_year_actual,
    ]


def progress_csv(report: ProgressReport) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(heading_lines(report))
    writer.writerow(column_headings(report))
    for line in table_lines(report):
        # Decimal comma in the percentage column, as Vietnamese Excel expects.
        writer.writerow([str(v).replace(".", ",") if isinstance(v, float) else v for v in line])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def progress_xlsx(report: ProgressReport) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    _fill(_progress_sheet(book), report)
    return _saved(book)


def _progress_sheet(book: Any) -> Any:
    sheet = book.active
    assert sheet is not None
    sheet.title = "Tiến độ"
    return sheet


def _fill(sheet: Any, report: ProgressReport) -> None:
    """The headings, the areas' lines and, for more than one area, the chart."""
    header_row = _add_headings(sheet, report)
    _add_table(sheet, report, header_row)
    if len(report.areas) > 1:
        _add_chart(sheet, header_row, len(report.areas))


def _saved(book: Any) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _add_headings(sheet: Any, report: ProgressReport) -> int:
    """The heading lines, then the column headings; returns the column headings' row."""
    from openpyxl.styles import Alignment, Font

    for line in heading_lines(report):
        sheet.append(line)
    sheet["A1"].font = Font(bold=True, size=13)
    header_row: int = sheet.max_row + 1
    sheet.append(column_headings(report))
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    return header_row


def _add_table(sheet: Any, report: ProgressReport, header_row: int) -> None:
    """The areas' lines, percentages with one decimal, and a wide name column."""
    for line in table_lines(report):
        sheet.append(line)
    _one_decimal_percentages(sheet, header_row)
    sheet.column_dimensions["C"].width = 28


def _one_decimal_percentages(sheet: Any, header_row: int) -> None:
    for column in range(6, sheet.max_column + 1, 4):
        for row in range(header_row + 1, sheet.max_row + 1):
            sheet.cell(row, column).number_format = "0.0"


def _add_chart(sheet: Any, header_row: int, areas: int) -> None:
    """A bar chart of each commune's "đạt %" for people registered (native Excel chart)."""
    from openpyxl.chart import BarChart, Reference

    chart = BarChart()
    chart.type = "bar"
    chart.title = "Tỷ lệ đạt chỉ tiêu đăng ký theo xã (%)"
    first = header_row + 2  # skip the total line
    last = header_row + areas
    data = Reference(sheet, min_col=6, min_row=first, max_row=last)
    names = Reference(sheet, min_col=3, min_row=first, max_row=last)
    chart.add_data(data, titles_from_data=False)
    chart.set_categories(names)
    chart.height = max(8, areas * 0.45)
    sheet.add_chart(chart, f"A{last + 3}")
