"""The live projection consumer: the shared EventConsumer (decoding, retries, dead letters)
with the projection's own applier.

The default applier groups a batch by event type; projections here need the order across types
(a registration's submission before its departure), so each batch is projected in the order it
arrived, under the rebuild's switch lock. The inbox is the projection schema's own, so that it
moves together with the tables on a rebuild swap.
"""

from __future__ import annotations

from collections.abc import Sequence

from xkld_shared.contracts.topics import Stream
from xkld_shared.db.pool import Conn
from xkld_shared.messaging.consumer import Applied, Decoded, EventConsumer
from xkld_shared.runtime import ServiceRuntime

from xkld_reporting.application.ports import LIVE, SWITCH_LOCK
from xkld_reporting.application.projector import EVENT_TYPES, Projector, fresh_events


class ProjectionApplier:
    def __init__(self, stream: Stream, projector: Projector) -> None:
        self._stream = stream
        self._projector = projector

    @property
    def event_types(self) -> frozenset[str]:
        return frozenset(EVENT_TYPES[self._stream])

    async def apply(self, conn: Conn, batch: Sequence[Decoded]) -> Applied:
        await self._projector.begin_batch(conn, LIVE, shared_lock=SWITCH_LOCK)
        fresh = await self._projector.claim(conn, LIVE, [d.envelope.event_id for d in batch])
        events = fresh_events([(d.envelope, d.payload) for d in batch], fresh)
        await self._projector.project(conn, LIVE, self._stream, events)
        return Applied(len(events), len(batch) - len(events))


async def add_projection_consumer(
    runtime: ServiceRuntime, stream: Stream, projector: Projector
) -> EventConsumer:
    """The service's consumer of one stream, applying through the projection."""
    return await runtime.add_consumer(
        stream, applier=lambda _name: ProjectionApplier(stream, projector)
    )
