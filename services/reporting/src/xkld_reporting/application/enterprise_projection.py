"""Applying a batch's enterprise facts (the fee recorded with a contract, officers' complaints)
to the projection schema. Called by `projector.project` inside the batch's transaction; the
registration rows (departed, returned, absconded, per enterprise) are projected as before."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from xkld_shared.contracts.enterprise import EnterpriseComplaintRecorded
from xkld_shared.contracts.envelope import Envelope, EventPayload
from xkld_shared.contracts.journey import ContractSigned
from xkld_shared.db.pool import Conn

from xkld_reporting.application.ports import FactWrites

# Events only this module projects (ContractSigned is projected by both).
ENTERPRISE_ONLY = frozenset([EnterpriseComplaintRecorded])


async def project_enterprise_facts(
    facts: FactWrites, conn: Conn, schema: str, events: Sequence[tuple[Envelope, EventPayload]]
) -> None:
    # Keyed by registration (or complaint) id, the last event of the batch wins, in order.
    fees: dict[uuid.UUID, ContractSigned] = {}
    complaints: dict[uuid.UUID, EnterpriseComplaintRecorded] = {}
    for env, event in events:
        if isinstance(event, ContractSigned):
            fees[env.registration_id] = event
        elif isinstance(event, EnterpriseComplaintRecorded):
            complaints[env.registration_id] = event
    if fees:
        await facts.put_contract_fees(conn, schema, fees)
    if complaints:
        await facts.add_complaints(conn, schema, complaints)
