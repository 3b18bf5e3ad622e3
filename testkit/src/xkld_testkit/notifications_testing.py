"""Building blocks for the notification tests and benchmark: the real database, the real
fake gateway, and the service's own handlers and dispatcher, with a clock the test controls.
Imported only by tests and bench/, never by the service."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from fastapi import FastAPI
from pydantic import SecretStr
from xkld_notifications.adapters import check_in_replies, trainee_replies
from xkld_notifications.adapters.esms import EsmsConfig, EsmsProvider
from xkld_notifications.adapters.http_post import JsonPoster
from xkld_notifications.adapters.phones import PhoneBlindIndex, SealedPhoneOpener
from xkld_notifications.application.check_in_replies import CheckInReplies
from xkld_notifications.application.dispatcher import DispatchPolicy, SmsDispatcher
from xkld_notifications.application.events import NotificationEvents
from xkld_notifications.application.notifier import Notifier
from xkld_notifications.application.staff import StaffActions
from xkld_notifications.application.trainee_replies import TraineeReplies
from xkld_notifications.bootstrap import sms_stores
from xkld_notifications.domain.breaker import CircuitBreaker
from xkld_notifications.domain.rules import Rules, load_rules
from xkld_notifications.entrypoints import (
    check_in_replies_http,
    http,
    templates_http,
    trainee_replies_http,
)
from xkld_shared.contracts.envelope import Envelope, EventPayload, new_envelope
from xkld_shared.contracts.registration import PHONE_PURPOSE, RegistrationSubmitted
from xkld_shared.contracts.training import TraineeRegistered
from xkld_shared.crypto import BlindIndex, FieldCipher, parse_keyring
from xkld_shared.db.wakeup import PgWakeup
from xkld_shared.http.app import CorrelationMiddleware
from xkld_shared.http.errors import install_error_handlers
from xkld_shared.testing.http import local_client
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.system import random_mobile

TOPIC = "test.xkld.notification"
# A working morning in Vietnam: 09:00 in Asia/Ho_Chi_Minh is 02:00 UTC.
MORNING = dt.datetime(2026, 11, 26, 2, 0, tzinfo=dt.UTC)


@dataclass
class Clock:
    now: dt.datetime = MORNING

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


class WallClock(Clock):
    """The real time, for the benchmark."""

    def __call__(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


def cipher(ns: Namespace) -> FieldCipher:
    return FieldCipher(parse_keyring(ns.pii_keys), "k1")


def phone_index(ns: Namespace) -> PhoneBlindIndex:
    key = parse_keyring(f"idx:{ns.blind_index_key}")["idx"]
    return PhoneBlindIndex(BlindIndex(key))


def random_phone() -> str:
    """National form, as the gateway's admin API is queried; never one given before in this
    process."""
    return random_mobile()


def e164(phone: str) -> str:
    return "+84" + phone[1:]


@dataclass
class Kit:
    pool: asyncpg.Pool
    ns: Namespace
    gateway: str
    clock: Clock = field(default_factory=Clock)
    rules: Rules = field(default_factory=load_rules)

    def __post_init__(self) -> None:
        self.events = NotificationEvents(TOPIC)
        self.notifier = Notifier(
            self.rules,
            sms_stores(),
            self.events,
            SealedPhoneOpener(cipher(self.ns)),
            phone_index(self.ns),
            self.clock,
        )
        self.staff = StaffActions(
            self.pool,
            sms_stores(),
            self.rules,
            self.notifier,
            self.events,
            phone_index(self.ns),
            self.clock,
        )
        self.replies = TraineeReplies(
            self.pool, trainee_replies, self.events, phone_index(self.ns), self.clock
        )
        self.check_ins = CheckInReplies(
            self.pool, check_in_replies, self.events, phone_index(self.ns), self.clock
        )

    async def deliver(self, envelope: Envelope, event: EventPayload) -> None:
        """What the consumer does with one record: the handler inside one transaction."""
        async with self.pool.acquire() as conn, conn.transaction():
            await self.notifier.on_event(conn, envelope, event)

    async def register(
        self,
        phone: str | None = None,
        *,
        consent: bool = True,
        registration_id: uuid.UUID | None = None,
    ) -> tuple[uuid.UUID, str, Envelope]:
        phone = phone or random_phone()
        event = RegistrationSubmitted(
            commune_code="29800",
            province_code="86",
            gender="female",
            birth_year=2001,
            submitted_on=dt.date(2026, 11, 26),
            phone_ciphertext=cipher(self.ns).encrypt(e164(phone), purpose=PHONE_PURPOSE),
            sms_consent=consent,
        )
        registration_id = registration_id or uuid.uuid4()
        envelope = new_envelope(event, registration_id=registration_id, producer="test")
        await self.deliver(envelope, event)
        return envelope.registration_id, phone, envelope

    async def register_trainee(
        self, phone: str | None = None, *, consent: bool = True, commune_code: str = "29800"
    ) -> tuple[uuid.UUID, str]:
        """A rural trainee's intake, as registration publishes it; the trainee's id rides in
        the envelope's `registration_id`."""
        phone = phone or random_phone()
        event = TraineeRegistered(
            commune_code=commune_code,
            province_code="86",
            gender="male",
            birth_year=1998,
            registered_on=dt.date(2026, 11, 26),
            phone_ciphertext=cipher(self.ns).encrypt(e164(phone), purpose=PHONE_PURPOSE),
            sms_consent=consent,
        )
        trainee_id = uuid.uuid4()
        await self.publish(trainee_id, event)
        return trainee_id, phone

    async def publish(self, registration_id: uuid.UUID, event: EventPayload) -> Envelope:
        envelope = new_envelope(event, registration_id=registration_id, producer="test")
        await self.deliver(envelope, event)
        return envelope

    def dispatcher(
        self,
        client: JsonPoster,
        *,
        api_key: str = "test-api-key",
        timeout: float = 2.0,
        breaker: CircuitBreaker | None = None,
        callback_url: str | None = None,
        **policy: Any,
    ) -> SmsDispatcher:
        config = EsmsConfig(
            base_url=self.gateway,
            api_key=SecretStr(api_key),
            secret_key=SecretStr("test-secret-key"),
            brandname="XKLD",
            timeout_seconds=timeout,
            callback_url=callback_url,
            callback_token=SecretStr("test-callback-token") if callback_url else None,
        )
        policy.setdefault("retry_base_seconds", 0.0)
        return SmsDispatcher(
            self.pool,
            sms_stores(),
            EsmsProvider(config, client),
            SealedPhoneOpener(cipher(self.ns)),
            DispatchPolicy(**policy),
            PgWakeup(None, "x"),
            self.events,
            breaker=breaker or CircuitBreaker(threshold=1000),
            clock=self.clock,
            jitter=lambda: 0.0,
        )

    async def messages(self, registration_id: uuid.UUID) -> list[asyncpg.Record]:
        return list(
            await self.pool.fetch(
                """SELECT id, template, status, attempts, last_error, suppressed_reason,
                          next_attempt_at, body, encoding, segments
                   FROM sms_message WHERE registration_id = $1 ORDER BY created_at, id""",
                registration_id,
            )
        )

    async def outbox_types(self, registration_id: uuid.UUID) -> list[str]:
        rows = await self.pool.fetch(
            "SELECT event_type FROM outbox WHERE partition_key = $1 ORDER BY id",
            str(registration_id),
        )
        return [r["event_type"] for r in rows]


async def faults(gateway: str, **config: object) -> None:
    async with local_client() as client:
        (await client.put(f"{gateway}/_admin/faults", json=config)).raise_for_status()


def callback_app(kit: Kit) -> FastAPI:
    """The service's HTTP routes over the kit's pool and clock, for the gateway to call back."""
    app = FastAPI()
    app.include_router(http.router)
    app.include_router(templates_http.router)
    app.include_router(trainee_replies_http.router)
    app.include_router(check_in_replies_http.router)
    app.state.pool = kit.pool
    app.state.staff_actions = kit.staff
    app.state.trainee_replies = kit.replies
    app.state.check_in_replies = kit.check_ins
    app.state.rules = kit.rules
    app.state.callback_token = app.state.inbound_token = SecretStr("test-callback-token")
    install_error_handlers(app)
    app.add_middleware(CorrelationMiddleware)  # as the service's app has: audit rows need it
    return app
