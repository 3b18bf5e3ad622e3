"""Writing events to the outbox, inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence

from xkld_shared.contracts.envelope import Envelope
from xkld_shared.db.pool import Conn


async def add_to_outbox(conn: Conn, topic: str, events: Sequence[Envelope]) -> None:
    """Must run inside the same transaction as the state change the events describe."""
    if not conn.is_in_transaction():
        raise RuntimeError("outbox writes must share the state change's transaction")
    await conn.executemany(
        """INSERT INTO outbox (event_id, topic, partition_key, event_type, envelope)
           VALUES ($1, $2, $3, $4, $5)""",
        [(e.event_id, topic, str(e.registration_id), e.event_type, e.to_bytes()) for e in events],
    )
