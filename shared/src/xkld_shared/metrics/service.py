"""The metrics of one service process, in a registry of its own.

A registry per process (not prometheus_client's global one): tests build several services'
apps in one interpreter, and each must show only its own figures.

Most figures are counted where they happen. Those that are a state rather than a flow (the
outbox backlog, consumer lag, projection lag, overdue loans) are sampled when Prometheus
scrapes: each sampler reads its source and sets its gauges just before the text is rendered.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import asyncpg
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

log = logging.getLogger(__name__)

Sampler = Callable[[], Awaitable[None]]
# Called with the envelope (parsed JSON) of each published event of the types it is set for.
EventHook = Callable[[Mapping[str, Any]], None]

_SAMPLE_TIMEOUT_SECONDS = 3.0
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class ServiceMetrics:
    def __init__(self, service: str) -> None:
        self.service = service
        self.registry = registry = CollectorRegistry()
        self.http_requests = Counter(
            "xkld_http_requests_total",
            "HTTP requests answered, by method, route template and status code.",
            ["method", "route", "status"],
            registry=registry,
        )
        self.http_duration = Histogram(
            "xkld_http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route template.",
            ["method", "route"],
            buckets=_LATENCY_BUCKETS,
            registry=registry,
        )
        self.consumer_events = Counter(
            "xkld_consumer_events",
            "Records handled by each consumer, by outcome (applied, duplicates, "
            "skipped_unknown, failed attempts, dead_lettered).",
            ["consumer", "outcome"],
            registry=registry,
        )
        self.consumer_lag = Gauge(
            "xkld_consumer_lag_records",
            "Records on a partition not yet fetched by this process's consumer (sampled).",
            ["consumer", "topic", "partition"],
            registry=registry,
        )
        self.outbox_backlog = Gauge(
            "xkld_outbox_backlog_rows",
            "Outbox rows not yet published to Kafka (sampled).",
            registry=registry,
        )
        self.outbox_oldest_age = Gauge(
            "xkld_outbox_oldest_unpublished_age_seconds",
            "Age of the oldest unpublished outbox row; 0 when none waits (sampled).",
            registry=registry,
        )
        self.relay_publish_duration = Histogram(
            "xkld_relay_publish_duration_seconds",
            "Time for one relay pass to publish its rows and have Kafka acknowledge them.",
            buckets=_LATENCY_BUCKETS,
            registry=registry,
        )
        self.relay_published = Counter(
            "xkld_relay_published_events",
            "Events the outbox relay published, by topic and event type.",
            ["topic", "event_type"],
            registry=registry,
        )
        self._samplers: list[Sampler] = []
        self._hooks: dict[str, list[EventHook]] = {}

    def add_sampler(self, sampler: Sampler) -> None:
        self._samplers.append(sampler)

    def on_published(self, event_types: Sequence[str], hook: EventHook) -> None:
        """Count something of each event of these types once the relay published it: the
        figure then follows exactly what was committed (rolled-back work is never counted)."""
        for event_type in event_types:
            self._hooks.setdefault(event_type, []).append(hook)

    def count_events(
        self, name: str, documentation: str, label: str, steps: Mapping[str, str]
    ) -> Counter:
        """A counter of published events by a label: `steps` maps an event type to the label's
        value. Every value starts at 0, so a rate can be read before the first event."""
        counter = Counter(name, documentation, [label], registry=self.registry)
        for event_type, value in steps.items():
            self.on_published([event_type], _incrementer(counter.labels(value)))
        return counter

    def consumed(self, consumer: str, outcome: str, count: int) -> None:
        if count:
            self.consumer_events.labels(consumer, outcome).inc(count)

    def published(self, rows: Sequence[asyncpg.Record], seconds: float) -> None:
        """What the relay calls after Kafka acknowledged a pass's rows."""
        self.relay_publish_duration.observe(seconds)
        for row in rows:
            self.relay_published.labels(row["topic"], row["event_type"]).inc()
            for hook in self._hooks.get(row["event_type"], ()):
                try:
                    hook(json.loads(bytes(row["envelope"])))
                except Exception:  # a metric must never stop the relay
                    log.warning("metric hook failed", exc_info=True)

    async def exposition(self) -> bytes:
        """Samples the gauges, then renders the registry in Prometheus' text format."""
        for sampler in self._samplers:
            try:
                await asyncio.wait_for(sampler(), _SAMPLE_TIMEOUT_SECONDS)
            except Exception:  # one unreadable source must not hide every other figure
                log.warning("metrics sampler failed", exc_info=True)
        return generate_latest(self.registry)


def _incrementer(counter: Counter) -> EventHook:
    def increment(_envelope: Mapping[str, Any]) -> None:
        counter.inc()

    return increment
