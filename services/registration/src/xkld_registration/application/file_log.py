"""What every step on a worker's file leaves behind, in the step's own transaction: an audit
row about the file, and the events it emits through the outbox."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from xkld_shared.audit import ChangeContext, record_change
from xkld_shared.contracts.envelope import EventPayload, new_envelope
from xkld_shared.db.pool import Conn
from xkld_shared.messaging.outbox import add_to_outbox

from xkld_registration.application.submit_registration import PRODUCER


async def audit_file(
    conn: Conn,
    ctx: ChangeContext,
    action: str,
    rid: uuid.UUID,
    change: tuple[Mapping[str, Any], Mapping[str, Any]],
) -> None:
    """One audit row about the file `rid`; `change` is what it was before and after."""
    before, after = change
    await record_change(
        conn,
        ctx,
        action=action,
        entity_type="registration",
        entity_id=str(rid),
        before=before,
        after=after,
    )


async def emit(
    conn: Conn, topic: str, payload: EventPayload, key: uuid.UUID, ctx: ChangeContext
) -> None:
    """One event keyed by `key` (a file's id keeps its events in order), into the outbox."""
    envelope = new_envelope(
        payload, registration_id=key, producer=PRODUCER, correlation_id=ctx.correlation_id
    )
    await add_to_outbox(conn, topic, [envelope])
