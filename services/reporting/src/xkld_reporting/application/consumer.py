"""The live projection consumer: the shared EventConsumer (decoding, retries, dead letters),
applying each batch in the order the events arrived, under the rebuild's switch lock.

The shared consumer groups a batch by event type; projections here need the order across
types (a registration's submission before its departure), so `_apply` is replaced. The inbox is
the projection schema's own, so that it moves together with the tables on a rebuild swap.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from xkld_shared.contracts.envelope import Envelope, EventPayload
from xkld_shared.contracts.registry import default_registry
from xkld_shared.contracts.topics import Stream, Topics
from xkld_shared.db.pool import Conn
from xkld_shared.messaging.consumer import Decoded, EventConsumer
from xkld_shared.messaging.subscription import subscribe
from xkld_shared.runtime import ServiceRuntime

from xkld_reporting.adapters.projection_schema import LIVE, SWITCH_LOCK
from xkld_reporting.application.projector import EVENT_TYPES, begin_batch, claim, project


async def _never_called(conn: Conn, events: Sequence[tuple[Envelope, EventPayload]]) -> None:
    raise AssertionError("ProjectionConsumer applies batches itself")


class ProjectionConsumer(EventConsumer):
    stream: Stream

    async def _apply(self, batch: Sequence[Decoded]) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            await begin_batch(conn, LIVE, shared_lock=SWITCH_LOCK)
            fresh = await claim(conn, LIVE, [d.envelope.event_id for d in batch])
            events: list[tuple[Envelope, EventPayload]] = []
            taken: set[uuid.UUID] = set()
            for d in batch:
                if d.envelope.event_id in fresh and d.envelope.event_id not in taken:
                    taken.add(d.envelope.event_id)
                    events.append((d.envelope, d.payload))
            await project(conn, LIVE, self.stream, events)
        self.stats.applied += len(events)
        self.stats.duplicates += len(batch) - len(events)


async def add_projection_consumer(runtime: ServiceRuntime, stream: Stream) -> ProjectionConsumer:
    """Like `ServiceRuntime.add_consumer`, with the ordered projection consumer."""
    assert runtime.pool is not None, "open the pool first"
    broker = runtime.broker or runtime.new_broker()
    name = f"{runtime.name}.{stream.value}"
    s = runtime.settings
    consumer = ProjectionConsumer(
        name=name,
        pool=runtime.pool,
        registry=default_registry(),
        handlers={},
        batch_handlers={t: _never_called for t in EVENT_TYPES[stream]},
        dead_letters=await runtime.open_dead_letters(name),
        max_attempts=s.consumer_max_attempts,
        retry_base_seconds=s.consumer_retry_base_seconds,
    )
    consumer.stream = stream
    subscribe(
        broker, Topics(s.topic_prefix).of(stream), consumer, max_records=s.consumer_batch_size
    )
    runtime.consumers.append(consumer)
    return consumer
