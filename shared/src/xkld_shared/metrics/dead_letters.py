"""Dead letters not yet replayed, per DLQ topic, read from Kafka when Prometheus scrapes.

A DLQ topic only grows (Kafka deletes nothing on read), so "not empty" means: letters past
the replay tool's committed offsets (group `xkld-dlq-replay.<dlq topic>`, see
`messaging/replay_dlq.py`), or past the start of the log where the group has committed nothing
(letters removed by retention are gone either way).
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Sequence

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from prometheus_client import Gauge

from xkld_shared.messaging.replay_dlq import group_of
from xkld_shared.metrics.service import Sampler, ServiceMetrics


class DeadLetterBacklog:
    def __init__(self, metrics: ServiceMetrics, bootstrap: str, topics: Sequence[str]) -> None:
        self._bootstrap = [server.strip() for server in bootstrap.split(",")]
        self._topics = topics
        self._admin: AIOKafkaAdminClient | None = None
        self._offsets: AIOKafkaConsumer | None = None
        self._gauge = Gauge(
            "xkld_dlq_unreplayed_messages",
            "Dead letters not yet replayed, by DLQ topic (sampled).",
            ["topic"],
            registry=metrics.registry,
        )

    def sampler(self) -> Sampler:
        return self._sample

    def closer(self) -> Callable[[], Awaitable[None]]:
        return self.close

    async def _sample(self) -> None:
        try:
            await self._read()
        except BaseException:
            await self.close()  # the next scrape connects afresh (after an outage, say)
            raise

    async def _read(self) -> None:
        admin, offsets = await self._clients()
        for topic in self._topics:
            partitions = await self._partitions(admin, topic)
            if not partitions:
                continue  # no such topic (yet): nothing waits in it
            ends = await offsets.end_offsets(partitions)
            starts = await offsets.beginning_offsets(partitions)
            done = await admin.list_consumer_group_offsets(group_of(topic), partitions=partitions)
            waiting = 0
            for tp in partitions:
                committed = done[tp].offset if tp in done and done[tp].offset >= 0 else 0
                waiting += max(ends[tp] - max(committed, starts[tp]), 0)
            self._gauge.labels(topic).set(waiting)

    async def _partitions(self, admin: AIOKafkaAdminClient, topic: str) -> list[TopicPartition]:
        [described] = await admin.describe_topics([topic])
        if described["error_code"] != 0:
            return []
        return [TopicPartition(topic, p["partition"]) for p in described["partitions"]]

    async def _clients(self) -> tuple[AIOKafkaAdminClient, AIOKafkaConsumer]:
        if self._admin is None:
            admin = AIOKafkaAdminClient(bootstrap_servers=self._bootstrap)
            await admin.start()
            self._admin = admin
        if self._offsets is None:
            offsets = AIOKafkaConsumer(bootstrap_servers=self._bootstrap, enable_auto_commit=False)
            await offsets.start()
            self._offsets = offsets
        return self._admin, self._offsets

    async def close(self) -> None:
        admin, offsets = self._admin, self._offsets
        self._admin = self._offsets = None
        with contextlib.suppress(Exception):
            if admin is not None:
                await admin.close()
        with contextlib.suppress(Exception):
            if offsets is not None:
                await offsets.stop()
