"""Composition root of the notifications service."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import httpx
from fastapi import FastAPI
from xkld_shared.audit_http import audit_router
from xkld_shared.contracts.topics import Stream, Topics
from xkld_shared.crypto import BlindIndex, FieldCipher, parse_keyring
from xkld_shared.db.wakeup import PgWakeup
from xkld_shared.http.app import service_app
from xkld_shared.logging import configure_logging
from xkld_shared.runtime import ServiceRuntime

from xkld_notifications.adapters.esms import EsmsConfig, EsmsProvider
from xkld_notifications.adapters.other_providers import (
    SpeedSmsConfig,
    SpeedSmsProvider,
    WebhookConfig,
    WebhookProvider,
)
from xkld_notifications.adapters.phones import PhoneBlindIndex, SealedPhoneOpener
from xkld_notifications.application.dispatcher import DispatchPolicy, SmsDispatcher
from xkld_notifications.application.events import NotificationEvents
from xkld_notifications.application.notifier import Notifier
from xkld_notifications.application.ports import SmsProvider
from xkld_notifications.application.staff import StaffActions
from xkld_notifications.application.trainee_replies import TraineeReplies
from xkld_notifications.domain.breaker import CircuitBreaker
from xkld_notifications.domain.rules import QuietHours, Rules, load_rules
from xkld_notifications.entrypoints import http, log_redaction, trainee_replies_http
from xkld_notifications.settings import NotificationsSettings

SERVICE = "notifications"
MIGRATIONS = "xkld_notifications:migrations"


def provider_of(settings: NotificationsSettings, client: httpx.AsyncClient) -> SmsProvider:
    s = settings
    if s.sms_provider == "speedsms":
        config = SpeedSmsConfig(
            s.sms_base_url, s.secret("sms_api_key"), s.sms_brandname, 2, s.sms_timeout_seconds
        )
        return SpeedSmsProvider(config, client)
    if s.sms_provider == "webhook":
        hook = WebhookConfig(
            s.sms_base_url, s.secret("sms_api_key"), s.sms_callback_url, s.sms_timeout_seconds
        )
        return WebhookProvider(hook, client)
    esms = EsmsConfig(
        base_url=s.sms_base_url,
        api_key=s.secret("sms_api_key"),
        secret_key=s.secret("sms_secret_key"),
        brandname=s.sms_brandname,
        sandbox=s.sms_sandbox,
        callback_url=s.sms_callback_url,
        callback_token=s.sms_callback_token,
        timeout_seconds=s.sms_timeout_seconds,
    )
    return EsmsProvider(esms, client)


def rules_of(settings: NotificationsSettings) -> Rules:
    rules = load_rules()  # package data; a bad template stops the service at start
    if settings.sms_quiet_hours_enabled:
        return rules
    # An empty window: for test stacks that run at any hour (quiet hours have their own tests).
    return replace(rules, quiet_hours=QuietHours(start=dt.time(0), end=dt.time(0)))


def policy_of(settings: NotificationsSettings, rules: Rules) -> DispatchPolicy:
    return DispatchPolicy(
        quiet_hours=rules.quiet_hours,
        batch_size=settings.sms_batch_size,
        max_attempts=settings.sms_max_attempts,
        retry_base_seconds=settings.sms_retry_base_seconds,
        retry_cap_seconds=settings.sms_retry_cap_seconds,
        poll_seconds=settings.sms_poll_seconds,
        daily_limit=settings.sms_daily_limit,
    )


def create_app(settings: NotificationsSettings | None = None) -> FastAPI:
    settings = settings or NotificationsSettings()
    configure_logging(SERVICE, settings.log_level, settings.log_json)
    log_redaction.install()
    runtime = ServiceRuntime(SERVICE, settings)
    cipher = FieldCipher(
        parse_keyring(settings.pii_keys.get_secret_value()), settings.pii_active_kid
    )
    phones = SealedPhoneOpener(cipher)
    index_key = parse_keyring(f"idx:{settings.blind_index_key.get_secret_value()}")["idx"]
    index = PhoneBlindIndex(BlindIndex(index_key))
    rules = rules_of(settings)
    events = NotificationEvents(Topics(settings.topic_prefix).of(Stream.NOTIFICATION))
    client = httpx.AsyncClient()

    async def start(rt: ServiceRuntime, app: FastAPI) -> None:
        app.state.pool = pool = await rt.open_pool()
        app.state.callback_token = settings.secret("sms_callback_token")
        app.state.inbound_token = settings.secret("sms_inbound_token")
        app.state.rules = rules
        notifier = Notifier(rules, events, phones, index)
        app.state.staff_actions = StaffActions(pool, rules, notifier, events, index, notifier.clock)
        app.state.trainee_replies = TraineeReplies(pool, events, index, notifier.clock)
        for stream in (Stream.REGISTRATION, Stream.LOAN):
            await rt.add_consumer(stream, notifier.handlers(stream))
        rt.new_relay()
        breaker = CircuitBreaker(
            settings.sms_breaker_threshold, settings.sms_breaker_cooldown_seconds
        )
        dispatcher = SmsDispatcher(
            pool,
            provider_of(settings, client),
            phones,
            policy_of(settings, rules),
            PgWakeup(rt.dsn, "sms_message"),
            events,
            breaker=breaker,
        )
        rt.add_worker(dispatcher.run, "sms-dispatcher")
        rt.on_stop(client.aclose)

    routers = [http.router, trainee_replies_http.router, audit_router("notifications")]
    return service_app(runtime, start, routers)
