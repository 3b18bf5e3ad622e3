"""What outreach follows on the notifications stream, through the shared idempotent inbox:
what became of each recipient of a campaign broadcast. Everything else there is not ours."""

from __future__ import annotations

from xkld_shared.contracts.envelope import Envelope, EventPayload
from xkld_shared.contracts.notification import BroadcastRecipientSettled
from xkld_shared.db.pool import Conn
from xkld_shared.messaging.consumer import Handler

from xkld_outreach.adapters import broadcast_store
from xkld_outreach.application.outcomes import settle


async def on_settled(conn: Conn, envelope: Envelope, payload: EventPayload) -> None:
    assert isinstance(payload, BroadcastRecipientSettled)
    await settle(broadcast_store, conn, envelope, payload)


def handlers() -> dict[str, Handler]:
    return {BroadcastRecipientSettled.EVENT_TYPE: on_settled}
