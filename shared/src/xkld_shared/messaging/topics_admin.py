"""Creating topics explicitly, safe to run any number of times. Auto-creation stays off.

Topics that exist already get the spec's configuration again (their retention above all): an
install made before a setting changed is brought in line by the next provisioning."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import TopicAlreadyExistsError

from xkld_shared.contracts.topics import TopicSpec
from xkld_shared.messaging.kafka_security import kafka_client_options

log = logging.getLogger(__name__)


async def ensure_topics(
    bootstrap: str, specs: Sequence[TopicSpec], *, replication_factor: int = 1
) -> list[str]:
    """Create the topics that are missing and align the others' configuration; return the
    names created."""
    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap, client_id="xkld-topics", **kafka_client_options()
    )
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [s for s in specs if s.name not in existing]
        if missing:
            await _create(admin, missing, replication_factor)
        # All of them, not only those listed: a topic made a moment ago by another process
        # may be missing from the list, and then our create finds it there already.
        await _align(admin, specs, replication_factor)
        return [s.name for s in missing]
    finally:
        await admin.close()


def _with_durability(config: dict[str, str], replication_factor: int) -> dict[str, str]:
    # With acks=all, a write then survives the loss of any one broker (RF 3, min ISR 2).
    if replication_factor >= 3:
        config.setdefault("min.insync.replicas", str(replication_factor - 1))
    return config


async def _align(
    admin: AIOKafkaAdminClient, specs: Sequence[TopicSpec], replication_factor: int
) -> None:
    """Set each existing topic's configuration to its spec (AlterConfigs replaces a topic's
    whole set of overrides, so the full set is sent: the spec's and the durability ones)."""
    resources = [
        ConfigResource(
            ConfigResourceType.TOPIC,
            s.name,
            configs=_with_durability(dict(s.config), replication_factor),
        )
        for s in specs
        if s.config
    ]
    if not resources:
        return
    for response in await admin.alter_configs(resources):
        for error_code, message, _, name in response.resources:  # type: ignore[attr-defined]
            if error_code:  # answered, not raised: a refusal would otherwise pass unseen
                raise RuntimeError(f"topic {name}: configuration refused ({error_code} {message})")


async def _create(
    admin: AIOKafkaAdminClient, specs: Sequence[TopicSpec], replication_factor: int
) -> None:
    topics = [
        NewTopic(
            name=s.name,
            num_partitions=s.partitions,
            replication_factor=replication_factor,
            topic_configs=_with_durability(dict(s.config), replication_factor),
        )
        for s in specs
    ]
    try:
        await admin.create_topics(topics)
    except TopicAlreadyExistsError:
        # Another process created them between our list and create: that is the goal.
        log.info("topics already existed")
