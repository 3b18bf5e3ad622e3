"""Projections: read models kept from events, holding ids and dimensions, never personal data.

Counting is commutative, so these are batch handlers: one statement per batch, not per event.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from xkld_shared.contracts.envelope import Envelope, EventPayload
from xkld_shared.contracts.registration import RegistrationSubmitted
from xkld_shared.db.pool import Conn


async def on_registrations_submitted(
    conn: Conn, events: Sequence[tuple[Envelope, EventPayload]]
) -> None:
    per_commune: Counter[str] = Counter()
    for _, event in events:
        assert isinstance(event, RegistrationSubmitted)
        per_commune[event.commune_code] += 1
    await conn.execute(
        """INSERT INTO registrations_by_commune (commune_code, registered)
           SELECT * FROM unnest($1::text[], $2::bigint[])
           ON CONFLICT (commune_code)
           DO UPDATE SET registered = registrations_by_commune.registered + EXCLUDED.registered""",
        list(per_commune),
        list(per_commune.values()),
    )
    await _advance(conn, "registration", events)


async def _advance(
    conn: Conn, stream: str, events: Sequence[tuple[Envelope, EventPayload]]
) -> None:
    newest = max(envelope.occurred_at for envelope, _ in events)
    await conn.execute(
        """INSERT INTO stream_position (stream, last_event_at, updated_at)
           VALUES ($1, $2, now())
           ON CONFLICT (stream) DO UPDATE
           SET last_event_at = greatest(stream_position.last_event_at, EXCLUDED.last_event_at),
               updated_at = now()""",
        stream,
        newest,
    )
