"""Composition root of the notifications service."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import asyncpg
from fastapi import APIRouter, FastAPI
from xkld_shared.audit_http import audit_router
from xkld_shared.contracts.outreach import CampaignBroadcastRequested
from xkld_shared.contracts.topics import Stream, Topics
from xkld_shared.crypto import BlindIndex, FieldCipher, parse_keyring
from xkld_shared.db.wakeup import PgWakeup
from xkld_shared.http.app import service_app
from xkld_shared.logging import configure_logging
from xkld_shared.runtime import ServiceRuntime

from xkld_notifications.adapters import (
    awaiting,
    broadcasts,
    check_in_replies,
    contacts,
    send_rate,
    store,
    templates_store,
    trainee_replies,
)
from xkld_notifications.adapters.http_post import JsonPoster
from xkld_notifications.adapters.phones import PhoneBlindIndex, SealedPhoneOpener
from xkld_notifications.application.broadcast_dispatcher import (
    BroadcastDispatcher,
    BroadcastPolicy,
    Channels,
)
from xkld_notifications.application.broadcasts import BroadcastFlow, ChannelCosts
from xkld_notifications.application.check_in_replies import CheckInReplies
from xkld_notifications.application.dispatcher import DispatchPolicy, SmsDispatcher
from xkld_notifications.application.events import NotificationEvents
from xkld_notifications.application.notifier import Clock, Notifier
from xkld_notifications.application.ports import SmsProvider
from xkld_notifications.application.staff import StaffActions
from xkld_notifications.application.storage_ports import SmsStores
from xkld_notifications.application.trainee_replies import TraineeReplies
from xkld_notifications.domain.breaker import CircuitBreaker
from xkld_notifications.domain.rules import QuietHours, Rules, load_rules
from xkld_notifications.entrypoints import (
    broadcasts_http,
    check_in_replies_http,
    http,
    log_redaction,
    manual_http,
    templates_http,
    trainee_replies_http,
)
from xkld_notifications.entrypoints.metrics import add_broadcast_metrics, add_sms_metrics
from xkld_notifications.provider_wiring import esms_of, speedsms_of, webhook_of, zalo_of
from xkld_notifications.settings import NotificationsSettings

SERVICE = "notifications"
MIGRATIONS = "xkld_notifications:migrations"


def provider_of(settings: NotificationsSettings, client: JsonPoster) -> SmsProvider:
    if settings.sms_provider == "speedsms":
        return speedsms_of(settings, client)
    if settings.sms_provider == "webhook":
        return webhook_of(settings, client)
    return esms_of(settings, client)


def sms_stores() -> SmsStores:
    """The SMS path's storage: the adapter modules themselves implement its ports."""
    return SmsStores(store, contacts, awaiting, templates_store, send_rate)


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
        rate_per_second=settings.sms_rate_per_second,
    )


def broadcast_policy_of(
    settings: NotificationsSettings, dispatch: DispatchPolicy
) -> BroadcastPolicy:
    return BroadcastPolicy(
        dispatch=dispatch,
        sms_rate_per_second=settings.sms_rate_per_second,
        zalo_rate_per_second=settings.zalo_rate_per_second,
        zalo_callback_timeout_seconds=settings.zalo_callback_timeout_seconds,
    )


@dataclass(frozen=True)
class _Parts:
    """What the process builds once, before any connection: keys, rules, the event writer,
    the providers' client (whose session opens on the first send, inside the running loop)."""

    settings: NotificationsSettings
    phones: SealedPhoneOpener
    index: PhoneBlindIndex
    rules: Rules
    events: NotificationEvents
    client: JsonPoster


def _parts_of(settings: NotificationsSettings) -> _Parts:
    cipher = FieldCipher(
        parse_keyring(settings.pii_keys.get_secret_value()), settings.pii_active_kid
    )
    index_key = parse_keyring(f"idx:{settings.blind_index_key.get_secret_value()}")["idx"]
    return _Parts(
        settings,
        SealedPhoneOpener(cipher),
        PhoneBlindIndex(BlindIndex(index_key)),
        rules_of(settings),
        NotificationEvents(Topics(settings.topic_prefix).of(Stream.NOTIFICATION)),
        JsonPoster(),
    )


async def _wire_sms(
    rt: ServiceRuntime, app: FastAPI, pool: asyncpg.Pool, p: _Parts
) -> SmsDispatcher:
    """The SMS of the journey: rules on the registration and loan streams, staff actions,
    replies, and the dispatcher that sends them (its provider and breaker serve broadcasts)."""
    stores = sms_stores()
    notifier = _serve_sms(app, pool, p, stores)
    for stream in (Stream.REGISTRATION, Stream.LOAN):
        await rt.add_consumer(stream, notifier.handlers(stream))
    rt.new_relay()
    add_sms_metrics(rt.metrics)
    dispatcher = _sms_dispatcher(rt, pool, p, stores)
    rt.add_worker(dispatcher.run, "sms-dispatcher")
    return dispatcher


def _sms_dispatcher(
    rt: ServiceRuntime, pool: asyncpg.Pool, p: _Parts, stores: SmsStores
) -> SmsDispatcher:
    s = p.settings
    return SmsDispatcher(
        pool,
        stores,
        provider_of(s, p.client),
        p.phones,
        policy_of(s, p.rules),
        PgWakeup(rt.dsn, "sms_message"),
        p.events,
        breaker=CircuitBreaker(s.sms_breaker_threshold, s.sms_breaker_cooldown_seconds),
    )


def _serve_sms(app: FastAPI, pool: asyncpg.Pool, p: _Parts, stores: SmsStores) -> Notifier:
    """What the SMS endpoints find on the app: tokens, rules, staff actions, reply flows."""
    _serve_tokens_and_rules(app, p)
    notifier = Notifier(p.rules, stores, p.events, p.phones, p.index)
    app.state.staff_actions = StaffActions(
        pool, stores, p.rules, notifier, p.events, p.index, notifier.clock
    )
    _serve_reply_flows(app, pool, p, notifier.clock)
    return notifier


def _serve_tokens_and_rules(app: FastAPI, p: _Parts) -> None:
    app.state.callback_token = p.settings.secret("sms_callback_token")
    app.state.inbound_token = p.settings.secret("sms_inbound_token")
    app.state.rules = p.rules


def _serve_reply_flows(app: FastAPI, pool: asyncpg.Pool, p: _Parts, clock: Clock) -> None:
    """Trainees' answers to the journey's SMS and to check-ins, each with its own flow."""
    app.state.trainee_replies = TraineeReplies(pool, trainee_replies, p.events, p.index, clock)
    app.state.check_in_replies = CheckInReplies(pool, check_in_replies, p.events, p.index, clock)


async def _wire_broadcasts(
    rt: ServiceRuntime, app: FastAPI, pool: asyncpg.Pool, p: _Parts, sms: SmsDispatcher
) -> None:
    """Campaign broadcasts from outreach: queued once, sent on Zalo or SMS at set rates. The
    SMS provider and its breaker are the journey's: one provider account, one health."""
    app.state.zalo_callback_token = p.settings.secret("zalo_callback_token")
    app.state.broadcast_flow = flow = _broadcast_flow(p)
    requested = {CampaignBroadcastRequested.EVENT_TYPE: flow.on_requested}
    await rt.add_consumer(Stream.OUTREACH, requested)
    add_broadcast_metrics(rt.metrics)
    broadcaster = _broadcast_dispatcher(rt, pool, p, flow, sms)
    rt.add_worker(broadcaster.run, "broadcast-dispatcher")


def _broadcast_dispatcher(
    rt: ServiceRuntime, pool: asyncpg.Pool, p: _Parts, flow: BroadcastFlow, sms: SmsDispatcher
) -> BroadcastDispatcher:
    s = p.settings
    return BroadcastDispatcher(
        pool,
        broadcasts,
        send_rate,
        _channels(p, sms.provider, sms.breaker),
        p.phones,
        flow,
        broadcast_policy_of(s, policy_of(s, p.rules)),
        PgWakeup(rt.dsn, "broadcast_message"),
    )


def _broadcast_flow(p: _Parts) -> BroadcastFlow:
    s = p.settings
    return BroadcastFlow(
        p.events.topic,
        broadcasts,
        p.phones,
        p.index,
        ChannelCosts(s.sms_cost_vnd_per_segment, s.zalo_cost_vnd_per_message),
        p.rules.quiet_hours.end,
        p.rules.quiet_hours.zone,
    )


def _channels(p: _Parts, sms: SmsProvider, sms_breaker: CircuitBreaker) -> Channels:
    """Zalo gets a breaker of its own; the SMS provider and its breaker are the journey's."""
    s = p.settings
    zalo_breaker = CircuitBreaker(s.sms_breaker_threshold, s.sms_breaker_cooldown_seconds)
    return Channels(sms, zalo_of(s, p.client), sms_breaker, zalo_breaker)


def create_app(settings: NotificationsSettings | None = None) -> FastAPI:
    settings = settings or NotificationsSettings()
    configure_logging(SERVICE, settings.log_level, settings.log_json)
    log_redaction.install()
    runtime = ServiceRuntime(SERVICE, settings)
    parts = _parts_of(settings)

    async def start(rt: ServiceRuntime, app: FastAPI) -> None:
        app.state.pool = pool = await rt.open_pool()
        sms = await _wire_sms(rt, app, pool, parts)
        await _wire_broadcasts(rt, app, pool, parts, sms)
        rt.on_stop(parts.client.aclose)

    return service_app(runtime, start, _routers())


def _routers() -> list[APIRouter]:
    return [
        http.router,
        manual_http.router,
        templates_http.router,
        trainee_replies_http.router,
        audit_router("notifications"),
        check_in_replies_http.router,
        broadcasts_http.router,
    ]
