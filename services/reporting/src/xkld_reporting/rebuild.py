"""Rebuild every projection from the topics, into fresh tables, then swap them in.

    python -m xkld_reporting.rebuild [--fresh] [--batch-size 2000]

Reads each stream's topic from offset 0 (no consumer group: it does not disturb the live one)
into schema `rp_next`, committing the offsets it reached with every batch, so an interrupted
run resumes where it stopped (`--fresh` starts over). At the end it takes the switch lock (live
batches wait), applies what arrived meanwhile, and renames `rp_next` to `rp` in the same
transaction: readers see the old tables until that commit and the new ones after it.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import TopicPartition
from xkld_shared.contracts.topics import Stream, Topics
from xkld_shared.messaging.kafka_security import kafka_client_options

from xkld_reporting.adapters.projection_schema import (
    LIVE,
    NEXT,
    SWITCH_LOCK,
    VERSION,
    projection_ddl,
)
from xkld_reporting.heap import settle_heap
from xkld_reporting.rebuild_batches import Parts, apply_batch
from xkld_reporting.settings import ReportingSettings


@dataclass
class Progress:
    total: int
    done: int = 0
    applied: int = 0
    skipped: int = 0
    started: float = field(default_factory=time.perf_counter)

    def line(self) -> str:
        seconds = max(time.perf_counter() - self.started, 1e-9)
        rate = self.done / seconds
        left = (self.total - self.done) / rate if rate > 0 else float("inf")
        share = 100 * self.done / self.total if self.total else 100.0
        return (
            f"rebuild: {self.done:,}/{self.total:,} events ({share:.0f}%), "
            f"{rate:,.0f} events/s, ~{left:,.0f} s left"
        )

    def add(self, parts: Parts, applied: int, skipped: int) -> None:
        self.done += sum(len(kept) for kept in parts.values())
        self.applied += applied
        self.skipped += skipped

    def result(self, switched: bool) -> RebuildResult:
        seconds = time.perf_counter() - self.started
        return RebuildResult(self.done, self.applied, self.skipped, seconds, switched)


@dataclass(frozen=True)
class RebuildResult:
    events: int
    applied: int
    skipped: int
    seconds: float
    switched: bool


def _remaining(
    partitions: list[TopicPartition],
    positions: dict[TopicPartition, int],
    ends: dict[TopicPartition, int],
) -> int:
    return sum(max(ends[tp] - positions[tp], 0) for tp in partitions)


def _behind(
    partitions: list[TopicPartition],
    positions: dict[TopicPartition, int],
    ends: dict[TopicPartition, int],
) -> bool:
    return any(positions[tp] < ends[tp] for tp in partitions)


class Rebuilder:
    def __init__(self, dsn: str, bootstrap: str, topics: Topics, batch_size: int = 5000) -> None:
        self.dsn, self.bootstrap, self.topics = dsn, bootstrap, topics
        self.batch_size = batch_size
        self.streams = {topics.of(s): s for s in Stream}

    async def run(
        self,
        *,
        fresh: bool = False,
        stop_after: int | None = None,
        report: Callable[[str], None] = print,
    ) -> RebuildResult:
        """Replay, then switch. `stop_after` (events) simulates an interruption in tests."""
        conn = await asyncpg.connect(self.dsn)
        consumer = self._consumer()
        await consumer.start()
        try:
            return await self._rebuild(conn, consumer, fresh, stop_after, report)
        finally:
            await consumer.stop()
            await conn.close()

    def _consumer(self) -> AIOKafkaConsumer:
        return AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap,
            enable_auto_commit=False,
            max_poll_records=self.batch_size,
            auto_offset_reset="earliest",
            **kafka_client_options(),
        )

    async def _rebuild(
        self,
        conn: asyncpg.Connection,
        consumer: AIOKafkaConsumer,
        fresh: bool,
        stop_after: int | None,
        report: Callable[[str], None],
    ) -> RebuildResult:
        await self._prepare(conn, fresh)
        partitions = await self._assign(consumer)
        positions = await self._seek(conn, consumer, partitions)
        ends = await consumer.end_offsets(partitions)
        progress = Progress(_remaining(partitions, positions, ends))
        last_report = 0.0
        while _behind(partitions, positions, ends):
            if stop_after is not None and progress.done >= stop_after:
                return progress.result(switched=False)
            await self._step(conn, consumer, positions, ends, progress)
            if time.perf_counter() - last_report > 1.0:
                report(progress.line())
                last_report = time.perf_counter()
        report(progress.line())
        await self._switch(conn, consumer, partitions, positions, progress)
        report(f"rebuild: switched to the new tables ({progress.applied:,} events applied)")
        return progress.result(switched=True)

    async def _prepare(self, conn: asyncpg.Connection, fresh: bool) -> None:
        if fresh or await _next_version(conn) not in (None, VERSION):
            # An interrupted rebuild of an older layout (before a migration) cannot be resumed:
            # swapped in, it would lack tables the live projection now writes.
            await conn.execute(f"DROP SCHEMA IF EXISTS {NEXT} CASCADE")
        if await conn.fetchval("SELECT to_regnamespace($1)", NEXT) is None:
            async with conn.transaction():
                await conn.execute(projection_ddl(NEXT))

    async def _assign(self, consumer: AIOKafkaConsumer) -> list[TopicPartition]:
        described = await self._describe_topics()
        partitions = sorted(
            TopicPartition(topic["topic"], part["partition"])
            for topic in described
            for part in topic["partitions"]
        )
        consumer.assign(partitions)
        return partitions

    async def _describe_topics(self) -> Any:
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap, **kafka_client_options())
        await admin.start()
        try:
            return await admin.describe_topics(list(self.streams))
        finally:
            await admin.close()

    async def _seek(
        self, conn: asyncpg.Connection, consumer: AIOKafkaConsumer, partitions: list[TopicPartition]
    ) -> dict[TopicPartition, int]:
        stored = await _stored_offsets(conn)
        beginnings = await consumer.beginning_offsets(partitions)
        positions = {}
        for tp in partitions:
            positions[tp] = stored.get((tp.topic, tp.partition), beginnings[tp])
            consumer.seek(tp, positions[tp])
        return positions

    async def _step(
        self,
        conn: asyncpg.Connection,
        consumer: AIOKafkaConsumer,
        positions: dict[TopicPartition, int],
        ends: dict[TopicPartition, int],
        progress: Progress,
        in_transaction: bool = False,
    ) -> None:
        """Fetch once; apply each stream's share in one transaction (or in the caller's)."""
        batches = await consumer.getmany(timeout_ms=500, max_records=self.batch_size)
        for stream, parts in self._by_stream(batches, ends).items():
            applied, skipped = await apply_batch(conn, stream, parts, in_transaction)
            for tp, kept in parts.items():
                positions[tp] = kept[-1].offset + 1
            progress.add(parts, applied, skipped)

    def _by_stream(self, batches: Parts, ends: dict[TopicPartition, int]) -> dict[Stream, Parts]:
        """The fetched records below the end offsets, by stream."""
        by_stream: dict[Stream, Parts] = {}
        for tp, records in batches.items():
            kept = [r for r in records if r.offset < ends[tp]]
            if kept:
                by_stream.setdefault(self.streams[tp.topic], {})[tp] = kept
        return by_stream

    async def _switch(
        self,
        conn: asyncpg.Connection,
        consumer: AIOKafkaConsumer,
        partitions: list[TopicPartition],
        positions: dict[TopicPartition, int],
        progress: Progress,
    ) -> None:
        async with conn.transaction():
            # Live batches hold this lock shared: once we have it, none is half-applied, and
            # whatever they applied is below the end offsets read now.
            await conn.execute("SELECT pg_advisory_xact_lock($1)", SWITCH_LOCK)
            await _check_next_version(conn)
            ends = await consumer.end_offsets(partitions)
            progress.total += _remaining(partitions, positions, ends)
            while _behind(partitions, positions, ends):
                await self._step(conn, consumer, positions, ends, progress, in_transaction=True)
            await _swap_next_in(conn)


async def _check_next_version(conn: asyncpg.Connection) -> None:
    if (version := await _next_version(conn)) != VERSION:
        raise RuntimeError(f"{NEXT} has layout version {version}, not {VERSION}: run with --fresh")


async def _swap_next_in(conn: asyncpg.Connection) -> None:
    await conn.execute(
        f"""ALTER SCHEMA {LIVE} RENAME TO {LIVE}_old;
            ALTER SCHEMA {NEXT} RENAME TO {LIVE};
            DROP SCHEMA {LIVE}_old CASCADE;"""
    )


async def _stored_offsets(conn: asyncpg.Connection) -> dict[tuple[str, int], int]:
    """Where an interrupted rebuild had read up to, by topic and partition."""
    return {
        (r["topic"], r["partition"]): int(r["next_offset"])
        for r in await conn.fetch(f"SELECT * FROM {NEXT}.offsets")
    }


async def _next_version(conn: asyncpg.Connection) -> int | None:
    """The layout version of the rebuild's schema, or None when there is none."""
    if await conn.fetchval("SELECT to_regclass($1)", f"{NEXT}.meta") is None:
        exists = await conn.fetchval("SELECT to_regnamespace($1)", NEXT) is not None
        return 0 if exists else None
    version = await conn.fetchval(f"SELECT max(version) FROM {NEXT}.meta")
    return 0 if version is None else int(version)


def main() -> None:
    args = _arguments()
    rebuilder = _rebuilder(ReportingSettings(), args.batch_size)
    settle_heap()
    result = asyncio.run(rebuilder.run(fresh=args.fresh, report=_to_stderr))
    print(f"rebuilt from {result.events:,} events in {result.seconds:.1f} s")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Rebuild the reporting projections.")
    parser.add_argument("--fresh", action="store_true", help="discard an interrupted rebuild")
    parser.add_argument("--batch-size", type=int, default=5000)
    return parser.parse_args()


def _rebuilder(settings: ReportingSettings, batch_size: int) -> Rebuilder:
    return Rebuilder(
        settings.database_url.get_secret_value(),
        settings.kafka_bootstrap,
        Topics(settings.topic_prefix),
        batch_size,
    )


def _to_stderr(line: str) -> None:
    print(line, file=sys.stderr)


if __name__ == "__main__":
    main()
