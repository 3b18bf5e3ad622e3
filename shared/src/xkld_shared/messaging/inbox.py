"""The idempotent inbox: an event's effect and its id commit together, or neither does."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from xkld_shared.db.pool import Conn


async def claim_events(
    conn: Conn, consumer: str, events: Sequence[tuple[uuid.UUID, str]]
) -> set[uuid.UUID]:
    """Record `(event_id, event_type)` pairs; return the ids this consumer had not seen.

    Call it inside the transaction that applies the effects: if they fail and the transaction
    rolls back, the claims go with it, so a failure is never hidden as "done".
    """
    if not conn.is_in_transaction():
        raise RuntimeError("the inbox claim must share the effect's transaction")
    if not events:
        return set()
    rows = await conn.fetch(
        """INSERT INTO inbox (consumer, event_id, event_type)
           SELECT $1, e.id, e.type FROM unnest($2::uuid[], $3::text[]) AS e(id, type)
           ON CONFLICT DO NOTHING RETURNING event_id""",
        consumer,
        [event_id for event_id, _ in events],
        [event_type for _, event_type in events],
    )
    return {row["event_id"] for row in rows}
