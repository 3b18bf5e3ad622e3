"""Survey rounds and households: each change, its audit row and its events commit together."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
from xkld_shared import idempotency
from xkld_shared.audit import Change, ChangeContext, record_changes
from xkld_shared.clock import vietnam_today
from xkld_shared.contracts.envelope import Envelope, EventPayload, new_envelope
from xkld_shared.contracts.outreach import (
    SurveyMemberRecorded,
    SurveyRoundClosed,
    SurveyRoundOpened,
)
from xkld_shared.db.pool import Conn
from xkld_shared.errors import FieldProblem, InvalidInput
from xkld_shared.identity.principal import Principal, Role
from xkld_shared.messaging.outbox import add_to_outbox

from xkld_outreach.application.ports import Communes, Sealer, SurveyStore
from xkld_outreach.application.scope import RoundNotFound, check_writes, readable, writable
from xkld_outreach.application.unit_of_work import once
from xkld_outreach.domain.survey import (
    Member,
    OpenRound,
    RoundAlreadyClosed,
    check_members,
    check_open,
    check_round,
)

PRODUCER = "outreach"

_NO_SUCH_COMMUNE = FieldProblem(
    "commune_code",
    "Không có xã/phường mang mã này (dùng mã sau 01/07/2025)",
    "No current commune has this code (use the code after 1 July 2025)",
)


@dataclass(frozen=True)
class Household:
    hamlet: str
    members: list[Member]


def round_body(row: asyncpg.Record) -> dict[str, Any]:
    body = {
        k: row[k]
        for k in ("commune_code", "province_code", "title", "status", "opened_by", "closed_by")
    }
    body |= {
        "round_id": str(row["id"]),
        "period_start": row["period_start"].isoformat(),
        "period_end": row["period_end"].isoformat(),
    }
    for count in ("households", "members"):
        if count in row.keys():  # noqa: SIM118 - a Record is not a dict
            body[count] = row[count]
    return body


class Survey:
    def __init__(
        self,
        pool: asyncpg.Pool,
        store: SurveyStore,
        topic: str,
        communes: Communes,
        sealer: Sealer,
    ) -> None:
        self._sealer = sealer
        self._pool = pool
        self._store = store
        self._topic = topic
        self._communes = communes

    async def open_round(
        self,
        commune_code: str,
        title: str,
        period: tuple[Any, Any],
        context: ChangeContext,
        keyed: idempotency.Keyed,
    ) -> idempotency.Answer:
        province = self._province_of(commune_code)
        check_writes(context.actor, commune_code)
        cmd = OpenRound(commune_code, province, title, *period)
        check_round(cmd)

        async def work(conn: Conn) -> idempotency.Answer:
            round_id = uuid.uuid4()
            row = await self._store.insert_round(conn, round_id, cmd, context.actor.username)
            event = _opened(round_id, cmd)
            body = round_body(row)
            await self._changed(conn, context, "survey_round.opened", round_id, {}, body, [event])
            return idempotency.Answer(201, body)

        return await once(self._pool, keyed, work)

    def _province_of(self, commune_code: str) -> str:
        province = self._communes.province_of(commune_code)
        if province is None:
            raise InvalidInput.of([_NO_SUCH_COMMUNE])
        return province

    async def close_round(self, round_id: uuid.UUID, context: ChangeContext) -> dict[str, Any]:
        async with self._pool.acquire() as conn, conn.transaction():
            row = await self._to_close(conn, round_id, context.actor)
            closed = await self._store.close_round(conn, round_id, context.actor.username)
            event = _closed(round_id, closed)
            body = round_body(closed)
            before = round_body(row)
            await self._changed(
                conn, context, "survey_round.closed", round_id, before, body, [event]
            )
            return body

    async def _to_close(self, conn: Conn, round_id: uuid.UUID, actor: Principal) -> asyncpg.Record:
        found = await self._store.round_row(conn, round_id, lock=True)
        row = writable(actor, found, RoundNotFound())
        if row["status"] != "open":
            raise RoundAlreadyClosed
        return row

    async def rounds(self, actor: Principal) -> list[dict[str, Any]]:
        async with self._pool.acquire() as conn:
            rows = await self._store.rounds_in(conn, sorted(actor.scope.communes), _province(actor))
        return [round_body(r) for r in rows]

    async def round(self, round_id: uuid.UUID, actor: Principal) -> asyncpg.Record:
        async with self._pool.acquire() as conn:
            return readable(actor, await self._store.round_row(conn, round_id), RoundNotFound())

    async def add_household(
        self,
        round_id: uuid.UUID,
        household: Household,
        context: ChangeContext,
        keyed: idempotency.Keyed | None,
    ) -> idempotency.Answer:
        check_members(household.members)

        async def work(conn: Conn) -> idempotency.Answer:
            return await self.write_household(conn, round_id, household, context)

        if keyed is None:
            async with self._pool.acquire() as conn, conn.transaction():
                return await work(conn)
        return await once(self._pool, keyed, work)

    async def write_household(
        self, conn: Conn, round_id: uuid.UUID, household: Household, context: ChangeContext
    ) -> idempotency.Answer:
        """In the caller's transaction (an import writes many)."""
        # A share lock: households of one round go in side by side, but not past its closing.
        found = await self._store.round_for_share(conn, round_id)
        row = writable(context.actor, found, RoundNotFound())
        check_open(row["status"])
        household_id = uuid.uuid4()
        members = [(uuid.uuid4(), m) for m in household.members]
        actor = context.actor.username
        store = self._store
        await store.insert_household(conn, household_id, round_id, household.hamlet, actor)
        await store.insert_members(conn, household_id, round_id, members, actor, self._sealer.seal)
        events = [_recorded(row, household_id, household.hamlet, i, m) for i, m in members]
        body = _household_body(household_id, round_id, household.hamlet, members)
        await self._changed(
            conn, context, "survey_household.recorded", household_id, {}, body, events
        )
        return idempotency.Answer(201, body)

    async def _changed(
        self,
        conn: Conn,
        context: ChangeContext,
        action: str,
        entity_id: uuid.UUID,
        before: dict[str, Any],
        after: dict[str, Any],
        events: Sequence[EventPayload],
    ) -> None:
        """The audit row and the events (keyed by the entity: a round or a household)."""
        entity = action.split(".")[0]
        await record_changes(conn, [Change(context, action, entity, str(entity_id), before, after)])
        await add_to_outbox(conn, self._topic, _envelopes(entity_id, events, context))


def _envelopes(
    entity_id: uuid.UUID, events: Sequence[EventPayload], context: ChangeContext
) -> list[Envelope]:
    return [
        new_envelope(
            e,
            registration_id=entity_id,
            producer=PRODUCER,
            correlation_id=context.correlation_id,
        )
        for e in events
    ]


def _opened(round_id: uuid.UUID, cmd: OpenRound) -> SurveyRoundOpened:
    return SurveyRoundOpened(
        round_id=round_id,
        commune_code=cmd.commune_code,
        province_code=cmd.province_code,
        period_start=cmd.period_start,
        period_end=cmd.period_end,
        opened_on=vietnam_today(),
    )


def _closed(round_id: uuid.UUID, closed: asyncpg.Record) -> SurveyRoundClosed:
    return SurveyRoundClosed(
        round_id=round_id,
        closed_on=vietnam_today(),
        households=closed["households"],
        members=closed["members"],
    )


def _household_body(
    household_id: uuid.UUID,
    round_id: uuid.UUID,
    hamlet: str,
    members: list[tuple[uuid.UUID, Member]],
) -> dict[str, Any]:
    return {
        "household_id": str(household_id),
        "round_id": str(round_id),
        "hamlet": hamlet,
        "member_ids": [str(i) for i, _ in members],
    }


def _province(actor: Principal) -> str | None:
    return actor.scope.province if Role.LABOUR_OFFICER in actor.roles else None


def _recorded(
    row: asyncpg.Record, household_id: uuid.UUID, hamlet: str, member_id: uuid.UUID, m: Member
) -> SurveyMemberRecorded:
    return SurveyMemberRecorded(
        round_id=row["id"],
        household_id=household_id,
        member_id=member_id,
        commune_code=row["commune_code"],
        province_code=row["province_code"],
        hamlet=hamlet,
        age_band=m.age_band,
        gender=m.gender,
        education=m.education,
        current_work=m.current_work,
        wants_training=m.wants_training,
        trade_code=m.trade_code,
        wants_abroad=m.wants_abroad,
        market_code=m.market_code,
        abroad_when=m.abroad_when,
        needs_loan=m.needs_loan,
        priority_groups=tuple(sorted(m.priority_groups)),
        contact_consent=m.contact_consent,
    )
