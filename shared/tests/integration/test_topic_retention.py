"""Stream topics keep their whole history, on new installs and on old ones: provisioning sets
the retention of topics it creates and brings existing ones in line."""

from __future__ import annotations

import asyncio
import uuid

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from xkld_shared.contracts.topics import Topics
from xkld_shared.messaging.topics_admin import ensure_topics
from xkld_shared.testing.infra import TestInfra


async def _settled(
    admin: AIOKafkaAdminClient, topic: str, wanted: dict[str, str]
) -> dict[str, str]:
    """The topic's retention once it shows `wanted`, or as last seen after about 10 s: a new
    topic and a changed config reach `describe_configs` asynchronously, and on a busy machine
    a topic just created can still answer with no entries at all."""
    found: dict[str, str] = {}
    for _ in range(50):
        found = await _retention(admin, topic)
        if wanted.items() <= found.items():
            return found
        await asyncio.sleep(0.2)
    return found


async def _retention(admin: AIOKafkaAdminClient, topic: str) -> dict[str, str]:
    wanted = ConfigResource(ConfigResourceType.TOPIC, topic, configs=None)
    (response,) = await admin.describe_configs([wanted])
    entries = response.resources[0][4]  # type: ignore[attr-defined]  # (…, name, entries)
    return {e[0]: e[1] for e in entries if e[0] in ("retention.ms", "retention.bytes")}


async def test_a_stream_topic_made_with_a_day_of_retention_keeps_everything_after_provisioning(
    infra: TestInfra,
) -> None:
    topics = Topics(f"t{uuid.uuid4().hex[:10]}_")
    specs = topics.all_specs(1)
    stream = specs[0]
    admin = AIOKafkaAdminClient(bootstrap_servers=infra.kafka_bootstrap)
    await admin.start()
    try:
        old_install = NewTopic(stream.name, 1, 1, topic_configs={"retention.ms": "86400000"})
        await admin.create_topics([old_install])
        a_day = {"retention.ms": "86400000"}
        assert (await _settled(admin, stream.name, a_day)).get("retention.ms") == "86400000"

        created = await ensure_topics(infra.kafka_bootstrap, specs)

        assert stream.name not in created
        assert await _settled(admin, stream.name, {"retention.ms": "-1"}) == {
            "retention.ms": "-1",
            "retention.bytes": "-1",
        }
        for spec in specs[1:]:  # created now: the other streams, and every dead-letter topic
            wanted = dict(spec.config)
            assert wanted.items() <= (await _settled(admin, spec.name, wanted)).items()
    finally:
        await admin.delete_topics([s.name for s in specs])
        await admin.close()
