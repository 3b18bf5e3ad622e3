"""Composition root of the notifications service."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from xkld_shared.contracts.registration import (
    RegistrationPersonalDataErased,
    RegistrationSubmitted,
)
from xkld_shared.contracts.topics import Stream
from xkld_shared.crypto import FieldCipher, parse_keyring
from xkld_shared.db.wakeup import PgWakeup
from xkld_shared.http.app import service_app
from xkld_shared.logging import configure_logging
from xkld_shared.runtime import ServiceRuntime

from xkld_notifications.adapters.esms import EsmsConfig, EsmsProvider
from xkld_notifications.adapters.phones import SealedPhoneOpener
from xkld_notifications.application.dispatcher import DispatchPolicy, SmsDispatcher
from xkld_notifications.application.on_registration import (
    on_personal_data_erased,
    on_registration_submitted,
)
from xkld_notifications.entrypoints import http
from xkld_notifications.settings import NotificationsSettings

SERVICE = "notifications"
MIGRATIONS = "xkld_notifications:migrations"


def _esms(settings: NotificationsSettings) -> EsmsConfig:
    return EsmsConfig(
        base_url=settings.sms_base_url,
        api_key=settings.sms_api_key,
        secret_key=settings.sms_secret_key,
        brandname=settings.sms_brandname,
        sandbox=settings.sms_sandbox,
        callback_url=settings.sms_callback_url,
        callback_token=settings.sms_callback_token,
        timeout_seconds=settings.sms_timeout_seconds,
    )


def create_app(settings: NotificationsSettings | None = None) -> FastAPI:
    settings = settings or NotificationsSettings()
    configure_logging(SERVICE, settings.log_level, settings.log_json)
    runtime = ServiceRuntime(SERVICE, settings)
    cipher = FieldCipher(
        parse_keyring(settings.pii_keys.get_secret_value()), settings.pii_active_kid
    )
    client = httpx.AsyncClient()

    async def start(rt: ServiceRuntime, app: FastAPI) -> None:
        app.state.pool = pool = await rt.open_pool()
        app.state.callback_token = settings.sms_callback_token
        await rt.add_consumer(
            Stream.REGISTRATION,
            {
                RegistrationSubmitted.EVENT_TYPE: on_registration_submitted,
                RegistrationPersonalDataErased.EVENT_TYPE: on_personal_data_erased,
            },
        )
        policy = DispatchPolicy(
            max_attempts=settings.sms_max_attempts,
            retry_base_seconds=settings.sms_retry_base_seconds,
            poll_seconds=settings.sms_poll_seconds,
        )
        dispatcher = SmsDispatcher(
            pool,
            EsmsProvider(_esms(settings), client),
            SealedPhoneOpener(cipher),
            policy,
            PgWakeup(rt.dsn, "sms_message"),
        )
        rt.add_worker(dispatcher.run, "sms-dispatcher")
        rt.on_stop(client.aclose)

    return service_app(runtime, start, [http.router])
