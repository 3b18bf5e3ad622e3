"""The portfolio report as CSV (UTF-8 with BOM, so Excel reads Vietnamese) or XLSX."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from xkld_loans.domain.overdue import AGE_BUCKETS

_HEADINGS = [
    "Nhóm",
    "Số khoản vay",
    "Dư nợ gốc (đồng)",
    "Nợ quá hạn gốc (đồng)",
    *[f"Quá hạn {label} ngày (đồng)" for label, _, _ in AGE_BUCKETS],
    "Lãi quá hạn còn nợ (đồng)",
    "Dư nợ có rủi ro PAR30 (đồng)",
    "Tỷ lệ PAR30",
]


def _cells(line: dict[str, Any]) -> list[Any]:
    return [
        line["group"],
        line["loans"],
        line["outstanding_principal_vnd"],
        line["overdue_principal_vnd"],
        *[line["overdue_by_age_vnd"][label] for label, _, _ in AGE_BUCKETS],
        line["overdue_interest_owed_vnd"],
        line["par30_principal_vnd"],
        line["par30_ratio"],
    ]


def _title(branch: str, as_of: dt.date, group_by: str) -> list[str]:
    by = "xã" if group_by == "commune" else "chế độ vay"
    return [
        f"Báo cáo dư nợ cho vay XKLĐ theo {by} - chi nhánh {branch} - đến ngày {as_of:%d/%m/%Y}"
    ]


def portfolio_csv(lines: list[dict[str, Any]], branch: str, as_of: dt.date, by: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_title(branch, as_of, by))
    writer.writerow(_HEADINGS)
    writer.writerows(_cells(line) for line in lines)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def portfolio_xlsx(lines: list[dict[str, Any]], branch: str, as_of: dt.date, by: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Du no"
    sheet.append(_title(branch, as_of, by))
    sheet.append(_HEADINGS)
    for line in lines:
        sheet.append(_cells(line))
        # Codes are text: never let a cell that starts like a formula be read as one.
        sheet.cell(sheet.max_row, 1).data_type = "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
