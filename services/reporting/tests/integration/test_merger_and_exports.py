"""A year straddling the 1 Jul 2025 merger adds up; the exports open and say what they should."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from typing import Any

import httpx
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from xkld_shared.contracts.envelope import Envelope, new_envelope
from xkld_shared.contracts.journey import WorkerDeparted
from xkld_shared.contracts.registration import RegistrationSubmitted
from xkld_shared.contracts.topics import Stream
from xkld_shared.identity.principal import Role
from xkld_shared.testing.http import local_client
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.processes import ServiceProcess
from xkld_testkit.reporting_testing import publish, wait_projected

# Xã Thành Lợi (29791) and 29797 were merged into Xã Tân Quới (29800) on 1 Jul 2025.
REGISTERED = [
    ("29797", dt.date(2025, 1, 20)),
    ("29791", dt.date(2025, 3, 14)),
    ("29791", dt.date(2025, 6, 30)),
    ("29800", dt.date(2025, 7, 1)),
    ("29800", dt.date(2025, 9, 9)),
    ("29800", dt.date(2024, 9, 9)),  # last year, under its pre-merger code would be the same
]


def _submitted(commune: str, day: dt.date) -> list[Envelope]:
    registration = uuid.uuid4()
    return [
        new_envelope(
            RegistrationSubmitted(
                commune_code=commune,
                gender="male",
                birth_year=2001,
                submitted_on=day,
                phone_ciphertext="v1.k1.x",
                sms_consent=True,
                desired_market="JP",
            ),
            registration_id=registration,
            producer="t",
        ),
        new_envelope(
            WorkerDeparted(
                departed_on=day + dt.timedelta(days=2), market_code="KR", enterprise_code="E1"
            ),
            registration_id=registration,
            producer="t",
        ),
    ]


async def _progress(
    client: httpx.AsyncClient, headers: dict[str, str], **params: str | int
) -> dict[str, dict[str, Any]]:
    answer = await client.get("/reports/progress", params=params, headers=headers)
    assert answer.status_code == 200, answer.text
    return {
        a["area_code"]: {i["indicator"]: i for i in a["indicators"]} for a in answer.json()["areas"]
    }


async def test_a_year_straddling_the_merger_adds_up_under_the_new_commune(
    namespace: Namespace, reporting: ServiceProcess
) -> None:
    events = [e for commune, day in REGISTERED for e in _submitted(commune, day)]
    await publish(namespace.infra.kafka_bootstrap, namespace.topics.of(Stream.REGISTRATION), events)
    await wait_projected(namespace.dsn("reporting"), {Stream.REGISTRATION: len(events)})
    headers = namespace.auth(Role.REPORT_VIEWER)  # no scope: the whole programme
    async with local_client(base_url=reporting.url) as client:
        year = await _progress(client, headers, area="86", year=2025)
        quarters = [
            await _progress(client, headers, area="29800", year=2025, quarter=q)
            for q in (1, 2, 3, 4)
        ]
        commune = await _progress(client, headers, area="29800", year=2025)
        by_market = await _progress(client, headers, area="29800", year=2025, market="KR")
        old = await client.get(
            "/reports/progress", params={"area": "29791", "year": 2025}, headers=headers
        )
    assert year["29800"]["registered"]["actual"] == 5
    assert year["86"]["registered"]["actual"] == 5
    assert year["29800"]["registered"]["previous_year_actual"] == 1
    assert "29791" not in year
    assert "29797" not in year
    assert [q["29800"]["registered"]["actual"] for q in quarters] == [2, 1, 2, 0]
    assert (
        sum(q["29800"]["departed"]["actual"] for q in quarters)
        == commune["29800"]["departed"]["actual"]
        == 5
    )
    assert by_market["29800"]["departed"]["actual"] == 5
    assert by_market["29800"]["registered"]["actual"] == 0  # they wanted JP
    assert old.status_code == 422
    assert old.json()["error"]["code"] == "unknown_area"


async def test_the_xlsx_and_csv_exports_carry_title_area_period_as_of_and_numbers(
    namespace: Namespace, reporting: ServiceProcess
) -> None:
    events = [e for commune, day in REGISTERED for e in _submitted(commune, day)]
    await publish(namespace.infra.kafka_bootstrap, namespace.topics.of(Stream.REGISTRATION), events)
    await wait_projected(namespace.dsn("reporting"), {Stream.REGISTRATION: len(events)})
    headers = namespace.auth(Role.LABOUR_OFFICER, province="86")
    async with local_client(base_url=reporting.url) as client:
        await client.post(
            "/targets",
            headers=headers,
            json={
                "targets": [
                    {"area_code": "29800", "year": 2025, "indicator": "registered", "value": 3}
                ]
            },
        )
        xlsx = await client.get(
            "/reports/progress.xlsx", params={"area": "86", "year": 2025}, headers=headers
        )
        text = await client.get(
            "/reports/progress.csv", params={"area": "86", "year": 2025}, headers=headers
        )
        svgs = [
            await client.get(
                f"/reports/charts/{name}.svg", params={"area": "86", "year": 2025}, headers=headers
            )
            for name in ("progress", "departures", "markets")
        ]
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert isinstance(sheet, Worksheet)
    assert sheet["A1"].value.startswith("BÁO CÁO TIẾN ĐỘ")
    assert sheet["A2"].value == "Địa bàn: Vĩnh Long (mã 86)"
    assert sheet["A3"].value.startswith("Kỳ báo cáo: Năm 2025")
    assert sheet["A4"].value.startswith("Số liệu tính đến: ")
    header = [c.value for c in sheet[6]]
    assert header[:4] == ["STT", "Mã địa bàn", "Tên địa bàn", "Số người đăng ký – thực hiện"]
    assert header[4:7] == [
        "Số người đăng ký – chỉ tiêu",
        "Số người đăng ký – tỷ lệ đạt (%)",
        "Số người đăng ký – cùng kỳ năm trước",
    ]
    rows = {row[1]: row for row in sheet.iter_rows(min_row=7, values_only=True)}
    assert rows["86"][0] == "Tổng"
    assert rows["86"][3] == 5
    assert rows["29800"][2] == "Xã Tân Quới"
    assert rows["29800"][3:7] == (5, 3, 166.7, 1)
    # openpyxl lists a sheet's charts only privately, and its stubs leave that list out.
    assert len(sheet._charts) == 1  # type: ignore[attr-defined]

    assert text.content.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(text.content.decode("utf-8-sig"))))
    assert lines[0][0].startswith("BÁO CÁO TIẾN ĐỘ")
    tan_quoi = next(line for line in lines if len(line) > 3 and line[1] == "29800")
    assert tan_quoi[3:7] == ["5", "3", "166,7", "1"]
    for svg in svgs:
        assert svg.status_code == 200
        assert svg.headers["content-type"].startswith("image/svg+xml")
        assert svg.text.startswith("<svg")
    assert "Xã Tân Quới" in svgs[0].text
    assert ">5<" in svgs[1].text or ">5 (" in svgs[1].text or "5</text>" in svgs[1].text
    assert "KR" in svgs[2].text
