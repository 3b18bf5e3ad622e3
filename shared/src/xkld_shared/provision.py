"""Creating each service's role and database, and the topics: safe to run any number of times.

Each service gets its own role, which owns its own database; CONNECT is revoked from PUBLIC, so
no service's role can even open another service's database.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from xkld_shared.contracts.topics import Topics
from xkld_shared.messaging.topics_admin import ensure_topics

SERVICES = ("registration", "loans", "notifications", "reporting", "identity", "outreach")


@dataclass(frozen=True)
class ServiceDatabase:
    service: str
    role: str
    database: str
    dsn: str


def role_of(service: str) -> str:
    return f"xkld_{service}"


def dev_password(service: str) -> str:
    """Development and test password; production passes real ones via the environment."""
    return os.environ.get(f"XKLD_{service.upper()}_DB_PASSWORD", f"xkld-{service}-dev")


def _dsn_for(admin_dsn: str, user: str, password: str, database: str) -> str:
    parts = urlsplit(admin_dsn)
    host = parts.hostname or "127.0.0.1"
    netloc = f"{user}:{password}@{host}:{parts.port or 5432}"
    return urlunsplit((parts.scheme, netloc, f"/{database}", "", ""))


# A session lock, released when the admin connection closes.
_TAKE_TURNS = "SELECT pg_advisory_lock(hashtext('xkld.provision'))"


async def provision_databases(
    admin_dsn: str,
    *,
    database_prefix: str = "",
    templates: dict[str, str] | None = None,
    services: Sequence[str] = SERVICES,
) -> dict[str, ServiceDatabase]:
    """`templates` maps a service to an already-migrated database to copy (tests use it).
    `services` narrows the work to some services, for a server that holds only theirs (on
    Kubernetes, each service's database is a CloudNativePG cluster of its own)."""
    conn = await asyncpg.connect(admin_dsn)
    try:
        # Roles are cluster-wide: two provisioners altering one role at once fail with "tuple
        # concurrently updated" (parallel test workers do this), so they take turns.
        await conn.execute(_TAKE_TURNS)
        result = {}
        for service in services:
            role, password = role_of(service), dev_password(service)
            database = f"{database_prefix}xkld_{service}"
            await _ensure_role(conn, role, password)
            await _ensure_database(conn, database, role, (templates or {}).get(service))
            result[service] = ServiceDatabase(
                service, role, database, _dsn_for(admin_dsn, role, password, database)
            )
        return result
    finally:
        await conn.close()


async def _ensure_role(conn: asyncpg.Connection, role: str, password: str) -> None:
    exists = await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role)
    verb = "ALTER" if exists else "CREATE"
    # Identifiers cannot be bound parameters; both come from our own constants, quoted anyway.
    literal = await conn.fetchval("SELECT quote_literal($1)", password)
    await conn.execute(f'{verb} ROLE "{role}" LOGIN NOSUPERUSER NOCREATEDB PASSWORD {literal}')


async def _ensure_database(
    conn: asyncpg.Connection, database: str, owner: str, template: str | None = None
) -> None:
    exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database)
    if not exists:
        copy = f' TEMPLATE "{template}"' if template else ""
        await conn.execute(f'CREATE DATABASE "{database}" OWNER "{owner}"{copy}')
    await conn.execute(f'REVOKE ALL ON DATABASE "{database}" FROM PUBLIC')
    await conn.execute(f'GRANT CONNECT, TEMPORARY ON DATABASE "{database}" TO "{owner}"')


AUDIT_OWNER = "xkld_audit_owner"
_HARDEN_AUDIT = """
ALTER SCHEMA audit OWNER TO "{owner}";
ALTER TABLE audit.audit_log OWNER TO "{owner}";
ALTER FUNCTION audit.refuse_change() OWNER TO "{owner}";
REVOKE ALL ON SCHEMA audit FROM "{role}";
GRANT USAGE ON SCHEMA audit TO "{role}";
GRANT SELECT, INSERT ON audit.audit_log TO "{role}";
GRANT USAGE ON SEQUENCE audit.audit_log_id_seq TO "{role}";
"""


async def harden_audit_log(admin_dsn: str, databases: dict[str, ServiceDatabase]) -> list[str]:
    """After migrations: give each `audit_log` to a NOLOGIN owner; the service keeps INSERT and
    SELECT only. Returns the services whose database has an audit log."""
    hardened = []
    admin = await asyncpg.connect(admin_dsn)
    try:
        await admin.execute(_TAKE_TURNS)
        if not await admin.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", AUDIT_OWNER):
            await admin.execute(f'CREATE ROLE "{AUDIT_OWNER}" NOLOGIN')
    finally:
        await admin.close()
    for service, db in databases.items():
        conn = await asyncpg.connect(_dsn_in(admin_dsn, db.database))
        try:
            if await conn.fetchval("SELECT to_regclass('audit.audit_log')") is None:
                continue
            async with conn.transaction():
                await conn.execute(_HARDEN_AUDIT.format(owner=AUDIT_OWNER, role=db.role))
            hardened.append(service)
        finally:
            await conn.close()
    return hardened


def _dsn_in(admin_dsn: str, database: str) -> str:
    return urlunsplit(urlsplit(admin_dsn)._replace(path=f"/{database}"))


async def drop_databases(admin_dsn: str, database_prefix: str) -> None:
    if not database_prefix:
        raise ValueError("refusing to drop the unprefixed (real) databases")
    conn = await asyncpg.connect(admin_dsn)
    try:
        for service in SERVICES:
            await conn.execute(f'DROP DATABASE IF EXISTS "{database_prefix}xkld_{service}" (FORCE)')
    finally:
        await conn.close()


async def _main() -> None:
    parser = argparse.ArgumentParser(description="Create xkld's roles, databases and topics.")
    parser.add_argument(
        "--admin-dsn",
        default=os.environ.get("XKLD_PG_ADMIN_DSN"),
        help="superuser DSN; prefer the XKLD_PG_ADMIN_DSN variable (not visible in ps)",
    )
    parser.add_argument("--kafka-bootstrap")
    parser.add_argument("--partitions", type=int, default=6)
    parser.add_argument("--replication-factor", type=int, default=1)
    parser.add_argument("--topic-prefix", default="")
    parser.add_argument(
        "--harden-audit-only",
        action="store_true",
        help="after migrations: make every audit_log append-only for its service's role",
    )
    parser.add_argument(
        "--service",
        action="append",
        choices=SERVICES,
        help="only this service's role and database (repeatable; default: all of them)",
    )
    parser.add_argument(
        "--dsn-file", help="write each service's DSN (with its password) here, mode 0600"
    )
    args = parser.parse_args()
    if not args.admin_dsn:
        parser.error("give --admin-dsn or set XKLD_PG_ADMIN_DSN")
    if not args.harden_audit_only and not args.kafka_bootstrap:
        parser.error("--kafka-bootstrap is required to create the topics")
    databases = await provision_databases(args.admin_dsn, services=args.service or SERVICES)
    if args.harden_audit_only:
        print(json.dumps({"audit_log_hardened": await harden_audit_log(args.admin_dsn, databases)}))
        return
    created = await ensure_topics(
        args.kafka_bootstrap,
        Topics(args.topic_prefix).all_specs(args.partitions),
        replication_factor=args.replication_factor,
    )
    if args.dsn_file:
        _write_private(args.dsn_file, json.dumps({s: d.dsn for s, d in databases.items()}))
    # Roles and databases only: passwords stay out of stdout, which ends up in job logs.
    summary = {s: {"role": d.role, "database": d.database} for s, d in databases.items()}
    print(json.dumps({"databases": summary, "topics_created": created}))


def _write_private(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)


if __name__ == "__main__":
    asyncio.run(_main())
