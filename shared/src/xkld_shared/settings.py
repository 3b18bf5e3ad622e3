"""Settings common to every service, read from XKLD_* environment variables."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from xkld_shared.messaging.kafka_security import KafkaSecurity


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="XKLD_", extra="ignore")

    database_url: SecretStr = Field(description="asyncpg DSN of this service's own database")
    kafka_bootstrap: str = "127.0.0.1:19092"
    # TLS and SASL towards Kafka, read from XKLD_KAFKA_SECURITY_PROTOCOL and friends (see
    # messaging/kafka_security.py); PLAINTEXT unless set.
    kafka_security: KafkaSecurity = Field(default_factory=KafkaSecurity)
    topic_prefix: str = ""
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    # Worker processes on the one port; each runs the whole service (its relay and consumers
    # too: relays take turns per key, consumers share the partitions as replicas would).
    http_workers: int = Field(default=1, ge=1, le=16)
    db_pool_min: int = 1
    db_pool_max: int = 10
    relay_poll_seconds: float = Field(default=1.0, gt=0)
    relay_batch_size: int = Field(default=500, gt=0)
    # How long a woken relay waits for more commits before its pass (see OutboxRelay._linger).
    relay_linger_seconds: float = Field(default=0.05, ge=0, le=1)
    consumer_max_attempts: int = Field(default=5, ge=1)
    consumer_retry_base_seconds: float = Field(default=0.2, ge=0)
    consumer_batch_size: int = Field(default=500, gt=0)
    # How long the broker holds a consumer's fetch when there is nothing new. Records that
    # arrive end the wait at once, so this costs no latency; a shorter wait only adds empty
    # round trips. Kafka's 500 ms default had an idle system (five services) spending 0.15 of
    # a core on them, broker and services together; 2 s cut that by a third. The cost: a batch
    # rewound after a failure is fetched again up to this long after the wait it interrupted.
    consumer_fetch_max_wait_ms: int = Field(default=2000, ge=10, le=30000)
    graceful_timeout_seconds: float = Field(default=15.0, gt=0)
    # Access tokens are verified locally against these public keys (see identity/tokens.py).
    auth_issuer: str = "xkld"
    auth_audience: str = "xkld"
    auth_jwks: str | None = Field(default=None, description="the JWKS itself, as JSON")
    auth_jwks_file: str | None = None
    auth_jwks_url: str | None = Field(default=None, description="e.g. an OIDC provider's jwks_uri")
    log_level: str = "INFO"
    log_json: bool = True
