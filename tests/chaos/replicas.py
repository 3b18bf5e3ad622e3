"""Several processes (replicas) of each service in one namespace, as a Deployment scaled out
runs them: every replica serves HTTP, runs its outbox relay and joins its service's consumer
groups. HTTP calls go to a live replica chosen at random, so a replica stopping only costs
the calls in flight at that moment (the driver retries them)."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field

from xkld_shared.testing.processes import ServiceProcess
from xkld_shared.testing.system import System

from .faults import START_TIMEOUT


@dataclass
class ScaledSystem(System):
    env: dict[str, str] = field(default_factory=dict)
    replicas: dict[str, list[ServiceProcess]] = field(default_factory=lambda: defaultdict(list))
    rng: random.Random = field(default_factory=random.Random)

    def live(self, service: str) -> list[ServiceProcess]:
        return [p for p in self.replicas[service] if p.running]

    def url(self, service: str) -> str:
        live = self.live(service) or self.replicas[service]
        return self.rng.choice(live).url

    async def add(self, service: str) -> ServiceProcess:
        """Start one more replica and wait until it is ready (readiness, not a sleep)."""
        proc = self.process(service, **self.env)
        self.replicas[service].append(proc)
        await proc.start(timeout=START_TIMEOUT)
        return proc

    async def stop_all(self) -> dict[str, int]:
        """SIGTERM every replica still running: a clean drain exits 0."""
        codes = {}
        for service, procs in self.replicas.items():
            for i, proc in enumerate(procs):
                if proc.running:
                    codes[f"{service}#{i}"] = await proc.terminate()
        return codes
