"""Writing events to the outbox, inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence

from xkld_shared.contracts.envelope import Envelope
from xkld_shared.db.pool import Conn
from xkld_shared.tracing import current_traceparent


async def add_to_outbox(
    conn: Conn,
    topic: str,
    events: Sequence[Envelope],
    traceparents: Sequence[str | None] | None = None,
) -> None:
    """Must run inside the same transaction as the state change the events describe.

    `traceparents`, one per event, for a writer that serves many requests at once (group
    commit): each event joins the trace of its own request, not the writer's."""
    if not conn.is_in_transaction():
        raise RuntimeError("outbox writes must share the state change's transaction")
    # The writer's span (an HTTP request, a consumer's event) becomes the parent of the publish.
    if traceparents is None:
        traceparents = [current_traceparent()] * len(events)
    await conn.executemany(
        """INSERT INTO outbox (event_id, topic, partition_key, event_type, envelope, traceparent)
           VALUES ($1, $2, $3, $4, $5, $6)""",
        [
            (e.event_id, topic, str(e.registration_id), e.event_type, e.to_bytes(), parent)
            for e, parent in zip(events, traceparents, strict=True)
        ],
    )
