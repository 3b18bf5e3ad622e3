"""A service's Kafka connection with a list of brokers, as `scripts/run --cluster` gives it."""

from __future__ import annotations

from pydantic import SecretStr
from xkld_shared.runtime import ServiceRuntime
from xkld_shared.settings import ServiceSettings
from xkld_shared.testing.infra import TestInfra


async def test_a_comma_separated_bootstrap_list_connects_to_the_brokers_it_names(
    infra: TestInfra,
) -> None:
    # The same broker twice stands for a cluster's three: what matters is that the string is
    # read as a list of host:port, not as one host name with commas in it.
    servers = f"{infra.kafka_bootstrap},{infra.kafka_bootstrap}"
    settings = ServiceSettings(
        database_url=SecretStr("postgresql://unused"), kafka_bootstrap=servers
    )
    broker = ServiceRuntime("bootstrap-check", settings).new_broker()
    await broker.start()
    try:
        assert await broker.ping(timeout=10)
    finally:
        await broker.stop()
