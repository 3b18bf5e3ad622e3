"""One fetched batch of a stream's records, applied to the rebuild's schema (`rp_next`) as
the live consumer applies them, with the offsets it reached (see `rebuild`)."""

from __future__ import annotations

import asyncpg
from aiokafka.structs import ConsumerRecord, TopicPartition
from xkld_shared.contracts.envelope import Envelope, EventPayload
from xkld_shared.contracts.registry import default_registry
from xkld_shared.contracts.topics import Stream

from xkld_reporting.adapters.projection_schema import NEXT
from xkld_reporting.application.projector import EVENT_TYPES, fresh_events
from xkld_reporting.bootstrap import projector

Record = ConsumerRecord[bytes, bytes]
Parts = dict[TopicPartition, list[Record]]  # fetched records, by partition
_REGISTRY = default_registry()
_PROJECTOR = projector()


def _decode(record: Record, stream: Stream) -> tuple[Envelope, EventPayload] | None:
    """What the live consumer applies; the rest (unknown types, poison) it skips or
    dead-letters, and so does the rebuild."""
    try:
        envelope = Envelope.from_bytes(record.value or b"")
        if envelope.event_type not in EVENT_TYPES[stream]:
            return None
        return envelope, _REGISTRY.payload_of(envelope)
    except Exception:  # poison: the live consumer dead-lettered it
        return None


async def _apply(conn: asyncpg.Connection, stream: Stream, parts: Parts) -> tuple[int, int]:
    """One stream's records from several partitions, in one go: partitions hold different
    registrations, and each partition's records stay in order."""
    records = [r for part in parts.values() for r in part]
    decoded = [d for d in (_decode(r, stream) for r in records) if d is not None]
    await _PROJECTOR.begin_batch(conn, NEXT)
    fresh_ids = await _PROJECTOR.claim(conn, NEXT, [env.event_id for env, _ in decoded])
    events = fresh_events(decoded, fresh_ids)
    await _PROJECTOR.project(conn, NEXT, stream, events)
    await _save_offsets(conn, parts)
    return len(events), len(records) - len(decoded)


async def _save_offsets(conn: asyncpg.Connection, parts: Parts) -> None:
    await conn.execute(
        f"""INSERT INTO {NEXT}.offsets (topic, partition, next_offset)
            SELECT * FROM unnest($1::text[], $2::int[], $3::bigint[])
            ON CONFLICT (topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset""",
        [tp.topic for tp in parts],
        [tp.partition for tp in parts],
        [part[-1].offset + 1 for part in parts.values()],
    )


async def apply_batch(
    conn: asyncpg.Connection,
    stream: Stream,
    parts: Parts,
    in_transaction: bool,
) -> tuple[int, int]:
    """In the caller's transaction, or in one of its own."""
    if in_transaction:
        return await _apply(conn, stream, parts)
    async with conn.transaction():
        return await _apply(conn, stream, parts)
