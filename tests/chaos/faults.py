"""Faults injected while the load runs: services killed with SIGKILL and started again,
PostgreSQL stopped with `pg_ctl -m immediate` once, the leader of a busy partition killed on
the three-broker cluster, the SMS gateway answering 503 for a while.
Every fault is drawn from the seeded generator and logged with its time."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass, field

from xkld_shared.contracts.topics import Stream
from xkld_shared.testing.http import local_client
from xkld_shared.testing.system import System

from .infra import OwnInfra

SERVICES = ("registration", "loans", "notifications", "reporting")
START_TIMEOUT = 300.0  # readiness is waited for; the limit only bounds a hang


@dataclass
class FaultPlan:
    kill_every: tuple[float, float]  # seconds between kills, drawn uniformly
    min_kills_each: int  # keep killing after the load until every service had this many
    gateway_down_seconds: float
    postgres_crash_after: float  # seconds into the load
    leader_kill_after: float  # seconds into the load
    broker_down_seconds: float


@dataclass
class Faults:
    system: System
    infra: OwnInfra
    rng: random.Random
    plan: FaultPlan
    kills: Counter[str] = field(default_factory=Counter)
    log: list[str] = field(default_factory=list)
    postgres_crashes: int = 0
    gateway_outages: int = 0
    leader_kills: list[int] = field(default_factory=list)  # node ids
    _t0: float = field(default_factory=time.monotonic)

    def note(self, what: str) -> None:
        line = f"+{time.monotonic() - self._t0:6.1f}s {what}"
        self.log.append(line)
        print(f"chaos: {line}", flush=True)

    async def run(self, load_done: asyncio.Event) -> None:
        await asyncio.gather(
            self._killer(load_done),
            self._postgres(load_done),
            self._gateway(load_done),
            self._leader(load_done),
        )

    async def _killer(self, load_done: asyncio.Event) -> None:
        while not (load_done.is_set() and self._enough_kills()):
            await asyncio.sleep(self.rng.uniform(*self.plan.kill_every))
            behind = [s for s in SERVICES if self.kills[s] < self.plan.min_kills_each]
            service = self.rng.choice(behind if load_done.is_set() and behind else SERVICES)
            await self.kill_and_restart(service)

    def _enough_kills(self) -> bool:
        return all(self.kills[s] >= self.plan.min_kills_each for s in SERVICES)

    async def kill_and_restart(self, service: str) -> None:
        proc = self.system.processes[service]
        await proc.kill()
        self.kills[service] += 1
        self.note(f"SIGKILL {service} (#{self.kills[service]})")
        await asyncio.sleep(self.rng.uniform(0.0, 2.0))
        for attempt in range(1, 6):
            try:
                await proc.start(timeout=START_TIMEOUT)
            except RuntimeError:  # it exited while starting (PostgreSQL was down, say)
                if attempt == 5:
                    raise
                self.note(f"{service} exited while starting (attempt {attempt}); again")
                await asyncio.sleep(2.0)
            else:
                break
        self.note(f"{service} ready again")

    async def _postgres(self, load_done: asyncio.Event) -> None:
        try:
            await asyncio.wait_for(load_done.wait(), self.plan.postgres_crash_after)
            return
        except TimeoutError:
            pass  # the load is still running: now is the moment for the crash
        self.note("PostgreSQL: pg_ctl stop -m immediate")
        await self.infra.crash_postgres()
        self.postgres_crashes += 1
        self.note("PostgreSQL started again (crash recovery done)")

    async def _leader(self, load_done: asyncio.Event) -> None:
        if self.infra.kafka_mode != "cluster":
            return
        try:
            await asyncio.wait_for(load_done.wait(), self.plan.leader_kill_after)
            return
        except TimeoutError:
            pass  # the load is still running: kill the busiest topic's leader now
        topic = self.system.namespace.topics.of(Stream.REGISTRATION)
        node = await self.infra.kill_leader_of(topic, partition=0)
        self.leader_kills.append(node)
        self.note(f"Kafka: SIGKILL broker {node}, leader of {topic}[0]")
        await asyncio.sleep(self.plan.broker_down_seconds)
        await self.infra.start_killed_brokers()
        self.note(f"Kafka: broker {node} started again and ready")

    async def _gateway(self, load_done: asyncio.Event) -> None:
        try:
            await asyncio.wait_for(load_done.wait(), self.rng.uniform(5.0, 20.0))
            return
        except TimeoutError:
            pass  # the load is still running: take the gateway down now
        gateway = self.system.sms_gateway
        async with local_client() as client:
            down = {"error_rate": 1.0, "fail_status": 503}
            (await client.put(f"{gateway}/_admin/faults", json=down)).raise_for_status()
            self.gateway_outages += 1
            self.note(f"SMS gateway down (503) for {self.plan.gateway_down_seconds:.0f}s")
            await asyncio.sleep(self.plan.gateway_down_seconds)
            (await client.delete(f"{gateway}/_admin/faults")).raise_for_status()
            self.note("SMS gateway up")
