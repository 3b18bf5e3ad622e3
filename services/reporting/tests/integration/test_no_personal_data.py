"""A report viewer can never obtain a worker's name, CCCD or phone number: not from any
endpoint, and the projections do not even hold them."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator

import asyncpg
import pytest
from xkld_shared.clock import vietnam_today
from xkld_shared.identity.principal import Role
from xkld_shared.testing.http import local_client
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.kafka import eventually
from xkld_shared.testing.system import System, officer_of, random_cccd, registration_body

NAME = "Trần Thị Bích Ngọc"
PHONE_LOCAL = "0912345678"


@pytest.fixture
async def system(namespace: Namespace, sms_gateway: str) -> AsyncIterator[System]:
    running = System(namespace, sms_gateway)
    yield running
    await running.stop_all()


def _reporting_get_paths(ns: Namespace) -> list[str]:
    with pytest.MonkeyPatch.context() as patch:
        for key, value in ns.env("reporting").items():
            patch.setenv(key, value)
        app = importlib.import_module("xkld_reporting.bootstrap").create_app()
    return [p for p, ops in app.openapi()["paths"].items() if "get" in ops]


async def test_a_report_viewer_never_sees_a_name_cccd_or_phone(system: System) -> None:
    ns = system.namespace
    await system.start(["registration", "reporting"])
    cccd = random_cccd(1998, "female")
    body = registration_body(
        full_name=NAME,
        cccd=cccd,
        phone=PHONE_LOCAL,
        gender="female",
        date_of_birth="1998-05-02",
        commune_code="29800",
    )
    async with local_client() as client:
        created = await client.post(
            f"{system.url('registration')}/registrations",
            json=body,
            headers=officer_of(ns, "29800"),
        )
        assert created.status_code == 201, created.text

        async def counted() -> bool:
            answer = await client.get(
                f"{system.url('reporting')}/reports/progress",
                params={"area": "86"},
                headers=ns.auth(Role.REPORT_VIEWER),
            )
            return any(i["actual"] for a in answer.json()["areas"] for i in a["indicators"])

        assert await eventually(counted, timeout=30)
        secrets = [NAME, NAME.split()[-1], cccd, PHONE_LOCAL, "+84912345678", "912345678"]
        viewer = ns.auth(Role.REPORT_VIEWER)
        year = vietnam_today().year
        seen = []
        for path in _reporting_get_paths(ns):
            params: dict[str, str | int] = (
                {"area": "86", "year": year} if path not in ("/health", "/ready") else {}
            )
            answer = await client.get(
                f"{system.url('reporting')}{path}", params=params, headers=viewer
            )
            seen.append((path, answer.status_code))
            text = answer.content.decode("utf-8", errors="replace")
            for secret in secrets:
                assert secret not in text, f"{path} shows {secret!r}"
        # The audit trail is the administrator's alone; every other route answers the viewer.
        assert all(code == (403 if path == "/audit" else 200) for path, code in seen), seen
        metrics = await client.get(f"{system.url('reporting')}/metrics")
        assert 'xkld_reporting_projection_lag_seconds{stream="registration"}' in metrics.text

    conn = await asyncpg.connect(ns.dsn("reporting"))
    try:
        tables = await conn.fetch(
            """SELECT table_schema, table_name FROM information_schema.tables
               WHERE table_schema IN ('rp', 'public')"""
        )
        for table in tables:
            rows = await conn.fetch(f'SELECT * FROM "{table[0]}"."{table[1]}"')
            dump = " ".join(str(tuple(r)) for r in rows)
            for secret in secrets:
                assert secret not in dump, f"{table[0]}.{table[1]} holds {secret!r}"
        assert await conn.fetchval("SELECT count(*) FROM rp.registration") == 1
    finally:
        await conn.close()
