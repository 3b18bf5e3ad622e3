"""The demo loader against the whole system (identity and the four services as processes, real
Kafka and PostgreSQL): every stage of the journey gets workers, and a second run changes
nothing."""

from __future__ import annotations

import asyncio
import json
import os
import stat
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from xkld_portal.domain.audit_names import action_name, record_kind_name
from xkld_shared.backup import dsn_in
from xkld_shared.clock import vietnam_today
from xkld_shared.demo import data, survey
from xkld_shared.identity.principal import Role
from xkld_shared.testing.http import local_client
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.processes import ServiceProcess
from xkld_shared.testing.system import System, officer_of, registration_body

IDENTITY = "xkld_shared.identity.server"
ADMIN_PASSWORD = "the demo admin's long passphrase"
STAGES = (
    "submitted",
    "eligible",
    "rejected",
    "withdrawn",
    "in_training",
    "trained",
    "departure_scheduled",
    "abroad",
    "absconded",
    "returned_completed",
    "returned_early",
    "reintegration",
)
LOAN_STAGES = ("requested", "approved", "rejected", "disbursed", "no_loan")


async def _run(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> str:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, **(env or {})},
    )
    out, err = await proc.communicate(stdin.encode())
    assert proc.returncode == 0, f"{args[:3]} failed:\n{err.decode()[-3000:]}"
    return out.decode()


@pytest.fixture
async def identity(namespace: Namespace, tmp_path: Path) -> AsyncIterator[str]:
    """The identity component as a process, signing with the key the services trust."""
    key_file = tmp_path / "identity-signing-key.pem"
    key_file.write_bytes(namespace.signing_key.to_pem())
    database = {"XKLD_DATABASE_URL": namespace.dsn("identity")}
    await _run(
        "-m",
        IDENTITY,
        "create-admin",
        "--username",
        "admin",
        "--full-name",
        "Quản trị hệ thống",
        stdin=ADMIN_PASSWORD + "\n",
        env=database,
    )
    env = database | {
        "XKLD_AUTH_SIGNING_KEY_FILE": str(key_file),
        "XKLD_AUTH_SIGNING_KID": namespace.signing_key.kid,
    }
    proc = ServiceProcess(IDENTITY, env)
    await proc.start(timeout=120)  # a busy machine starts slowly
    try:
        yield proc.url
    finally:
        assert await proc.terminate() == 0


async def _load(system: System, identity: str, accounts: Path) -> dict[str, Any]:
    out = await _run(
        "-m",
        "xkld_shared.demo",
        "--identity",
        identity,
        "--registration",
        system.url("registration"),
        "--loans",
        system.url("loans"),
        "--reporting",
        system.url("reporting"),
        "--outreach",
        system.url("outreach"),
        "--accounts-file",
        str(accounts),
        env={"XKLD_DEMO_ADMIN_PASSWORD": ADMIN_PASSWORD},
    )
    result: dict[str, Any] = json.loads(out.splitlines()[-1])
    return result


async def _what_is_there(system: System) -> dict[str, Any]:
    """Read independently of the loader: files by stage, the bank's portfolio, the targets."""
    ns = system.namespace
    labour = ns.auth(Role.LABOUR_OFFICER, province="86", username="kiem-tra")
    manager = ns.auth(Role.BANK_MANAGER, branch=data.BRANCH, username="kiem-tra-nh")
    async with local_client() as client:
        registration, loans = system.url("registration"), system.url("loans")

        async def total(**params: str) -> int:
            answer = await client.get(
                f"{registration}/registrations", params=params | {"page_size": "1"}, headers=labour
            )
            assert answer.status_code == 200, answer.text
            return int(answer.json()["total"])

        stages = {stage: await total(stage=stage) for stage in STAGES}
        files = await total()
        portfolio = await client.get(f"{loans}/portfolio", headers=manager)
        reporting = system.url("reporting")
        targets = await client.get(f"{reporting}/targets", params={"area": "86"}, headers=labour)
        rollups = await client.get(f"{system.url('outreach')}/survey-rollups", headers=labour)
    assert rollups.status_code == 200, rollups.text
    assert portfolio.status_code == 200, portfolio.text
    assert targets.status_code == 200, targets.text
    lines = portfolio.json()["lines"]
    return {
        "files": files,
        "stages": stages,
        "loans_out": sum(line["loans"] for line in lines),
        "principal_out": sum(line["outstanding_principal_vnd"] for line in lines),
        "targets": targets.json()["targets"],
        "survey": rollups.json()["totals"],
    }


async def _distinct(ns: Namespace, service: str, query: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(dsn_in(ns.infra.admin_dsn, ns.databases[service].database))
    try:
        return list(await conn.fetch(query))
    finally:
        await conn.close()


async def _unnamed_in_the_audit_trails(ns: Namespace) -> list[tuple[str, str]]:
    """What the demo's work left in each audit trail that the portal's audit page has no name
    for (it would show the code): (service, code)."""
    unnamed = []
    for service in ("registration", "loans", "notifications", "reporting", "outreach"):
        query = "SELECT DISTINCT action, entity_type FROM audit.audit_log"
        for row in await _distinct(ns, service, query):
            if action_name(service, row["action"]) is None:
                unnamed.append((service, row["action"]))
            if record_kind_name(service, row["entity_type"]) is None:
                unnamed.append((service, row["entity_type"]))
    for row in await _distinct(ns, "identity", "SELECT DISTINCT action FROM account_audit"):
        if action_name("identity", row["action"]) is None:
            unnamed.append(("identity", row["action"]))
    return unnamed


async def _as_the_first_demo_did(system: System) -> None:
    """A worker the first demo registered, without an Idempotency-Key: the loader finds the
    file by CCCD instead of opening a second one."""
    name, cccd, born, gender, phone, commune, _ = data.FIRST_THREE[0]
    body = registration_body(
        full_name=name,
        cccd=cccd,
        date_of_birth=born,
        gender=gender,
        phone=phone,
        commune_code=commune,
    )
    async with local_client() as client:
        answer = await client.post(
            f"{system.url('registration')}/registrations",
            json=body,
            headers=officer_of(system.namespace, commune),
        )
    assert answer.status_code == 201, answer.text


@pytest.mark.cost(330)
@pytest.mark.timeout(900)  # two loads over Kafka on a busy 2-core machine
async def test_the_demo_fills_every_stage_and_a_second_run_changes_nothing(
    system: System, identity: str, tmp_path: Path
) -> None:
    for service in ("registration", "loans", "notifications", "reporting", "outreach"):
        await system.process(service).start(timeout=120)  # a busy machine starts slowly
    accounts = tmp_path / "dev-accounts.txt"
    await _as_the_first_demo_did(system)

    first = await _load(system, identity, accounts)
    print(json.dumps(first, ensure_ascii=False))  # shown with -s: what a load gives, how fast
    after_first = await _what_is_there(system)
    assert after_first["files"] == len(data.workers()) >= 55
    assert [s for s in STAGES if after_first["stages"][s] == 0] == []
    assert [s for s in LOAN_STAGES if not first["loans"].get(s)] == []
    assert first["gates"]["gates_partly_met"] > 0
    assert first["gates"]["all_gates_met"] > 0
    assert first["check_ins"] > 0
    assert len(first["early_returns"]) >= 3
    assert after_first["loans_out"] == first["loans"]["disbursed"] > 0
    assert first["created_now"]["repayments_made"] > 0
    assert first["created_now"]["targets_changed"] == 15
    assert first["created_now"]["registrations_created"] == len(data.workers()) - 1
    assert len(after_first["targets"]) == 15
    households = [h for c, _ in survey.rounds(vietnam_today().year) for h in survey.households(c)]
    assert first["created_now"]["survey_households_recorded"] == len(households) == 24
    assert after_first["survey"]["households"] == len(households)
    assert after_first["survey"]["members"] == sum(len(h["members"]) for h in households)
    assert after_first["survey"]["wants_abroad"] > 0
    assert after_first["survey"]["wants_training"] > 0
    assert stat.S_IMODE(accounts.stat().st_mode) == 0o600
    assert await _unnamed_in_the_audit_trails(system.namespace) == []
    usernames = {line.split()[0] for line in accounts.read_text().splitlines()}
    assert usernames == {s.username for s in data.STAFF}
    accounts_before = accounts.read_text()

    second = await _load(system, identity, accounts)
    print(json.dumps(second, ensure_ascii=False))
    assert second["created_now"] == {
        "staff_created": [],
        "enterprises_created": 0,
        "courses_created": 0,
        "targets_changed": 0,
        "registrations_created": 0,
        "steps_sent": 0,
        "repayments_made": 0,
        "survey_households_recorded": 0,
    }
    assert await _what_is_there(system) == after_first  # no second file, loan or repayment
    parts = ("workers", "stages", "loans", "gates", "check_ins", "early_returns", "events")
    for part in (*parts, "survey"):
        assert second[part] == first[part], part
    assert accounts.read_text() == accounts_before
