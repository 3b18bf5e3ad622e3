"""Replaying a dead-letter topic back to the topics its letters came from."""

from __future__ import annotations

from aiokafka import AIOKafkaProducer
from xkld_shared.contracts.topics import Stream
from xkld_shared.messaging.replay_dlq import replay
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.kafka import read_all


async def _dead_letter(ns: Namespace, key: bytes, value: bytes) -> None:
    topic = ns.topics.of(Stream.REGISTRATION)
    producer = AIOKafkaProducer(bootstrap_servers=ns.infra.kafka_bootstrap, acks="all")
    await producer.start()
    try:
        headers = [
            ("x-correlation-id", b"c-1"),
            ("x-dlq-error", b"RuntimeError: the database was down"),
            ("x-dlq-error-type", b"RuntimeError"),
            ("x-dlq-original-topic", topic.encode()),
            ("x-dlq-consumer", b"reporting"),
        ]
        await producer.send_and_wait(topic + ".dlq", value=value, key=key, headers=headers)
    finally:
        await producer.stop()


async def test_dead_letters_go_back_to_their_topic_once_without_their_dlq_headers(
    namespace: Namespace,
) -> None:
    ns, bootstrap = namespace, namespace.infra.kafka_bootstrap
    dlq, topic = ns.topics.dlq_of(Stream.REGISTRATION), ns.topics.of(Stream.REGISTRATION)
    await _dead_letter(ns, b"k1", b'{"event": 1}')
    await _dead_letter(ns, b"k2", b'{"event": 2}')

    listed = await replay(bootstrap, dlq, dry_run=True)
    assert [letter["error_type"] for letter in listed.letters] == ["RuntimeError"] * 2
    assert await read_all(bootstrap, topic, expected=1, timeout=3) == []

    done = await replay(bootstrap, dlq)
    assert done.replayed == {topic: 2}
    copies = await read_all(bootstrap, topic, expected=2)
    assert sorted((r.key, r.value) for r in copies) == [
        (b"k1", b'{"event": 1}'),
        (b"k2", b'{"event": 2}'),
    ]
    for copy in copies:
        assert dict(copy.headers) == {"x-correlation-id": b"c-1"}

    again = await replay(bootstrap, dlq)
    assert again.letters == []
    assert not again.replayed
    await _dead_letter(ns, b"k3", b'{"event": 3}')
    assert (await replay(bootstrap, dlq)).replayed == {topic: 1}
