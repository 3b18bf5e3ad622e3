"""Each provider's adapter as the service's settings configure it."""

from __future__ import annotations

from xkld_notifications.adapters.esms import EsmsConfig, EsmsProvider
from xkld_notifications.adapters.http_post import JsonPoster
from xkld_notifications.adapters.other_providers import (
    SpeedSmsConfig,
    SpeedSmsProvider,
    WebhookConfig,
    WebhookProvider,
)
from xkld_notifications.adapters.zalo import ZaloConfig, ZnsProvider
from xkld_notifications.settings import NotificationsSettings


def speedsms_of(s: NotificationsSettings, client: JsonPoster) -> SpeedSmsProvider:
    config = SpeedSmsConfig(
        s.sms_base_url, s.secret("sms_api_key"), s.sms_brandname, 2, s.sms_timeout_seconds
    )
    return SpeedSmsProvider(config, client)


def webhook_of(s: NotificationsSettings, client: JsonPoster) -> WebhookProvider:
    hook = WebhookConfig(
        s.sms_base_url, s.secret("sms_api_key"), s.sms_callback_url, s.sms_timeout_seconds
    )
    return WebhookProvider(hook, client)


def esms_of(s: NotificationsSettings, client: JsonPoster) -> EsmsProvider:
    return EsmsProvider(_esms_config(s), client)


def _esms_config(s: NotificationsSettings) -> EsmsConfig:
    return EsmsConfig(
        base_url=s.sms_base_url,
        api_key=s.secret("sms_api_key"),
        secret_key=s.secret("sms_secret_key"),
        brandname=s.sms_brandname,
        sandbox=s.sms_sandbox,
        callback_url=s.sms_callback_url,
        callback_token=s.sms_callback_token,
        timeout_seconds=s.sms_timeout_seconds,
    )


def zalo_of(settings: NotificationsSettings, client: JsonPoster) -> ZnsProvider:
    config = ZaloConfig(
        settings.zalo_base_url, settings.secret("zalo_access_token"), settings.sms_timeout_seconds
    )
    return ZnsProvider(config, client)
