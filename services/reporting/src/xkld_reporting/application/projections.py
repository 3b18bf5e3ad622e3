"""Projections: read models kept from events, holding ids and dimensions, never personal data."""

from __future__ import annotations

from xkld_shared.contracts.envelope import Envelope, EventPayload
from xkld_shared.contracts.registration import RegistrationSubmitted
from xkld_shared.db.pool import Conn


async def on_registration_submitted(conn: Conn, envelope: Envelope, event: EventPayload) -> None:
    assert isinstance(event, RegistrationSubmitted)
    await conn.execute(
        """INSERT INTO registrations_by_commune (commune_code, registered) VALUES ($1, 1)
           ON CONFLICT (commune_code)
           DO UPDATE SET registered = registrations_by_commune.registered + 1""",
        event.commune_code,
    )
    await conn.execute(
        """INSERT INTO stream_position (stream, last_event_at, updated_at)
           VALUES ('registration', $1, now())
           ON CONFLICT (stream) DO UPDATE
           SET last_event_at = greatest(stream_position.last_event_at, EXCLUDED.last_event_at),
               updated_at = now()""",
        envelope.occurred_at,
    )
