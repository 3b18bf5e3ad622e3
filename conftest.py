"""Fixtures shared by every test directory: the real infrastructure and per-test namespaces."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from xkld_fake_sms.app import create_app as create_sms_gateway
from xkld_fake_sms.settings import Settings as SmsGatewaySettings
from xkld_fake_sms.testing import serve_in_background
from xkld_shared.testing.infra import Namespace, Templates, TestInfra

# Every browser test shares one worker, so the whole stack they drive starts once per run.
_SHARED_STACK_GROUP = ("services/portal/tests/browser/", "portal-browser")
# A test that asks for none of these (directly or through another fixture) needs no Kafka
# and no PostgreSQL: it is marked `unit`, and `./scripts/test --unit` runs only those.
_INFRA_FIXTURES = frozenset({"infra", "own_infra"})


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under `--dist loadgroup`, a test file stays on one worker (its module fixtures are built
    once), except the browser tests, which all go to one worker to share their stack. Runs
    before pytest-xdist reads the groups."""
    root = Path(str(config.rootpath))
    for item in items:
        if not _INFRA_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.unit)
        path = Path(str(item.path)).relative_to(root).as_posix()
        prefix, shared = _SHARED_STACK_GROUP
        group = shared if path.startswith(prefix) else path
        item.add_marker(pytest.mark.xdist_group(group))


@pytest.fixture(scope="session")
async def infra() -> TestInfra:
    infra = TestInfra.from_env()
    await infra.check()
    return infra


@pytest.fixture(scope="session")
async def templates(infra: TestInfra) -> AsyncIterator[Templates]:
    """Every service's database migrated once per run; each test gets copies."""
    built = await Templates.build(infra)
    yield built
    await built.drop()


@pytest.fixture
async def namespace(infra: TestInfra, templates: Templates) -> AsyncIterator[Namespace]:
    ns = await Namespace.create(infra, templates)
    yield ns
    await ns.drop()


@pytest.fixture(scope="session")
async def sms_gateway() -> AsyncIterator[str]:
    """A real HTTP server shaped like eSMS, with fault injection, on a loopback port."""
    async with serve_in_background(create_sms_gateway(SmsGatewaySettings())) as url:
        yield url
