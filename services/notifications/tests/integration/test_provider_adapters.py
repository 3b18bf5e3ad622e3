"""The SpeedSMS-shaped and webhook adapters against the fake gateway's matching endpoints,
and the choice of adapter by configuration."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from pydantic import SecretStr
from xkld_notifications.adapters.esms import EsmsProvider
from xkld_notifications.adapters.http_post import JsonPoster
from xkld_notifications.adapters.other_providers import (
    SpeedSmsConfig,
    SpeedSmsProvider,
    WebhookConfig,
    WebhookProvider,
)
from xkld_notifications.application.ports import (
    Accepted,
    PermanentFailure,
    SmsProvider,
    TransientFailure,
)
from xkld_notifications.bootstrap import provider_of
from xkld_notifications.settings import NotificationsSettings
from xkld_shared.testing.processes import free_port
from xkld_shared.testing.system import gateway_messages
from xkld_testkit.notifications_testing import e164, faults, random_phone

API_KEY = "test-api-key"


def _speedsms(gateway: str, client: JsonPoster, token: str = API_KEY) -> SmsProvider:
    return SpeedSmsProvider(SpeedSmsConfig(gateway, SecretStr(token), "XKLD"), client)


def _webhook(gateway: str, client: JsonPoster, token: str = API_KEY) -> SmsProvider:
    config = WebhookConfig(f"{gateway}/webhook/sms", SecretStr(token), timeout_seconds=0.5)
    return WebhookProvider(config, client)


MAKERS = {"speedsms": _speedsms, "webhook": _webhook}


@pytest.mark.parametrize("shape", sorted(MAKERS))
async def test_a_send_is_accepted_and_a_repeat_with_the_same_id_is_not_sent_again(
    shape: str, gateway: str
) -> None:
    phone, request_id = random_phone(), str(uuid.uuid4())
    async with JsonPoster() as client:
        provider = MAKERS[shape](gateway, client)
        first = await provider.send(
            request_id=request_id, phone_e164=e164(phone), text="Xin chao", unicode=False
        )
        again = await provider.send(
            request_id=request_id, phone_e164=e164(phone), text="Xin chao", unicode=False
        )
    assert isinstance(first, Accepted)
    assert again == first
    [message] = await gateway_messages(gateway, phone)
    assert message["content"] == "Xin chao"


@pytest.mark.parametrize("shape", sorted(MAKERS))
async def test_a_5xx_is_transient_and_a_refused_token_is_permanent(
    shape: str, gateway: str
) -> None:
    async with JsonPoster() as client:
        await faults(gateway, fail_next=1, fail_status=502)
        busy = await MAKERS[shape](gateway, client).send(
            request_id="r1", phone_e164=e164(random_phone()), text="x", unicode=False
        )
        refused = await MAKERS[shape](gateway, client, "wrong").send(
            request_id="r2", phone_e164=e164(random_phone()), text="x", unicode=False
        )
    assert busy == TransientFailure("http 502")
    assert refused == PermanentFailure("http 401")


async def test_a_webhook_timeout_is_transient(gateway: str) -> None:
    await faults(gateway, timeout_next=1, hang_seconds=3)
    async with JsonPoster() as client:
        outcome = await _webhook(gateway, client).send(
            request_id="r3", phone_e164=e164(random_phone()), text="x", unicode=False
        )
    assert outcome == TransientFailure("timeout")


@pytest.mark.parametrize("shape", sorted(MAKERS))
async def test_a_provider_nobody_listens_for_is_a_transient_transport_failure(shape: str) -> None:
    nobody = f"http://127.0.0.1:{free_port()}"
    async with JsonPoster() as client:
        outcome = await MAKERS[shape](nobody, client).send(
            request_id="r4", phone_e164=e164(random_phone()), text="x", unicode=False
        )
    assert isinstance(outcome, TransientFailure)
    assert outcome.reason.startswith("transport: ")


@pytest.mark.parametrize(
    ("name", "kind"),
    [("esms", EsmsProvider), ("speedsms", SpeedSmsProvider), ("webhook", WebhookProvider)],
)
def test_the_adapter_is_chosen_by_configuration(name: str, kind: type) -> None:
    settings = NotificationsSettings(
        database_url=SecretStr("postgresql://x"),
        pii_keys=SecretStr("k1:x"),
        pii_active_kid="k1",
        blind_index_key=SecretStr("x"),
        sms_provider=name,
        sms_api_key=SecretStr("k"),
        sms_callback_token=SecretStr("t"),
    )
    assert isinstance(provider_of(settings, JsonPoster()), kind)


def test_credentials_can_come_from_a_secrets_file(tmp_path: Path) -> None:
    folder = tmp_path
    (folder / "api_key").write_text("from-a-file\n")
    (folder / "token").write_text("cb-token")
    settings = NotificationsSettings(
        database_url=SecretStr("postgresql://x"),
        pii_keys=SecretStr("k1:x"),
        pii_active_kid="k1",
        blind_index_key=SecretStr("x"),
        sms_api_key_file=folder / "api_key",
        sms_callback_token_file=folder / "token",
    )
    assert settings.secret("sms_api_key").get_secret_value() == "from-a-file"
    assert settings.secret("sms_inbound_token").get_secret_value() == "cb-token"
    assert "from-a-file" not in repr(settings)
