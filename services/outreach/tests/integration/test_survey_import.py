"""Importing a round's households from a spreadsheet: dry run, per-row report, bad rows."""

from __future__ import annotations

import io

from openpyxl import Workbook
from xkld_shared.testing.http import local_client
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.processes import ServiceProcess

from .conftest import keyed, officer, open_round

HEADINGS = (
    "Số hộ,Ấp,Họ và tên,Nhóm tuổi,Giới tính,Học vấn,Công việc hiện tại,Muốn học nghề,"
    "Nghề muốn học,Muốn đi nước ngoài,Thị trường,Khi nào đi,Cần vay vốn,Nhóm ưu tiên,"
    "Đồng ý liên hệ,Ghi chú"
)
ROWS = [
    # household 1: two good rows
    "1,Ấp Tân Phú,Trần Văn Bình,18-24,Nam,THPT,Làm nông,Không,,Có,KR_EPS,Trong 6 tháng,Có,"
    "demobilised_soldier,Có,",
    "1,Ấp Tân Phú,Trần Thị Lan,25-29,Nữ,Cao đẳng,Thất nghiệp,Có,MAY_CN,Không,,,Không,"
    "unemployed_graduate,Có,",
    # household 2: one good row and one with a trade but no wish to train
    "2,Ấp Tân Hòa,Lê Văn Cường,30-34,Nam,THCS,Làm thuê,Có,HAN,Không,,,Không,,Không,",
    "2,Ấp Tân Hòa,Lê Thị Dung,18-24,Nữ,THCS,Làm thuê,Không,HAN,Không,,,Không,,Có,",
    # household 3: an age band nobody has and a made-up priority group
    "3,Ấp Tân Hòa,Phạm Văn Em,90-99,Nam,THCS,Làm nông,Không,,Không,,,Có,giàu có,Có,",
    # household 4: good
    "4,Ấp Tân Qui,Võ Văn Phúc,35-39,Nam,Tiểu học,Đánh bắt,Không,,Có,JP_TITP,Sau này,Có,"
    "poor_household,Có,",
]


def csv_of(rows: list[str]) -> bytes:
    return ("\n".join([HEADINGS, *rows]) + "\n").encode()


async def test_a_dry_run_reports_every_row_in_vietnamese_and_writes_nothing(
    namespace: Namespace, outreach: ServiceProcess
) -> None:
    headers = officer(namespace)
    async with local_client(base_url=outreach.url) as client:
        round_id = await open_round(client, outreach.url, headers)
        answer = await client.post(
            f"/survey-rounds/{round_id}/imports",
            params={"dry_run": "true"},
            content=csv_of(ROWS),
            headers=headers | {"content-type": "text/csv"},
        )
        view = await client.get(f"/survey-rounds/{round_id}", headers=headers)
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert (report["rows"], report["valid"], report["rejected"]) == (6, 3, 3)
    assert report["ignored_columns"] == ["Ghi chú"]
    by_row = {r["row"]: r for r in report["results"]}
    assert by_row[5]["outcome"] == "rejected"
    assert "Chỉ ghi nghề khi người đó muốn học nghề" in by_row[5]["message_vi"]
    assert "hộ này có dòng lỗi (5)" in by_row[4]["message_vi"], "its household mate waits"
    assert {e["field"] for e in by_row[6]["errors"]} == {"age_band", "priority_groups.0"}
    assert view.json()["households"] == []


async def test_an_import_writes_whole_households_once_however_often_it_is_sent(
    namespace: Namespace, outreach: ServiceProcess
) -> None:
    headers = officer(namespace)
    upload = keyed(headers, "import-key-1") | {"content-type": "text/csv"}
    async with local_client(base_url=outreach.url) as client:
        round_id = await open_round(client, outreach.url, headers)
        first = await client.post(
            f"/survey-rounds/{round_id}/imports", content=csv_of(ROWS), headers=upload
        )
        again = await client.post(
            f"/survey-rounds/{round_id}/imports", content=csv_of(ROWS), headers=upload
        )
        no_key = await client.post(
            f"/survey-rounds/{round_id}/imports",
            content=csv_of(ROWS),
            headers=headers | {"content-type": "text/csv"},
        )
        view = await client.get(f"/survey-rounds/{round_id}", headers=headers)
    assert first.status_code == 200, first.text
    assert (first.json()["created"], first.json()["households_created"]) == (3, 2)
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert no_key.status_code == 422, "a real import needs a key"
    households = view.json()["households"]
    assert sorted(h["hamlet"] for h in households) == ["Ấp Tân Phú", "Ấp Tân Qui"]
    names = sorted(m["full_name"] for h in households for m in h["members"])
    assert names == ["Trần Thị Lan", "Trần Văn Bình", "Võ Văn Phúc"]


async def test_an_xlsx_import_reads_like_the_csv(
    namespace: Namespace, outreach: ServiceProcess
) -> None:
    book = Workbook()
    sheet = book.worksheets[0]
    for line in [HEADINGS, *ROWS[:2]]:
        sheet.append(line.split(","))
    data = io.BytesIO()
    book.save(data)
    headers = officer(namespace)
    async with local_client(base_url=outreach.url) as client:
        round_id = await open_round(client, outreach.url, headers)
        answer = await client.post(
            f"/survey-rounds/{round_id}/imports",
            content=data.getvalue(),
            headers=keyed(headers) | {"content-type": "application/octet-stream"},
        )
    assert answer.status_code == 200, answer.text
    assert answer.json()["created"] == 2


async def test_garbled_files_and_missing_columns_are_a_422_about_the_file(
    namespace: Namespace, outreach: ServiceProcess
) -> None:
    headers = officer(namespace)
    async with local_client(base_url=outreach.url) as client:
        round_id = await open_round(client, outreach.url, headers)
        answers = [
            await client.post(
                f"/survey-rounds/{round_id}/imports",
                content=content,
                headers=keyed(headers) | {"content-type": "text/csv"},
            )
            for content in (
                b"\x89PNG\r\n\x1a\n\x00\x00garbage\xff\xfe",
                b"PK\x03\x04not a zip at all",
                "Họ và tên,Giới tính\nAn,Nam\n".encode(),
                b"",
            )
        ]
    for answer in answers:
        assert answer.status_code == 422, answer.text
        assert answer.json()["error"]["fields"][0]["field"] == "file"
        assert answer.json()["error"]["message_vi"]


async def test_the_phone_column_is_sealed_with_consent_and_refused_without_it(
    namespace: Namespace, outreach: ServiceProcess
) -> None:
    headers = officer(namespace)
    file = (
        "Số hộ,Ấp,Nhóm tuổi,Giới tính,Học vấn,Công việc hiện tại,Đồng ý liên hệ,Số điện thoại\n"
        "1,Ấp Tân Phú,18-24,Nam,THPT,Làm nông,Có,0912 345 678\n"
        "2,Ấp Tân Phú,18-24,Nữ,THPT,Làm nông,Không,0987654321\n"
        "3,Ấp Tân Phú,25-29,Nam,THPT,Làm nông,Có,\n"
    ).encode()
    upload = keyed(headers) | {"content-type": "text/csv"}
    async with local_client(base_url=outreach.url) as client:
        round_id = await open_round(client, outreach.url, headers)
        answer = await client.post(
            f"/survey-rounds/{round_id}/imports", content=file, headers=upload
        )
        view = await client.get(f"/survey-rounds/{round_id}", headers=headers)
    assert answer.status_code == 200, answer.text
    by_row = {r["row"]: r for r in answer.json()["results"]}
    assert [by_row[n]["outcome"] for n in (2, 3, 4)] == ["created", "rejected", "created"]
    assert [e["field"] for e in by_row[3]["errors"]] == ["phone"]
    assert "0987654321" not in answer.text
    assert "912345678" not in view.text
    phones = sorted(m["has_phone"] for h in view.json()["households"] for m in h["members"])
    assert phones == [False, True]
