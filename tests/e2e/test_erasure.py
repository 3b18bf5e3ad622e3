"""Erasure on request: the person disappears, the counts stay right."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import asyncpg
from xkld_shared.identity.principal import Role
from xkld_shared.testing.http import local_client
from xkld_shared.testing.kafka import eventually
from xkld_shared.testing.system import System, officer_of, registration_body, report_viewer


async def test_erasure_forgets_the_worker_everywhere_and_keeps_the_totals(
    system: System,
) -> None:
    await system.start(["registration", "notifications", "reporting"])
    ns = system.namespace
    officer = officer_of(ns, "29800")
    labour = ns.auth(Role.LABOUR_OFFICER, province="86")
    body = registration_body(commune_code="29800")
    registration, reporting = system.url("registration"), system.url("reporting")
    sms = system.url("notifications")
    async with local_client() as client:
        created = await client.post(f"{registration}/registrations", json=body, headers=officer)
        worker = created.json()["registration_id"]

        async def counted() -> int:
            answer = await client.get(
                f"{reporting}/reports/registrations-by-commune", headers=report_viewer(ns)
            )
            return sum(c["registered"] for c in answer.json()["communes"])

        async def sms_known() -> bool:
            answer = await client.get(f"{sms}/sms/messages/{worker}", headers=labour)
            return answer.status_code == 200

        assert await eventually(counted) == 1  # the first registration, nothing before it
        assert await eventually(sms_known)

        outsider = officer_of(ns, "29641")
        refused = await client.post(
            f"{registration}/registrations/{worker}/erasure", headers=outsider
        )
        assert refused.status_code == 404
        erased = await client.post(
            f"{registration}/registrations/{worker}/erasure", headers=officer
        )
        assert erased.status_code == 204, erased.text
        again = await client.post(f"{registration}/registrations/{worker}/erasure", headers=officer)
        assert again.status_code == 409

        view = (await client.get(f"{registration}/registrations/{worker}", headers=officer)).json()
        assert view["full_name"] is None
        assert view["cccd_masked"] is None
        assert view["erased_at"] is not None
        assert await eventually(lambda: _not(sms_known)), "notifications kept the phone"

        # Found by CCCD no more: the same person may be registered anew.
        anew = await client.post(f"{registration}/registrations", json=body, headers=officer)
        assert anew.status_code == 201

        async def erasure_seen_by_reporting() -> bool:
            # Reporting applies the erasure (it drops hamlet and birth year, keeps the count):
            # two submissions and the erasure make three registration events projected.
            fresh = await client.get(f"{reporting}/reports/freshness", headers=report_viewer(ns))
            streams: dict[str, int] = {s["stream"]: s["events"] for s in fresh.json()["streams"]}
            return streams["registration"] == 3

        async def counted_twice() -> bool:
            return await counted() == 2

        assert await eventually(erasure_seen_by_reporting)
        assert await eventually(counted_twice), "the erased file must still be counted"

    conn = await asyncpg.connect(ns.dsn("registration"))
    try:
        row = await conn.fetchrow("SELECT * FROM registration WHERE id = $1::uuid", worker)
        trail = await conn.fetch(
            "SELECT action FROM audit.audit_log WHERE entity_id = $1 ORDER BY id", worker
        )
    finally:
        await conn.close()
    assert row is not None, "the erased file must still be there"
    personal = ("full_name", "cccd_ciphertext", "cccd_blind_index", "phone_ciphertext")
    assert all(row[c] is None for c in personal)
    assert [r["action"] for r in trail] == [
        "registration.submitted",
        "registration.personal_data_erased",
    ]


async def _not(check: Callable[[], Awaitable[bool]]) -> bool:
    return not await check()
