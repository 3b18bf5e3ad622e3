"""Targets set by labour officers, audited, and read back as "đạt x%" in the progress report."""

from __future__ import annotations

import datetime as dt
import io
import uuid

import asyncpg
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from xkld_shared.contracts.envelope import new_envelope
from xkld_shared.contracts.journey import WorkerDeparted
from xkld_shared.contracts.registration import RegistrationSubmitted
from xkld_shared.contracts.topics import Stream
from xkld_shared.identity.principal import Role
from xkld_shared.testing.http import local_client
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.processes import ServiceProcess
from xkld_testkit.reporting_testing import publish, wait_projected


def _officer(ns: Namespace, province: str = "86") -> dict[str, str]:
    return ns.auth(Role.LABOUR_OFFICER, province=province, username="can-bo-lao-dong")


async def _register(ns: Namespace, commune: str, day: dt.date, departed: bool) -> int:
    events = []
    registration = uuid.uuid4()
    events.append(
        new_envelope(
            RegistrationSubmitted(
                commune_code=commune,
                gender="female",
                birth_year=1999,
                submitted_on=day,
                phone_ciphertext="v1.k1.x",
                sms_consent=False,
            ),
            registration_id=registration,
            producer="t",
        )
    )
    if departed:
        events.append(
            new_envelope(
                WorkerDeparted(
                    departed_on=day + dt.timedelta(days=1), market_code="JP", enterprise_code="E1"
                ),
                registration_id=registration,
                producer="t",
            )
        )
    await publish(ns.infra.kafka_bootstrap, ns.topics.of(Stream.REGISTRATION), events)
    return len(events)


async def test_targets_give_achieved_percentages_rounded_half_up_and_are_audited(
    namespace: Namespace, reporting: ServiceProcess
) -> None:
    # 2 of 32 registered in 29800 (6.25% -> 6.3, halves up), 2 of 3 departed (66.7%).
    published = 0
    for i in range(2):
        published += await _register(namespace, "29800", dt.date(2026, 2, 1 + i), departed=True)
    await wait_projected(namespace.dsn("reporting"), {Stream.REGISTRATION: published})
    async with local_client(base_url=reporting.url) as client:
        answer = await client.post(
            "/targets",
            headers=_officer(namespace),
            json={
                "targets": [
                    {"area_code": "29800", "year": 2026, "indicator": "registered", "value": 32},
                    {"area_code": "29800", "year": 2026, "indicator": "departed", "value": 3},
                    {"area_code": "86", "year": 2026, "indicator": "departed", "value": 100},
                    {
                        "area_code": "29800",
                        "year": 2026,
                        "quarter": 1,
                        "indicator": "departed",
                        "value": 2,
                    },
                ]
            },
        )
        assert answer.json() == {"received": 4, "changed": 4}, answer.text
        again = await client.post(
            "/targets",
            headers=_officer(namespace),
            json={
                "targets": [
                    {"area_code": "29800", "year": 2026, "indicator": "registered", "value": 32},
                ]
            },
        )
        assert again.json() == {"received": 1, "changed": 0}
        year = (
            await client.get(
                "/reports/progress",
                params={"area": "86", "year": 2026},
                headers=_officer(namespace),
            )
        ).json()
        q1 = (
            await client.get(
                "/reports/progress",
                params={"area": "29800", "year": 2026, "quarter": 1},
                headers=_officer(namespace),
            )
        ).json()
    lines = {a["area_code"]: {i["indicator"]: i for i in a["indicators"]} for a in year["areas"]}
    assert lines["29800"]["registered"]["target"] == 32
    assert lines["29800"]["registered"]["percent"] == "6.3"
    assert lines["29800"]["departed"]["percent"] == "66.7"
    assert lines["29800"]["departed"]["percent_text"] == "đạt 66,7%"
    assert lines["86"]["departed"]["target"] == 100  # the province's own target, not a sum
    assert lines["86"]["departed"]["percent"] == "2.0"
    assert lines["86"]["registered"]["target"] == 32  # none set: the sum of its communes'
    assert lines["29641"]["departed"]["target"] is None
    assert lines["29641"]["departed"]["percent"] is None
    quarter = {i["indicator"]: i for i in q1["areas"][0]["indicators"]}
    assert quarter["departed"]["target"] == 2
    assert quarter["departed"]["percent"] == "100.0"

    conn = await asyncpg.connect(namespace.dsn("reporting"))
    try:
        trail = await conn.fetch(
            "SELECT actor_username, action, entity_id, changes FROM audit.audit_log ORDER BY id"
        )
    finally:
        await conn.close()
    assert len(trail) == 4  # the unchanged second request recorded nothing
    assert trail[0]["actor_username"] == "can-bo-lao-dong"
    assert trail[0]["entity_id"] == "29800/2026/year/registered/*"
    assert '"after": 32' in trail[0]["changes"]


async def test_targets_upload_as_csv_and_xlsx_and_bad_files_get_bilingual_422(
    namespace: Namespace, reporting: ServiceProcess
) -> None:
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    sheet.append(["area_code", "year", "quarter", "indicator", "market", "value"])
    sheet.append(["29641", 2026, None, "departed", "KR", 12])
    xlsx = io.BytesIO()
    book.save(xlsx)
    xlsx_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    async with local_client(base_url=reporting.url) as client:
        template = await client.get("/targets/template.csv", headers=_officer(namespace))
        assert template.content.startswith(b"\xef\xbb\xbf")
        csv_answer = await client.post(
            "/targets/import",
            content=template.content,
            headers=_officer(namespace) | {"Content-Type": "text/csv"},
        )
        assert csv_answer.json() == {"received": 2, "changed": 2}, csv_answer.text
        xlsx_answer = await client.post(
            "/targets/import",
            content=xlsx.getvalue(),
            headers=_officer(namespace) | {"Content-Type": xlsx_type},
        )
        assert xlsx_answer.json() == {"received": 1, "changed": 1}, xlsx_answer.text
        listed = await client.get(
            "/targets", params={"area": "86", "year": 2026}, headers=_officer(namespace)
        )
        bad = await client.post(
            "/targets/import",
            content=b"area_code,year\n86,2026\n",
            headers=_officer(namespace) | {"Content-Type": "text/csv"},
        )
        foreign = await client.post(
            "/targets",
            headers=_officer(namespace, province="87"),
            json={
                "targets": [
                    {"area_code": "29800", "year": 2026, "indicator": "registered", "value": 1}
                ]
            },
        )
    assert {(t["area_code"], t["indicator"], t["market"]) for t in listed.json()["targets"]} == {
        ("86", "departed", None),
        ("29800", "loans_disbursed_vnd", None),
        ("29641", "departed", "KR"),
    }
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "invalid_target_file"
    assert "thiếu cột" in bad.json()["error"]["message_vi"]
    assert foreign.status_code == 403
    assert foreign.json()["error"]["code"] == "outside_your_area"
