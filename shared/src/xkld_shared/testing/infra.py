"""Test support: reach the real Kafka and PostgreSQL that the test script started, and give
each test its own namespace (databases, topic prefix, keys) so tests never see each other."""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from aiokafka.admin import AIOKafkaAdminClient

from xkld_shared.contracts.topics import Topics
from xkld_shared.crypto import generate_key
from xkld_shared.db.migrations import upgrade_to_head
from xkld_shared.identity.principal import Principal, Role, Scope
from xkld_shared.identity.tokens import SigningKey, TokenIssuer, jwks_of
from xkld_shared.messaging.topics_admin import ensure_topics
from xkld_shared.provision import (
    SERVICES,
    ServiceDatabase,
    drop_databases,
    harden_audit_log,
    provision_databases,
)

MIGRATIONS = {s: f"xkld_{s}:migrations" for s in SERVICES} | {
    "identity": "xkld_shared.identity.server:migrations"
}
TEST_PARTITIONS = 3


def _migrate_all(databases: dict[str, ServiceDatabase]) -> None:
    for service, database in databases.items():
        upgrade_to_head(MIGRATIONS[service], database.dsn)


async def _migrate_and_harden(infra: TestInfra, databases: dict[str, ServiceDatabase]) -> None:
    # One after another: Alembic's `context` is process-global, not thread-safe.
    await asyncio.to_thread(_migrate_all, databases)
    await harden_audit_log(infra.admin_dsn, databases)


@dataclass(frozen=True)
class Templates:
    """Each service's database, migrated and hardened once per test run, to be copied."""

    infra: TestInfra
    prefix: str
    databases: dict[str, str]

    @classmethod
    async def build(cls, infra: TestInfra) -> Templates:
        prefix = f"tpl{uuid.uuid4().hex[:8]}_"
        databases = await provision_databases(infra.admin_dsn, database_prefix=prefix)
        try:
            await _migrate_and_harden(infra, databases)
        except BaseException:
            await drop_databases(infra.admin_dsn, prefix)
            raise
        return cls(infra, prefix, {s: d.database for s, d in databases.items()})

    async def drop(self) -> None:
        await drop_databases(self.infra.admin_dsn, self.prefix)


@dataclass(frozen=True)
class TestInfra:
    __test__ = False  # a fixture's type, not a test class
    admin_dsn: str
    kafka_bootstrap: str
    # 3 on a three-broker cluster: topics then survive the loss of a broker (min ISR 2).
    replication_factor: int = 1
    # Partitions of each stream's topic: 3 by default; the scale-out test needs 12 (as in
    # production) to spread three replicas of every consumer group.
    partitions: int = TEST_PARTITIONS

    @classmethod
    def from_env(cls) -> TestInfra:
        return cls(
            admin_dsn=os.environ.get(
                "XKLD_TEST_PG_ADMIN_DSN",
                "postgresql://postgres:xkld-admin@127.0.0.1:15432/postgres",
            ),
            kafka_bootstrap=os.environ.get("XKLD_TEST_KAFKA_BOOTSTRAP", "127.0.0.1:19092"),
        )

    async def check(self) -> None:
        """Fail loudly (never skip) when the real infrastructure is not there."""
        hint = "start it with ./scripts/test (or deploy/infra/{postgres,kafka}.sh start)"
        try:
            conn = await asyncpg.connect(self.admin_dsn, timeout=5)
            await conn.close()
        except (OSError, asyncpg.PostgresError) as exc:
            raise RuntimeError(f"PostgreSQL is not reachable; {hint}") from exc
        admin = AIOKafkaAdminClient(bootstrap_servers=self.kafka_bootstrap, request_timeout_ms=5000)
        try:
            await admin.start()
            await admin.list_topics()
        except Exception as exc:
            raise RuntimeError(f"Kafka is not reachable; {hint}") from exc
        finally:
            await admin.close()


@dataclass
class Namespace:
    infra: TestInfra
    prefix: str
    databases: dict[str, ServiceDatabase] = field(default_factory=dict)
    pii_keys: str = ""
    blind_index_key: str = ""
    signing_key: SigningKey = field(default_factory=SigningKey.generate)

    @property
    def topics(self) -> Topics:
        return Topics(self.prefix)

    @classmethod
    async def create(
        cls,
        infra: TestInfra,
        templates: Templates | None = None,
        services: Sequence[str] = SERVICES,
    ) -> Namespace:
        """Fresh databases and topics. With `templates`, the databases are copies of ones
        migrated once, which is much faster than migrating every time. `services` narrows the
        databases to those a test reaches: each copy costs PostgreSQL about 0.1 s of CPU."""
        ns = cls(infra, prefix=f"t{uuid.uuid4().hex[:10]}_")
        ns.pii_keys = f"k1:{generate_key()}"
        ns.blind_index_key = generate_key()
        copies = templates.databases if templates else None
        ns.databases = await provision_databases(
            infra.admin_dsn, database_prefix=ns.prefix, templates=copies, services=services
        )
        try:
            if templates is None:
                await _migrate_and_harden(infra, ns.databases)
            await ensure_topics(
                infra.kafka_bootstrap,
                ns.topics.all_specs(infra.partitions),
                replication_factor=infra.replication_factor,
            )
        except BaseException:
            await drop_databases(infra.admin_dsn, ns.prefix)  # the caller never got the prefix
            raise
        return ns

    async def drop(self) -> None:
        await drop_databases(self.infra.admin_dsn, self.prefix)
        admin = AIOKafkaAdminClient(bootstrap_servers=self.infra.kafka_bootstrap)
        await admin.start()
        try:
            await admin.delete_topics([spec.name for spec in self.topics.all_specs(1)])
        finally:
            await admin.close()

    def token(
        self,
        *roles: Role,
        communes: tuple[str, ...] = (),
        province: str | None = None,
        branch: str | None = None,
        username: str = "tester",
    ) -> str:
        """An access token signed with this namespace's key, as the identity component would."""
        principal = Principal(
            subject=f"user-{username}",
            username=username,
            roles=frozenset(roles),
            scope=Scope(frozenset(communes), province, branch),
        )
        return TokenIssuer(self.signing_key, issuer="xkld", audience="xkld").issue(principal)

    def auth(self, *roles: Role, **scope: Any) -> dict[str, str]:
        """Authorization header for `token(...)`."""
        return {"Authorization": f"Bearer {self.token(*roles, **scope)}"}

    def dsn(self, service: str) -> str:
        return self.databases[service].dsn

    def env(self, service: str, **extra: str) -> dict[str, str]:
        """Environment for one service process in this namespace."""
        env = {
            "XKLD_DATABASE_URL": self.dsn(service),
            "XKLD_KAFKA_BOOTSTRAP": self.infra.kafka_bootstrap,
            "XKLD_TOPIC_PREFIX": self.prefix,
            "XKLD_PII_KEYS": self.pii_keys,
            "XKLD_PII_ACTIVE_KID": "k1",
            "XKLD_BLIND_INDEX_KEY": self.blind_index_key,
            "XKLD_AUTH_JWKS": json.dumps(jwks_of([self.signing_key])),
            "XKLD_RELAY_POLL_SECONDS": "0.5",
            "XKLD_CONSUMER_RETRY_BASE_SECONDS": "0.05",
            "XKLD_GRACEFUL_TIMEOUT_SECONDS": "10",
            "XKLD_SMS_API_KEY": "test-api-key",
            "XKLD_SMS_SECRET_KEY": "test-secret-key",
            "XKLD_SMS_CALLBACK_TOKEN": "test-callback-token",
            "XKLD_SMS_RETRY_BASE_SECONDS": "0.2",
            "XKLD_SMS_POLL_SECONDS": "0.5",
            # Test stacks run at any hour and walk whole journeys in seconds; quiet hours and
            # the daily limit are tested with an injected clock (services/notifications/tests).
            "XKLD_SMS_QUIET_HOURS_ENABLED": "false",
            "XKLD_SMS_DAILY_LIMIT": "1000",
            # Identity's throw-away accounts: cheap argon2 parameters, NOT for real ones (the
            # production parameters are tested in shared/tests/identity/test_login.py).
            "XKLD_AUTH_PASSWORD_HASHING": "fast-test-only",
        }
        env.update({k.upper(): v for k, v in extra.items()})
        return env
