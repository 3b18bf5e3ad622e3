"""The fault suite runs on a PostgreSQL and a Kafka of its own (see infra.py)."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator

import pytest
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.system import System

from .infra import OwnInfra


@pytest.fixture
async def own_infra() -> AsyncIterator[OwnInfra]:
    infra = OwnInfra.from_env()
    print(f"chaos: own PostgreSQL :{infra.pg_port}, Kafka :{infra.kafka_port}, {infra.state}")
    try:
        await infra.start()
        await infra.test_infra.check()
        yield infra
    finally:
        await infra.stop()
        if not os.environ.get("XKLD_CHAOS_STATE"):
            shutil.rmtree(infra.state, ignore_errors=True)


@pytest.fixture
async def chaos_system(own_infra: OwnInfra, sms_gateway: str) -> AsyncIterator[System]:
    namespace = await Namespace.create(own_infra.test_infra)  # migrated here, no templates
    system = System(namespace, sms_gateway)
    try:
        yield system
    finally:
        await system.stop_all()
