"""Campaigns and their meetings: each write, its idempotency key and its audit row commit
together."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
from xkld_shared import idempotency
from xkld_shared.audit import ChangeContext
from xkld_shared.db.pool import Conn
from xkld_shared.errors import FieldProblem, InvalidInput
from xkld_shared.identity.principal import Principal

from xkld_outreach.application.campaign_scope import (
    check_covers,
    province_filter,
    readable,
    writable,
)
from xkld_outreach.application.ports import CampaignStore, Communes
from xkld_outreach.application.templates import TemplateNotFound
from xkld_outreach.application.unit_of_work import audited, once
from xkld_outreach.domain.campaign import (
    NewCampaign,
    check_campaign,
    check_not_closed,
    check_transition,
)

_LISTS = ("communes", "priority_groups", "hamlets", "age_bands", "channels")


def campaign_body(row: asyncpg.Record) -> dict[str, Any]:
    body: dict[str, Any] = {
        k: row[k] for k in ("goal", "province_code", "template_code", "status", "created_by")
    }
    body |= {k: list(row[k]) for k in _LISTS}
    return body | {
        "campaign_id": str(row["id"]),
        "period_start": row["period_start"].isoformat(),
        "period_end": row["period_end"].isoformat(),
    }


def _problem(field: str, vi: str, en: str) -> InvalidInput:
    return InvalidInput.of([FieldProblem(field, vi, en)])


class Campaigns:
    def __init__(self, pool: asyncpg.Pool, store: CampaignStore, communes: Communes) -> None:
        self._pool = pool
        self._store = store
        self._communes = communes

    def _province(self, communes: frozenset[str]) -> str:
        provinces = {self._communes.province_of(c) for c in communes}
        if None in provinces:
            raise _problem(
                "communes",
                "Có mã xã/phường không tồn tại (dùng mã sau 01/07/2025)",
                "A commune code is unknown (use the codes after 1 July 2025)",
            )
        if len(provinces) != 1:
            raise _problem(
                "communes",
                "Các xã/phường của một chiến dịch phải cùng một tỉnh",
                "A campaign's communes must be in one province",
            )
        province = provinces.pop()
        assert province is not None
        return province

    async def create(
        self, cmd: NewCampaign, context: ChangeContext, keyed: idempotency.Keyed
    ) -> idempotency.Answer:
        check_campaign(cmd)
        province = self._province(cmd.target.communes)
        check_covers(context.actor, cmd.target.communes, province)

        async def work(conn: Conn) -> idempotency.Answer:
            if await self._store.template(conn, cmd.template_code) is None:
                raise TemplateNotFound
            campaign_id = uuid.uuid4()
            row = await self._store.insert_campaign(
                conn, campaign_id, cmd, province, context.actor.username
            )
            body = campaign_body(row)
            await audited(conn, context, "campaign.created", campaign_id, {}, body)
            return idempotency.Answer(201, body)

        return await once(self._pool, keyed, work)

    async def in_scope(self, actor: Principal) -> list[dict[str, Any]]:
        async with self._pool.acquire() as conn:
            rows = await self._store.campaigns_in(
                conn, sorted(actor.scope.communes), province_filter(actor)
            )
        return [campaign_body(r) for r in rows]

    async def show(self, campaign_id: uuid.UUID, actor: Principal) -> dict[str, Any]:
        async with self._pool.acquire() as conn:
            row = readable(actor, await self._store.campaign(conn, campaign_id))
            meetings = await self._store.meetings_of(conn, campaign_id)
        return campaign_body(row) | {"meetings": [_meeting(m) for m in meetings]}

    async def set_status(
        self, campaign_id: uuid.UUID, wanted: str, context: ChangeContext
    ) -> dict[str, Any]:
        async with self._pool.acquire() as conn, conn.transaction():
            row = writable(context.actor, await self._store.campaign(conn, campaign_id, lock=True))
            check_transition(row["status"], wanted)
            changed = await self._store.set_status(conn, campaign_id, wanted)
            before, after = campaign_body(row), campaign_body(changed)
            await audited(conn, context, f"campaign.{wanted}", campaign_id, before, after)
            return after

    async def record_meeting(
        self,
        campaign_id: uuid.UUID,
        meeting: dict[str, Any],
        attendees: list[tuple[uuid.UUID, bool]],
        context: ChangeContext,
        keyed: idempotency.Keyed,
    ) -> idempotency.Answer:
        async def work(conn: Conn) -> idempotency.Answer:
            row = writable(context.actor, await self._store.campaign(conn, campaign_id, lock=True))
            check_not_closed(row["status"])
            await self._check_attendees(conn, row, meeting["commune_code"], attendees)
            meeting_id = uuid.uuid4()
            await self._store.insert_meeting(
                conn, meeting_id, campaign_id, meeting, context.actor.username
            )
            await self._store.insert_attendees(conn, meeting_id, attendees)
            body = _meeting_answer(meeting_id, campaign_id, meeting, attendees)
            await audited(conn, context, "campaign_meeting.recorded", meeting_id, {}, body)
            return idempotency.Answer(201, body)

        return await once(self._pool, keyed, work)

    async def _check_attendees(
        self,
        conn: Conn,
        row: asyncpg.Record,
        commune: str,
        attendees: list[tuple[uuid.UUID, bool]],
    ) -> None:
        if commune not in row["communes"]:
            raise _problem(
                "commune_code",
                "Xã/phường này không thuộc chiến dịch",
                "This commune is not one of the campaign's",
            )
        ids = [m for m, _ in attendees]
        if len(set(ids)) != len(ids):
            raise _problem("attendees", "Một người được ghi hai lần", "A person is listed twice")
        await _check_respondents(self._store, conn, ids, commune)


def _meeting(m: asyncpg.Record) -> dict[str, Any]:
    return {
        "meeting_id": str(m["id"]),
        "commune_code": m["commune_code"],
        "held_on": m["held_on"].isoformat(),
        "place": m["place"],
        "walk_ins": m["walk_ins"],
        "attendees": m["attendees"],
        "interested": m["interested"],
        "recorded_by": m["recorded_by"],
    }


def _meeting_answer(
    meeting_id: uuid.UUID,
    campaign_id: uuid.UUID,
    meeting: dict[str, Any],
    attendees: list[tuple[uuid.UUID, bool]],
) -> dict[str, Any]:
    return {
        "meeting_id": str(meeting_id),
        "campaign_id": str(campaign_id),
        "commune_code": meeting["commune_code"],
        "held_on": meeting["held_on"].isoformat(),
        "place": meeting["place"],
        "walk_ins": meeting["walk_ins"],
        "attendees": [{"respondent_id": str(m), "interested": i} for m, i in attendees],
    }


async def _check_respondents(
    store: CampaignStore, conn: Conn, ids: list[uuid.UUID], commune: str
) -> None:
    """Every attendee is a survey respondent of the meeting's commune."""
    known = await store.members_of_commune(conn, ids, commune)
    unknown = [str(m) for m in ids if m not in known]
    if unknown:
        raise _problem(
            "attendees",
            f"Không có người trả lời khảo sát ở xã này với mã: {', '.join(unknown)}",
            f"No survey respondent of this commune has the id: {', '.join(unknown)}",
        )
