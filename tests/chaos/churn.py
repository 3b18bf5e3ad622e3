"""Replicas leaving and joining while the load runs: one change at a time (a replica stopped
with SIGTERM, killed with SIGKILL, or a new one started), each timed until its service's
consumer groups are stable and fully assigned again (groups.py). Seeded like the fault suite."""

from __future__ import annotations

import asyncio
import random
import signal
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiokafka.admin import AIOKafkaAdminClient

from . import groups
from .replicas import ScaledSystem

SERVICES = tuple(groups.GROUPS)
ACTIONS = ("sigterm", "sigkill", "start")
SETTLE_TIMEOUT = 300.0  # bounds a hang; the figure is what was measured


@dataclass(frozen=True)
class ChurnPlan:
    pause: tuple[float, float]  # seconds between one settled change and the next
    min_changes_each: int  # keep changing after the load until every service had this many
    fewest: int = 2  # replicas never fewer (HTTP and every group stay served)
    most: int = 4


@dataclass
class Churn:
    system: ScaledSystem
    admin: AIOKafkaAdminClient
    rng: random.Random
    plan: ChurnPlan
    partitions: int
    changes: Counter[str] = field(default_factory=Counter)
    done: dict[str, set[str]] = field(default_factory=dict)
    measured: list[groups.Rebalance] = field(default_factory=list)
    _t0: float = field(default_factory=time.monotonic)

    def note(self, what: str) -> None:
        print(f"scale: +{time.monotonic() - self._t0:6.1f}s {what}", flush=True)

    async def run(self, load_done: asyncio.Event) -> None:
        while not (load_done.is_set() and self._enough()):
            await asyncio.sleep(self.rng.uniform(*self.plan.pause))
            behind = [s for s in SERVICES if self.changes[s] < self.plan.min_changes_each]
            service = self.rng.choice(behind if load_done.is_set() and behind else SERVICES)
            await self.change(service, self._action(service))

    def _enough(self) -> bool:
        every_kind = {r.action for r in self.measured} == set(ACTIONS)
        return every_kind and all(self.changes[s] >= self.plan.min_changes_each for s in SERVICES)

    def _action(self, service: str) -> str:
        """An action the bounds allow, preferring one no service has had yet, then one this
        service has not had yet: every kind of change is then measured in a short run."""
        live = len(self.system.live(service))
        allowed = [
            a
            for a in ACTIONS
            if (a == "start" and live < self.plan.most)
            or (a != "start" and live > self.plan.fewest)
        ]
        unseen = [a for a in allowed if a not in {r.action for r in self.measured}]
        fresh = [a for a in allowed if a not in self.done.setdefault(service, set())]
        return self.rng.choice(unseen or fresh or allowed)

    async def change(self, service: str, action: str) -> groups.Rebalance:
        live = self.system.live(service)
        members = len(live) + (1 if action == "start" else -1)
        prefix = self.system.namespace.prefix
        before = await groups.views(self.admin, groups.GROUPS[service], prefix)
        signal_at = asyncio.get_running_loop().time()
        act = asyncio.create_task(self._act(service, action))
        seen, settled = await groups.watch(
            self.admin,
            service,
            prefix,
            before,
            (members, self.partitions),
            signal_at,
            SETTLE_TIMEOUT,
        )
        await act
        self.changes[service] += 1
        self.done.setdefault(service, set()).add(action)
        measured = groups.Rebalance(service, action, members, seen, settled)
        self.measured.append(measured)
        self.note(measured.line())
        return measured

    async def _act(self, service: str, action: str) -> None:
        if action == "start":
            await self.system.add(service)
            return
        victim = self.rng.choice(self.system.live(service))
        stop: Callable[[], Awaitable[int]] = (
            victim.terminate if action == "sigterm" else victim.kill
        )
        code = await stop()
        sig = signal.SIGTERM if action == "sigterm" else signal.SIGKILL
        self.note(f"{service}: {sig.name} to a replica, exit {code}")
