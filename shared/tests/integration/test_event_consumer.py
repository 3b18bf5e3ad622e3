"""EventConsumer behind a real FastStream subscriber, on real Kafka and PostgreSQL."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager

import asyncpg
from xkld_shared.contracts.envelope import Envelope, EventPayload
from xkld_shared.contracts.topics import Stream
from xkld_shared.db.pool import Conn
from xkld_shared.messaging.consumer import Handler
from xkld_shared.runtime import ServiceRuntime
from xkld_shared.settings import ServiceSettings
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.kafka import eventually, produce_raw, read_all, submitted

SUBMITTED = "RegistrationSubmitted"


async def record_effect(conn: Conn, envelope: Envelope, event: EventPayload) -> None:
    await conn.execute(
        "INSERT INTO effect (event_id, n) VALUES ($1, 1) "
        "ON CONFLICT (event_id) DO UPDATE SET n = effect.n + 1",
        envelope.event_id,
    )


@asynccontextmanager
async def consuming(
    ns: Namespace,
    handlers: Mapping[str, Handler],
    max_attempts: int = 3,
    fetch_max_wait_ms: int = 2000,
) -> AsyncIterator[ServiceRuntime]:
    settings = ServiceSettings(
        database_url=ns.dsn("loans"),
        kafka_bootstrap=ns.infra.kafka_bootstrap,
        topic_prefix=ns.prefix,
        consumer_max_attempts=max_attempts,
        consumer_retry_base_seconds=0.01,
        consumer_fetch_max_wait_ms=fetch_max_wait_ms,
    )
    runtime = ServiceRuntime("t", settings)
    pool = await runtime.open_pool()
    # Not counting duplicates in the effect table would hide a double application.
    await pool.execute("CREATE TABLE IF NOT EXISTS effect (event_id uuid PRIMARY KEY, n int)")
    await runtime.add_consumer(Stream.REGISTRATION, handlers)
    await runtime.start_messaging()
    try:
        yield runtime
    finally:
        await runtime.stop()


async def _effects(ns: Namespace) -> dict[uuid.UUID, int]:
    conn = await asyncpg.connect(ns.dsn("loans"))
    try:
        rows = await conn.fetch("SELECT event_id, n FROM effect")
    finally:
        await conn.close()
    return {r["event_id"]: r["n"] for r in rows}


def _kv(env: Envelope) -> tuple[bytes, bytes]:
    return env.partition_key, env.to_bytes()


async def test_poison_messages_go_to_the_dlq_and_the_next_message_is_processed(
    namespace: Namespace,
) -> None:
    topic = namespace.topics.of(Stream.REGISTRATION)
    good = submitted()
    wrong_schema = json.loads(submitted().to_bytes())
    wrong_schema["payload"]["commune_code"] = "not-a-code"
    key = good.partition_key  # one key, one partition: the poison sits right before the good one
    await produce_raw(
        namespace.infra.kafka_bootstrap,
        topic,
        [(key, b"{not json"), (key, json.dumps(wrong_schema).encode()), (key, good.to_bytes())],
    )
    async with consuming(namespace, {SUBMITTED: record_effect}) as runtime:
        effects = await eventually(lambda: _effects(namespace))
        assert effects == {good.event_id: 1}
        assert runtime.consumers[0].stats.dead_lettered == 2
    dead = await read_all(
        namespace.infra.kafka_bootstrap, namespace.topics.dlq_of(Stream.REGISTRATION), 2
    )
    assert dead[0].value == b"{not json"
    headers = [dict(r.headers) for r in dead]
    assert headers[0]["x-dlq-error-type"] == b"ValidationError"
    assert b"json_invalid" in headers[0]["x-dlq-error"] or b"JSON" in headers[0]["x-dlq-error"]
    assert b"commune_code" in headers[1]["x-dlq-error"]
    assert b"not-a-code" not in headers[1]["x-dlq-error"], "the error must not echo input values"
    assert headers[1]["x-dlq-original-topic"] == topic.encode()


async def test_a_handler_that_keeps_failing_is_dead_lettered_after_bounded_attempts(
    namespace: Namespace,
) -> None:
    calls: list[uuid.UUID] = []

    async def always_fails(conn: Conn, envelope: Envelope, event: EventPayload) -> None:
        calls.append(envelope.event_id)
        if envelope.payload["commune_code"] == "66666":
            raise ValueError("this event cannot be applied")
        await record_effect(conn, envelope, event)

    poison, good = submitted("66666"), submitted("29800")
    key = poison.partition_key
    await produce_raw(
        namespace.infra.kafka_bootstrap,
        namespace.topics.of(Stream.REGISTRATION),
        [(key, poison.to_bytes()), (key, good.to_bytes())],
    )
    async with consuming(namespace, {SUBMITTED: always_fails}, max_attempts=3) as runtime:
        effects = await eventually(lambda: _effects(namespace))
        assert effects == {good.event_id: 1}
        assert runtime.consumers[0].stats.dead_lettered == 1
    assert calls.count(poison.event_id) >= 3
    dead = await read_all(
        namespace.infra.kafka_bootstrap, namespace.topics.dlq_of(Stream.REGISTRATION), 1
    )
    assert dead[0].value == poison.to_bytes()
    assert dict(dead[0].headers)["x-dlq-attempts"] == b"3"


async def test_a_transient_failure_is_retried_and_applied_once(namespace: Namespace) -> None:
    failures = {"left": 2}

    async def flaky(conn: Conn, envelope: Envelope, event: EventPayload) -> None:
        await record_effect(conn, envelope, event)  # rolled back with the failure below
        if failures["left"]:
            failures["left"] -= 1
            raise RuntimeError("deadlock detected, or similar")

    env = submitted()
    await produce_raw(
        namespace.infra.kafka_bootstrap, namespace.topics.of(Stream.REGISTRATION), [_kv(env)]
    )
    async with consuming(namespace, {SUBMITTED: flaky}, max_attempts=5) as runtime:
        assert await eventually(lambda: _effects(namespace)) == {env.event_id: 1}
        assert runtime.consumers[0].stats.dead_lettered == 0


async def test_redelivered_and_duplicated_events_apply_once(namespace: Namespace) -> None:
    first, second = submitted(), submitted()
    topic = namespace.topics.of(Stream.REGISTRATION)
    bootstrap = namespace.infra.kafka_bootstrap
    await produce_raw(bootstrap, topic, [_kv(first), _kv(first), _kv(second)])
    async with consuming(namespace, {SUBMITTED: record_effect}):
        assert await eventually(lambda: _count(namespace, 2))
    # A fresh consumer group member replays from the committed offset; then the same events
    # arrive once more, as after a relay crash.
    await produce_raw(bootstrap, topic, [_kv(second), _kv(first)])
    async with consuming(namespace, {SUBMITTED: record_effect}) as runtime:
        await eventually(lambda: _stat(runtime, "duplicates", 2))
    assert await _effects(namespace) == {first.event_id: 1, second.event_id: 1}


async def test_unknown_event_types_are_skipped_and_counted(namespace: Namespace) -> None:
    env = json.loads(submitted().to_bytes())
    env["event_type"] = "SomethingFromTheFuture"
    known = submitted()
    await produce_raw(
        namespace.infra.kafka_bootstrap,
        namespace.topics.of(Stream.REGISTRATION),
        [(known.partition_key, json.dumps(env).encode()), _kv(known)],
    )
    async with consuming(namespace, {SUBMITTED: record_effect}) as runtime:
        assert await eventually(lambda: _effects(namespace)) == {known.event_id: 1}
        stats = runtime.consumers[0].stats
        assert stats.skipped_by_type == {"SomethingFromTheFuture": 1}
        assert stats.dead_lettered == 0


async def test_an_event_reaching_an_idle_consumer_ends_the_fetch_wait_at_once(
    namespace: Namespace,
) -> None:
    """The broker holds an idle consumer's fetch (2 s by default, settings.py); records that
    arrive must end that wait, or the setting would delay every event. With a 30 s wait,
    the second event is applied long before its fetch would have timed out."""
    first, second = submitted(), submitted()
    topic = namespace.topics.of(Stream.REGISTRATION)
    await produce_raw(namespace.infra.kafka_bootstrap, topic, [_kv(first)])
    async with consuming(namespace, {SUBMITTED: record_effect}, fetch_max_wait_ms=30_000):
        assert await eventually(lambda: _effects(namespace), timeout=60) == {first.event_id: 1}
        await produce_raw(namespace.infra.kafka_bootstrap, topic, [_kv(second)])
        applied = await eventually(lambda: _count(namespace, 2), timeout=20)
    assert applied, "the second event waited for the fetch to time out"


async def _count(ns: Namespace, n: int) -> bool:
    return len(await _effects(ns)) >= n


async def _stat(runtime: ServiceRuntime, name: str, n: int) -> bool:
    return bool(getattr(runtime.consumers[0].stats, name) >= n)


async def test_a_batch_handler_gets_each_fresh_event_once(namespace: Namespace) -> None:
    calls: list[int] = []

    async def count_all(conn: Conn, events: Sequence[tuple[Envelope, EventPayload]]) -> None:
        calls.append(len(events))
        for envelope, event in events:
            await record_effect(conn, envelope, event)

    events = [submitted() for _ in range(30)]
    messages = [_kv(e) for e in events] + [_kv(e) for e in events[:10]]  # 10 duplicates
    await produce_raw(
        namespace.infra.kafka_bootstrap, namespace.topics.of(Stream.REGISTRATION), messages
    )
    settings = ServiceSettings(
        database_url=namespace.dsn("loans"),
        kafka_bootstrap=namespace.infra.kafka_bootstrap,
        topic_prefix=namespace.prefix,
    )
    runtime = ServiceRuntime("t", settings)
    pool = await runtime.open_pool()
    await pool.execute("CREATE TABLE IF NOT EXISTS effect (event_id uuid PRIMARY KEY, n int)")
    await runtime.add_consumer(Stream.REGISTRATION, {}, batch_handlers={SUBMITTED: count_all})
    await runtime.start_messaging()
    try:
        assert await eventually(lambda: _count(namespace, 30))
        await eventually(lambda: _stat(runtime, "duplicates", 10))
    finally:
        await runtime.stop()
    assert await _effects(namespace) == {e.event_id: 1 for e in events}
    assert sum(calls) == 30
    assert len(calls) < 30, "events were not handed over in batches"
