"""What outreach follows on the registration stream, through the shared idempotent inbox:
course-plan lines (the places the suggested course plan counts against), and files made from
survey respondents (the conversion's link). Never registration's tables."""

from __future__ import annotations

from xkld_shared.contracts.envelope import Envelope, EventPayload
from xkld_shared.contracts.journey import WorkerDeparted
from xkld_shared.contracts.registration import (
    RegistrationPersonalDataErased,
    RegistrationSubmitted,
)
from xkld_shared.contracts.training import CoursePlanLineSet, CoursePlanLineWithdrawn
from xkld_shared.db.pool import Conn
from xkld_shared.messaging.consumer import Handler

from xkld_outreach.adapters import followed_store
from xkld_outreach.application.conversion import forget_erased, link_registration


async def on_plan_line_set(conn: Conn, envelope: Envelope, payload: EventPayload) -> None:
    assert isinstance(payload, CoursePlanLineSet)
    await followed_store.set_plan_line(conn, payload)


async def on_plan_line_withdrawn(conn: Conn, envelope: Envelope, payload: EventPayload) -> None:
    assert isinstance(payload, CoursePlanLineWithdrawn)
    await followed_store.withdraw_plan_line(conn, payload.line_id)


async def on_departed(conn: Conn, envelope: Envelope, payload: EventPayload) -> None:
    """A converted respondent's worker departed: the funnel's last stage."""
    assert isinstance(payload, WorkerDeparted)
    await followed_store.record_departure(conn, envelope.registration_id, payload.departed_on)


def handlers(outreach_topic: str) -> dict[str, Handler]:
    async def on_submitted(conn: Conn, envelope: Envelope, payload: EventPayload) -> None:
        assert isinstance(payload, RegistrationSubmitted)
        if payload.outreach_respondent_id is not None:
            respondent = payload.outreach_respondent_id
            await link_registration(followed_store, conn, envelope, respondent, outreach_topic)

    async def on_erased(conn: Conn, envelope: Envelope, payload: EventPayload) -> None:
        await forget_erased(followed_store, conn, envelope)

    return {
        RegistrationPersonalDataErased.EVENT_TYPE: on_erased,
        CoursePlanLineSet.EVENT_TYPE: on_plan_line_set,
        CoursePlanLineWithdrawn.EVENT_TYPE: on_plan_line_withdrawn,
        RegistrationSubmitted.EVENT_TYPE: on_submitted,
        WorkerDeparted.EVENT_TYPE: on_departed,
    }
