from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.system import System


@pytest.fixture
async def system(namespace: Namespace, sms_gateway: str) -> AsyncIterator[System]:
    system = System(namespace, sms_gateway)
    try:
        yield system
    finally:
        exit_codes = await system.stop_all()
        assert all(code == 0 for code in exit_codes.values()), f"unclean shutdown: {exit_codes}"
