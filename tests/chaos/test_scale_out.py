"""Scale-out, shown correct (docs/operations.md, "Scaling out"; docs/reliability.md).

On the fault suite's own three-broker Kafka, with 12 partitions per stream, three replicas
(processes) of every service run at once: each serves HTTP, runs its outbox relay and joins
its service's consumer groups (registration.loan, loans.registration, notifications.*,
reporting.*). Workers are driven through the whole journey while replicas are stopped with
SIGTERM, killed with SIGKILL and started again, one change at a time, so that every group
rebalances several times. Each rebalance is timed from the signal to the group being stable
with every partition assigned. Once quiet, the fault suite's checks: every outbox row
published, no lag, every inbox complete, no dead letter, one disbursement per loan, exactly
one SMS per (event, template), reporting equal to the source databases.

Seeded: XKLD_SCALE_SEED=<n> repeats the draws (the seed is printed). XKLD_SCALE_LONG=1 runs
300 workers, 16 at a time, with at least 5 changes per service; XKLD_SCALE_WORKERS sets the
number of workers."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import random
import statistics
import time
from collections.abc import AsyncIterator

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from xkld_shared.testing.http import local_client
from xkld_shared.testing.infra import Namespace

from . import checks, groups
from .churn import SERVICES, Churn, ChurnPlan
from .driver import Driver, Worker
from .infra import OwnInfra
from .replicas import ScaledSystem

pytestmark = pytest.mark.chaos

LONG = os.environ.get("XKLD_SCALE_LONG") == "1"
WORKERS = int(os.environ.get("XKLD_SCALE_WORKERS") or (300 if LONG else 30))
IN_FLIGHT = 16 if LONG else 8
REPLICAS = 3
PARTITIONS = 12
PLAN = ChurnPlan((2.0, 8.0), min_changes_each=5) if LONG else ChurnPlan((1.0, 4.0), 2)
QUIET_TIMEOUT = 1200.0 if LONG else 300.0
# Loans' daily overdue job is off, as in the fault suite: the run's checks count what the
# driver caused, and the job would add its own events.
SERVICE_ENV = {"XKLD_OVERDUE_JOB_ENABLED": "false"}


@pytest.fixture
async def scaled(own_infra: OwnInfra, sms_gateway: str) -> AsyncIterator[ScaledSystem]:
    infra = dataclasses.replace(own_infra.test_infra, partitions=PARTITIONS)
    namespace = await Namespace.create(infra)
    system = ScaledSystem(namespace, sms_gateway, env=SERVICE_ENV)
    try:
        yield system
    finally:
        await system.stop_all()


def _seed() -> int:
    seed = int(os.environ.get("XKLD_SCALE_SEED") or random.SystemRandom().randrange(2**31))
    print(f"scale: seed {seed} (XKLD_SCALE_SEED={seed} repeats it), {WORKERS} workers")
    return seed


@pytest.mark.timeout(14400 if LONG else 1800)
@pytest.mark.cost(550)
async def test_replicas_joining_and_leaving_under_load_lose_and_double_nothing(
    scaled: ScaledSystem,
) -> None:
    seed = _seed()
    rng = random.Random(seed)
    scaled.rng = random.Random(rng.getrandbits(64))
    admin = AIOKafkaAdminClient(bootstrap_servers=scaled.namespace.infra.kafka_bootstrap)
    await admin.start()
    try:
        await _start_replicas(scaled, admin)
        churn = Churn(scaled, admin, random.Random(rng.getrandbits(64)), PLAN, PARTITIONS)
        started = time.monotonic()
        async with local_client(timeout=60) as client:
            driver = Driver(scaled, random.Random(rng.getrandbits(64)), client)
            await driver.setup()
            workers = driver.plan(WORKERS)
            load_done = asyncio.Event()
            churn_task = asyncio.create_task(churn.run(load_done))
            try:
                await _drive(driver, workers)
            finally:
                load_done.set()
            await churn_task
        _report(seed, workers, driver, churn, time.monotonic() - started)
    finally:
        await admin.close()
    assert {r.action for r in churn.measured} == {"sigterm", "sigkill", "start"}
    problems = await _quiet(scaled, workers)
    assert problems == [], "\n".join(problems[:40])
    exits = await scaled.stop_all()
    assert set(exits.values()) == {0}, f"a replica did not drain cleanly on SIGTERM: {exits}"


async def _start_replicas(system: ScaledSystem, admin: AIOKafkaAdminClient) -> None:
    """Three of each, a few at a time (12 processes importing at once starve 2 cores), then
    until every group is stable with three members holding all 12 partitions."""
    gate = asyncio.Semaphore(4)

    async def one(service: str) -> None:
        async with gate:
            await system.add(service)

    began = asyncio.get_running_loop().time()
    await asyncio.gather(*(one(s) for s in SERVICES for _ in range(REPLICAS)))
    print(f"scale: {REPLICAS} replicas of each service ready in {_since(began)}", flush=True)
    for service in SERVICES:
        at = asyncio.get_running_loop().time()
        prefix = system.namespace.prefix
        await groups.watch(admin, service, prefix, [], (REPLICAS, PARTITIONS), at, 300.0)
        print(f"scale: {service}'s groups stable, {PARTITIONS} partitions assigned", flush=True)


def _since(began: float) -> str:
    return f"{asyncio.get_running_loop().time() - began:.0f}s"


async def _drive(driver: Driver, workers: list[Worker]) -> None:
    gate = asyncio.Semaphore(IN_FLIGHT)

    async def one(worker: Worker) -> None:
        async with gate:
            await driver.run(worker)

    await asyncio.gather(*(one(w) for w in workers))


async def _quiet(system: ScaledSystem, workers: list[Worker]) -> list[str]:
    ns = system.namespace

    async def settled() -> list[str]:
        return (
            await checks.outbox_problems(ns)
            + await checks.lag_problems(ns)
            + await checks.sms_problems(system, workers)
            + await checks.report_problems(system)
        )

    problems = await checks.until_quiet(settled, QUIET_TIMEOUT, "settling")
    events = await checks.topic_events(ns)
    return (
        problems
        + await checks.inbox_problems(ns, events)
        + await checks.stage_problems(system, workers)
        + await checks.disbursement_problems(ns, workers)
    )


def _report(
    seed: int, workers: list[Worker], driver: Driver, churn: Churn, load_seconds: float
) -> None:
    paths = {p: sum(w.path == p for w in workers) for p in ("rejected", "no_loan", "loan")}
    print(
        f"scale: seed {seed}; {len(workers)} workers {paths}; load {load_seconds:.0f}s;"
        f" changes {dict(churn.changes)}; HTTP calls {dict(driver.calls)},"
        f" retried {dict(driver.retried)}; load average {os.getloadavg()[0]:.1f}"
    )
    for action in ("sigterm", "sigkill", "start"):
        done = [r for r in churn.measured if r.action == action]
        if done:
            settled = [r.settled for r in done]
            rebalance = [r.rebalance for r in done]
            print(
                f"scale: {action}: {len(done)} changes; signal to stable median"
                f" {statistics.median(settled):.1f}s, max {max(settled):.1f}s; noticed to"
                f" stable median {statistics.median(rebalance):.1f}s, max {max(rebalance):.1f}s"
            )
