"""What every service process runs: a pool, a Kafka broker, an outbox relay, consumers, and
background workers, started and stopped in the right order around a FastAPI app.

Shutdown (SIGTERM through uvicorn) drains: consumers stop fetching and finish the batch in hand
(which commits its offsets), the relay finishes its pass, workers finish, then the pool closes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer
from fastapi import FastAPI
from faststream.kafka import KafkaBroker
from faststream.kafka.prometheus import KafkaPrometheusMiddleware

from xkld_shared.contracts.registry import default_registry
from xkld_shared.contracts.topics import Stream, Topics
from xkld_shared.db.pool import create_pool
from xkld_shared.heap import settle_heap
from xkld_shared.identity.jwks import load_verifier
from xkld_shared.messaging.consumer import (
    Applier,
    BatchHandler,
    EventConsumer,
    Handler,
    HandlerApplier,
)
from xkld_shared.messaging.dead_letters import DeadLetters
from xkld_shared.messaging.kafka import make_idempotent_producer
from xkld_shared.messaging.relay import OutboxRelay
from xkld_shared.messaging.subscription import subscribe
from xkld_shared.metrics import ServiceMetrics
from xkld_shared.metrics.dead_letters import DeadLetterBacklog
from xkld_shared.metrics.samplers import (
    SkippedByType,
    Subscription,
    consumer_lag_sampler,
    outbox_sampler,
)
from xkld_shared.settings import ServiceSettings

log = logging.getLogger(__name__)

Worker = Callable[[asyncio.Event], Coroutine[Any, Any, None]]


@dataclass
class ServiceRuntime:
    """Built by a service's composition root; `lifespan` runs it."""

    name: str
    settings: ServiceSettings
    pool: asyncpg.Pool | None = None
    broker: KafkaBroker | None = None
    relay: OutboxRelay | None = None
    consumers: list[EventConsumer] = field(default_factory=list)
    dlq_producer: AIOKafkaProducer | None = None
    metrics: ServiceMetrics = field(init=False)
    _subscriptions: list[Subscription] = field(default_factory=list)
    _dead_letter_topics: list[str] = field(default_factory=list)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.metrics = ServiceMetrics(self.name)
        self.metrics.add_sampler(consumer_lag_sampler(self.metrics, self._subscriptions))
        self.metrics.registry.register(
            SkippedByType(lambda: [(c.name, c.stats.skipped_by_type) for c in self.consumers])
        )

    @property
    def dsn(self) -> str:
        return self.settings.database_url.get_secret_value()

    async def open_pool(self) -> asyncpg.Pool:
        s = self.settings
        self.pool = await create_pool(self.dsn, min_size=s.db_pool_min, max_size=s.db_pool_max)
        return self.pool

    async def open_dead_letters(self, consumer_name: str) -> DeadLetters:
        if self.dlq_producer is None:
            self.dlq_producer = make_idempotent_producer(
                self.settings.kafka_bootstrap,
                client_id=f"{self.name}-dlq",
                security=self.settings.kafka_security,
            )
            await self.dlq_producer.start()
        return DeadLetters(self.dlq_producer, consumer_name)

    def new_broker(self) -> KafkaBroker:
        self.broker = KafkaBroker(
            # FastStream takes one string as one host: a cluster's "a:1,b:2,c:3" must be a list.
            [server.strip() for server in self.settings.kafka_bootstrap.split(",")],
            client_id=self.name,
            allow_auto_create_topics=False,
            graceful_timeout=self.settings.graceful_timeout_seconds,
            logger=logging.getLogger(f"{self.name}.kafka"),
            security=self.settings.kafka_security.faststream_security(),
            # FastStream's own consumer figures (received, processed by status, durations).
            middlewares=[
                KafkaPrometheusMiddleware(registry=self.metrics.registry, app_name=self.name)
            ],
        )
        return self.broker

    def new_relay(self) -> OutboxRelay:
        assert self.pool is not None, "open the pool first"
        s = self.settings
        self.relay = OutboxRelay(
            self.pool,
            lambda: make_idempotent_producer(
                s.kafka_bootstrap, client_id=f"{self.name}-relay", security=s.kafka_security
            ),
            listen_dsn=self.dsn,
            batch_size=s.relay_batch_size,
            poll_seconds=s.relay_poll_seconds,
            linger_seconds=s.relay_linger_seconds,
            observe=self.metrics.published,
        )
        self.metrics.add_sampler(outbox_sampler(self.metrics, self.pool))
        return self.relay

    async def add_consumer(
        self,
        stream: Stream,
        handlers: Mapping[str, Handler] | None = None,
        *,
        batch_handlers: Mapping[str, BatchHandler] | None = None,
        applier: Callable[[str], Applier] | None = None,
        max_records: int | None = None,
    ) -> EventConsumer:
        """Subscribe this service's consumer group to a stream, idempotently, with a DLQ.

        Effects come from `handlers` (and `batch_handlers`), or from an `applier` made for the
        consumer's name, for a consumer that applies its batches its own way.
        """
        assert self.pool is not None, "open the pool first"
        assert (handlers is None) != (applier is None), "give handlers or an applier"
        broker = self.broker or self.new_broker()
        name = f"{self.name}.{stream.value}"
        s = self.settings
        consumer = EventConsumer(
            name=name,
            pool=self.pool,
            registry=default_registry(),
            applier=applier(name)
            if applier is not None
            else HandlerApplier(name, handlers or {}, batch_handlers),
            dead_letters=await self.open_dead_letters(name),
            max_attempts=s.consumer_max_attempts,
            retry_base_seconds=s.consumer_retry_base_seconds,
            count=lambda outcome, n: self.metrics.consumed(name, outcome, n),
        )
        topic = Topics(s.topic_prefix).of(stream)
        batch = max_records or s.consumer_batch_size
        wait = s.consumer_fetch_max_wait_ms
        client = subscribe(broker, topic, consumer, max_records=batch, fetch_max_wait_ms=wait)
        self._subscriptions.append((name, client))
        self._dead_letter_topics.append(Topics(s.topic_prefix).dlq_of(stream))
        self.consumers.append(consumer)
        return consumer

    def on_stop(self, closer: Callable[[], Awaitable[None]]) -> None:
        """Run `closer` at shutdown, after workers have finished and before the pool closes."""
        self._closers.append(closer)

    def add_worker(self, worker: Worker, name: str) -> None:
        self._tasks.append(asyncio.create_task(worker(self._stop), name=name))

    def _watch_dead_letters(self) -> None:
        """Samples the DLQs of the topics this process consumes, once it consumes any."""
        if self._dead_letter_topics:
            bootstrap, topics = self.settings.kafka_bootstrap, self._dead_letter_topics
            backlog = DeadLetterBacklog(self.metrics, bootstrap, topics)
            self.metrics.add_sampler(backlog.sampler())
            self._closers.append(backlog.closer())

    async def start_messaging(self) -> None:
        self._watch_dead_letters()
        if self.relay is not None:
            self._tasks.append(asyncio.create_task(self.relay.run(), name=f"{self.name}-relay"))
        if self.broker is not None:
            await self.broker.start()

    async def stop(self) -> None:
        self._stop.set()
        for consumer in self.consumers:
            consumer.stop()
        if self.broker is not None:
            await self.broker.stop()
        if self.relay is not None:
            self.relay.stop()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=self.settings.graceful_timeout_seconds)
        for task in self._tasks:
            task.cancel()
        for closer in self._closers:
            await closer()
        if self.dlq_producer is not None:
            await self.dlq_producer.stop()
        if self.pool is not None:
            await self.pool.close()

    async def ready(self) -> dict[str, bool]:
        """PostgreSQL always; Kafka only for a process that has a broker."""
        checks = {"postgres": False}
        if self.pool is not None:
            try:
                checks["postgres"] = await self.pool.fetchval("SELECT true", timeout=2) is True
            except (OSError, asyncpg.PostgresError, TimeoutError):
                checks["postgres"] = False
        if self.broker is not None:
            checks["kafka"] = await self.broker.ping(timeout=2.0)
        return checks


Starter = Callable[[ServiceRuntime, FastAPI], Awaitable[None]]


def lifespan_for(
    runtime: ServiceRuntime, start: Starter
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """`start` opens what the service needs and puts its handlers on `app.state`."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.token_verifier = await load_verifier(runtime.settings)
        await start(runtime, app)
        settle_heap()  # what start-up loaded lives as long as the process: never scan it again
        await runtime.start_messaging()
        log.info("service started", extra={"service": runtime.name})
        try:
            yield
        finally:
            log.info("service draining", extra={"service": runtime.name})
            await runtime.stop()

    return lifespan
