"""A campaign's SMS (or Zalo-then-SMS) broadcast: the audience, one recipient row and one
`CampaignBroadcastRequested` per person, all in one transaction with the idempotency key and
the audit row. Notifications sends; its `BroadcastRecipientSettled` comes back here."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
from xkld_shared import idempotency
from xkld_shared.audit import ChangeContext
from xkld_shared.contracts.envelope import Envelope, new_envelope
from xkld_shared.contracts.outreach import CampaignBroadcastRequested
from xkld_shared.db.pool import Conn
from xkld_shared.errors import FieldProblem, InvalidInput
from xkld_shared.messaging.outbox import add_to_outbox

from xkld_outreach.application.campaign_scope import writable
from xkld_outreach.application.ports import BroadcastStore, CampaignStore
from xkld_outreach.application.unit_of_work import audited, once
from xkld_outreach.domain.campaign import (
    Audience,
    Candidate,
    Target,
    audience,
    check_broadcastable,
)

PRODUCER = "outreach"


def target_of(row: asyncpg.Record) -> Target:
    return Target(
        frozenset(row["communes"]),
        frozenset(row["priority_groups"]),
        frozenset(row["hamlets"]),
        frozenset(row["age_bands"]),
    )


def candidate_of(r: asyncpg.Record) -> Candidate:
    return Candidate(
        member_id=r["id"],
        commune_code=r["commune_code"],
        hamlet=r["hamlet"],
        age_band=r["age_band"],
        priority_groups=frozenset(r["priority_groups"]),
        contact_consent=r["contact_consent"],
        has_phone=r["phone_sealed"] is not None,
    )


class Broadcasts:
    def __init__(
        self,
        pool: asyncpg.Pool,
        campaigns: CampaignStore,
        broadcasts: BroadcastStore,
        topic: str,
    ) -> None:
        self._pool = pool
        self._campaigns = campaigns
        self._broadcasts = broadcasts
        self._topic = topic

    async def broadcast(
        self,
        campaign_id: uuid.UUID,
        route: str,
        context: ChangeContext,
        keyed: idempotency.Keyed,
    ) -> idempotency.Answer:
        async def work(conn: Conn) -> idempotency.Answer:
            # The campaign's row lock puts two broadcasts of it one after the other, so the
            # second sees every person the first asked for.
            row = writable(
                context.actor, await self._campaigns.campaign(conn, campaign_id, lock=True)
            )
            check_broadcastable(row["status"], row["channels"])
            template = await self._campaigns.template(conn, row["template_code"])
            assert template is not None  # checked when the campaign was made; never deleted
            _check_route(route, template)
            chosen, sealed = await _audience(self._broadcasts, conn, row)
            body = await self._write(conn, row, template, route, chosen, sealed, context)
            return idempotency.Answer(201, body)

        return await once(self._pool, keyed, work)

    async def _write(
        self,
        conn: Conn,
        row: asyncpg.Record,
        template: asyncpg.Record,
        route: str,
        chosen: Audience,
        sealed: dict[uuid.UUID, str],
        context: ChangeContext,
    ) -> dict[str, Any]:
        broadcast_id, campaign_id = uuid.uuid4(), row["id"]
        people = [(uuid.uuid4(), c.member_id, c.commune_code) for c in chosen.recipients]
        body = _answer(broadcast_id, campaign_id, route, template, len(people), chosen)
        await self._broadcasts.insert_broadcast(
            conn, _broadcast_row(body, broadcast_id, campaign_id, context)
        )
        await self._broadcasts.insert_recipients(conn, broadcast_id, campaign_id, people)
        envelopes = _requests(row, template, route, broadcast_id, people, sealed, context)
        await add_to_outbox(conn, self._topic, envelopes)
        await audited(conn, context, "campaign_broadcast.requested", broadcast_id, {}, body)
        return body


async def _audience(
    store: BroadcastStore, conn: Conn, row: asyncpg.Record
) -> tuple[Audience, dict[uuid.UUID, str]]:
    """Who the campaign reaches now, and their sealed phones."""
    rows = await store.candidates(conn, row["communes"])
    already = await store.already_sent(conn, row["id"])
    chosen = audience([candidate_of(r) for r in rows], target_of(row), already)
    return chosen, {r["id"]: r["phone_sealed"] for r in rows}


def _answer(
    broadcast_id: uuid.UUID,
    campaign_id: uuid.UUID,
    route: str,
    template: asyncpg.Record,
    recipients: int,
    chosen: Audience,
) -> dict[str, Any]:
    return {
        "broadcast_id": str(broadcast_id),
        "campaign_id": str(campaign_id),
        "route": route,
        "template_code": template["code"],
        "template_version": template["version"],
        "recipients": recipients,
        # In target and reachable, but asked for by an earlier broadcast: not again.
        "skipped_already_sent": chosen.already_sent,
    }


def _broadcast_row(
    body: dict[str, Any], broadcast_id: uuid.UUID, campaign_id: uuid.UUID, context: ChangeContext
) -> dict[str, Any]:
    return {
        "id": broadcast_id,
        "campaign_id": campaign_id,
        "route": body["route"],
        "template_code": body["template_code"],
        "template_version": body["template_version"],
        "recipients": body["recipients"],
        "already_sent": body["skipped_already_sent"],
        "requested_by": context.actor.username,
    }


def _requests(
    row: asyncpg.Record,
    template: asyncpg.Record,
    route: str,
    broadcast_id: uuid.UUID,
    people: list[tuple[uuid.UUID, uuid.UUID, str]],
    sealed: dict[uuid.UUID, str],
    context: ChangeContext,
) -> list[Envelope]:
    """One request per recipient, keyed by the campaign: its recipients stay in order."""
    return [
        new_envelope(
            _request(row, template, route, broadcast_id, recipient_id, commune, sealed[member_id]),
            registration_id=row["id"],
            producer=PRODUCER,
            correlation_id=context.correlation_id,
        )
        for recipient_id, member_id, commune in people
    ]


def _request(
    row: asyncpg.Record,
    template: asyncpg.Record,
    route: str,
    broadcast_id: uuid.UUID,
    recipient_id: uuid.UUID,
    commune: str,
    phone_ciphertext: str,
) -> CampaignBroadcastRequested:
    return CampaignBroadcastRequested(
        campaign_id=row["id"],
        broadcast_id=broadcast_id,
        recipient_id=recipient_id,
        commune_code=commune,
        province_code=row["province_code"],
        phone_ciphertext=phone_ciphertext,
        route=route,
        sms_text=template["sms_text"],
        zalo_template_id=template["zalo_template_id"],
        zalo_params=template["zalo_params"],
        send_from=row["period_start"],
    )


_NO_ZALO_TEMPLATE = FieldProblem(
    "route",
    "Mẫu tin của chiến dịch chưa có mẫu Zalo: chỉ gửi được SMS",
    "The campaign's template has no Zalo template: only SMS is possible",
)


def _check_route(route: str, template: asyncpg.Record) -> None:
    if route == "zalo_then_sms" and template["zalo_template_id"] is None:
        raise InvalidInput.of([_NO_ZALO_TEMPLATE])
