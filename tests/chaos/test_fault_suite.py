"""The whole system under faults at once (docs/reliability.md, "Fault suite").

Workers are driven over HTTP through the journey (loans with maker-checker and a retried
disbursement, SMS, departure, check-ins, returns) while services are killed with SIGKILL and
started again, PostgreSQL is stopped with `pg_ctl -m immediate` once, the broker leading a
busy partition of the three-broker Kafka is killed and the SMS gateway answers 503 for a
while. Once quiet: every file in the stage the driver reached, every outbox row published,
every inbox complete, no disbursement doubled, exactly one SMS per (event, template) including
loan and repayment messages, and reporting's counts equal to the source databases'. Then
every consumer group goes back to offset 0: the replay changes nothing.

Seeded: XKLD_CHAOS_SEED=<n> repeats a run's draws (the seed is printed). The short run (about
100 workers) is part of the suite; XKLD_CHAOS_LONG=1 runs 1,000 workers with every service
killed at least 5 times and the gateway down for 60 s."""

from __future__ import annotations

import asyncio
import os
import random
import time

import pytest
from xkld_shared.testing.http import local_client
from xkld_shared.testing.system import System

from . import checks
from .driver import Driver, Worker
from .faults import SERVICES, START_TIMEOUT, FaultPlan, Faults
from .infra import OwnInfra

pytestmark = pytest.mark.chaos

LONG = os.environ.get("XKLD_CHAOS_LONG") == "1"
WORKERS = int(os.environ.get("XKLD_CHAOS_WORKERS") or (1000 if LONG else 100))
IN_FLIGHT = 16 if LONG else 8
PLAN = (
    FaultPlan(
        (6.0, 14.0),
        min_kills_each=5,
        gateway_down_seconds=60,
        postgres_crash_after=120,
        leader_kill_after=60,
        broker_down_seconds=30,
    )
    if LONG
    else FaultPlan(
        (5.0, 10.0),
        min_kills_each=1,
        gateway_down_seconds=15,
        postgres_crash_after=25,
        leader_kill_after=12,
        broker_down_seconds=10,
    )
)
QUIET_TIMEOUT = 1200.0 if LONG else 300.0
# Messages must outlive the gateway's outage: at most 2 s between attempts, and enough of
# them. Loans' daily overdue job is off, so that a replay has nothing else to change.
SERVICE_ENV = {
    "XKLD_SMS_MAX_ATTEMPTS": "1000",
    "XKLD_SMS_RETRY_CAP_SECONDS": "2",
    "XKLD_SMS_BREAKER_COOLDOWN_SECONDS": "2",
    "XKLD_OVERDUE_JOB_ENABLED": "false",
}


def _seed() -> int:
    seed = int(os.environ.get("XKLD_CHAOS_SEED") or random.SystemRandom().randrange(2**31))
    print(f"chaos: seed {seed} (XKLD_CHAOS_SEED={seed} repeats it), {WORKERS} workers")
    return seed


@pytest.mark.timeout(14400 if LONG else 1800)
@pytest.mark.cost(600)
async def test_under_kills_a_database_crash_and_an_sms_outage_nothing_is_lost_or_doubled(
    chaos_system: System, own_infra: OwnInfra
) -> None:
    system = chaos_system
    seed = _seed()
    rng = random.Random(seed)
    await _start(system)
    started = time.monotonic()
    async with local_client(timeout=60) as client:
        driver = Driver(system, random.Random(rng.getrandbits(64)), client)
        await driver.setup()
        workers = driver.plan(WORKERS)
        faults = Faults(system, own_infra, random.Random(rng.getrandbits(64)), PLAN)
        load_done = asyncio.Event()
        fault_task = asyncio.create_task(faults.run(load_done))
        try:
            await _drive(driver, workers)
        finally:
            load_done.set()
        await fault_task
    load_seconds = time.monotonic() - started
    _report(seed, workers, driver, faults, load_seconds)
    problems = await _quiet(system, workers)
    assert problems == [], "\n".join(problems[:40])
    await _replay_changes_nothing(system)


async def _start(system: System) -> None:
    procs = [system.process(service, **SERVICE_ENV) for service in SERVICES]
    await asyncio.gather(*(p.start(timeout=START_TIMEOUT) for p in procs))


async def _drive(driver: Driver, workers: list[Worker]) -> None:
    gate = asyncio.Semaphore(IN_FLIGHT)

    async def one(worker: Worker) -> None:
        async with gate:
            await driver.run(worker)

    await asyncio.gather(*(one(w) for w in workers))


async def _quiet(system: System, workers: list[Worker]) -> list[str]:
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


async def _replay_changes_nothing(system: System) -> None:
    ns = system.namespace
    before = await checks.snapshot(system)
    exits = await system.stop_all()
    reset = await checks.reset_groups_to_zero(ns.infra.kafka_bootstrap, ns.prefix)
    print(f"chaos: replay: services stopped {exits}; groups reset to offset 0: {reset}")
    assert reset, "no consumer group to reset: the replay would prove nothing"
    await _start(system)

    async def caught_up() -> list[str]:
        return await checks.lag_problems(ns) + await checks.outbox_problems(ns)

    assert await checks.until_quiet(caught_up, QUIET_TIMEOUT, "replaying") == []
    await asyncio.sleep(5.0)  # the dispatcher's next passes: a new SMS would show by now
    after = await checks.snapshot(system)
    changed = {k: (before[k], after.get(k)) for k in before if before[k] != after.get(k)}
    assert changed == {}, f"the replay changed {changed}"


def _report(
    seed: int,
    workers: list[Worker],
    driver: Driver,
    faults: Faults,
    load_seconds: float,
) -> None:
    paths = {p: sum(w.path == p for w in workers) for p in ("rejected", "no_loan", "loan")}
    print(
        f"chaos: seed {seed}; {len(workers)} workers {paths}; load {load_seconds:.0f}s;"
        f" kills {dict(faults.kills)}; PostgreSQL crashes {faults.postgres_crashes};"
        f" Kafka leaders killed {faults.leader_kills};"
        f" gateway outages {faults.gateway_outages} x {faults.plan.gateway_down_seconds:.0f}s;"
        f" HTTP calls {dict(driver.calls)}, retried {dict(driver.retried)}"
    )
