"""No service's database role can read another service's tables."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
from xkld_shared.testing.infra import Namespace


def _as(dsn_of_owner: str, dsn_of_intruder: str) -> str:
    """The intruder's credentials pointed at the owner's database."""
    owner, intruder = urlsplit(dsn_of_owner), urlsplit(dsn_of_intruder)
    return urlunsplit(intruder._replace(path=owner.path))


async def test_reporting_role_cannot_connect_to_the_registration_database(
    namespace: Namespace,
) -> None:
    dsn = _as(namespace.dsn("registration"), namespace.dsn("reporting"))
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await asyncpg.connect(dsn)


async def test_reporting_role_cannot_select_registration_tables_even_when_let_in(
    namespace: Namespace,
) -> None:
    registration_db = namespace.databases["registration"].database
    reporting_role = namespace.databases["reporting"].role
    admin = await asyncpg.connect(namespace.infra.admin_dsn)
    try:
        await admin.execute(f'GRANT CONNECT ON DATABASE "{registration_db}" TO "{reporting_role}"')
        intruder = await asyncpg.connect(
            _as(namespace.dsn("registration"), namespace.dsn("reporting"))
        )
        try:
            for table in ("registration", "outbox", "inbox"):
                with pytest.raises(asyncpg.InsufficientPrivilegeError):
                    await intruder.fetch(f"SELECT * FROM {table}")
        finally:
            await intruder.close()
    finally:
        await admin.execute(
            f'REVOKE CONNECT ON DATABASE "{registration_db}" FROM "{reporting_role}"'
        )
        await admin.close()


@pytest.mark.parametrize("owner", ["registration", "loans", "notifications", "outreach"])
async def test_every_other_service_role_is_refused(namespace: Namespace, owner: str) -> None:
    for intruder in ("registration", "loans", "notifications", "reporting", "outreach"):
        if intruder == owner:
            continue
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await asyncpg.connect(_as(namespace.dsn(owner), namespace.dsn(intruder)))
