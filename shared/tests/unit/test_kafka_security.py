"""Kafka TLS/SASL settings: what each combination becomes, and which ones are refused."""

from __future__ import annotations

import functools
import ssl
from pathlib import Path

import pytest
from faststream.security import SASLPlaintext, SASLScram256, SASLScram512
from pydantic import ValidationError
from xkld_shared.messaging.kafka import make_idempotent_producer
from xkld_shared.messaging.kafka_security import KafkaSecurity, kafka_client_options
from xkld_shared.runtime import ServiceRuntime
from xkld_shared.settings import ServiceSettings

_ENV = (
    "XKLD_KAFKA_SECURITY_PROTOCOL",
    "XKLD_KAFKA_SASL_MECHANISM",
    "XKLD_KAFKA_SASL_USERNAME",
    "XKLD_KAFKA_SASL_PASSWORD",
    "XKLD_KAFKA_CA_FILE",
)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def ca_file(tmp_path: Path) -> str:
    # Any valid PEM will do for loading; the system bundle is one whatever the machine.
    path = tmp_path / "ca.pem"
    path.write_text(Path(ssl.get_default_verify_paths().openssl_cafile).read_text())
    return str(path)


def test_nothing_set_means_plaintext_and_no_security_object() -> None:
    security = KafkaSecurity()
    assert security.faststream_security() is None
    # aiokafka's own defaults are PLAINTEXT: nothing is passed, so nothing changes locally.
    assert kafka_client_options(security) == {}


def test_service_settings_read_the_kafka_security_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("XKLD_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("XKLD_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512")
    monkeypatch.setenv("XKLD_KAFKA_SASL_USERNAME", "xkld-loans")
    monkeypatch.setenv("XKLD_KAFKA_SASL_PASSWORD", "s3cret")
    settings = ServiceSettings(database_url="postgresql://x@h/db")
    assert settings.kafka_security.sasl_username == "xkld-loans"
    assert "s3cret" not in repr(settings)


def test_sasl_ssl_with_scram_512_maps_to_faststream_scram_512_over_tls(ca_file: str) -> None:
    security = KafkaSecurity(
        security_protocol="SASL_SSL",
        sasl_mechanism="SCRAM-SHA-512",
        sasl_username="xkld-registration",
        sasl_password="pw",
        ca_file=ca_file,
    )
    fs = security.faststream_security()
    assert isinstance(fs, SASLScram512)
    assert fs.use_ssl is True
    assert isinstance(fs.ssl_context, ssl.SSLContext)
    assert fs.ssl_context.check_hostname is True
    options = security.client_options()
    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert (options["sasl_plain_username"], options["sasl_plain_password"]) == (
        "xkld-registration",
        "pw",
    )


@pytest.mark.parametrize(
    ("mechanism", "expected"),
    [("SCRAM-SHA-256", SASLScram256), ("PLAIN", SASLPlaintext)],
)
def test_each_sasl_mechanism_maps_to_its_faststream_class_without_tls_on_sasl_plaintext(
    mechanism: str, expected: type
) -> None:
    security = KafkaSecurity(
        security_protocol="SASL_PLAINTEXT",
        sasl_mechanism=mechanism,
        sasl_username="u",
        sasl_password="p",
    )
    fs = security.faststream_security()
    assert isinstance(fs, expected)
    assert fs is not None
    assert fs.ssl_context is None
    assert security.client_options()["security_protocol"] == "SASL_PLAINTEXT"
    assert security.client_options()["sasl_mechanism"] == mechanism


def test_ssl_alone_gives_tls_with_the_ca_file_and_no_sasl(ca_file: str) -> None:
    options = KafkaSecurity(security_protocol="SSL", ca_file=ca_file).client_options()
    assert options["security_protocol"] == "SSL"
    assert isinstance(options["ssl_context"], ssl.SSLContext)
    assert "sasl_mechanism" not in options


def test_a_missing_ca_file_is_refused_when_the_context_is_built(tmp_path: Path) -> None:
    security = KafkaSecurity(security_protocol="SSL", ca_file=str(tmp_path / "absent.pem"))
    with pytest.raises(FileNotFoundError):
        security.faststream_security()


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            {"security_protocol": "SASL_SSL", "sasl_mechanism": "SCRAM-SHA-512"},
            "SASL_SSL needs XKLD_KAFKA_SASL_USERNAME, XKLD_KAFKA_SASL_PASSWORD",
        ),
        (
            {"security_protocol": "SASL_PLAINTEXT", "sasl_username": "u", "sasl_password": "p"},
            "SASL_PLAINTEXT needs XKLD_KAFKA_SASL_MECHANISM",
        ),
        (
            {"sasl_username": "u", "sasl_password": "p"},
            "XKLD_KAFKA_SASL_USERNAME, XKLD_KAFKA_SASL_PASSWORD set but"
            " XKLD_KAFKA_SECURITY_PROTOCOL is PLAINTEXT",
        ),
        (
            {"security_protocol": "SSL", "sasl_mechanism": "PLAIN"},
            "XKLD_KAFKA_SASL_MECHANISM set but XKLD_KAFKA_SECURITY_PROTOCOL is SSL",
        ),
        (
            {"security_protocol": "SASL_PLAINTEXT", "ca_file": "/ca.pem"},
            "XKLD_KAFKA_CA_FILE set but XKLD_KAFKA_SECURITY_PROTOCOL is SASL_PLAINTEXT",
        ),
    ],
)
def test_half_configured_settings_are_refused_with_a_message_naming_the_variables(
    settings: dict[str, str], message: str
) -> None:
    with pytest.raises(ValidationError, match="Kafka security settings") as refused:
        KafkaSecurity.model_validate(settings)
    assert message in str(refused.value)


def test_an_unknown_mechanism_is_refused() -> None:
    with pytest.raises(ValidationError, match="sasl_mechanism"):
        KafkaSecurity(security_protocol="SASL_SSL", sasl_mechanism="GSSAPI")


def test_a_half_configured_environment_stops_a_service_from_starting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("XKLD_KAFKA_SASL_PASSWORD", "p")
    with pytest.raises(ValidationError, match="XKLD_KAFKA_SASL_PASSWORD set but"):
        ServiceSettings(database_url="postgresql://x@h/db")


async def test_the_relay_producer_carries_the_sasl_settings_into_aiokafka() -> None:
    security = KafkaSecurity(
        security_protocol="SASL_PLAINTEXT",
        sasl_mechanism="SCRAM-SHA-512",
        sasl_username="xkld-loans",
        sasl_password="pw",
    )
    producer = make_idempotent_producer("broker:9093", client_id="t", security=security)
    client = producer.client
    assert client._security_protocol == "SASL_PLAINTEXT"
    assert client._sasl_mechanism == "SCRAM-SHA-512"
    assert client._sasl_plain_username == "xkld-loans"


def test_the_service_broker_builds_its_consumers_with_the_sasl_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("XKLD_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("XKLD_KAFKA_SASL_MECHANISM", "SCRAM-SHA-256")
    monkeypatch.setenv("XKLD_KAFKA_SASL_USERNAME", "xkld-reporting")
    monkeypatch.setenv("XKLD_KAFKA_SASL_PASSWORD", "pw")
    settings = ServiceSettings(database_url="postgresql://x@h/db")
    broker = ServiceRuntime("reporting", settings).new_broker()
    # FastStream keeps the consumers' constructor as a partial with the connection options.
    builder = broker.config.broker_config.builder
    assert isinstance(builder, functools.partial)
    options = builder.keywords
    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == "SCRAM-SHA-256"
    assert options["sasl_plain_username"] == "xkld-reporting"
    assert isinstance(options["ssl_context"], ssl.SSLContext)
