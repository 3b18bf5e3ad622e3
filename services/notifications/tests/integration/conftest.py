from __future__ import annotations

import datetime as dt
import functools
import json
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import asyncpg
import pytest
from pydantic import SecretStr
from xkld_notifications.adapters import broadcasts, send_rate
from xkld_notifications.adapters.esms import EsmsConfig, EsmsProvider
from xkld_notifications.adapters.http_post import JsonPoster
from xkld_notifications.adapters.phones import SealedPhoneOpener
from xkld_notifications.adapters.zalo import ZaloConfig, ZnsProvider
from xkld_notifications.application.broadcast_dispatcher import (
    BroadcastDispatcher,
    BroadcastPolicy,
    Channels,
)
from xkld_notifications.application.broadcasts import BroadcastFlow, ChannelCosts, message_id_of
from xkld_notifications.application.dispatcher import DispatchPolicy
from xkld_notifications.domain.breaker import CircuitBreaker
from xkld_shared.contracts.envelope import Envelope, new_envelope
from xkld_shared.contracts.outreach import CampaignBroadcastRequested
from xkld_shared.contracts.registration import PHONE_PURPOSE
from xkld_shared.db.pool import create_pool
from xkld_shared.db.wakeup import PgWakeup
from xkld_shared.testing.http import local_client
from xkld_shared.testing.infra import Namespace
from xkld_testkit.notifications_testing import Kit, cipher, e164, phone_index


@pytest.fixture
def namespace_databases() -> tuple[str, ...]:
    """Only the notifications service's database: these tests reach no other."""
    return ("notifications",)


@pytest.fixture
async def gateway(sms_gateway: str) -> AsyncIterator[str]:
    async with local_client() as client:
        await client.delete(f"{sms_gateway}/_admin/faults")
        yield sms_gateway
        await client.delete(f"{sms_gateway}/_admin/faults")


@pytest.fixture
async def pool(namespace: Namespace) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(namespace.dsn("notifications"), max_size=8)
    yield pool
    await pool.close()


@pytest.fixture
def kit(pool: asyncpg.Pool, namespace: Namespace, gateway: str) -> Kit:
    return Kit(pool, namespace, gateway)


# Campaign broadcasts (issue 16): a campaign's requests as outreach publishes them, and the
# service's own flow and dispatcher over the kit's database, gateway and clock.
BROADCAST_TOPIC = "test.xkld.notification"
BROADCAST_DAY = dt.date(2026, 11, 26)  # MORNING's local day


class Campaign:
    """A campaign's broadcast as outreach publishes it, and the service side that sends it."""

    def __init__(self, kit: Kit, client: JsonPoster, **policy: Any) -> None:
        self.kit = kit
        self.deadline_seconds = 60.0  # for a Zalo delivery callback
        self.id = uuid.uuid4()
        self.broadcast_id = uuid.uuid4()
        opener = SealedPhoneOpener(cipher(kit.ns))
        self.flow = BroadcastFlow(
            BROADCAST_TOPIC,
            broadcasts,
            opener,
            phone_index(kit.ns),
            ChannelCosts(750, 300),
            dt.time(7),
            clock=kit.clock,
        )
        sms = EsmsProvider(
            EsmsConfig(
                base_url=kit.gateway,
                api_key=SecretStr("test-api-key"),
                secret_key=SecretStr("test-secret-key"),
                brandname="XKLD",
                timeout_seconds=2.0,
            ),
            client,
        )
        zalo = ZnsProvider(ZaloConfig(kit.gateway, SecretStr("test-zalo-token"), 2.0), client)
        channels = Channels(sms, zalo, CircuitBreaker(threshold=1000), CircuitBreaker(1000))
        rates = {k: policy.pop(k) for k in ("sms_rate_per_second",) if k in policy}
        self.dispatcher = BroadcastDispatcher(
            kit.pool,
            broadcasts,
            send_rate,
            channels,
            opener,
            self.flow,
            BroadcastPolicy(
                DispatchPolicy(retry_base_seconds=0.0, **policy),
                zalo_callback_timeout_seconds=self.deadline_seconds,
                **rates,
            ),
            PgWakeup(None, "x"),
            clock=kit.clock,
            jitter=lambda: 0.0,
        )

    def request(
        self,
        phone: str,
        *,
        route: str = "zalo_then_sms",
        send_from: dt.date = BROADCAST_DAY,
        recipient_id: uuid.UUID | None = None,
    ) -> tuple[Envelope, CampaignBroadcastRequested]:
        event = CampaignBroadcastRequested(
            campaign_id=self.id,
            broadcast_id=self.broadcast_id,
            recipient_id=recipient_id or uuid.uuid4(),
            commune_code="29800",
            province_code="86",
            phone_ciphertext=cipher(self.kit.ns).encrypt(e164(phone), purpose=PHONE_PURPOSE),
            route=route,
            sms_text="XKLĐ: Chính sách vay vốn đi làm việc ở nước ngoài. Hỏi cán bộ xã.",
            zalo_template_id="231456" if route == "zalo_then_sms" else None,
            zalo_params={"chuong_trinh": "Vay von XKLD"},
            send_from=send_from,
        )
        return new_envelope(event, registration_id=self.id, producer="test"), event

    async def deliver(self, envelope: Envelope, event: CampaignBroadcastRequested) -> None:
        async with self.kit.pool.acquire() as conn, conn.transaction():
            await self.flow.on_requested(conn, envelope, event)

    async def add(self, phone: str, **kw: Any) -> uuid.UUID:
        envelope, event = self.request(phone, **kw)
        await self.deliver(envelope, event)
        return message_id_of(event.broadcast_id, event.recipient_id)

    async def row(self, message_id: uuid.UUID) -> asyncpg.Record:
        row = await self.kit.pool.fetchrow(
            "SELECT * FROM broadcast_message WHERE id = $1", message_id
        )
        assert row is not None
        return row

    async def settled(self) -> list[dict[str, Any]]:
        rows = await self.kit.pool.fetch(
            """SELECT envelope FROM outbox WHERE partition_key = $1 AND topic = $2
               ORDER BY id""",
            str(self.id),
            BROADCAST_TOPIC,
        )
        return [json.loads(r["envelope"])["payload"] for r in rows]


@pytest.fixture
def new_campaign(kit: Kit) -> Callable[..., Campaign]:
    """`new_campaign(client, **policy)`: a fresh campaign and broadcast."""
    return functools.partial(Campaign, kit)
