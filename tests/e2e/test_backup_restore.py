"""scripts/backup and scripts/restore, round trip, on a system that has done some work."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
from pathlib import Path

import asyncpg
import pytest
from xkld_shared.backup import dsn_in
from xkld_shared.contracts.envelope import Envelope
from xkld_shared.contracts.topics import Stream
from xkld_shared.provision import AUDIT_OWNER, drop_databases
from xkld_shared.testing.http import local_client
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.kafka import eventually, read_all
from xkld_shared.testing.system import (
    System,
    gateway_messages,
    officer_of,
    registration_body,
    report_viewer,
)

ALL = ("registration", "loans", "notifications", "reporting")
SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
COMMUNE = "29800"

# Per table: its row count, its owner, and a digest of every row (the whole content, not a sample).
_TABLES = """
SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), c.relowner::regrole::text
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\\_%'
"""
_DIGEST = (
    "SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM {} t"
)


async def _fingerprint(ns: Namespace) -> dict[str, dict[str, tuple[object, ...]]]:
    result: dict[str, dict[str, tuple[object, ...]]] = {}
    for service, db in ns.databases.items():
        conn = await asyncpg.connect(dsn_in(ns.infra.admin_dsn, db.database))
        try:
            tables: dict[str, tuple[object, ...]] = {}
            for table, owner in await conn.fetch(_TABLES):
                row = await conn.fetchrow(_DIGEST.format(table))
                assert row is not None  # an aggregate always returns one row
                count, digest = row
                tables[table] = (count, digest, owner)
            schema_owner = await conn.fetchval(
                "SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = 'audit'"
            )
            tables["audit schema owner"] = (schema_owner,)
            result[service] = tables
        finally:
            await conn.close()
    return result


async def _script(name: str, *args: str, admin_dsn: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XKLD_PG_ADMIN_DSN": admin_dsn}
    return await asyncio.to_thread(
        subprocess.run,
        [str(SCRIPTS / name), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


async def _register(system: System) -> str:
    body = registration_body(commune_code=COMMUNE)
    async with local_client() as client:
        answer = await client.post(
            f"{system.url('registration')}/registrations",
            json=body,
            headers=officer_of(system.namespace, COMMUNE),
        )
    assert answer.status_code == 201, answer.text
    return str(body["phone"])


async def _commune_count(system: System) -> int:
    async with local_client() as client:
        answer = await client.get(
            f"{system.url('reporting')}/reports/registrations-by-commune",
            params={"commune_code": COMMUNE},
            headers=report_viewer(system.namespace),
        )
    communes = answer.json()["communes"]
    return int(communes[0]["registered"]) if communes else 0


async def _sms_counts(system: System, phones: list[str]) -> list[int]:
    return [len(await gateway_messages(system.sms_gateway, phone)) for phone in phones]


async def _all_delivered(system: System, phones: list[str], count: int) -> bool:
    sms = await _sms_counts(system, phones)
    return all(n >= 1 for n in sms) and await _commune_count(system) == count


@pytest.mark.cost(400)
@pytest.mark.timeout(900)  # four services started twice, on a machine shared with other work
async def test_a_restored_backup_gives_back_every_row_and_owner_and_the_services_resume_without_doubling(  # noqa: E501
    system: System, tmp_path: Path
) -> None:
    ns = system.namespace
    await system.start(ALL)
    phones = [await _register(system) for _ in range(4)]
    assert await eventually(lambda: _all_delivered(system, phones, 4), timeout=60)
    assert await system.stop_all() == dict.fromkeys(ALL, 0)
    before = await _fingerprint(ns)
    assert before["registration"]["audit schema owner"] == (AUDIT_OWNER,)

    dsn_file = tmp_path / "dsns.json"
    dsn_file.write_text(json.dumps({s: ns.dsn(s) for s in ns.databases}))
    backup = tmp_path / "backup"
    made = await _script(
        "backup", "--out", str(backup), "--dsn-file", str(dsn_file), admin_dsn=ns.infra.admin_dsn
    )
    assert made.returncode == 0, made.stderr
    manifest = json.loads((backup / "manifest.json").read_text())
    for service, tables in before.items():
        counts = manifest["databases"][service]["tables"]
        assert counts == {t: v[0] for t, v in tables.items() if t != "audit schema owner"}

    refused = await _script("restore", str(backup), admin_dsn=ns.infra.admin_dsn)
    assert refused.returncode == 1, "a restore over live databases must be refused"
    assert "--replace" in refused.stderr

    await drop_databases(ns.infra.admin_dsn, ns.prefix)
    restored = await _script("restore", str(backup), admin_dsn=ns.infra.admin_dsn)
    assert restored.returncode == 0, restored.stderr
    assert json.loads(restored.stdout)["counts_match"] is True
    assert await _fingerprint(ns) == before

    # The services resume: a new worker goes through, and nothing done before is done again.
    await system.start(ALL)
    newcomer = await _register(system)
    assert await eventually(lambda: _all_delivered(system, [newcomer], 5), timeout=60)
    await asyncio.sleep(3)  # give a wrongly republished event the time to arrive
    assert await _sms_counts(system, phones) == [1, 1, 1, 1]
    assert await _commune_count(system) == 5
    topic = ns.topics.of(Stream.REGISTRATION)
    records = await read_all(ns.infra.kafka_bootstrap, topic, expected=10_000, timeout=5)
    event_ids = [Envelope.from_bytes(r.value or b"").event_id for r in records]
    assert len(event_ids) == len(set(event_ids)), "an outbox row was published again"
