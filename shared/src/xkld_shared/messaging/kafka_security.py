"""Kafka TLS and SASL settings, and their mapping to FastStream's and aiokafka's options.

The default is PLAINTEXT with nothing else set, so a developer's machine and the test suite
change nothing. A cluster (Strimzi's TLS listener with SCRAM users, or a managed Kafka) sets
XKLD_KAFKA_SECURITY_PROTOCOL and the fields that protocol needs. A half-configured set (a
password without a protocol that uses it, SASL without a mechanism, ...) is refused at start-up
with a message naming the variables. Quietly ignoring the stray setting would instead fail much
later, as a connection error far from its cause, or send data in the clear.
"""

from __future__ import annotations

import ssl
from enum import StrEnum
from typing import Any

from faststream.kafka.security import parse_security
from faststream.security import (
    BaseSecurity,
    SASLPlaintext,
    SASLScram256,
    SASLScram512,
)
from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class SecurityProtocol(StrEnum):
    PLAINTEXT = "PLAINTEXT"
    SSL = "SSL"
    SASL_PLAINTEXT = "SASL_PLAINTEXT"
    SASL_SSL = "SASL_SSL"


class SaslMechanism(StrEnum):
    SCRAM_SHA_512 = "SCRAM-SHA-512"
    SCRAM_SHA_256 = "SCRAM-SHA-256"
    PLAIN = "PLAIN"


_SASL_CLASSES: dict[SaslMechanism, type[SASLPlaintext | SASLScram256 | SASLScram512]] = {
    SaslMechanism.SCRAM_SHA_512: SASLScram512,
    SaslMechanism.SCRAM_SHA_256: SASLScram256,
    SaslMechanism.PLAIN: SASLPlaintext,
}


class KafkaSecurity(BaseSettings):
    """XKLD_KAFKA_SECURITY_PROTOCOL, XKLD_KAFKA_SASL_{MECHANISM,USERNAME,PASSWORD},
    XKLD_KAFKA_CA_FILE."""

    model_config = SettingsConfigDict(env_prefix="XKLD_KAFKA_", extra="ignore")

    security_protocol: SecurityProtocol = SecurityProtocol.PLAINTEXT
    sasl_mechanism: SaslMechanism | None = None
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    # PEM bundle of the CA that signed the brokers' certificates (Strimzi: the cluster CA);
    # without it, TLS trusts the system's CAs.
    ca_file: str | None = None

    @property
    def uses_sasl(self) -> bool:
        return self.security_protocol.startswith("SASL_")

    @property
    def uses_tls(self) -> bool:
        return self.security_protocol.endswith("SSL")

    @model_validator(mode="after")
    def _complete(self) -> KafkaSecurity:
        problems = _problems(self)
        if problems:
            raise ValueError(
                "Kafka security settings are incomplete or contradictory: " + "; ".join(problems)
            )
        return self

    def faststream_security(self) -> BaseSecurity | None:
        """The object FastStream's KafkaBroker takes as `security=` (None for PLAINTEXT)."""
        if self.security_protocol is SecurityProtocol.PLAINTEXT:
            return None
        context = self._ssl_context()
        if not self.uses_sasl:
            return BaseSecurity(ssl_context=context, use_ssl=True)
        # All three are present: the validator refused the settings otherwise.
        assert self.sasl_mechanism is not None
        assert self.sasl_username is not None
        assert self.sasl_password is not None
        return _SASL_CLASSES[self.sasl_mechanism](
            self.sasl_username,
            self.sasl_password.get_secret_value(),
            ssl_context=context,
            use_ssl=self.uses_tls,
        )

    def client_options(self) -> dict[str, Any]:
        """Keyword arguments for a raw aiokafka producer, consumer or admin client."""
        return parse_security(self.faststream_security())

    def _ssl_context(self) -> ssl.SSLContext | None:
        if not self.uses_tls:
            return None
        # Hostname checking stays on: Strimzi's broker certificates name the bootstrap service.
        return ssl.create_default_context(cafile=self.ca_file)


def _problems(s: KafkaSecurity) -> list[str]:
    problems: list[str] = []
    protocol = s.security_protocol.value
    sasl_fields = {
        "XKLD_KAFKA_SASL_MECHANISM": s.sasl_mechanism,
        "XKLD_KAFKA_SASL_USERNAME": s.sasl_username,
        "XKLD_KAFKA_SASL_PASSWORD": s.sasl_password,
    }
    if s.uses_sasl:
        missing = [name for name, value in sasl_fields.items() if not value]
        if missing:
            problems.append(f"{protocol} needs {', '.join(missing)}")
    else:
        stray = [name for name, value in sasl_fields.items() if value]
        if stray:
            problems.append(
                f"{', '.join(stray)} set but XKLD_KAFKA_SECURITY_PROTOCOL is {protocol}"
                " (use SASL_SSL or SASL_PLAINTEXT)"
            )
    if s.ca_file and not s.uses_tls:
        problems.append(
            f"XKLD_KAFKA_CA_FILE set but XKLD_KAFKA_SECURITY_PROTOCOL is {protocol}"
            " (use SSL or SASL_SSL)"
        )
    return problems


def kafka_client_options(security: KafkaSecurity | None = None) -> dict[str, Any]:
    """Options for a raw aiokafka client; tools without a settings object read the environment."""
    return (security if security is not None else KafkaSecurity()).client_options()
