from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from xkld_shared.db.pool import create_pool
from xkld_shared.testing.infra import Namespace
from xkld_testkit.notifications_testing import Kit


@pytest.fixture
async def gateway(sms_gateway: str) -> AsyncIterator[str]:
    async with httpx.AsyncClient() as client:
        await client.delete(f"{sms_gateway}/_admin/faults")
        yield sms_gateway
        await client.delete(f"{sms_gateway}/_admin/faults")


@pytest.fixture
async def pool(namespace: Namespace) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(namespace.dsn("notifications"), max_size=8)
    yield pool
    await pool.close()


@pytest.fixture
def kit(pool: asyncpg.Pool, namespace: Namespace, gateway: str) -> Kit:
    return Kit(pool, namespace, gateway)
