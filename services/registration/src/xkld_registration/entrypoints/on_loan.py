"""Following the loans service's decisions on the worker's file, through the idempotent inbox.

Each handler runs in the consumer's transaction, next to the inbox claim of its event, so a
redelivered event finds its id claimed and changes nothing.
"""

from __future__ import annotations

import logging
import uuid

from xkld_shared.audit import ChangeContext
from xkld_shared.contracts.envelope import Envelope, EventPayload
from xkld_shared.contracts.loan import (
    LoanApplicationReceived,
    LoanApproved,
    LoanDisbursed,
    LoanRejected,
)
from xkld_shared.db.pool import Conn
from xkld_shared.identity.principal import Principal

from xkld_registration.adapters.journey_store import add_record, load_file, save_journey
from xkld_registration.adapters.loan_links import (
    link_decided_application,
    link_requested_application,
)
from xkld_registration.application.file_log import audit_file
from xkld_registration.application.journey_steps import journey_view
from xkld_registration.domain.journey_state import LoanFact, apply_loan_fact

log = logging.getLogger(__name__)

# Changes made by consuming an event are recorded as made by the service that decided them.
LOANS_SERVICE = Principal(subject="service:loans", username="loans-service", roles=frozenset())

_FACTS = {
    LoanApproved.EVENT_TYPE: LoanFact.APPROVED,
    LoanRejected.EVENT_TYPE: LoanFact.REJECTED,
    LoanDisbursed.EVENT_TYPE: LoanFact.DISBURSED,
}


async def on_application_received(conn: Conn, envelope: Envelope, payload: EventPayload) -> None:
    """Link the bank's application to our request (only when it came from one)."""
    assert isinstance(payload, LoanApplicationReceived)
    if payload.loan_request_id is None:
        return
    await link_requested_application(
        conn, envelope.registration_id, payload.loan_request_id, payload.loan_application_id
    )


async def on_loan_decided(conn: Conn, envelope: Envelope, payload: EventPayload) -> None:
    file = await load_file(conn, envelope.registration_id)
    if file is None:
        # An application the bank took directly, for a file this service does not hold.
        log.info("loan event for an unknown registration; nothing to update")
        return
    fact = _FACTS[envelope.event_type]
    journey = apply_loan_fact(file.journey, fact)
    await save_journey(conn, file.id, journey)
    kind = await _keep_decision(conn, envelope, payload, file.id)
    context = ChangeContext(LOANS_SERVICE, None, envelope.correlation_id)
    change = (journey_view(file.journey), journey_view(journey))
    await audit_file(conn, context, f"journey.{kind}", file.id, change)


async def _keep_decision(
    conn: Conn, envelope: Envelope, payload: EventPayload, file_id: uuid.UUID
) -> str:
    """Link the decided application and keep the decision as a journey record; its kind."""
    details = payload.model_dump(mode="json")
    await link_decided_application(conn, file_id, uuid.UUID(details["loan_application_id"]))
    kind = f"loan_{_FACTS[envelope.event_type].value}"
    await add_record(conn, file_id, kind, envelope.occurred_at.date(), details, "loans-service")
    return kind


LOAN_HANDLERS = {
    LoanApplicationReceived.EVENT_TYPE: on_application_received,
    **dict.fromkeys(_FACTS, on_loan_decided),
}
