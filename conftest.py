"""Fixtures shared by every test directory: the real infrastructure and per-test namespaces."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from xkld_fake_sms.app import create_app as create_sms_gateway
from xkld_fake_sms.settings import Settings as SmsGatewaySettings
from xkld_fake_sms.testing import serve_in_background
from xkld_shared.provision import SERVICES
from xkld_shared.testing.infra import Namespace, Templates, TestInfra

# Property tests check rules, not speed (benchmarks measure that), and the suite's four workers
# share two cores: a draw stalled for a second by the machine must not fail a test as "slow".
settings.register_profile("suite", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("suite")

# Every browser test shares one worker, so the whole stack they drive starts once per run.
_SHARED_STACK_GROUP = ("services/portal/tests/browser/", "portal-browser")
# A test that asks for none of these (directly or through another fixture) needs no Kafka
# and no PostgreSQL: it is marked `unit`, and `./scripts/test --unit` runs only those.
_INFRA_FIXTURES = frozenset({"infra", "own_infra"})


# What a test costs the run, in rough seconds, when it says nothing (`@pytest.mark.cost(s)`
# says otherwise): only used to hand out the longest work first.
_UNIT_COST, _INFRA_COST, _BROWSER_COST = 0.05, 2.0, 15.0


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under `--dist loadgroup`, a test file stays on one worker (its module fixtures are built
    once), except the browser tests, which all go to one worker to share their stack. Runs
    before pytest-xdist reads the groups.

    The groups are then put longest first (scripts/test turns off xdist's own reordering,
    which puts the groups with the most tests first and so started the ten-minute chaos tests,
    one test each, last): a worker that draws a long group early does not end the run late."""
    root = Path(str(config.rootpath))
    cost: dict[str, float] = {}
    group_of: dict[str, str] = {}
    for item in items:
        infra = bool(_INFRA_FIXTURES & set(getattr(item, "fixturenames", ())))
        if not infra:
            item.add_marker(pytest.mark.unit)
        path = Path(str(item.path)).relative_to(root).as_posix()
        prefix, shared = _SHARED_STACK_GROUP
        group = shared if path.startswith(prefix) else path
        item.add_marker(pytest.mark.xdist_group(group))
        group_of[item.nodeid] = group
        cost[group] = cost.get(group, 0.0) + _cost(item, infra, group == shared)
    # A stable sort: within a group, and between groups of one cost, collection order stays.
    items.sort(key=lambda item: -cost[group_of[item.nodeid]])


def pytest_collection_finish(session: pytest.Session) -> None:
    """In a worker under `--dist loadgroup`, pytest-xdist has written each test's group into
    its id. If it has not (pytest 9.2 with pytest-xdist 3.8, pytest-xdist#1386), groups are
    silently split across workers, and every worker builds its own stacks: refuse to run."""
    if not getattr(session.config.option, "loadgroup", False) or not session.items:
        return
    ungrouped = [item.nodeid for item in session.items if "@" not in item.nodeid]
    if ungrouped:
        raise pytest.UsageError(
            f"--dist loadgroup is not grouping ({ungrouped[0]} has no @group): check the"
            " pytest and pytest-xdist versions"
        )


def _cost(item: pytest.Item, infra: bool, browser: bool) -> float:
    cost = item.get_closest_marker("cost")
    if cost is not None:
        return float(cost.args[0])
    if browser:
        return _BROWSER_COST
    return _INFRA_COST if infra else _UNIT_COST


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
def namespace_databases() -> tuple[str, ...]:
    """The databases a test's namespace gets: every service's, unless a directory whose tests
    reach fewer overrides this (each copy costs PostgreSQL about 0.1 s of CPU)."""
    return SERVICES


@pytest.fixture
async def namespace(
    infra: TestInfra, templates: Templates, namespace_databases: tuple[str, ...]
) -> AsyncIterator[Namespace]:
    ns = await Namespace.create(infra, templates, services=namespace_databases)
    yield ns
    await ns.drop()


@pytest.fixture(scope="session")
async def sms_gateway() -> AsyncIterator[str]:
    """A real HTTP server shaped like eSMS, with fault injection, on a loopback port."""
    async with serve_in_background(create_sms_gateway(SmsGatewaySettings())) as url:
        yield url
