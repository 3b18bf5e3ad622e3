"""Figures read at scrape time: the outbox backlog, consumer lag per partition, and the
records consumers skipped by type."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

import asyncpg
from aiokafka import AIOKafkaConsumer
from aiokafka.errors import IllegalStateError
from prometheus_client.metrics_core import CounterMetricFamily, Metric
from prometheus_client.registry import Collector

from xkld_shared.metrics.service import Sampler, ServiceMetrics

_POSITION_TIMEOUT_SECONDS = 1.0


def outbox_sampler(metrics: ServiceMetrics, pool: asyncpg.Pool) -> Sampler:
    """Backlog size and age of the oldest unpublished row (the partial index on unpublished
    rows keeps this cheap while the relay keeps up)."""

    async def sample() -> None:
        row = await pool.fetchrow(
            """SELECT count(*) AS backlog,
                      COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0) AS oldest
               FROM outbox WHERE published_at IS NULL"""
        )
        assert row is not None
        metrics.outbox_backlog.set(row["backlog"])
        metrics.outbox_oldest_age.set(max(float(row["oldest"]), 0.0))

    return sample


# A consumer's name and a way to reach its Kafka client (None while it is not started).
Subscription = tuple[str, Callable[[], AIOKafkaConsumer | None]]


def consumer_lag_sampler(metrics: ServiceMetrics, subscriptions: Sequence[Subscription]) -> Sampler:
    """Per assigned partition: the partition's end (as last seen by the fetcher) minus the
    position the consumer reached. Partitions this process no longer owns disappear."""

    async def sample() -> None:
        lags: dict[tuple[str, str, str], int] = {}
        for name, client_of in subscriptions:
            client = client_of()
            if client is None:
                continue
            for tp in client.assignment():
                end = client.highwater(tp)
                if end is None:  # nothing fetched from it yet
                    continue
                try:
                    position = await asyncio.wait_for(
                        client.position(tp), _POSITION_TIMEOUT_SECONDS
                    )
                except (TimeoutError, IllegalStateError):
                    continue  # being reset or just revoked: read it at the next scrape
                lags[(name, tp.topic, str(tp.partition))] = max(end - position, 0)
        metrics.consumer_lag.clear()
        for labels, lag in lags.items():
            metrics.consumer_lag.labels(*labels).set(lag)

    return sample


class SkippedByType(Collector):
    """Records each consumer skipped because it has no handler for their type, per type (read
    from the consumers' own tallies when scraped)."""

    def __init__(self, tallies: Callable[[], Iterable[tuple[str, Mapping[str, int]]]]) -> None:
        self._tallies = tallies

    def collect(self) -> Iterator[Metric]:
        family = CounterMetricFamily(
            "xkld_consumer_skipped_events",
            "Records skipped by a consumer that has no handler for their event type.",
            labels=["consumer", "event_type"],
        )
        for consumer, by_type in self._tallies():
            for event_type, count in sorted(by_type.items()):
                family.add_metric([consumer, event_type], count)
        yield family
