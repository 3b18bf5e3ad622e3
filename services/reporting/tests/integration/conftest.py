"""A reporting service process per test, and helpers to publish events onto its topics."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from xkld_shared.contracts.topics import Stream
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.processes import ServiceProcess, serving


@pytest.fixture
def namespace_databases() -> tuple[str, ...]:
    """Reporting's database, and registration's for the test that runs both."""
    return ("reporting", "registration")


@pytest.fixture
async def reporting(namespace: Namespace) -> AsyncIterator[ServiceProcess]:
    async with serving("xkld_reporting", namespace.env("reporting")) as proc:
        yield proc


@pytest.fixture
def stream_topic(namespace: Namespace) -> dict[Stream, str]:
    return {s: namespace.topics.of(s) for s in Stream}
