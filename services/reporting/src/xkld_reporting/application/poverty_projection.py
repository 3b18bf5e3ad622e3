"""Applying a batch's poverty statuses to the projection: one row per household, basis and
list year, the later event winning. Called by `projector.project` inside the batch's
transaction, in the events' order."""

from __future__ import annotations

from collections.abc import Sequence

from xkld_shared.contracts.envelope import Envelope, EventPayload
from xkld_shared.contracts.journey import PovertyStatusRecorded
from xkld_shared.db.pool import Conn

from xkld_reporting.application.ports import FactWrites, PovertyKey

POVERTY_EVENTS = frozenset({PovertyStatusRecorded})


async def project_poverty(
    facts: FactWrites, conn: Conn, schema: str, events: Sequence[tuple[Envelope, EventPayload]]
) -> None:
    latest = _latest_status(events)
    if not latest:
        return
    await facts.put_poverty(conn, schema, latest)


def _latest_status(events: Sequence[tuple[Envelope, EventPayload]]) -> dict[PovertyKey, str]:
    """Each household's last status in the batch, by registration, basis and list year."""
    latest: dict[PovertyKey, str] = {}
    for env, e in events:
        assert isinstance(e, PovertyStatusRecorded)
        latest[(env.registration_id, e.basis, e.list_year)] = e.status
    return latest
