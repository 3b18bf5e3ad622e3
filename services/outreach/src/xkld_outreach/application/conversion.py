"""A respondent who wants to work abroad becomes a registration, once.

Outreach does not make the file: registration owns it. Outreach hands the commune officer the
pre-filled intake (with the respondent's id); registration's intake takes that id with a unique
index, so however often, and however concurrently, the intake is sent there is one file. When
its RegistrationSubmitted arrives here, the respondent is linked to it, once (the inbox and a
guarded update), with an audit row and a SurveyRespondentConverted event in that transaction.
"""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
from xkld_shared.audit import ChangeContext, record_change
from xkld_shared.clock import vietnam_today
from xkld_shared.contracts.envelope import Envelope, new_envelope
from xkld_shared.contracts.outreach import SurveyRespondentConverted
from xkld_shared.db.pool import Conn
from xkld_shared.identity.principal import Principal
from xkld_shared.messaging.outbox import add_to_outbox

from xkld_outreach.application.ports import FollowedStore, SurveyStore
from xkld_outreach.application.scope import RespondentNotFound, readable
from xkld_outreach.domain.erasure import check_not_erased
from xkld_outreach.domain.survey import check_convertible

# What the officer still types at intake: the survey never asks for them.
STILL_NEEDED = (
    "cccd",
    "date_of_birth",
    "phone",
    "ethnicity_code",
    "household_poverty",
    "consents",
    "consent_text_version",
)
# Links made by consuming registration's event are recorded as made by that service.
REGISTRATION_SERVICE = Principal(
    subject="service:registration", username="registration-service", roles=frozenset()
)


class Conversion:
    def __init__(self, pool: asyncpg.Pool, store: SurveyStore) -> None:
        self._pool = pool
        self._store = store

    async def intake(self, respondent_id: uuid.UUID, actor: Principal) -> dict[str, Any]:
        """The registration intake's body, pre-filled from the survey, for the officer to
        complete and send to registration's `POST /registrations`."""
        async with self._pool.acquire() as conn:
            row = await self._store.member_with_round(conn, respondent_id)
        row = readable(actor, row, RespondentNotFound())
        check_not_erased(row["erased_at"])
        check_convertible(row["wants_abroad"], row["age_band"])
        prefill = _prefill(row, respondent_id)
        linked = row["registration_id"]
        return {
            "intake": {k: v for k, v in prefill.items() if v is not None},
            "still_needed": [f for f in STILL_NEEDED if f not in prefill or prefill[f] is None],
            "registration_id": None if linked is None else str(linked),
        }


def _prefill(row: asyncpg.Record, respondent_id: uuid.UUID) -> dict[str, Any]:
    """What the survey knows, under the intake's names."""
    return {
        "full_name": row["full_name"],
        "gender": row["gender"],
        "commune_code": row["commune_code"],
        "hamlet": row["hamlet"],
        "education": row["education"],
        "priority_groups": list(row["priority_groups"]),
        "desired_market": row["market_code"],
        "loan_wanted": row["needs_loan"],
        "outreach_respondent_id": str(respondent_id),
    }


async def link_registration(
    store: FollowedStore, conn: Conn, envelope: Envelope, respondent_id: uuid.UUID, topic: str
) -> bool:
    """Link the respondent to the file made from them; False when already linked (or unknown).

    An erased member is never linked: an intake sent after the erasure (made from a pre-fill
    fetched before it) would tie the anonymous answers back to a named file."""
    row = await store.link_member(conn, respondent_id, envelope.registration_id)
    if row is None:
        return False
    await _audit_link(conn, envelope, respondent_id)
    await add_to_outbox(conn, topic, [_converted(row, envelope, respondent_id)])
    return True


async def _audit_link(conn: Conn, envelope: Envelope, respondent_id: uuid.UUID) -> None:
    context = ChangeContext(REGISTRATION_SERVICE, None, envelope.correlation_id)
    await record_change(
        conn,
        context,
        action="survey_member.converted",
        entity_type="survey_member",
        entity_id=str(respondent_id),
        before={"registration_id": None},
        after={"registration_id": str(envelope.registration_id)},
    )


def _converted(row: asyncpg.Record, envelope: Envelope, respondent_id: uuid.UUID) -> Envelope:
    """SurveyRespondentConverted, keyed by the household, caused by the registration's event."""
    event = SurveyRespondentConverted(
        round_id=row["round_id"],
        household_id=row["household_id"],
        member_id=respondent_id,
        registration_id=envelope.registration_id,
        commune_code=row["commune_code"],
        converted_on=vietnam_today(),
    )
    return new_envelope(
        event,
        registration_id=row["household_id"],
        producer="outreach",
        correlation_id=envelope.correlation_id,
        causation_id=envelope.event_id,
    )


async def forget_erased(store: FollowedStore, conn: Conn, envelope: Envelope) -> None:
    """The file made from a respondent was erased on request: the survey forgets the name it
    held for the pre-fill too. The answers (bands and codes) stay, as counts do in reporting."""
    row = await store.forget_member_of(conn, envelope.registration_id)
    if row is None:
        return
    await _audit_forgotten(conn, envelope, row["id"])


async def _audit_forgotten(conn: Conn, envelope: Envelope, member_id: uuid.UUID) -> None:
    context = ChangeContext(REGISTRATION_SERVICE, None, envelope.correlation_id)
    await record_change(
        conn,
        context,
        action="survey_member.name_erased",
        entity_type="survey_member",
        entity_id=str(member_id),
        before={"full_name": "«sealed»", "phone": "«sealed»"},
        after={"full_name": None, "phone": None},
    )
