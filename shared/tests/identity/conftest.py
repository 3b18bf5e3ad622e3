"""The identity component in-process against its own real PostgreSQL database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from xkld_shared.identity.server.testing import RunningIdentity, running_identity, settings_for
from xkld_shared.testing.infra import Namespace


@pytest.fixture
def namespace_databases() -> tuple[str, ...]:
    """Only identity's database: these tests reach no other."""
    return ("identity",)


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    return tmp_path / "signing.pem"


@pytest.fixture
async def identity(namespace: Namespace, key_file: Path) -> AsyncIterator[RunningIdentity]:
    async with running_identity(settings_for(namespace.dsn("identity"), key_file)) as running:
        yield running


@pytest.fixture
async def db(namespace: Namespace) -> AsyncIterator[asyncpg.Connection]:
    """A direct connection, to look at what the component stored."""
    conn = await asyncpg.connect(namespace.dsn("identity"))
    try:
        yield conn
    finally:
        await conn.close()
