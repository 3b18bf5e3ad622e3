"""Importing registrations from a commune's spreadsheet, against the real service and database."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest
from openpyxl import Workbook
from xkld_shared.testing.http import local_client
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.processes import serving
from xkld_shared.testing.system import officer_of, random_cccd, random_mobile

HEADINGS = (
    "Họ và tên,Số CCCD,Ngày sinh,Giới tính,Số điện thoại,Mã xã,Ấp,Mã dân tộc,Hộ nghèo,"
    "Nhóm ưu tiên,Thị trường,Vay vốn,Đồng ý xử lý hồ sơ,Đồng ý nhận SMS,"
    "Đồng ý chia sẻ doanh nghiệp,Đồng ý chia sẻ ngân hàng,Ghi chú"
)
YES4 = "có,có,có,không"


@pytest.fixture
async def registration(namespace: Namespace) -> AsyncIterator[str]:
    async with serving("xkld_registration", namespace.env("registration")) as proc:
        yield proc.url


def _officer(namespace: Namespace) -> dict[str, str]:
    return officer_of(namespace, "29800", "29623")


def mixed_file() -> tuple[bytes, str]:
    """Three good rows, five bad ones, one repeated person and a blank line; and row 2's CCCD."""
    an = random_cccd(2000, "male")
    binh = random_cccd(1998, "female")
    lines = [
        HEADINGS,
        f"Nguyễn Văn An,{an},15/04/2000,Nam,{random_mobile()},29800,Ấp 1,01,nghèo,"
        f"poor_household,JP_TITP,có,{YES4},",
        # A CCCD saved as a number loses its leading zero; an old commune code is mapped.
        f"Lê Thị Bình,{binh.lstrip('0')},1998-02-03,Nữ,{random_mobile()},29791,Ấp 2,01,không,"
        f",,không,{YES4},",
        f"Trần Thị Cúc,{random_cccd(2001, 'male')},01/01/2001,Nữ,{random_mobile()},29800,,01,"
        f"không,,,,{YES4},",
        f"Phạm Văn Dũng,{random_cccd(1999, 'male')},02/02/1999,Nam,02703822222,29800,,01,"
        f"không,,,,{YES4},",
        f"Võ Văn Em,{random_cccd(2009, 'male')},03/03/2009,Nam,{random_mobile()},29800,,01,"
        f"không,,,,{YES4},",
        f"Huỳnh Văn Giàu,{random_cccd(1997, 'male')},04/04/1997,Nam,{random_mobile()},29800,,"
        f"01,không,,,,có,,có,không,thiếu một ô đồng ý",
        f"Nguyễn Văn An,{an},15/04/2000,Nam,{random_mobile()},29800,Ấp 1,01,nghèo,,,,{YES4},",
        ",,,,,,,,,,,,,,,,",
        f"Đặng Văn Hải,{random_cccd(1995, 'male')},05/05/1995,Nam,{random_mobile()},29641,,01,"
        f"không,,,,{YES4},",
        f"Mai Thị Lan,{random_cccd(2002, 'female')},06/06/2002,nữ,{random_mobile()},29623,"
        f"Ấp 3,05,cận nghèo,ethnic_minority;near_poor_household,KR_EPS,có,{YES4},",
    ]
    return ("\n".join(lines) + "\n").encode(), an


EXPECTED = [
    (2, "created", "Đã nhập hồ sơ"),
    (3, "created", "Đã nhập hồ sơ"),
    (4, "rejected", "cccd: Giới tính trong số CCCD không khớp với giới tính đã khai"),
    (5, "rejected", "phone: Số điện thoại di động Việt Nam không hợp lệ"),
    (6, "rejected", "date_of_birth: Người lao động phải đủ 18 tuổi"),
    (7, "rejected", "consents.sms_notifications: Thiếu thông tin bắt buộc"),
    (8, "skipped", "Trùng số CCCD với dòng 2 trong cùng tệp — bỏ qua"),
    (10, "rejected", "row: Bạn chỉ được nhận hồ sơ của xã/phường mình phụ trách"),
    (11, "created", "Đã nhập hồ sơ"),
]


async def _import(
    url: str, namespace: Namespace, data: bytes, content_type: str = "text/csv", **params: Any
) -> httpx.Response:
    async with local_client(timeout=60) as client:
        return await client.post(
            f"{url}/registrations/imports",
            content=data,
            params=params,
            headers={"content-type": content_type, **_officer(namespace)},
        )


async def _counts(namespace: Namespace) -> tuple[int, int, int]:
    conn = await asyncpg.connect(namespace.dsn("registration"))
    try:
        return (
            int(await conn.fetchval("SELECT count(*) FROM registration")),
            int(await conn.fetchval("SELECT count(*) FROM outbox")),
            int(await conn.fetchval("SELECT count(*) FROM consent")),
        )
    finally:
        await conn.close()


def _outcomes(report: dict[str, Any]) -> list[tuple[int, str, str]]:
    return [(r["row"], r["outcome"], r["message_vi"]) for r in report["results"]]


async def test_a_mixed_file_imports_the_good_rows_and_reports_the_bad_ones_by_row(
    registration: str, namespace: Namespace
) -> None:
    data, _ = mixed_file()
    answer = await _import(registration, namespace, data)
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert _outcomes(report) == EXPECTED
    assert (report["rows"], report["created"], report["skipped"], report["rejected"]) == (
        9,
        3,
        1,
        5,
    )
    assert report["ignored_columns"] == ["Ghi chú"]
    missing_consent = report["results"][5]["errors"][0]
    assert missing_consent["column"] == "Đồng ý nhận SMS"
    assert await _counts(namespace) == (
        3,
        3,
        12,
    )  # every created row whole: file, event, 4 consents
    conn = await asyncpg.connect(namespace.dsn("registration"))
    try:
        rows = await conn.fetch(
            "SELECT commune_code, commune_code_entered, priority_groups, desired_market"
            " FROM registration ORDER BY commune_code, commune_code_entered NULLS FIRST"
        )
    finally:
        await conn.close()
    assert [tuple(r) for r in rows] == [
        ("29623", None, ["ethnic_minority", "near_poor_household"], "KR_EPS"),
        ("29800", None, ["poor_household"], "JP_TITP"),
        ("29800", "29791", [], None),
    ]


async def test_importing_the_same_file_again_adds_nothing(
    registration: str, namespace: Namespace
) -> None:
    data, _ = mixed_file()
    first = await _import(registration, namespace, data)
    assert first.json()["created"] == 3
    before = await _counts(namespace)
    again = await _import(registration, namespace, data)
    assert again.status_code == 200
    report = again.json()
    assert (report["created"], report["skipped"], report["rejected"]) == (0, 4, 5)
    assert [r["row"] for r in report["results"] if r["outcome"] == "skipped"] == [2, 3, 8, 11]
    assert report["results"][0]["message_vi"].startswith("Người này đã có hồ sơ đang hoạt động")
    assert await _counts(namespace) == before


async def test_a_dry_run_reports_the_same_and_writes_nothing(
    registration: str, namespace: Namespace
) -> None:
    data, _ = mixed_file()
    answer = await _import(registration, namespace, data, dry_run="true")
    report = answer.json()
    expected = [(row, "valid" if o == "created" else o, m) for row, o, m in EXPECTED]
    expected = [(row, o, "Hợp lệ, sẽ được nhập" if o == "valid" else m) for row, o, m in expected]
    assert _outcomes(report) == expected
    assert (report["dry_run"], report["valid"], report["created"]) == (True, 3, 0)
    assert await _counts(namespace) == (0, 0, 0)


async def test_an_xlsx_workbook_imports_with_numbers_and_dates_as_excel_stores_them(
    registration: str, namespace: Namespace
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADINGS.split(","))
    cccd = random_cccd(2000, "male")
    phone = random_mobile()
    good = ["Ngô Văn Phúc", int(cccd), dt.datetime(2000, 4, 15), "Nam", int(phone), 29800]
    bad = ["Tô Thị Quyên", random_cccd(2000, "female"), dt.datetime(2000, 5, 1), "Nữ", "123"]
    sheet.append([*good, "Ấp 4", 1, "không", "", "", "", "có", "có", "có", "không"])
    sheet.append([*bad, 29800, "", 1, "không", "", "", "", "có", "có", "có", "không"])
    buffer = io.BytesIO()
    book.save(buffer)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    answer = await _import(registration, namespace, buffer.getvalue(), xlsx)
    assert answer.status_code == 200, answer.text
    assert _outcomes(answer.json()) == [
        (2, "created", "Đã nhập hồ sơ"),
        (3, "rejected", "phone: Số điện thoại di động Việt Nam không hợp lệ"),
    ]


async def test_a_file_without_the_required_columns_is_refused_whole(
    registration: str, namespace: Namespace
) -> None:
    answer = await _import(registration, namespace, "Họ và tên,Ngày sinh\nA,01/01/2000\n".encode())
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["fields"][0]["field"] == "file"
    assert "cccd" in error["fields"][0]["message_vi"]
    garbage = await _import(registration, namespace, b"PK\x03\x04not really a zip")
    assert garbage.status_code == 422
    assert await _counts(namespace) == (0, 0, 0)


async def test_an_import_retried_with_its_idempotency_key_returns_the_first_report(
    registration: str, namespace: Namespace
) -> None:
    data, _ = mixed_file()
    key = {"Idempotency-Key": "import-2026-11-26-xa-tan-quoi"}
    async with local_client(timeout=60) as client:
        url = f"{registration}/registrations/imports"
        headers = {"content-type": "text/csv", **_officer(namespace), **key}
        first = await client.post(url, content=data, headers=headers)
        again = await client.post(url, content=data, headers=headers)
        other, _ = mixed_file()
        reused = await client.post(url, content=other, headers=headers)
    assert again.json() == first.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert reused.status_code == 422
    assert reused.json()["error"]["code"] == "idempotency_key_reused"
