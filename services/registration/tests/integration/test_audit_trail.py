"""Every change by a person leaves an audit row that the service itself cannot alter."""

from __future__ import annotations

import asyncpg
import pytest
from xkld_shared.identity.principal import Role
from xkld_shared.testing.http import local_client
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.processes import ServiceProcess
from xkld_shared.testing.system import officer_of, registration_body


async def test_submitting_records_who_what_when_and_where(namespace: Namespace) -> None:
    proc = ServiceProcess("xkld_registration", namespace.env("registration"))
    await proc.start()
    body = registration_body(commune_code="29800")
    try:
        async with local_client() as client:
            created = await client.post(
                f"{proc.url}/registrations", json=body, headers=officer_of(namespace, "29800")
            )
            registration_id = created.json()["registration_id"]
            trail = await client.get(
                f"{proc.url}/registrations/{registration_id}/audit",
                headers=namespace.auth(Role.LABOUR_OFFICER, province="86"),
            )
    finally:
        assert await proc.terminate() == 0
    assert trail.status_code == 200, trail.text
    [entry] = trail.json()
    assert entry["action"] == "registration.submitted"
    assert entry["actor_username"] == "can-bo-xa"
    assert entry["actor_roles"] == ["commune_officer"]
    assert entry["source_ip"] == "127.0.0.1"
    assert entry["changes"]["commune_code"] == {"before": None, "after": "29800"}
    assert entry["changes"]["status"]["after"] == "submitted"
    assert entry["correlation_id"] == created.headers["X-Correlation-Id"]
    text = trail.text
    assert str(body["cccd"]) not in text
    assert str(body["phone"])[1:] not in text
    assert "Thành" not in text, "names appear as sealed, not in clear"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit.audit_log SET action = 'forged'",
        "DELETE FROM audit.audit_log",
        "TRUNCATE audit.audit_log",
        "DROP TABLE audit.audit_log",
        "DROP SCHEMA audit CASCADE",
        "DROP TRIGGER audit_log_no_update_or_delete ON audit.audit_log",
        "ALTER TABLE audit.audit_log DISABLE TRIGGER ALL",
        "CREATE OR REPLACE FUNCTION audit.refuse_change() RETURNS trigger"
        " LANGUAGE plpgsql AS 'BEGIN RETURN NULL; END'",
        "ALTER TABLE audit.audit_log RENAME TO old_log",
    ],
)
async def test_the_services_own_role_cannot_alter_the_trail(
    namespace: Namespace, statement: str
) -> None:
    conn = await asyncpg.connect(namespace.dsn("registration"))
    try:
        await conn.execute(
            """INSERT INTO audit.audit_log (actor_subject, actor_username, actor_roles, action,
                   entity_type, entity_id, changes)
               VALUES ('u', 'u', '{}', 'a', 'registration', 'x', '{}')"""
        )
        with pytest.raises((asyncpg.InsufficientPrivilegeError, asyncpg.RaiseError)):
            await conn.execute(statement)
        assert await conn.fetchval("SELECT count(*) FROM audit.audit_log") == 1
        assert await conn.fetchval("SELECT action FROM audit.audit_log") == "a"
    finally:
        await conn.close()
