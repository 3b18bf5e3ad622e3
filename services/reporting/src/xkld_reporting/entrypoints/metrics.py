"""Reporting's own figures on the shared `/metrics`: projection lag and events projected per
stream, read from the projection's stream state when Prometheus scrapes."""

from __future__ import annotations

from collections.abc import Iterator

import asyncpg
from prometheus_client import Gauge
from prometheus_client.metrics_core import CounterMetricFamily, Metric
from prometheus_client.registry import Collector
from xkld_shared.metrics import ServiceMetrics

from xkld_reporting.adapters.freshness import freshness


class _ProjectedEvents(Collector):
    """A counter whose value is the projection's own count (kept in its database, so it
    survives restarts and agrees across replicas), not a count kept in this process."""

    def __init__(self) -> None:
        self.events: dict[str, int] = {}

    def collect(self) -> Iterator[Metric]:
        family = CounterMetricFamily(
            "xkld_reporting_projected_events",
            "Events applied to the projection, by stream.",
            labels=["stream"],
        )
        for stream, events in sorted(self.events.items()):
            family.add_metric([stream], events)
        yield family


def add_projection_metrics(metrics: ServiceMetrics, pool: asyncpg.Pool) -> None:
    registry = metrics.registry
    lag = Gauge(
        "xkld_reporting_projection_lag_seconds",
        "Now minus the time of the newest event projected, by stream (NaN before the first).",
        ["stream"],
        registry=registry,
    )
    projected = _ProjectedEvents()
    registry.register(projected)

    async def sample() -> None:
        async with pool.acquire() as conn:
            fresh = await freshness(conn)
        for s in fresh.streams:
            lag.labels(s.stream).set(float("nan") if s.lag_seconds is None else s.lag_seconds)
            projected.events[s.stream] = s.events

    metrics.add_sampler(sample)
