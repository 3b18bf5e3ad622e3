"""Event handlers: each runs inside the consumer's transaction, after the inbox claim."""

from __future__ import annotations

from xkld_shared.contracts.envelope import Envelope, EventPayload
from xkld_shared.contracts.registration import (
    RegistrationPersonalDataErased,
    RegistrationSubmitted,
)
from xkld_shared.db.pool import Conn

from xkld_notifications.adapters import store
from xkld_notifications.domain.outbound import acknowledgement


async def on_registration_submitted(conn: Conn, envelope: Envelope, event: EventPayload) -> None:
    assert isinstance(event, RegistrationSubmitted)
    contact = store.Contact(
        registration_id=envelope.registration_id,
        phone_ciphertext=event.phone_ciphertext,
        sms_consent=event.sms_consent,
        commune_code=event.commune_code,
        province_code=event.province_code,
    )
    await store.upsert_contact(conn, contact)
    sms = acknowledgement(
        event_id=envelope.event_id,
        registration_id=envelope.registration_id,
        commune_code=event.commune_code,
        consent=event.sms_consent,
    )
    await store.add_message(conn, sms, envelope.event_id)
    # Wake the dispatcher when this transaction commits.
    await conn.execute("SELECT pg_notify('sms_message', '')")


async def on_personal_data_erased(conn: Conn, envelope: Envelope, event: EventPayload) -> None:
    """Forget the phone; what was still waiting to be sent will not be sent."""
    assert isinstance(event, RegistrationPersonalDataErased)
    await store.forget_contact(conn, envelope.registration_id)
