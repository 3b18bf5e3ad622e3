"""What became of a campaign: each recipient's furthest outcome (from notifications), the list
of outcomes, and the funnel."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
from xkld_shared.audit import ChangeContext
from xkld_shared.contracts.envelope import Envelope
from xkld_shared.contracts.notification import BroadcastRecipientSettled
from xkld_shared.db.pool import Conn
from xkld_shared.identity.principal import Principal

from xkld_outreach.application.campaign_scope import readable
from xkld_outreach.application.ports import BroadcastStore, CampaignStore
from xkld_outreach.application.unit_of_work import audited
from xkld_outreach.domain.campaign import furthest
from xkld_outreach.domain.funnel import Funnel, Person, funnel

NOTIFICATIONS_SERVICE = Principal(
    subject="service:notifications", username="notifications-service", roles=frozenset()
)


async def settle(
    store: BroadcastStore, conn: Conn, envelope: Envelope, s: BroadcastRecipientSettled
) -> bool:
    """In the inbox's transaction. A report that does not move the outcome on (a late `sent`
    after `delivered`, a repeat) changes nothing. Unknown recipients are not ours: ignored."""
    row = await store.recipient_for_update(conn, s.recipient_id)
    if row is None or row["campaign_id"] != s.campaign_id:
        return False
    if not furthest(row["outcome"], s.outcome):
        return False
    await store.settle(conn, s.recipient_id, _settled_values(s))
    await _audit_settled(conn, envelope, s, row["outcome"])
    return True


def _settled_values(s: BroadcastRecipientSettled) -> dict[str, Any]:
    return {
        "outcome": s.outcome,
        "channel": s.channel,
        "fell_back": s.fell_back,
        "reason": s.reason,
        "cost_vnd": s.cost_vnd,
        "settled_at": s.settled_at,
    }


async def _audit_settled(
    conn: Conn, envelope: Envelope, s: BroadcastRecipientSettled, outcome_before: str | None
) -> None:
    context = ChangeContext(NOTIFICATIONS_SERVICE, None, envelope.correlation_id)
    before = {"outcome": outcome_before}
    after = {"outcome": s.outcome, "channel": s.channel, "fell_back": s.fell_back}
    await audited(conn, context, "campaign_recipient.settled", s.recipient_id, before, after)


def recipient_body(r: asyncpg.Record) -> dict[str, Any]:
    """No phone, no name: the respondent's id and what happened."""
    return {
        "recipient_id": str(r["id"]),
        "broadcast_id": str(r["broadcast_id"]),
        "respondent_id": str(r["member_id"]),
        "commune_code": r["commune_code"],
        "outcome": r["outcome"],
        "channel": r["channel"],
        "fell_back": r["fell_back"],
        "reason": r["reason"],
        "cost_vnd": r["cost_vnd"],
        "settled_at": None if r["settled_at"] is None else r["settled_at"].isoformat(),
    }


class Outcomes:
    def __init__(
        self, pool: asyncpg.Pool, campaigns: CampaignStore, broadcasts: BroadcastStore
    ) -> None:
        self._pool = pool
        self._campaigns = campaigns
        self._broadcasts = broadcasts

    async def recipients(self, campaign_id: uuid.UUID, actor: Principal) -> dict[str, Any]:
        async with self._pool.acquire() as conn:
            readable(actor, await self._campaigns.campaign(conn, campaign_id))
            rows = await self._broadcasts.recipients(conn, campaign_id)
            sent = await self._broadcasts.broadcasts(conn, campaign_id)
        return {
            "campaign_id": str(campaign_id),
            "broadcasts": [_broadcast_body(b) for b in sent],
            "by_outcome": _by_outcome(rows),
            "recipients": [recipient_body(r) for r in rows],
        }

    async def funnel(
        self, campaign_id: uuid.UUID, actor: Principal
    ) -> tuple[asyncpg.Record, Funnel]:
        async with self._pool.acquire() as conn:
            row = readable(actor, await self._campaigns.campaign(conn, campaign_id))
            facts = await self._broadcasts.funnel_facts(conn, campaign_id)
            walk_ins = await self._broadcasts.walk_ins(conn, campaign_id)
        return row, funnel([_person(f) for f in facts], walk_ins)


def _broadcast_body(b: asyncpg.Record) -> dict[str, Any]:
    return {
        "broadcast_id": str(b["id"]),
        "route": b["route"],
        "recipients": b["recipients"],
        "skipped_already_sent": b["already_sent"],
        "requested_at": b["requested_at"].isoformat(),
    }


def _by_outcome(rows: list[asyncpg.Record]) -> dict[str, int]:
    by_outcome: dict[str, int] = {}
    for r in rows:
        by_outcome[r["outcome"]] = by_outcome.get(r["outcome"], 0) + 1
    return by_outcome


def _person(f: asyncpg.Record) -> Person:
    return Person(
        priority_groups=frozenset(f["priority_groups"]),
        delivered=bool(f["delivered"]),
        attended=bool(f["attended"]),
        marked_interested=bool(f["marked_interested"]),
        wants_abroad=f["wants_abroad"],
        registered=f["registered"],
        departed=f["departed"],
    )
