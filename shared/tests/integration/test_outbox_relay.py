"""The relay against real PostgreSQL and Kafka."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import defaultdict

import asyncpg
import pytest
from xkld_shared.contracts.envelope import Envelope
from xkld_shared.contracts.topics import Stream
from xkld_shared.db.pool import Conn, create_pool
from xkld_shared.messaging.kafka import make_idempotent_producer
from xkld_shared.messaging.outbox import add_to_outbox
from xkld_shared.messaging.relay import OutboxRelay
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.kafka import read_all, submitted


class SimulatedCrash(Exception):
    pass


class RelayThatDiesBeforeMarking(OutboxRelay):
    """Publishes, then dies before it can mark the rows: the worst moment to crash."""

    async def _mark_published(self, conn: Conn, ids: list[int]) -> None:
        raise SimulatedCrash


def _relay(ns: Namespace, pool: asyncpg.Pool, cls: type[OutboxRelay] = OutboxRelay) -> OutboxRelay:
    bootstrap = ns.infra.kafka_bootstrap
    return cls(pool, lambda: make_idempotent_producer(bootstrap, client_id="t"), batch_size=200)


async def _write(pool: asyncpg.Pool, topic: str, events: list[Envelope]) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await add_to_outbox(conn, topic, events)


async def test_outbox_write_outside_a_transaction_is_refused(namespace: Namespace) -> None:
    pool = await create_pool(namespace.dsn("registration"))
    try:
        async with pool.acquire() as conn:
            with pytest.raises(RuntimeError, match="transaction"):
                await add_to_outbox(conn, "t", [submitted()])
    finally:
        await pool.close()


async def test_relay_publishes_committed_rows_once_and_marks_them(namespace: Namespace) -> None:
    topic = namespace.topics.of(Stream.REGISTRATION)
    pool = await create_pool(namespace.dsn("registration"))
    try:
        events = [submitted() for _ in range(5)]
        await _write(pool, topic, events)
        assert await _relay(namespace, pool).publish_pending() == 5
        assert await _relay(namespace, pool).publish_pending() == 0
        unpublished = await pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")
        assert unpublished == 0
    finally:
        await pool.close()
    records = await read_all(namespace.infra.kafka_bootstrap, topic, expected=5)
    assert sorted(Envelope.from_bytes(r.value or b"").event_id for r in records) == sorted(
        e.event_id for e in events
    )
    assert all(dict(r.headers)["event_type"] == b"RegistrationSubmitted" for r in records)
    assert all(
        r.key == str(Envelope.from_bytes(r.value or b"").registration_id).encode() for r in records
    )


async def test_relay_that_dies_between_publish_and_mark_republishes(namespace: Namespace) -> None:
    topic = namespace.topics.of(Stream.REGISTRATION)
    pool = await create_pool(namespace.dsn("registration"))
    try:
        event = submitted()
        await _write(pool, topic, [event])
        with pytest.raises(SimulatedCrash):
            await _relay(namespace, pool, RelayThatDiesBeforeMarking).publish_pending()
        still_pending = await pool.fetchval(
            "SELECT count(*) FROM outbox WHERE published_at IS NULL"
        )
        assert still_pending == 1, "the crash must leave the row unpublished"
        assert await _relay(namespace, pool).publish_pending() == 1
    finally:
        await pool.close()
    records = await read_all(namespace.infra.kafka_bootstrap, topic, expected=2)
    assert [Envelope.from_bytes(r.value or b"").event_id for r in records] == [event.event_id] * 2


async def test_two_relays_keep_each_keys_order(namespace: Namespace) -> None:
    """Several replicas: every key's events still arrive in the order they were written."""
    topic = namespace.topics.of(Stream.REGISTRATION)
    pool = await create_pool(namespace.dsn("registration"), max_size=6)
    keys = [uuid.uuid4() for _ in range(25)]
    written: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    try:
        for round_ in range(40):
            batch = [submitted(registration_id=k) for k in keys[round_ % 5 :: 2]]
            for e in batch:
                written[e.registration_id].append(e.event_id)
            await _write(pool, topic, batch)
        total = sum(len(v) for v in written.values())
        relays = [_relay(namespace, pool) for _ in range(3)]

        async def drain(relay: OutboxRelay) -> None:
            while await pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL"):
                await relay.publish_pending()

        await asyncio.gather(*(drain(r) for r in relays))
        assert sum(r.published_total for r in relays) == total
        assert sum(1 for r in relays if r.published_total) >= 2, "the relays did not share work"
    finally:
        await pool.close()
    records = await read_all(namespace.infra.kafka_bootstrap, topic, expected=total)
    seen: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for r in records:
        env = json.loads(r.value or b"")
        seen[uuid.UUID(env["registration_id"])].append(uuid.UUID(env["event_id"]))
    assert seen == written


async def test_relay_wakes_on_notify_without_waiting_for_the_poll(namespace: Namespace) -> None:
    topic = namespace.topics.of(Stream.REGISTRATION)
    pool = await create_pool(namespace.dsn("registration"))
    bootstrap = namespace.infra.kafka_bootstrap
    relay = OutboxRelay(
        pool,
        lambda: make_idempotent_producer(bootstrap, client_id="t"),
        listen_dsn=namespace.dsn("registration"),
        poll_seconds=30.0,  # only NOTIFY can make it publish within the test's window
    )
    task = asyncio.create_task(relay.run())
    try:
        await asyncio.sleep(1.0)  # the first pass has run and the relay now sleeps
        await _write(pool, topic, [submitted()])
        for _ in range(50):
            if relay.published_total:
                break
            await asyncio.sleep(0.1)
        assert relay.published_total == 1
    finally:
        relay.stop()
        await task
        await pool.close()


class CountingRelay(OutboxRelay):
    passes_with_rows = 0

    async def publish_pending(self) -> int:
        published = await super().publish_pending()
        self.passes_with_rows += published > 0
        return published


async def test_a_lingering_relay_publishes_a_run_of_commits_in_few_passes(
    namespace: Namespace,
) -> None:
    """Every commit notifies; lingering after the wake-up gathers the run into one pass or two
    instead of one pass per commit."""
    topic = namespace.topics.of(Stream.REGISTRATION)
    pool = await create_pool(namespace.dsn("registration"))
    bootstrap = namespace.infra.kafka_bootstrap
    relay = CountingRelay(
        pool,
        lambda: make_idempotent_producer(bootstrap, client_id="t"),
        listen_dsn=namespace.dsn("registration"),
        poll_seconds=30.0,
        linger_seconds=1.0,
    )
    task = asyncio.create_task(relay.run())
    try:
        await asyncio.sleep(1.0)  # the first (empty) pass has run; the relay sleeps
        for _ in range(10):
            await _write(pool, topic, [submitted()])
            await asyncio.sleep(0.03)
        for _ in range(50):
            if relay.published_total == 10:
                break
            await asyncio.sleep(0.1)
        assert relay.published_total == 10
        assert relay.passes_with_rows <= 2
    finally:
        relay.stop()
        await task
        await pool.close()
