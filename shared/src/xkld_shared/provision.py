"""Creating each service's role and database, and the topics: safe to run any number of times.

Each service gets its own role, which owns its own database; CONNECT is revoked from PUBLIC, so
no service's role can even open another service's database.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from xkld_shared.contracts.topics import Topics
from xkld_shared.messaging.topics_admin import ensure_topics

SERVICES = ("registration", "loans", "notifications", "reporting")


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


async def provision_databases(
    admin_dsn: str, *, database_prefix: str = ""
) -> dict[str, ServiceDatabase]:
    conn = await asyncpg.connect(admin_dsn)
    try:
        result = {}
        for service in SERVICES:
            role, password = role_of(service), dev_password(service)
            database = f"{database_prefix}xkld_{service}"
            await _ensure_role(conn, role, password)
            await _ensure_database(conn, database, role)
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


async def _ensure_database(conn: asyncpg.Connection, database: str, owner: str) -> None:
    exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database)
    if not exists:
        await conn.execute(f'CREATE DATABASE "{database}" OWNER "{owner}"')
    await conn.execute(f'REVOKE ALL ON DATABASE "{database}" FROM PUBLIC')
    await conn.execute(f'GRANT CONNECT, TEMPORARY ON DATABASE "{database}" TO "{owner}"')


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
    parser.add_argument("--kafka-bootstrap", required=True)
    parser.add_argument("--partitions", type=int, default=6)
    parser.add_argument("--replication-factor", type=int, default=1)
    parser.add_argument("--topic-prefix", default="")
    parser.add_argument(
        "--dsn-file", help="write each service's DSN (with its password) here, mode 0600"
    )
    args = parser.parse_args()
    if not args.admin_dsn:
        parser.error("give --admin-dsn or set XKLD_PG_ADMIN_DSN")
    databases = await provision_databases(args.admin_dsn)
    created = await ensure_topics(
        args.kafka_bootstrap,
        Topics(args.topic_prefix).all_specs(args.partitions),
        replication_factor=args.replication_factor,
    )
    print(
        json.dumps(
            {"databases": {s: d.dsn for s, d in databases.items()}, "topics_created": created}
        )
    )


if __name__ == "__main__":
    asyncio.run(_main())
